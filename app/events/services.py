"""Event rules: listing, lookup, and the numbers an organizer watches."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import EventRole, Role, User
from app.clock import local_to_utc
from app.contributions import ContentGap
from app.errors import DomainError
from app.events.models import Event, EventKind, EventStatus
from app.extensions import db
from app.translated import DEFAULT_CONTENT_LANGUAGES, Translated, translated, valid_language_codes


def list_public_events() -> list[Event]:
    """Events open or closed (not drafts), newest first."""
    return db.session.scalars(
        select(Event).where(Event.status != EventStatus.DRAFT).order_by(Event.starts_at.desc())
    ).all()


class EventError(DomainError):
    """Event settings that cannot be saved; `message` is shown to the user next to `field_name`."""


@dataclass
class EventData:
    """Event settings as an organizer enters them; start and end are wall-clock in `timezone`."""

    title: Translated
    starts_local: datetime
    ends_local: datetime
    timezone: str = "Asia/Shanghai"
    description: Translated = field(default_factory=Translated)
    venue: Translated = field(default_factory=Translated)
    map_url: str = ""
    online_url: str = ""
    status: EventStatus = EventStatus.DRAFT
    kind: EventKind = EventKind.CONFERENCE
    privacy_text: Translated = field(default_factory=Translated)
    contact_email: str = ""
    content_languages: tuple[str, ...] = DEFAULT_CONTENT_LANGUAGES
    # Days before the start for the reminder mail; None: no reminder.
    reminder_days_before: int | None = None
    # The languages the texts above were written in (the settings form's inputs): a text in
    # another language (of a language no longer listed) is kept. Empty: the texts replace all.
    text_languages: tuple[str, ...] = ()


def _merged(current: Translated, written: Translated, languages: tuple[str, ...]) -> Translated:
    if not languages:
        return written
    result = current
    for language in languages:
        result = result.with_text(language, written.get(language, ""))
    return result


REMINDER_DAYS_MIN = 1
REMINDER_DAYS_MAX = 60
REMINDER_DAYS_MESSAGE = _l("Enter a number of days from 1 to 60, or leave the field empty.")

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@cache
def _known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_valid_timezone(name: str) -> bool:
    """True when `name` is an IANA timezone known to zoneinfo (exact spelling)."""
    return name in _known_timezones()


def is_web_url(value: str) -> bool:
    """True for an absolute http(s) address with a host (no javascript:, data:, relative …)."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and value == value.strip()


def event_by_slug(slug: str) -> Event | None:
    """The event with this slug, if any."""
    return db.session.scalar(select(Event).where(Event.slug == slug))


def list_all_events() -> list[Event]:
    """Every event in any status, newest first (site administration)."""
    return db.session.scalars(select(Event).order_by(Event.starts_at.desc(), Event.id)).all()


def _apply_event_data(event: Event, data: EventData) -> None:
    """Validate `data` and copy it onto `event`; raises EventError before changing anything."""
    if not is_valid_timezone(data.timezone):
        raise EventError(
            _l("Unknown timezone. Use an IANA name such as Asia/Shanghai."), "timezone"
        )
    languages = list(data.content_languages)
    if not languages or valid_language_codes(languages) or len(set(languages)) != len(languages):
        raise EventError(
            _l("List language codes such as zh, ru, en, once each, separated by commas."),
            "content_languages",
        )
    if data.map_url and not is_web_url(data.map_url):
        raise EventError(_l("Enter a web address starting with https:// or http://."), "map_url")
    days = data.reminder_days_before
    if days is not None and not REMINDER_DAYS_MIN <= days <= REMINDER_DAYS_MAX:
        raise EventError(REMINDER_DAYS_MESSAGE, "reminder_days_before")
    if data.online_url and not is_web_url(data.online_url):
        raise EventError(_l("Enter a web address starting with https:// or http://."), "online_url")
    starts_at = local_to_utc(data.starts_local.replace(tzinfo=None), data.timezone)
    ends_at = local_to_utc(data.ends_local.replace(tzinfo=None), data.timezone)
    if ends_at <= starts_at:
        raise EventError(_l("The end must be after the start."), "ends_local")
    if not data.title:
        raise EventError(_l("Enter the title in at least one language."), None)
    for name in ("title", "description", "venue", "privacy_text"):
        value = _merged(translated(getattr(event, name)), getattr(data, name), data.text_languages)
        # Assigned only when changed: a new privacy notice is a new consent version.
        if value != getattr(event, name):
            setattr(event, name, value)
    event.map_url = data.map_url
    event.online_url = data.online_url
    event.starts_at = starts_at
    event.ends_at = ends_at
    event.timezone = data.timezone
    event.status = data.status
    event.kind = data.kind
    event.contact_email = data.contact_email
    event.content_languages = list(data.content_languages)
    event.reminder_days_before = data.reminder_days_before


