"""Mail jobs: take ids, idempotent."""

from __future__ import annotations

from app.extensions import queue
from app.mail import services


def deliver_message(message_id: int) -> str | None:
    """Deliver one outbox message; a transient failure schedules the next try with backoff."""
    outcome = services.deliver_message(message_id)
    if outcome.retry_in is not None:
        queue.enqueue_in(
            outcome.retry_in, "app.mail.tasks.deliver_message", message_id, queue="mail"
        )
    return outcome.state.value if outcome.state else None


def sweep_outbox() -> dict[str, int]:
    """Recover messages of dead workers and enqueue due retries."""
    return services.sweep_outbox()
