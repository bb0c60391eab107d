"""The organizer's outbox: every mail of an event with its delivery state; retry failed ones."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import ngettext

from app.accounts.models import Role
from app.accounts.permissions import event_role, requires
from app.extensions import db
from app.jobs import queue
from app.mail.models import MailState, OutboxMessage
from app.mail.services import list_outbox, message_bodies, outbox_counts, retry_messages

bp = Blueprint("mail", __name__)


@bp.route("/manage/<slug>/outbox")
@requires(event_role(Role.ORGANIZER))
def outbox(slug: str):
    """List the event's mails, optionally filtered by state, with the worker's status."""
    raw_state = request.args.get("state", "")
    state = MailState(raw_state) if raw_state in {s.value for s in MailState} else None
    return render_template(
        "mail/outbox.html",
        messages=list_outbox(g.event.id, state),
        counts=outbox_counts(g.event.id),
        state=state,
        MailState=MailState,
        workers=queue.workers_running(),
        redis_configured=bool(queue.connection()),
    )


def _event_message(message_id: int) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.event_id != g.event.id:
        abort(404)
    return message


@bp.route("/manage/<slug>/outbox/<int:message_id>")
@requires(event_role(Role.ORGANIZER))
def outbox_message(slug: str, message_id: int):
    """Show one mail as it was (or will be) sent."""
    message = _event_message(message_id)
    body_text, body_html = _bodies(message)
    return render_template(
        "mail/outbox_message.html", message=message, body_text=body_text, body_html=body_html
    )


def _bodies(message: OutboxMessage) -> tuple[str, str]:
    """The bodies of a mail: as sent, or as they would be composed now if not sent yet."""
    try:
        return message_bodies(message)
    except LookupError:  # its registration was deleted: nothing will be sent
        return "", ""


@bp.route("/manage/<slug>/outbox/<int:message_id>/preview")
@requires(event_role(Role.ORGANIZER))
def outbox_preview(slug: str, message_id: int):
    """The HTML body of a mail, sandboxed (no scripts, no same-origin access)."""
    reply = make_response(_bodies(_event_message(message_id))[1] or "")
    reply.headers["Content-Type"] = "text/html; charset=utf-8"
    reply.headers["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'"
    )
    return reply


@bp.route("/manage/<slug>/outbox/retry", methods=["POST"])
@requires(event_role(Role.ORGANIZER))
def retry(slug: str):
    """Queue failed mails again: one (message_id) or all failed ones of the event."""
    message_id = request.form.get("message_id", type=int)
    ids = [message_id] if message_id is not None else None
    count = retry_messages(g.event.id, ids)
    db.session.commit()
    flash(ngettext("%(num)d mail queued again.", "%(num)d mails queued again.", count), "success")
    return redirect(url_for("mail.outbox", slug=slug))
