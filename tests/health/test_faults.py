"""Faults with real parts: the database goes away and comes back, its connections are killed
during traffic, Redis goes down while people register.

The database is cut off by a TCP proxy between the app and PostgreSQL (closing the proxy is,
to the app, exactly a server restart: refused connections, then every pooled connection dead),
and connections are killed with pg_terminate_backend — on the test's own database only; the
machine's PostgreSQL is never stopped. Redis is a redis-server the test starts itself.

SMTP outages and a worker killed mid-job are covered in tests/mail: test_delivery.py
(test_server_down_then_back_delivers_exactly_once, test_transient_4xx_is_retried …) and
test_worker.py (test_worker_killed_mid_job_the_mail_still_arrives_once).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from app.mail.models import MailState, OutboxMessage
from app.registration.models import PLACE_HOLDING_STATES, Category, Registration
from tests.conftest import form_data
from tests.health.support import RedisServer, ServedApp, TCPProxy
from tests.mail.conftest import smtp_server  # noqa: F401  (the real SMTP server fixture)
from tests.mail.test_worker import start_worker

APPLICATION_NAME = "huiwu-fault-test"


def fetch(url: str, data: dict | None = None, accept: str = "text/html") -> tuple[int, str]:
    """One real HTTP request; returns (status, body) without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    body = urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Accept": accept})  # noqa: S310
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def postgres_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("connection faults are PostgreSQL's (SQLite has no connections to lose)")
    return make_url(database_url)


def app_through(config_class, url, **settings):
    class FaultConfig(config_class):
        SQLALCHEMY_DATABASE_URI = url.render_as_string(hide_password=False)
        SQLALCHEMY_ENGINE_OPTIONS = {"connect_args": {"application_name": APPLICATION_NAME}}
        READYZ_CACHE_SECONDS = 0

    for key, value in settings.items():
        setattr(FaultConfig, key, value)
    return create_app(FaultConfig)


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def terminate_app_connections(killer) -> int:
    """Kill every connection of the app under test (pg_terminate_backend); how many."""
    with killer.connect() as conn:
        return conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = :name"
            ),
            {"name": APPLICATION_NAME},
        ).scalar()


def count_pings(app, monkeypatch) -> list[int]:
    """A list that grows by one for every real ping (SELECT 1) the app's dialect sends."""
    pings: list[int] = []
    with app.app_context():
        dialect = type(db.engine.dialect)
    original = dialect.do_ping
    monkeypatch.setattr(
        dialect, "do_ping", lambda self, conn: pings.append(1) or original(self, conn)
    )
    return pings


def test_database_gone_then_back_pages_say_try_again_and_the_app_recovers_by_itself(
    app, config_class, postgres_only, make_event, make_category
):
    event = make_event()
    category = make_category(event, capacity=None)
    proxy = TCPProxy(postgres_only.host or "127.0.0.1", postgres_only.port or 5432)
    proxy.start()
    faulty = app_through(config_class, postgres_only.set(port=proxy.port))
    register_url = f"/e/{event.slug}/register?lang=en"
    try:
        with ServedApp(faulty) as served:
            assert fetch(served.url + register_url)[0] == 200  # pooled connections exist

            proxy.stop()  # the database server "restarts": gone, and every connection dead
            status, page = fetch(served.url + register_url)
            assert status == 503
            assert 'id="service-unavailable"' in page and "Traceback" not in page
            status, page = fetch(served.url + register_url, form_data(category))
            assert status == 503
            status, body = fetch(
                served.url + f"/api/events/{event.slug}/checkin/stats", accept="application/json"
            )
            assert status in (401, 503)  # refused before or after the database is needed
            status, body = fetch(served.url + "/readyz")
            assert status == 503 and json.loads(body)["checks"]["database"]["ok"] is False
            assert fetch(served.url + "/healthz")[0] == 200

            proxy.start()  # back, on the same address: nobody restarts the app
            assert fetch(served.url + register_url)[0] == 200
            status, _ = fetch(
                served.url + register_url, form_data(category, email="back@example.org")
            )
            assert status == 302
            assert fetch(served.url + "/readyz")[0] == 200
    finally:
        proxy.stop()
        dispose(faulty)
    db.session.expire_all()
    emails = db.session.scalars(select(Registration.email)).all()
    assert emails == ["back@example.org"]  # the request made during the outage wrote nothing


