"""Recording and reading the audit log."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db


def _current_staff_user():
    """The signed-in staff user of the current request, if any."""
    if not has_request_context():
        return None
    from flask_login import current_user

    return current_user if current_user.is_authenticated else None


def record_audit(
    action: str,
    *,
    event=None,
    event_id: int | None = None,
    user=None,
    actor: str | None = None,
    target: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry to the current transaction (committed, or rolled back, with the action).

    The actor is `user` if given, else the signed-in user of the request, else `actor`
    ("participant", "system", "cli"; default "system"). The request's client address is kept.
    """
    user = user if user is not None else _current_staff_user()
    entry = AuditEntry(
        actor_user_id=user.id if user is not None else None,
        actor=(user.email if user is not None else actor or "system")[:254],
        event_id=event.id if event is not None else event_id,
        action=action[:60],
        target=target[:100],
        details=details or {},
        ip_address=(request.remote_addr or "")[:45] if has_request_context() else "",
    )
    db.session.add(entry)
    return entry


def audit_entries(
    event_id: int | None = None, action_prefix: str | None = None, limit: int = 200
) -> list[AuditEntry]:
    """Newest audit entries first, optionally of one event and/or actions starting with a prefix."""
    query = select(AuditEntry)
    if event_id is not None:
        query = query.where(AuditEntry.event_id == event_id)
    if action_prefix:
        query = query.where(AuditEntry.action.startswith(action_prefix, autoescape=True))
    return db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)).all()
