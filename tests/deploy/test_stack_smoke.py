"""The full stack as deployed: `deploy/run-stack --demo` (gunicorn + 2 RQ workers, production
config, the machine's PostgreSQL and Redis) with mail to an in-process SMTP server, driven over
real HTTP: a guest registers → the badge mail arrives → its QR checks the guest in at the door
→ a judge scores a final entry.

Needs PostgreSQL and Redis (it runs on the PostgreSQL leg of CI); about a minute, most of it
the stack starting (migrations, demo, the workers' font warm-up).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import drop_postgres_database, fresh_postgres_database, redis_url_for_tests
from tests.mail.conftest import SMTPServer, free_port
from tests.pdf_support import decode_pdf_qr_codes

REPO = Path(__file__).resolve().parents[2]
SLUG = "qingdao-ittc-2020"
PASSWORD = "huiwu-demo-2020"  # the demo's published password

pytestmark = pytest.mark.stack


class FormReader(HTMLParser):
    """The fields of the first form with a csrf_token: name -> first value (radio: first)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.radios: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "radio":
                self.radios.setdefault(name, []).append(a.get("value", ""))
            elif kind != "checkbox":
                self.fields.setdefault(name, a.get("value") or "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and a.get("value"):
            self.fields.setdefault(self._select, a["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def read_form(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    return reader


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture(scope="module")
def stack_database(is_postgres, database_url):
    if not is_postgres:
        pytest.skip("the deployed stack runs on PostgreSQL (TEST_DATABASE_URL)")
    name = f"{make_url(database_url).database}_stack"
    yield fresh_postgres_database(database_url, name)
    drop_postgres_database(database_url, name)


@pytest.fixture(scope="module")
def stack_redis():
    url = redis_url_for_tests()
    if url is None:
        if os.environ.get("CI"):
            pytest.fail("Redis is required in CI but not reachable")
        pytest.skip("no Redis server reachable (set TEST_REDIS_URL)")
    from urllib.parse import urlsplit

    from redis import Redis

    # A database number of its own, away from the ones the suite's workers flush.
    parts = urlsplit(url)
    url = parts._replace(path=f"/{(int(parts.path.strip('/') or 0) - 8) % 16}").geturl()
    Redis.from_url(url).flushdb()
    yield url
    Redis.from_url(url).flushdb()


@pytest.fixture(scope="module")
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stack(stack_database, stack_redis, smtp, tmp_path_factory):
    """deploy/run-stack --demo on a free port; yields (base URL, database URL)."""
    instance = tmp_path_factory.mktemp("stack-instance")
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HUIWU_", "TEST_", "MAIL_", "PYTEST_"))
        and key not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PUBLIC_BASE_URL")
    }
    env.update(
        DATABASE_URL=stack_database,
        REDIS_URL=stack_redis,
        HUIWU_BIND=f"127.0.0.1:{port}",
        HUIWU_INSTANCE_DIR=str(instance),
        HUIWU_FONT_DIR=str(REPO / "instance" / "fonts"),
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp.port),
        WEB_CONCURRENCY="2",
        HUIWU_RQ_WORKERS="2",
        HUIWU_ACCESS_LOG="",
    )
    log = (instance / "stack.log").open("w")
    process = subprocess.Popen(
        [str(REPO / "deploy" / "run-stack"), "--demo"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            if process.poll() is not None:
                pytest.fail("the stack exited:\n" + (instance / "stack.log").read_text()[-4000:])
            try:
                if requests.get(f"{base}/e/{SLUG}/", timeout=30).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                tail = (instance / "stack.log").read_text()[-4000:]
                pytest.fail("the stack did not answer:\n" + tail)
            time.sleep(1)
        yield base, stack_database
    finally:
        stop_process_group(process)
        log.close()


def stop_process_group(process: subprocess.Popen) -> None:
    """SIGTERM to the stack's process group (the script stops its parts), SIGKILL after 60 s."""
    for sig, wait in ((signal.SIGTERM, 60), (signal.SIGKILL, None)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def sign_in(base: str, email: str) -> tuple[requests.Session, str]:
    """A session signed in as `email`, and its CSRF token for API headers."""
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=30)
    response = session.post(
        f"{base}/login",
        data={"csrf_token": csrf_of(page.text), "email": email, "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:500]
    return session, csrf_of(session.get(f"{base}/login", timeout=30).text)


def test_registration_mail_checkin_and_scoring_on_the_deployed_stack(stack, smtp):
    base, database = stack
    guest = f"smoke-{uuid.uuid4().hex[:8]}@example.org"

    # 1. A guest registers on the public form (CSRF token from the page, production cookies).
    visitor = requests.Session()
    page = visitor.get(f"{base}/e/{SLUG}/register", timeout=30)
    assert page.status_code == 200
    form = read_form(page.text)
    engine = create_engine(database)
    with engine.connect() as conn:
        # Government guests: places left, the organizer approves each one.
        category = conn.execute(
            text(
                "SELECT c.id FROM category c JOIN event e ON e.id = c.event_id "
                "WHERE e.slug = :slug AND c.code = 'government'"
            ),
            {"slug": SLUG},
        ).scalar_one()
    data = dict(form.fields)
    data.update({name: values[0] for name, values in form.radios.items()})
    data.update(
        category_id=str(category),
        native_name="冒烟测试",
        latin_name="Maoyan Ceshi",
        email=guest,
        phone="+86 532 0000 0000",
        organization="Smoke Test Ltd",
        attendance="onsite",
        language="en",
        consent="y",
    )
    response = visitor.post(f"{base}/e/{SLUG}/register", data=data, allow_redirects=False)
    assert response.status_code == 302, response.text[:2000]
    assert "/r/" in response.headers["Location"]

    # 2. The organizer approves; the worker mails the badge, whose QR is the ticket code.
    with engine.connect() as conn:
        registration_id = conn.execute(
            text("SELECT id FROM registration WHERE email = :email"), {"email": guest}
        ).scalar_one()
    organizer, token = sign_in(base, "organizer@huiwu.local")
    approved = organizer.post(
        f"{base}/manage/{SLUG}/registrations/{registration_id}/approve",
        data={"csrf_token": token, "note": ""},
        allow_redirects=False,
        timeout=30,
    )
    assert approved.status_code == 302, approved.text[:2000]
    deadline = time.monotonic() + 120
    pdfs: list[bytes] = []
    while not pdfs and time.monotonic() < deadline:
        for mail in [m for m in list(smtp.messages) if m["To"] and guest in m["To"]]:
            pdfs += [
                part.get_content()
                for part in mail.iter_attachments()
                if part.get_content_type() == "application/pdf"
            ]
        time.sleep(0.2)
    subjects = [m["Subject"] for m in list(smtp.messages) if m["To"] and guest in m["To"]]
    assert len(pdfs) == 1, f"mails to the guest: {subjects}"
    codes = decode_pdf_qr_codes(pdfs[0])
    assert len(codes) == 1 and codes[0].startswith("HW1")

    # 3. Door staff scan it: welcome once, then "already checked in".
    staff, token = sign_in(base, "staff@huiwu.local")
    lists = staff.get(f"{base}/api/events/{SLUG}/checkin/lists", timeout=30).json()["lists"]
    main_hall = next(item for item in lists if "Main hall" in item["name"])
    answers = []
    for station in ("Gate A", "Gate B"):
        answer = staff.post(
            f"{base}/api/events/{SLUG}/checkin/redeem",
            json={
                "code": codes[0],
                "list_id": main_hall["id"],
                "station": station,
                "nonce": uuid.uuid4().hex,
            },
            headers={"X-CSRFToken": token},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        answers.append(answer.json())
    assert answers[0]["status"] == "ok", answers[0]
    assert answers[0]["registration"]["latin_name"] == "Maoyan Ceshi"
    assert answers[1]["status"] == "already_checked_in", answers[1]
    assert answers[1]["first_checkin"]["station"] == "Gate A"

    # 4. A judge submits a score for a final entry not scored yet.
    with engine.connect() as conn:
        round_id, entry_id, criteria = conn.execute(
            text(
                "SELECT a.round_id, a.entry_id, "
                "(SELECT string_agg(c.id::text, ',') FROM criterion c "
                "WHERE c.round_id = a.round_id) "
                "FROM assignment a JOIN round r ON r.id = a.round_id "
                'JOIN event e ON e.id = r.event_id JOIN "user" u ON u.id = a.judge_user_id '
                "WHERE e.slug = :slug AND r.kind IN ('FINAL', 'final') "
                "AND u.email = 'judge1@huiwu.local' "
                "AND NOT EXISTS (SELECT 1 FROM score_sheet s WHERE s.round_id = a.round_id "
                "AND s.entry_id = a.entry_id AND s.judge_user_id = a.judge_user_id) "
                "ORDER BY a.entry_id LIMIT 1"
            ),
            {"slug": SLUG},
        ).one()
    engine.dispose()
    judge, token = sign_in(base, "judge1@huiwu.local")
    sheet_url = f"{base}/api/events/{SLUG}/judging/rounds/{round_id}/sheets/{entry_id}"
    values = dict.fromkeys(criteria.split(","), 8)
    saved = judge.post(
        sheet_url,
        json={"client_id": uuid.uuid4().hex, "action": "submit", "values": values},
        headers={"X-CSRFToken": token},
        timeout=30,
    )
    assert saved.status_code == 200, saved.text
    assert judge.get(sheet_url, timeout=30).json()["status"] == "submitted"