def create_event(slug: str, data: EventData) -> Event:
    """Create an event; raises EventError for a malformed or taken slug, bad times or timezone."""
    slug = slug.strip()
    if not SLUG_PATTERN.match(slug) or len(slug) > 80:
        raise EventError(
            _l("Use lowercase letters, digits and hyphens only (for example qingdao-2021)."),
            "slug",
        )
    if db.session.scalar(select(Event.id).where(Event.slug == slug)) is not None:
        raise EventError(_l("An event with this address already exists."), "slug")
    event = Event(slug=slug)
    _apply_event_data(event, data)
    db.session.add(event)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # Created by someone else between the check and the insert.
        raise EventError(_l("An event with this address already exists."), "slug") from None
    return event


def update_event(event: Event, data: EventData) -> None:
    """Change an event's settings (not its slug); raises EventError for bad times or timezone."""
    _apply_event_data(event, data)
    db.session.flush()


def manage_sections(user, event: Event) -> list[tuple[str, str]]:
    """(endpoint, label) of the event's staff pages this user may open, for the navigation.

    Organizers (and site admins) see the organizers' pages; anyone else the pages of the
    roles they hold. The pages are those the domains contributed (app.contributions).
    """
    from app.accounts.permissions import user_has_role
    from app.contributions import manage_entries

    if user is None or not user.is_authenticated or event is None:
        return []
    entries = manage_entries()
    if user_has_role(user, event, frozenset({Role.ORGANIZER})):
        return [(e.endpoint, str(e.label)) for e in entries if e.role == Role.ORGANIZER]
    return [
        (e.endpoint, str(e.label))
        for e in entries
        if e.role != Role.ORGANIZER and user_has_role(user, event, frozenset({e.role}))
    ]


def events_for_user(user: User) -> list[tuple[Event, list[Role]]]:
    """The events a user has roles on (all events for a site admin), with the roles."""
    if user.is_admin:
        events = db.session.scalars(select(Event).order_by(Event.starts_at.desc())).all()
        return [(event, list(Role)) for event in events]
    rows = db.session.execute(
        select(Event, EventRole.role)
        .join(EventRole, EventRole.event_id == Event.id)
        .where(EventRole.user_id == user.id)
        .order_by(Event.starts_at.desc())
    ).all()
    grouped: dict[int, tuple[Event, list[Role]]] = {}
    for event, role in rows:
        grouped.setdefault(event.id, (event, []))[1].append(role)
    return list(grouped.values())


def event_content_gaps(event: Event) -> Iterator[ContentGap | None]:
    """The event's own texts (title, description, venue, privacy notice) lacking a content
    language, each with the place on the settings page where it is written."""
    from flask import url_for

    from app.contributions import content_gap

    settings = url_for("events.settings", slug=event.slug)
    for name, what in (
        ("title", _l("Event title")),
        ("description", _l("Event description")),
        ("venue", _l("Venue")),
        ("privacy_text", _l("Privacy notice")),
    ):
        yield content_gap(what, [getattr(event, name)], event.languages, f"{settings}#{name}-texts")
