"""The migrations build, from an empty database, exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from app import create_app
from app.extensions import db
from tests.conftest import scratch_database

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A database with no tables: a new SQLite file, or a new PostgreSQL database."""
    with scratch_database(database_url, "huiwu_migrations", tmp_path) as url:
        yield url


@pytest.fixture
def migrations_app(config_class, empty_database_url, monkeypatch):
    class MigrationsConfig(config_class):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    # env.py calls logging.config.fileConfig, which would silence every logger of the suite.
    monkeypatch.setattr("logging.config.fileConfig", lambda *args, **kwargs: None)
    app = create_app(MigrationsConfig)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def schema_differences() -> list[str]:
    """What `flask db migrate` would generate now, one line per change."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, db.metadata)
    lines = []
    for diff in diffs:
        for change in diff if isinstance(diff, list) else [diff]:
            lines.append(" ".join(str(getattr(part, "name", part)) for part in change[:4]))
    return lines


def test_migrations_have_a_single_head(migrations_app):
    config = flask_migrate.Migrate(migrations_app, db, directory=str(MIGRATIONS)).get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads, merge them: {heads}"


def test_upgrade_of_an_empty_database_matches_the_models(migrations_app):
    assert inspect(db.engine).get_table_names() == []
    flask_migrate.upgrade(directory=str(MIGRATIONS))
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert schema_differences() == []


def test_downgrade_to_base_and_upgrade_again(migrations_app):
    flask_migrate.upgrade(directory=str(MIGRATIONS))
    flask_migrate.downgrade(directory=str(MIGRATIONS), revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    flask_migrate.upgrade(directory=str(MIGRATIONS))
    assert schema_differences() == []
