"""/healthz and /readyz: what they check, what they answer, and that they leak nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import update

from app import create_app
from app.clock import utcnow
from app.extensions import db
from app.mail.models import OutboxMessage
from tests.mail.test_delivery import add_message


@pytest.fixture(autouse=True)
def _no_cache(app):
    app.config["READYZ_CACHE_SECONDS"] = 0
    yield
    app.config["READYZ_CACHE_SECONDS"] = 2


def count_statements(app):
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    return statements, lambda: sa_event.remove(db.engine, "before_cursor_execute", record)


def test_healthz_answers_without_touching_the_database(client, app):
    statements, stop = count_statements(app)
    try:
        response = client.get("/healthz")
    finally:
        stop()
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert statements == []


def test_readyz_without_redis_reports_the_database_and_an_empty_outbox(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"] == {"configured": False}
    assert body["checks"]["workers"] == {"mode": "inline"}
    assert body["checks"]["outbox"] == {"queued": 0, "due": 0, "oldest_due_age_seconds": None}


def test_readyz_reports_the_backlog_and_its_age_without_personal_data(client, make_event):
    event = make_event()
    old = add_message(event, 1)
    add_message(event, 2)
    later = add_message(event, 3)
    db.session.info.pop("pending_jobs", None)  # nothing delivers them: a backlog
    db.session.commit()
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == old.id)
        .values(created_at=utcnow() - timedelta(minutes=20))
    )
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == later.id)
        .values(next_attempt_at=utcnow() + timedelta(minutes=5))  # a retry, not yet due
    )
    db.session.commit()

    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 200
    assert body["status"] == "degraded"  # a mail has waited longer than 10 minutes
    outbox = body["checks"]["outbox"]
    assert (outbox["queued"], outbox["due"]) == (3, 2)
    assert 1190 < outbox["oldest_due_age_seconds"] < 1300
    text = response.get_data(as_text=True)
    assert "guest1@example.org" not in text and "嘉宾" not in text


def test_readyz_is_503_when_the_database_cannot_be_reached(config_class):
    class Unreachable(config_class):
        # Nothing listens on port 1: connection refused at once.
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://postgres@127.0.0.1:1/huiwu"
        READYZ_CACHE_SECONDS = 0

    app = create_app(Unreachable)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert "127.0.0.1:1" not in response.get_data(as_text=True)


def test_readyz_is_503_when_the_configured_redis_is_down(client, app):
    from tests.health.support import free_port

    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    app.extensions.pop("huiwu_redis", None)
    try:
        response = client.get("/readyz")
    finally:
        app.config["REDIS_URL"] = ""
        app.extensions.pop("huiwu_redis", None)
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is False


def test_readyz_with_redis_reports_worker_heartbeats(client, redis_app):
    from redis import Redis
    from rq import Queue, Worker

    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 200
    assert body["status"] == "degraded"  # Redis is up but no worker runs
    assert body["checks"]["workers"] == {"count": 0, "heartbeat_age_seconds": None}

    connection = Redis.from_url(redis_app.config["REDIS_URL"])
    worker = Worker([Queue("mail", connection=connection)], connection=connection)
    worker.register_birth()
    try:
        worker.heartbeat()
        body = client.get("/readyz").get_json()
    finally:
        worker.register_death()
    assert body["status"] == "ok"
    assert body["checks"]["workers"]["count"] == 1
    assert 0 <= body["checks"]["workers"]["heartbeat_age_seconds"] < 5
    assert worker.name not in str(body)


def test_readyz_answer_is_cached_briefly(client, app, make_event):
    app.config["READYZ_CACHE_SECONDS"] = 60
    first = client.get("/readyz").get_json()
    event = make_event()
    add_message(event)
    db.session.info.pop("pending_jobs", None)
    db.session.commit()
    assert client.get("/readyz").get_json() == first
