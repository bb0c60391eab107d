"""Public event pages and the organizer's event dashboard."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template
from flask_login import current_user

from app.accounts.models import Role
from app.accounts.permissions import PUBLIC, event_role, public_event, requires, user_has_role
from app.clock import utcnow
from app.events.models import EventStatus
from app.events.services import category_counts, list_public_events

bp = Blueprint("events", __name__)


@bp.route("/")
@requires(PUBLIC)
def index():
    """List the public events."""
    return render_template("events/index.html", events=list_public_events())


@bp.route("/e/<slug>/")
@requires(public_event())
def show(slug: str):
    """The public page of an event with what one can register for."""
    event = g.event
    if event.status == EventStatus.DRAFT and not (
        current_user.is_authenticated
        and user_has_role(current_user, event, frozenset({Role.ORGANIZER}))
    ):
        abort(404)
    categories = [c for c in event.categories if c.is_public]
    return render_template("events/show.html", categories=categories, now=utcnow())


@bp.route("/manage/<slug>/")
@requires(event_role(Role.ORGANIZER))
def dashboard(slug: str):
    """Organizer dashboard: registrations per category against capacity."""
    return render_template("events/dashboard.html", counts=category_counts(g.event))
