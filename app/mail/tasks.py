"""Mail jobs: take ids, idempotent."""

from __future__ import annotations

import logging
import time

from app.extensions import db
from app.jobs import queue
from app.mail import services

log = logging.getLogger(__name__)
# A batch hands what it has not reached after this long to a new job, so that a slow mail
# server never runs a batch into RQ's job timeout (180 s) in the middle of a delivery.
BATCH_TIME_BUDGET_SECONDS = 60.0


def deliver_message(message_id: int) -> str | None:
    """Deliver one outbox message; a transient failure schedules the next try with backoff."""
    outcome = services.deliver_message(message_id)
    if outcome.retry_in is not None:
        queue.enqueue_in(outcome.retry_in, deliver_message, message_id, queue="mail")
    return outcome.state.value if outcome.state else None


def deliver_messages(message_ids: list[int]) -> list[str | None]:
    """Deliver outbox messages committed together, one after the other.

    Each message is claimed on its own, so a message delivered by another job (or twice in
    the list) is sent once. A failure of one message does not stop the others; the job then
    fails at the end so that RQ's failed-job registry shows it, and the message, still queued,
    is picked up by the outbox sweep.
    """
    started = time.monotonic()
    states: list[str | None] = []
    failed: list[int] = []
    for index, message_id in enumerate(message_ids):
        if index and time.monotonic() - started > BATCH_TIME_BUDGET_SECONDS:
            for rest in message_ids[index:]:
                services.enqueue_delivery(rest)
            db.session.commit()
            break
        try:
            states.append(deliver_message(message_id))
        except Exception:
            db.session.rollback()
            log.exception("delivering mail %s failed", message_id)
            failed.append(message_id)
            states.append(None)
    if failed:
        raise RuntimeError(f"mails {failed} could not be delivered; the outbox sweep retries them")
    return states


def sweep_outbox() -> dict[str, int]:
    """Recover messages of dead workers and enqueue due retries."""
    return services.sweep_outbox()
