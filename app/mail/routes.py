"""The organizer's outbox: every mail of an event with its delivery state."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request

from app.accounts.models import Role
from app.accounts.permissions import event_role, requires
from app.extensions import db
from app.mail.models import MailState, OutboxMessage
from app.mail.services import list_outbox

bp = Blueprint("mail", __name__)


@bp.route("/manage/<slug>/outbox")
@requires(event_role(Role.ORGANIZER))
def outbox(slug: str):
    """List the event's mails, optionally filtered by state."""
    raw_state = request.args.get("state", "")
    state = MailState(raw_state) if raw_state in {s.value for s in MailState} else None
    return render_template(
        "mail/outbox.html",
        messages=list_outbox(g.event.id, state),
        state=state,
        MailState=MailState,
    )


@bp.route("/manage/<slug>/outbox/<int:message_id>")
@requires(event_role(Role.ORGANIZER))
def outbox_message(slug: str, message_id: int):
    """Show one mail as it was (or will be) sent."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.event_id != g.event.id:
        abort(404)
    return render_template("mail/outbox_message.html", message=message)
