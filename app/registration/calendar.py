"""The calendar entry (.ics, RFC 5545) of a registration: the event in the event's timezone.

Built with `icalendar`, which writes the VTIMEZONE the TZID needs from the IANA database, so a
calendar shows 09:00 in Qingdao as 09:00 Qingdao time whatever the reader's own timezone.
"""

from __future__ import annotations

from icalendar import Calendar
from icalendar import Event as CalendarEvent
from sqlalchemy.orm import joinedload

from app.clock import utcnow
from app.extensions import db
from app.mail.services import Attachment
from app.registration.models import Registration, RegistrationState
from app.registration.services import manage_url

PRODID = "-//Huiwu//Huiwu conference system//EN"
# Cancelled and rejected registrations have nothing to put in a calendar.
CALENDAR_STATES = (
    RegistrationState.CONFIRMED,
    RegistrationState.PENDING,
    RegistrationState.WAITLISTED,
)


def calendar_uid(registration: Registration) -> str:
    """The entry's UID: the same for every download and mail, so calendars update, not add."""
    return f"huiwu-event-{registration.event_id}-registration-{registration.id}@huiwu"


def registration_ics(registration: Registration) -> bytes:
    """The .ics of a registration's event: title in the registrant's language, venue, link."""
    event = registration.event
    language = registration.language
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = CalendarEvent()
    entry.add("uid", calendar_uid(registration))
    entry.add("dtstamp", utcnow())
    entry.add("dtstart", event.local(event.starts_at))
    entry.add("dtend", event.local(event.ends_at))
    entry.add("summary", event.text(event.title, language))
    venue = event.text(event.venue, language)
    if venue:
        entry.add("location", venue)
    url = manage_url(registration)
    entry.add("url", url)
    entry.add("description", url)
    calendar.add_component(entry)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def calendar_filename(registration: Registration) -> str:
    """The download and attachment name."""
    return f"{registration.event.slug}.ics"


def build_calendar_attachments(registration_id: int) -> list[Attachment]:
    """Mail attachments for the "calendar" kind: the registration's .ics."""
    registration = db.session.get(
        Registration, registration_id, options=[joinedload(Registration.event)]
    )
    if registration is None:
        raise LookupError(f"registration {registration_id} no longer exists")
    return [
        Attachment(
            calendar_filename(registration),
            registration_ics(registration),
            "text",
            'calendar; charset="utf-8"',
        )
    ]
