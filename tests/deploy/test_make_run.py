"""`make run` serves with gunicorn, as an organizer would run a small event: the same make
targets (`db`, `demo`, then `serve`, which `run` ends with) against a scratch SQLite database,
driven over real HTTP: the event page, then a registration whose badge mail is written by the
in-process job before the answer comes back.

SQLite only (that is what `make run` serves), so it runs on CI's SQLite leg; ~15 s.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from tests.conftest import database_url_from_env
from tests.deploy.test_stack_smoke import csrf_of, read_form, stop_process_group
from tests.mail.conftest import free_port

REPO = Path(__file__).resolve().parents[2]
SLUG = "qingdao-ittc-2020"


@pytest.fixture
def make_run_server(tmp_path):
    """`make db demo` then `make serve` on a free port; yields (base URL, instance folder)."""
    if (database_url_from_env() or "").startswith("postgresql"):
        pytest.skip("make run serves SQLite: this test runs on the SQLite leg")
    instance = tmp_path / "instance"
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HUIWU_", "TEST_", "MAIL_", "PYTEST_", "RATELIMIT_"))
        and key not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PUBLIC_BASE_URL")
    }
    env.update(
        HUIWU_INSTANCE_DIR=str(instance),
        DATABASE_URL=f"sqlite:///{tmp_path / 'huiwu.sqlite3'}",
        HUIWU_ACCESS_LOG="",
    )
    make = ["make", "--no-print-directory", "-C", str(REPO), "-o", "venv"]
    prepared = subprocess.run(
        [*make, "db", "demo"], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert prepared.returncode == 0, prepared.stdout[-2000:] + prepared.stderr[-4000:]
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*make, "serve", f"RUN_BIND=127.0.0.1:{port}"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail("make serve exited:\n" + log_path.read_text()[-4000:])
            try:
                if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                pytest.fail("make serve did not answer:\n" + log_path.read_text()[-4000:])
            time.sleep(0.5)
        yield base, instance, log_path
    finally:
        stop_process_group(process)


def test_make_run_serves_the_event_with_gunicorn_and_jobs_in_process(make_run_server):
    base, instance, log_path = make_run_server
    assert "gunicorn" in log_path.read_text() and "Using worker: gthread" in log_path.read_text()

    visitor = requests.Session()
    event_page = visitor.get(f"{base}/e/{SLUG}/?lang=en", timeout=30)
    assert event_page.status_code == 200
    assert "Technology Transfer" in event_page.text

    page = visitor.get(f"{base}/e/{SLUG}/register", timeout=30)
    assert page.status_code == 200
    form = read_form(page.text)
    categories = re.findall(r'name="category_id"[^>]*value="(\d+)">([^<]+)</label>', page.text)
    online = next(value for value, label in categories if "Online" in label)
    data = dict(form.fields)
    data.update({name: values[0] for name, values in form.radios.items()})
    data.update(
        csrf_token=csrf_of(page.text),
        category_id=online,
        native_name="李娜",
        latin_name="Li Na",
        email="make-run@example.org",
        phone="+86 532 0000 0000",
        organization="Qingdao University",
        attendance="online",
        language="en",
        consent="y",
    )
    response = visitor.post(f"{base}/e/{SLUG}/register", data=data, allow_redirects=False)
    assert response.status_code == 302, response.text[:2000]
    assert "/r/" in response.headers["Location"]
    assert visitor.get(base + response.headers["Location"], timeout=30).status_code == 200

    # The confirmation mail was composed and written by the in-process job (no Redis, no worker).
    mails = [
        BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        for path in (instance / "outbox").glob("*.eml")
    ]
    assert [m for m in mails if "make-run@example.org" in str(m["To"])], [m["To"] for m in mails]

    # Signed with the key `make` generated for this instance, not the public development key.
    key_file = instance / "secret_key"
    assert key_file.stat().st_mode & 0o077 == 0
    signer = Flask(__name__)
    signer.secret_key = key_file.read_text().strip()
    serializer = SecureCookieSessionInterface().get_signing_serializer(signer)
    assert serializer.loads(visitor.cookies["session"]) is not None
