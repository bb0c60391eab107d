"""Registration rules: capacity, waiting list, approval, self-service links, state history.

Capacity is enforced with one atomic conditional UPDATE on the category row
(`places_taken < capacity`): the row lock it takes (PostgreSQL) or the database write lock
(SQLite, transactions begin IMMEDIATE) serializes concurrent registrations, so a category is
never overbooked however many requests arrive at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from pypinyin import Style, lazy_pinyin
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.clock import utcnow
from app.contributions import page_context
from app.errors import DomainError
from app.events.consent import current_consent_version
from app.events.models import ConsentVersion, Event, EventStatus
from app.extensions import db
from app.mail.models import OutboxMessage
from app.mail.services import absolute_url, discard_mail, queue_mail_composed_at_delivery
from app.registration.models import (
    ACTIVE_STATES,
    PLACE_HOLDING_STATES,
    Attendance,
    AttendanceRule,
    Category,
    Registration,
    RegistrationChange,
    RegistrationState,
)
from app.registration.tickets import qr_content_id, reissue_ticket, revoke_current_ticket

MANAGE_SALT = "registration-manage"


class RegistrationError(DomainError):
    """A registration request that cannot be honoured; `message` is shown to the user."""


class DuplicateRegistration(RegistrationError):
    """The email already has an active registration for this event."""

    def __init__(self, existing: Registration | None):
        super().__init__(_l("This email address is already registered for this event."), "email")
        self.existing = existing


class ConsentOutdated(RegistrationError):
    """The privacy notice changed after the form was shown: consent to the new one is needed."""

    def __init__(self, current: ConsentVersion):
        super().__init__(
            _l(
                "The privacy notice was changed while you were filling in the form. "
                "Please read it again and confirm."
            ),
            "consent",
        )
        self.current = current


class LinkInvalid(Exception):
    """A self-service link that was tampered with or no longer applies."""


class LinkExpired(LinkInvalid):
    """A self-service link past its validity."""


@dataclass
class ParticipantData:
    """Validated participant fields, as the form or the API hands them to the services."""

    native_name: str
    latin_name: str
    email: str
    country: str
    attendance: Attendance
    language: str
    organization: str = ""
    job_title: str = ""
    phone: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    # The privacy notice version shown to the participant (None: whatever is current).
    consent_version: int | None = None
    # The UI locale the notice was read in: its text in that language, or the event's
    # fallback shown instead, is the one agreed to (empty: the participant's `language`).
    consent_locale: str = ""


def consent_language_of(event: Event, consent: ConsentVersion | None, locale: str) -> str:
    """The language of the notice a reader of `locale` is shown (and agrees to): theirs, or
    the event's fallback when the notice lacks it; "" without a notice."""
    if consent is None:
        return ""
    return event.pick(consent.text, locale)[1] or ""


def normalize_email(email: str) -> str:
    """The comparison form of an email address."""
    return email.strip().lower()


_HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0003134f]")
_COMPOUND_SURNAMES = frozenset(
    {"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒", "夏侯"}
)
_SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "区": "ou",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "盖": "ge",
    "乐": "yue",
    "长孙": "zhangsun",
    "重": "chong",
}


def suggest_latin_name(native_name: str) -> str:
    """Latin transliteration for a Chinese name ("张三丰" → "Zhang Sanfeng"); else unchanged."""
    name = native_name.strip()
    if not _HAN.search(name):
        return name if name.isascii() else ""
    if " " in name or "·" in name:
        parts = re.split(r"[\s·]+", name)
        return " ".join(
            "".join(lazy_pinyin(p, style=Style.NORMAL)).capitalize() for p in parts if p
        )
    surname_len = 2 if name[:2] in _COMPOUND_SURNAMES and len(name) > 2 else 1
    surname, given = name[:surname_len], name[surname_len:]
    surname_latin = _SURNAME_READINGS.get(surname) or "".join(
        lazy_pinyin(surname, style=Style.NORMAL)
    )
    given_latin = "".join(lazy_pinyin(given, style=Style.NORMAL))
    return " ".join(part.capitalize() for part in (surname_latin, given_latin) if part)


