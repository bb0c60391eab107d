"""Every server thread keeps a pooled database connection.

With fewer pooled connections than threads, each request beyond the pool opened and closed a
connection of its own: a new PostgreSQL process per request (the check-in benchmark with 8
threads per worker spent more CPU on that than on its scans).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask

from app.health.errors import database_engine_options

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def load_gunicorn_conf():
    spec = importlib.util.spec_from_file_location("huiwu_gunicorn_conf", GUNICORN_CONF)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("threads", "configured", "expected"),
    [(4, None, "10"), (16, None, "16"), (16, "12", "16"), (4, "12", "12")],
)
def test_gunicorn_gives_each_worker_a_pool_as_large_as_its_threads(
    monkeypatch, threads, configured, expected
):
    if configured is None:
        monkeypatch.delenv("DATABASE_POOL_SIZE", raising=False)
    else:
        monkeypatch.setenv("DATABASE_POOL_SIZE", configured)
    conf = load_gunicorn_conf()
    server = SimpleNamespace(cfg=SimpleNamespace(threads=threads))
    conf.post_fork(server, worker=None)
    assert os.environ["DATABASE_POOL_SIZE"] == expected


def test_the_pool_size_setting_reaches_the_postgresql_engine():
    app = Flask(__name__)
    app.config.update(
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg://user@db.invalid/huiwu",
        DATABASE_POOL_SIZE=12,
        DATABASE_CONNECT_TIMEOUT=5,
    )
    database_engine_options(app)
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_size"] == 12
