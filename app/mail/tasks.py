"""Mail jobs: take ids, idempotent."""

from __future__ import annotations

from app.mail.services import deliver_message as _deliver


def deliver_message(message_id: int) -> str | None:
    """Deliver one outbox message (a second run of the same job sends nothing)."""
    state = _deliver(message_id)
    return state.value if state else None