def _take_place(category_id: int) -> bool:
    """Atomically hold one place in a category; False when it is full."""
    result = db.session.execute(
        update(Category)
        .where(
            Category.id == category_id,
            or_(Category.capacity.is_(None), Category.places_taken < Category.capacity),
        )
        .values(places_taken=Category.places_taken + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _release_place(category_id: int) -> None:
    """Give one held place back to a category."""
    db.session.execute(
        update(Category)
        .where(Category.id == category_id, Category.places_taken > 0)
        .values(places_taken=Category.places_taken - 1)
        .execution_options(synchronize_session=False)
    )


def _record_change(
    registration: Registration,
    to_state: RegistrationState,
    actor: User | None,
    actor_kind: str,
    note: str = "",
) -> None:
    registration.changes.append(
        RegistrationChange(
            from_state=registration.state if registration.id else None,
            to_state=to_state,
            actor_user_id=actor.id if actor else None,
            actor_kind=actor_kind,
            note=note[:500],
        )
    )
    registration.state = to_state
    registration.active_email = (
        normalize_email(registration.email) if to_state in ACTIVE_STATES else None
    )


def find_active_registration(event_id: int, email: str) -> Registration | None:
    """The active registration of an email for an event, if any."""
    return db.session.scalar(
        select(Registration).where(
            Registration.event_id == event_id,
            Registration.active_email == normalize_email(email),
        )
    )


def check_category_open(event: Event, category: Category, moment: datetime) -> None:
    """Raise RegistrationError unless `category` of `event` takes registrations at `moment`."""
    if category.event_id != event.id or not category.is_public:
        raise RegistrationError(_l("Please choose a registration category."), "category_id")
    if event.status != EventStatus.OPEN:
        raise RegistrationError(_l("Registration for this event is not open."))
    if category.opens_at and moment < category.opens_at:
        raise RegistrationError(
            _l("Registration for this category has not opened yet."), "category_id"
        )
    if category.closes_at and moment >= category.closes_at:
        raise RegistrationError(_l("Registration for this category has closed."), "category_id")


def check_attendance(category: Category, attendance: Attendance) -> None:
    """Raise RegistrationError when the category does not allow this attendance mode."""
    if category.attendance_rule == AttendanceRule.EITHER:
        return
    if category.attendance_rule.value != attendance.value:
        message = (
            _l("This category is for on-site attendance only.")
            if category.attendance_rule == AttendanceRule.ONSITE
            else _l("This category is for online attendance only.")
        )
        raise RegistrationError(message, "attendance")


def latin_name_for(data: ParticipantData) -> str:
    """The Latin-letter name to store: the one given, else a transliteration of a Chinese name.

    Raises RegistrationError when there is neither (e.g. a Cyrillic name left alone) or the
    transliteration is too long to be a name.
    """
    latin = data.latin_name or suggest_latin_name(data.native_name)
    if not latin or len(latin) > Registration.latin_name.type.length:
        raise RegistrationError(_l("Please enter your name in Latin letters."), "latin_name")
    return latin


def register_participant(
    event: Event, category: Category, data: ParticipantData, *, notify: bool = True
) -> Registration:
    """Create a registration: confirmed, pending approval, or waitlisted when the category is full.

    Raises RegistrationError (closed, wrong category, no Latin name), ConsentOutdated (the
    privacy notice changed since the form was shown) or DuplicateRegistration. Records the
    consent time and the notice version consented to.
    Flushes but does not commit; the caller commits, which sends the mail (none with
    notify=False, e.g. demo data).
    """
    now = utcnow()
    check_category_open(event, category, now)
    check_attendance(category, data.attendance)
    latin_name = latin_name_for(data)
    consent = current_consent_version(event)
    if consent is not None and data.consent_version not in (None, consent.number):
        raise ConsentOutdated(consent)
    # Only the id: the row itself is loaded in the rare case that there is one.
    existing_id = db.session.scalar(
        select(Registration.id).where(
            Registration.event_id == event.id,
            Registration.active_email == normalize_email(data.email),
        )
    )
    if existing_id is not None:
        raise DuplicateRegistration(db.session.get(Registration, existing_id))

    # Everything that can happen without the category's lock happens first, with the state a
    # fresh read suggests; taking the place is the last statement before the caller commits,
    # so concurrent registrations queue on the category row only for the commit itself.
    expect_place = category.capacity is None or category.places_taken < category.capacity
    registration = Registration(
        event_id=event.id,
        category_id=category.id,
        native_name=data.native_name,
        latin_name=latin_name,
        organization=data.organization,
        job_title=data.job_title,
        email=data.email.strip(),
        phone=data.phone,
        country=data.country,
        attendance=data.attendance,
        language=data.language,
        answers=data.answers,
        consent_at=now,
        consent_version_id=consent.id if consent is not None else None,
        consent_language=consent_language_of(event, consent, data.consent_locale or data.language),
        created_at=now,
    )
    _record_change(registration, _state_on_arrival(category, expect_place), None, "participant")
    registration.changes[-1].created_at = now  # the first state is taken at creation
    db.session.add(registration)
    # The registration, its first state and its mail are written by one flush.
    message = _notify(registration, registration.state) if notify else None
    try:
        db.session.flush()
    except IntegrityError:
        # Another request registered the same email a moment ago; nothing of ours is kept.
        db.session.rollback()
        raise DuplicateRegistration(find_active_registration(event.id, data.email)) from None

    got_place = _take_place(category.id)
    if got_place != expect_place:
        # The category filled up (or a place freed) since we read it: correct state and mail.
        state = _state_on_arrival(category, got_place)
        registration.state = state
        registration.changes[-1].to_state = state
        if message is not None:
            discard_mail(message)
            _notify(registration, state)
        db.session.flush()
    return registration


def _state_on_arrival(category: Category, has_place: bool) -> RegistrationState:
    """The state a new registration gets with or without a place."""
    if not has_place:
        return RegistrationState.WAITLISTED
    return RegistrationState.PENDING if category.requires_approval else RegistrationState.CONFIRMED


def update_participant(registration: Registration, data: ParticipantData) -> None:
    """Apply a self-service or organizer edit of the participant's details (not email/category).

    Raises RegistrationError when the registration can no longer be edited or has no Latin name.
    """
    if registration.state not in ACTIVE_STATES:
        raise RegistrationError(_l("This registration is no longer active."))
    check_attendance(registration.category, data.attendance)
    latin_name = latin_name_for(data)
    registration.native_name = data.native_name
    registration.latin_name = latin_name
    registration.organization = data.organization
    registration.job_title = data.job_title
    registration.phone = data.phone
    registration.country = data.country
    registration.attendance = data.attendance
    registration.language = data.language
    registration.answers = data.answers


def _lock_registration(registration_id: int) -> Registration:
    """Re-read a registration with a row lock so two actors cannot change it at once."""
    return db.session.scalars(
        select(Registration)
        .where(Registration.id == registration_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _transition(
    registration: Registration,
    allowed_from: frozenset[RegistrationState],
    to_state: RegistrationState,
    actor: User | None,
    actor_kind: str,
    note: str,
    notify: bool = True,
) -> bool:
    """Move a registration between states keeping the place count right; False if not allowed."""
    registration = _lock_registration(registration.id)
    if registration.state not in allowed_from:
        return False
    held = registration.state in PLACE_HOLDING_STATES
    will_hold = to_state in PLACE_HOLDING_STATES
    if will_hold and not held and not _take_place(registration.category_id):
        return False
    _record_change(registration, to_state, actor, actor_kind, note)
    if to_state in (RegistrationState.CANCELLED, RegistrationState.REJECTED):
        revoke_current_ticket(registration, to_state.value)
    if held and not will_hold:
        _release_place(registration.category_id)
        db.session.flush()
        promote_waitlisted(registration.category_id, notify=notify)
    db.session.flush()
    if notify:
        _notify(registration, to_state)
    return True


def cancel_registration(
    registration: Registration, actor: User | None = None, note: str = "", *, notify: bool = True
) -> bool:
    """Cancel an active registration (participant or organizer); frees its place."""
    return _transition(
        registration,
        frozenset(ACTIVE_STATES),
        RegistrationState.CANCELLED,
        actor,
        "organizer" if actor else "participant",
        note,
        notify,
    )


def approve_registration(
    registration: Registration, actor: User, note: str = "", *, notify: bool = True
) -> bool:
    """Confirm a pending registration (its place is already held)."""
    return _transition(
        registration,
        frozenset({RegistrationState.PENDING}),
        RegistrationState.CONFIRMED,
        actor,
        "organizer",
        note,
        notify,
    )


def reject_registration(registration: Registration, actor: User, note: str = "") -> bool:
    """Reject a pending or waitlisted registration; frees its place if it held one."""
    return _transition(
        registration,
        frozenset({RegistrationState.PENDING, RegistrationState.WAITLISTED}),
        RegistrationState.REJECTED,
        actor,
        "organizer",
        note,
    )


def promote_waitlisted(category_id: int, *, notify: bool = True) -> list[Registration]:
    """Move the oldest waitlisted registrations into free places, in order; returns them."""
    promoted: list[Registration] = []
    while _take_place(category_id):
        # The UPDATE above holds the category row lock, so no one else promotes concurrently.
        candidate = db.session.scalars(
            select(Registration)
            .where(
                Registration.category_id == category_id,
                Registration.state == RegistrationState.WAITLISTED,
            )
            .order_by(Registration.created_at, Registration.id)
            .limit(1)
            .with_for_update()
        ).first()
        if candidate is None:
            _release_place(category_id)
            break
        category = db.session.get(Category, category_id)
        state = (
            RegistrationState.PENDING if category.requires_approval else RegistrationState.CONFIRMED
        )
        _record_change(candidate, state, None, "system", "promoted from the waiting list")
        db.session.flush()
        if notify:
            _notify(candidate, state, promoted=True)
        promoted.append(candidate)
    return promoted


def set_category_capacity(category: Category, capacity: int | None) -> list[Registration]:
    """Change a category's capacity; raising it promotes waitlisted registrations.

    Raises RegistrationError when the new capacity is below the places already held.
    """
    locked = db.session.scalars(
        select(Category)
        .where(Category.id == category.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if capacity is not None and capacity < locked.places_taken:
        raise RegistrationError(
            _l(
                "Capacity cannot be lower than the %(n)d places already taken.",
                n=locked.places_taken,
            ),
            "capacity",
        )
    locked.capacity = capacity
    db.session.flush()
    return promote_waitlisted(category.id)


def waitlist_position(registration: Registration) -> int | None:
    """1-based position on the category's waiting list, or None if not waitlisted."""
    if registration.state != RegistrationState.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.category_id == registration.category_id,
            Registration.state == RegistrationState.WAITLISTED,
            or_(
                Registration.created_at < registration.created_at,
                (Registration.created_at == registration.created_at)
                & (Registration.id < registration.id),
            ),
        )
    )
    return (ahead or 0) + 1


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=MANAGE_SALT)


def manage_token(registration: Registration) -> str:
    """A signed token for the self-service link of a registration (signed once per request)."""
    key = (registration.id, registration.link_version)
    cached = registration.__dict__.get("_manage_token")
    if cached is None or cached[0] != key:
        cached = (key, _serializer().dumps(list(key)))
        registration.__dict__["_manage_token"] = cached
    return cached[1]


def manage_url(registration: Registration) -> str:
    """The absolute self-service link for a registration."""
    return absolute_url("registration.manage", token=manage_token(registration))


def registration_from_token(token: str) -> Registration:
    """The registration a self-service token points to; raises LinkExpired or LinkInvalid."""
    max_age = current_app.config["MANAGE_LINK_MAX_AGE_DAYS"] * 86400
    try:
        payload = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkExpired() from exc
    except BadSignature as exc:
        raise LinkInvalid() from exc
    if not (
        isinstance(payload, list) and len(payload) == 2 and all(isinstance(x, int) for x in payload)
    ):
        raise LinkInvalid()
    registration = db.session.get(Registration, payload[0])
    if registration is None or registration.link_version != payload[1]:
        raise LinkInvalid()
    return registration


_MAIL_TEMPLATES = {
    RegistrationState.CONFIRMED: "registration_confirmed",
    RegistrationState.PENDING: "registration_pending",
    RegistrationState.WAITLISTED: "registration_waitlisted",
    RegistrationState.CANCELLED: "registration_cancelled",
    RegistrationState.REJECTED: "registration_rejected",
}
# The reminder before the event (app/registration/reminders.py): a confirmation's contents.
REMINDER_TEMPLATE = "registration_reminder"
# Mails that carry the badge: its QR code is shown inline to on-site attendees.
_BADGE_TEMPLATES = frozenset({_MAIL_TEMPLATES[RegistrationState.CONFIRMED], REMINDER_TEMPLATE})


def _notify(
    registration: Registration,
    state: RegistrationState,
    promoted: bool = False,
    reissued: bool = False,
) -> OutboxMessage:
    """Queue the mail telling the participant about their registration's new state.

    A confirmation carries the badge PDF, the QR code inline and the calendar entry (.ics).
    Only the subject is rendered now; the bodies are composed when the mail is sent
    (registration_mail_context), so the registration may not have been written yet.
    """
    confirmed = state == RegistrationState.CONFIRMED
    suffix = ".promoted" if promoted else ".reissued" if reissued else ""
    event = registration.event or db.session.get(Event, registration.event_id)
    message = queue_mail_composed_at_delivery(
        kind=f"registration.{state.value}{suffix}",
        to_address=registration.email,
        to_name=registration.native_name,
        language=registration.language,
        template=_MAIL_TEMPLATES[state],
        subject_context={"registration": registration, "event": event},
        params={"promoted": promoted, "reissued": reissued},
        event_id=registration.event_id,
        attachments=[{"kind": "badge"}, {"kind": "calendar"}] if confirmed else [],
    )
    registration.mails.add(message)
    return message


def registration_mail_context(message: OutboxMessage) -> dict[str, Any]:
    """The body context of a registration mail (see _notify), made when it is sent."""
    registration = db.session.get(
        Registration,
        message.registration_id,
        options=[joinedload(Registration.event), joinedload(Registration.category)],
    )
    if registration is None:
        raise LookupError(f"registration {message.registration_id} no longer exists")
    params = message.template_params or {}
    confirmed = message.template in _BADGE_TEMPLATES
    online = registration.attendance == Attendance.ONLINE
    return {
        "registration": registration,
        "event": registration.event,
        "category": registration.category,
        "manage_url": manage_url(registration),
        "promoted": bool(params.get("promoted")),
        "reissued": bool(params.get("reissued")),
        "waitlist_position": waitlist_position(registration),
        "qr_cid": qr_content_id(registration) if confirmed and not online else None,
        "has_badge": confirmed,
        # What other domains say in a registration's mails (judging: the team and its entry).
        **page_context("registration_mail", registration),
    }


REGISTRATION_MAIL_TEMPLATES = (*_MAIL_TEMPLATES.values(), REMINDER_TEMPLATE)


def reissue_badge(registration: Registration) -> bool:
    """Revoke a confirmed registration's QR code (lost badge) and mail a new badge.

    Returns False when the registration is not confirmed.
    """
    registration = _lock_registration(registration.id)
    if registration.state != RegistrationState.CONFIRMED:
        return False
    reissue_ticket(registration)
    _notify(registration, RegistrationState.CONFIRMED, reissued=True)
    return True
