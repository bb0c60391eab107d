"""Tickets: the QR code of a registration, its revocation, and its badge.

The code itself is made and verified by app.documents.tickets (HMAC with the event's key);
this module decides which codes are current: a code is genuine only with the registration's
current serial and while the registration is confirmed. Re-issuing a badge bumps the serial and
records the old code as revoked, so offline scanners can refuse it too.
"""

from __future__ import annotations

import enum
import threading
from dataclasses import dataclass

from flask_babel import force_locale, format_date, get_translations
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.contributions import page_context
from app.documents.badges import BadgeData, render_badge_pdf
from app.documents.qr import qr_png
from app.documents.tickets import issue_ticket_code, peek_event_id, verify_ticket_code
from app.events.models import Event
from app.extensions import db
from app.mail.services import Attachment
from app.registration.badge_services import event_logo_png
from app.registration.models import Attendance, Registration, RegistrationState, TicketRevocation


class TicketStatus(enum.StrEnum):
    """What a scanned code is."""

    VALID = "valid"
    INVALID = "invalid"
    WRONG_EVENT = "wrong_event"
    REVOKED = "revoked"
    NOT_CONFIRMED = "not_confirmed"


@dataclass(frozen=True)
class TicketCheck:
    """The verdict on a code and, when it names one, the registration."""

    status: TicketStatus
    registration: Registration | None = None


def ticket_code(registration: Registration) -> str:
    """The current QR code of a registration."""
    event = registration.event or db.session.get(Event, registration.event_id)
    return issue_ticket_code(
        event.ticket_key, event.id, registration.id, registration.ticket_serial
    )


def revoke_current_ticket(registration: Registration, reason: str) -> None:
    """Record the registration's current code as revoked (idempotent)."""
    exists = db.session.scalar(
        select(TicketRevocation.id).where(
            TicketRevocation.registration_id == registration.id,
            TicketRevocation.serial == registration.ticket_serial,
        )
    )
    if exists is None:
        db.session.add(
            TicketRevocation(
                event_id=registration.event_id,
                registration_id=registration.id,
                serial=registration.ticket_serial,
                reason=reason,
            )
        )


def reissue_ticket(registration: Registration) -> str:
    """Revoke the current code (lost badge) and return the new one."""
    revoke_current_ticket(registration, "reissued")
    registration.ticket_serial += 1
    db.session.flush()
    return ticket_code(registration)


def revocation_list(event_id: int) -> list[tuple[int, int]]:
    """(registration id, serial) of every revoked code of an event, for scanners."""
    return [
        (row.registration_id, row.serial)
        for row in db.session.execute(
            select(TicketRevocation.registration_id, TicketRevocation.serial)
            .where(TicketRevocation.event_id == event_id)
            .order_by(TicketRevocation.id)
        )
    ]


def check_ticket(event: Event, code: object) -> TicketCheck:
    """Verify a scanned code for `event`: genuine, current and confirmed, or why not."""
    claimed_event_id = peek_event_id(code)
    if claimed_event_id is None:
        return TicketCheck(TicketStatus.INVALID)
    if claimed_event_id != event.id:
        return TicketCheck(foreign_code_status(code))
    claims = verify_ticket_code(event.ticket_key, code)
    if claims is None:
        return TicketCheck(TicketStatus.INVALID)
    registration = db.session.get(Registration, claims.registration_id)
    if registration is None or registration.event_id != event.id:
        return TicketCheck(TicketStatus.INVALID)
    status = ticket_status(claims.serial, registration.ticket_serial, registration.state)
    return TicketCheck(status, registration)


def foreign_code_status(code: str) -> TicketStatus:
    """For a code claiming another event than the one scanning: WRONG_EVENT when it is a
    genuine code of that event, else INVALID."""
    other = db.session.get(Event, peek_event_id(code))
    if other is not None and verify_ticket_code(other.ticket_key, code) is not None:
        return TicketStatus.WRONG_EVENT
    return TicketStatus.INVALID


