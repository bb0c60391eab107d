"""The personal join link of online attendees: /j/<token> records the visit and redirects to the
stream or meeting the organizer set for the event.

The link is the credential (no sign-in), like the self-service link /r/<token>. A GET that
writes is deliberate here: opening the link *is* attending online, and a reload is one more
visit. HEAD (link checkers, previews that only ask for headers) records nothing.
"""

from __future__ import annotations

from flask import g, redirect, render_template, request

from app.accounts.permissions import PUBLIC, requires
from app.checkin.online_services import (
    JoinLinkInvalid,
    JoinRefusal,
    join_refusal,
    record_join,
    registration_for_join,
)
from app.checkin.routes import bp
from app.extensions import db

# Nobody but the link's holder may keep these answers: the redirect names the stream. (The
# app-wide Referrer-Policy, same-origin, already keeps the link out of the stream's logs.)
PRIVATE = {"Cache-Control": "no-store"}
_REFUSAL_STATUS = {
    JoinRefusal.NOT_CONFIRMED: 403,
    JoinRefusal.INACTIVE: 410,
    JoinRefusal.ONSITE: 403,
}


@bp.route("/j/<token>")
@requires(PUBLIC)
def join_online(token: str):
    """Record an online attendee's visit and redirect to the event's stream; a page saying why
    not for a bad link (404), an unconfirmed, cancelled or on-site registration (403/410), or
    while the organizers have not set the stream address yet (200)."""
    try:
        registration = registration_for_join(token)
    except JoinLinkInvalid:
        return render_template("checkin/join_refused.html", refusal="invalid"), 404, PRIVATE
    event = g.event = registration.event
    refusal = join_refusal(registration)
    if refusal is not None:
        page = render_template("checkin/join_refused.html", refusal=refusal.value)
        return page, _REFUSAL_STATUS[refusal], PRIVATE
    if not event.online_url:
        return render_template("checkin/join_not_yet.html"), 200, PRIVATE
    if request.method == "GET":
        record_join(registration.id, event.id)
        db.session.commit()
    return redirect(event.online_url, 302), PRIVATE
