"""The audit log pages: an event's log for its organizers, everything for site admins.

They live in events (above accounts) while the log itself, app.audit, sits below accounts:
every layer records to it.
"""

from __future__ import annotations

from flask import Blueprint, g, render_template, request
from sqlalchemy import select

from app.accounts.models import Role
from app.accounts.permissions import SITE_ADMIN, event_role, requires
from app.audit.labels import LOG_LABELS
from app.audit.models import AuditEntry
from app.audit.services import audit_entries
from app.events.models import Event
from app.extensions import db

bp = Blueprint("audit", __name__)

PAGE_SIZE = 500


def _actions(event_id: int | None) -> list[str]:
    """The actions recorded (for one event, or anywhere), for the filter."""
    query = select(AuditEntry.action).distinct()
    if event_id is not None:
        query = query.where(AuditEntry.event_id == event_id)
    return sorted(db.session.scalars(query))


def _chosen_action(known: list[str]) -> str:
    """The ?action= filter: an action or a dotted prefix ("roles"), else none."""
    wanted = (request.args.get("action") or "").strip()[:60]
    if wanted in known or any(a.startswith(wanted + ".") for a in known):
        return wanted
    return ""


@bp.route("/manage/<slug>/audit")
@requires(event_role(Role.ORGANIZER))
def event_log(slug: str):
    """The event's audit log, newest first, filtered by action."""
    known = _actions(g.event.id)
    action = _chosen_action(known)
    entries = audit_entries(event_id=g.event.id, action_prefix=action or None, limit=PAGE_SIZE)
    return render_template(
        "audit/log.html",
        entries=entries,
        actions=known,
        action=action,
        **LOG_LABELS,
        events={},
        page_size=PAGE_SIZE,
    )


@bp.route("/admin/audit")
@requires(SITE_ADMIN)
def site_log():
    """Every audit entry of the site (all events, and account actions), filtered by action."""
    known = _actions(None)
    action = _chosen_action(known)
    entries = audit_entries(action_prefix=action or None, limit=PAGE_SIZE)
    event_ids = {entry.event_id for entry in entries if entry.event_id}
    events = {
        event.id: event
        for event in db.session.scalars(select(Event).where(Event.id.in_(event_ids)))
    }
    return render_template(
        "audit/log.html",
        entries=entries,
        actions=known,
        action=action,
        **LOG_LABELS,
        events=events,
        page_size=PAGE_SIZE,
        site_wide=True,
    )