def test_connections_killed_during_traffic_fail_cleanly_and_nothing_is_half_written(
    app, config_class, postgres_only, make_event, make_category
):
    event = make_event()
    category = SimpleNamespace(id=make_category(event, capacity=25).id)  # usable in threads
    slug = event.slug
    faulty = app_through(config_class, postgres_only)
    killer = create_engine(postgres_only, isolation_level="AUTOCOMMIT")
    statuses: list[int] = []
    bodies_500: list[str] = []
    lock = threading.Lock()
    numbers = itertools.count()
    stop = threading.Event()

    def traffic(base: str) -> None:
        while not stop.is_set():
            n = next(numbers)
            if n % 3:
                status, body = fetch(base + f"/e/{slug}/register")
            else:
                data = form_data(category, email=f"load{n}-{uuid.uuid4().hex[:6]}@example.org")
                status, body = fetch(base + f"/e/{slug}/register?lang=en", data)
            with lock:
                statuses.append(status)
                if status >= 500 and status != 503:
                    bodies_500.append(body[:300])

    kills = 0
    try:
        with ServedApp(faulty) as served:
            threads = [threading.Thread(target=traffic, args=(served.url,)) for _ in range(6)]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 6
            while time.monotonic() < deadline:
                time.sleep(0.3)
                kills += terminate_app_connections(killer)
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            # After the storm, without any manual action, everything works again.
            after = [fetch(served.url + f"/e/{slug}/register")[0] for _ in range(5)]
            data = form_data(category, email="after-the-storm@example.org")
            after.append(fetch(served.url + f"/e/{slug}/register?lang=en", data)[0])
    finally:
        stop.set()
        killer.dispose()
        dispose(faulty)

    print(f"killed {kills} connections; answers {sorted(Counter(statuses).items())}")
    assert kills > 10, "the test killed too few connections to mean anything"
    assert bodies_500 == []
    assert set(statuses) <= {200, 302, 400, 503}, sorted(set(statuses))
    assert after == [200] * 5 + [302]
    # Nothing half-written: places counted match the place-holding rows, one row per email.
    db.session.expire_all()
    held = db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.category_id == category.id, Registration.state.in_(PLACE_HOLDING_STATES)
        )
    )
    assert db.session.get(Category, category.id).places_taken == held
    emails = db.session.scalars(select(Registration.email)).all()
    assert len(emails) == len(set(emails))


def test_a_pooled_connection_the_server_closed_is_replaced_without_a_round_trip_or_a_failure(
    app, config_class, postgres_only, make_event, monkeypatch
):
    """The checkout check reads the socket instead of sending SELECT 1: a busy pool pings
    nothing, and a pooled connection whose backend was terminated is replaced unseen."""
    slug = make_event().slug
    faulty = app_through(config_class, postgres_only, DATABASE_POOL_PING_IDLE_SECONDS=3600)
    pings = count_pings(faulty, monkeypatch)
    killer = create_engine(postgres_only, isolation_level="AUTOCOMMIT")
    try:
        client = faulty.test_client()
        assert [client.get(f"/e/{slug}/").status_code for _ in range(5)] == [200] * 5
        assert pings == []  # no round trip spent on checking connections
        assert terminate_app_connections(killer) >= 1
        time.sleep(0.2)  # the backend's goodbye reaches the pooled connection's socket
        assert [client.get(f"/e/{slug}/").status_code for _ in range(3)] == [200] * 3
        assert pings == []
    finally:
        killer.dispose()
        dispose(faulty)


def test_a_connection_idle_longer_than_the_limit_is_pinged_before_use(
    app, config_class, postgres_only, make_event, monkeypatch
):
    slug = make_event().slug
    faulty = app_through(config_class, postgres_only, DATABASE_POOL_PING_IDLE_SECONDS=0)
    pings = count_pings(faulty, monkeypatch)
    try:
        client = faulty.test_client()
        assert [client.get(f"/e/{slug}/").status_code for _ in range(3)] == [200] * 3
        assert len(pings) >= 2  # every checkout after the first connection's
    finally:
        dispose(faulty)


def test_redis_down_registration_succeeds_and_the_mail_goes_out_when_redis_returns(
    app,
    tmp_path,
    make_event,
    make_category,
    smtp_server,  # noqa: F811
):
    redis = RedisServer(tmp_path)
    if redis.binary is None:
        pytest.skip("redis-server is not installed")
    redis.start()
    app.config.update(REDIS_URL=redis.url, READYZ_CACHE_SECONDS=0)
    app.extensions.pop("huiwu_redis", None)
    event = make_event()
    category = make_category(event)
    worker = start_worker(app, WORKER_MAINTENANCE_SECONDS=1, MAIL_STUCK_AFTER_SECONDS=5)
    client = app.test_client()
    try:
        deadline = time.monotonic() + 60
        while client.get("/readyz").get_json()["checks"]["workers"].get("count") != 1:
            assert time.monotonic() < deadline, "the worker never came up"
            time.sleep(0.2)

        redis.stop()
        started = time.monotonic()
        response = client.post(
            f"/e/{event.slug}/register?lang=en", data=form_data(category, email="ada@example.org")
        )
        assert response.status_code == 302  # registered although Redis is down
        assert time.monotonic() - started < 10
        registration = db.session.scalars(select(Registration)).one()
        assert registration.state.value == "confirmed"
        message = db.session.scalars(select(OutboxMessage)).one()
        assert message.state == MailState.QUEUED
        db.session.commit()
        assert client.get("/readyz").status_code == 503
        time.sleep(2)
        assert smtp_server.messages == []

        redis.start()  # back on the same port; the worker's sweep finds the queued mail
        deadline = time.monotonic() + 90
        while True:
            state = db.session.scalar(
                select(OutboxMessage.state).where(OutboxMessage.id == message.id)
            )
            db.session.commit()
            if state == MailState.SENT:
                break
            if time.monotonic() > deadline:
                worker.terminate()
                output = worker.communicate(timeout=30)[0].decode(errors="replace")
                pytest.fail(f"the queued mail was never sent ({state}); worker:\n{output[-20000:]}")
            time.sleep(0.3)
        time.sleep(2)  # a duplicate would arrive now
        assert [m["To"].addresses[0].addr_spec for m in smtp_server.messages] == ["ada@example.org"]
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except Exception:
            worker.kill()
        redis.stop()
        app.config.update(REDIS_URL="", READYZ_CACHE_SECONDS=2)
        app.extensions.pop("huiwu_redis", None)