def ticket_status(serial: int, current_serial: int, state: RegistrationState) -> TicketStatus:
    """The verdict on a genuine code with `serial` of a registration whose current serial and
    state are given: an older serial or a cancelled/rejected registration is REVOKED."""
    if serial != current_serial or state in (
        RegistrationState.CANCELLED,
        RegistrationState.REJECTED,
    ):
        return TicketStatus.REVOKED
    if state != RegistrationState.CONFIRMED:
        return TicketStatus.NOT_CONFIRMED
    return TicketStatus.VALID


def badge_data(registration: Registration) -> BadgeData:
    """What the badge of a registration shows, in the registrant's language."""
    event = registration.event
    language = registration.language
    with force_locale(language):
        dates = f"{format_date(event.local(event.starts_at).date(), 'medium')} – " + format_date(
            event.local(event.ends_at).date(), "medium"
        )
    online = registration.attendance == Attendance.ONLINE
    return BadgeData(
        name=registration.native_name,
        latin_name=registration.latin_name
        if registration.latin_name != registration.native_name
        else "",
        organization=registration.organization,
        title=registration.job_title,
        category_label=registration.category.name_in(language),
        category_color=registration.category.color,
        event_name=event.text(event.title, language),
        event_dates=dates,
        ticket_code=None if online else ticket_code(registration),
        # The attendee's personal join link (contributed by check-in, which records the
        # attendance); the stream's own address is never printed.
        online_access_url=page_context("badge", registration).get("online_access_url")
        if online
        else None,
        size=event.badge_size,
        accent_color=event.badge_accent_color,
        logo_png=event_logo_png(event),
    )


# Recently rendered badges by everything they show: the same badge is rendered again for a
# retried mail, the participant's download and the organizer's, and a badge takes ~30 ms.
# The key is the badge's content, so an edit (name, category, re-issued code, event
# settings) can never be served from here.
_RECENT_BADGES: dict[tuple[BadgeData, str], bytes] = {}
RECENT_BADGES = 64
# The web app's threads share the cache: two evicting the same oldest badge at once made the
# second one's pop fail (KeyError). Badges are laid out outside the lock.
_RECENT_BADGES_LOCK = threading.Lock()


def render_registration_badge(registration: Registration) -> bytes:
    """The badge PDF of a registration in the registrant's language."""
    data = badge_data(registration)
    key = (data, registration.language)
    with _RECENT_BADGES_LOCK:
        pdf = _RECENT_BADGES.pop(key, None)
    if pdf is None:
        with force_locale(registration.language):
            pdf = render_badge_pdf(data, translations=get_translations())
    with _RECENT_BADGES_LOCK:
        _RECENT_BADGES.pop(key, None)
        while len(_RECENT_BADGES) >= RECENT_BADGES:
            _RECENT_BADGES.pop(next(iter(_RECENT_BADGES)))
        _RECENT_BADGES[key] = pdf  # most recently used last
    return pdf


def qr_content_id(registration: Registration) -> str:
    """The Content-ID of the inline QR image in a registration's mails."""
    return f"qr-{registration.id}-{registration.ticket_serial}@huiwu"


def build_badge_attachments(registration_id: int) -> list[Attachment]:
    """Mail attachments for the "badge" kind: the badge PDF and the inline QR image."""
    registration = db.session.get(
        Registration,
        registration_id,
        options=[joinedload(Registration.event), joinedload(Registration.category)],
    )
    if registration is None:
        raise LookupError(f"registration {registration_id} no longer exists")
    # A mail is built when it is sent: a registration cancelled (its code revoked) since the
    # confirmation was queued must not get the badge, and the mail is not sent at all.
    if registration.state != RegistrationState.CONFIRMED:
        raise LookupError(f"registration {registration_id} is no longer confirmed")
    parts = [
        Attachment(
            f"badge-{registration.reference}.pdf",
            render_registration_badge(registration),
            "application",
            "pdf",
        )
    ]
    if registration.attendance != Attendance.ONLINE:
        parts.append(
            Attachment(
                "qr.png",
                qr_png(ticket_code(registration), box_size=8),
                "image",
                "png",
                content_id=qr_content_id(registration),
            )
        )
    return parts
