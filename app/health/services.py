"""What the readiness probe checks: database, Redis, RQ worker heartbeats, outbox backlog.

Only counts and ages leave this module — no names, addresses or worker host names.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC

from flask import current_app
from sqlalchemy import func, or_, select, text

from app.clock import utcnow
from app.extensions import db
from app.jobs import queue
from app.mail.models import MailState, OutboxMessage


@dataclass
class Readiness:
    """The probe's answer: `status` is ok, degraded (serving, but something needs a look) or
    unavailable (this instance cannot serve requests); `checks` holds the figures."""

    status: str = "ok"
    checks: dict = field(default_factory=dict)

    @property
    def http_status(self) -> int:
        """503 when the instance cannot serve, else 200 (degraded still serves)."""
        return 503 if self.status == "unavailable" else 200

    def fail(self) -> None:
        self.status = "unavailable"

    def degrade(self) -> None:
        if self.status == "ok":
            self.status = "degraded"


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _check_database(result: Readiness) -> bool:
    started = time.perf_counter()
    try:
        db.session.execute(text("SELECT 1"))
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        result.checks["database"] = {"ok": False, "error": type(exc).__name__}
        result.fail()
        return False
    result.checks["database"] = {"ok": True, "ms": _elapsed_ms(started)}
    return True


def _check_redis_and_workers(result: Readiness) -> None:
    connection = queue.connection()
    if connection is None:
        # Without Redis, jobs run inside the web process: there is no worker to watch.
        result.checks["redis"] = {"configured": False}
        result.checks["workers"] = {"mode": "inline"}
        return
    started = time.perf_counter()
    try:
        connection.ping()
    except Exception as exc:
        result.checks["redis"] = {"configured": True, "ok": False, "error": type(exc).__name__}
        result.checks["workers"] = {"count": None, "heartbeat_age_seconds": None}
        result.fail()
        return
    result.checks["redis"] = {"configured": True, "ok": True, "ms": _elapsed_ms(started)}
    from rq import Worker

    try:
        workers = Worker.all(connection=connection)
    except Exception as exc:
        result.checks["workers"] = {"error": type(exc).__name__}
        result.degrade()
        return
    beats = [w.last_heartbeat for w in workers if w.last_heartbeat is not None]
    age = (utcnow() - max(beats)).total_seconds() if beats else None
    result.checks["workers"] = {
        "count": len(workers),
        "heartbeat_age_seconds": round(age, 1) if age is not None else None,
    }
    limit = current_app.config["READYZ_WORKER_MAX_AGE_SECONDS"]
    if age is None or age > limit:
        result.degrade()


def _check_outbox(result: Readiness) -> None:
    now = utcnow()
    due = or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now)
    row = db.session.execute(
        select(
            func.count(OutboxMessage.id),
            func.count(OutboxMessage.id).filter(due),
            func.min(OutboxMessage.created_at).filter(due),
        ).where(OutboxMessage.state == MailState.QUEUED)
    ).one()
    db.session.commit()
    queued, due_count, oldest = row
    if oldest is not None and oldest.tzinfo is None:  # an aggregate may come back naive
        oldest = oldest.replace(tzinfo=UTC)
    oldest_age = (now - oldest).total_seconds() if oldest is not None else None
    result.checks["outbox"] = {
        "queued": queued,
        "due": due_count,
        "oldest_due_age_seconds": round(oldest_age, 1) if oldest_age is not None else None,
    }
    if oldest_age is not None and oldest_age > current_app.config["READYZ_OUTBOX_MAX_AGE_SECONDS"]:
        result.degrade()


def check_readiness() -> Readiness:
    """Run every check; never raises."""
    result = Readiness()
    if _check_database(result):
        try:
            _check_outbox(result)
        except Exception as exc:
            db.session.rollback()
            result.checks["outbox"] = {"error": type(exc).__name__}
            result.degrade()
    _check_redis_and_workers(result)
    return result
