"""Read-only queries for the organizer's desk: search, filters, pagination, export rows."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from app.events.models import Event
from app.extensions import db
from app.mail.models import OutboxMessage
from app.registration.models import (
    Attendance,
    Category,
    Registration,
    RegistrationChange,
    RegistrationState,
)

PER_PAGE = 50
MAX_QUERY_LENGTH = 100
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
_PHONE_LIKE = re.compile(r"^\+?\d{3,}$")


@dataclass(frozen=True)
class RegistrationFilter:
    """What the organizer searches and filters the registration list by."""

    q: str = ""
    category_id: int | None = None
    state: RegistrationState | None = None
    attendance: Attendance | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str], event: Event) -> RegistrationFilter:
        """Parse GET parameters; unknown or malformed values are ignored, never an error."""
        q = (args.get("q") or "").strip()[:MAX_QUERY_LENGTH]
        raw_category = (args.get("category") or "").strip()
        category_id = None
        if raw_category.isdigit() and any(c.id == int(raw_category) for c in event.categories):
            category_id = int(raw_category)
        raw_state = (args.get("state") or "").strip()
        state = RegistrationState(raw_state) if raw_state in set(RegistrationState) else None
        raw_attendance = (args.get("attendance") or "").strip()
        attendance = Attendance(raw_attendance) if raw_attendance in set(Attendance) else None
        return cls(q=q, category_id=category_id, state=state, attendance=attendance)

    def as_args(self) -> dict[str, str]:
        """The filter as GET parameters (only the ones set), for links and redirects."""
        args: dict[str, str] = {}
        if self.q:
            args["q"] = self.q
        if self.category_id is not None:
            args["category"] = str(self.category_id)
        if self.state is not None:
            args["state"] = self.state.value
        if self.attendance is not None:
            args["attendance"] = self.attendance.value
        return args

    @property
    def is_active(self) -> bool:
        """True when any search term or filter is set."""
        return bool(self.as_args())


def _contains(column, needle: str):
    """Case-insensitive substring match that treats % and _ literally (SQLite and PostgreSQL).

    SQLite's lower() folds ASCII only, so for other scripts (Cyrillic) the usual spellings of the
    needle are matched as typed too; PostgreSQL's lower() folds them all anyway.
    """
    condition = func.lower(column).contains(needle.lower(), autoescape=True)
    if needle.isascii():
        return condition
    variants = {needle, needle.lower(), needle.upper(), needle.capitalize(), needle.title()}
    return or_(
        condition, *(column.contains(variant, autoescape=True) for variant in sorted(variants))
    )


def registration_query(event: Event, filters: RegistrationFilter) -> Select:
    """SELECT of the event's registrations matching `filters`, newest first."""
    query = select(Registration).where(Registration.event_id == event.id)
    if filters.q:
        conditions = [
            _contains(Registration.native_name, filters.q),
            _contains(Registration.latin_name, filters.q),
            _contains(Registration.organization, filters.q),
            _contains(Registration.email, filters.q),
            _contains(Registration.phone, filters.q),
        ]
        # Phones are stored as E.164 (+8613800138000); let "138 0013 8000" find them too.
        compact = _PHONE_SEPARATORS.sub("", filters.q)
        if compact != filters.q and _PHONE_LIKE.match(compact):
            conditions.append(_contains(Registration.phone, compact))
        query = query.where(or_(*conditions))
    if filters.category_id is not None:
        query = query.where(Registration.category_id == filters.category_id)
    if filters.state is not None:
        query = query.where(Registration.state == filters.state)
    if filters.attendance is not None:
        query = query.where(Registration.attendance == filters.attendance)
    return query.order_by(Registration.created_at.desc(), Registration.id.desc())


@dataclass
class Page:
    """One page of registrations and where it sits in the whole result."""

    items: list[Registration]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1, so an empty result still has page 1)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def parse_page(raw: str | None) -> int:
    """A page number from a GET parameter; anything malformed or below 1 is page 1."""
    raw = (raw or "").strip()
    if not raw.isdigit() or len(raw) > 9:
        return 1
    return max(int(raw), 1)


def search_registrations(
    event: Event, filters: RegistrationFilter, page: int = 1, per_page: int = PER_PAGE
) -> Page:
    """One page of the event's registrations matching `filters`; a page past the end is the last."""
    query = registration_query(event, filters)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, math.ceil((total or 0) / per_page))
    page = min(max(page, 1), pages)
    items = db.session.scalars(
        query.options(selectinload(Registration.category))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items=list(items), total=total or 0, page=page, per_page=per_page)


def registrations_for_export(event: Event, filters: RegistrationFilter) -> list[Registration]:
    """Every registration of the event matching `filters`, newest first, categories loaded."""
    query = registration_query(event, filters).options(selectinload(Registration.category))
    return list(db.session.scalars(query).all())


def registrations_of_event(event: Event, ids: list[int]) -> list[Registration]:
    """The registrations among `ids` that belong to `event` (others are silently left out)."""
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event.id, Registration.id.in_(ids))
            .order_by(Registration.id)
        ).all()
    )


def registration_history(registration: Registration) -> list[RegistrationChange]:
    """The state changes of a registration, oldest first, with their actors loaded."""
    return list(
        db.session.scalars(
            select(RegistrationChange)
            .where(RegistrationChange.registration_id == registration.id)
            .options(selectinload(RegistrationChange.actor))
            .order_by(RegistrationChange.created_at, RegistrationChange.id)
        ).all()
    )


def mails_of_registration(registration: Registration) -> list[OutboxMessage]:
    """The outbox messages sent about one registration, newest first."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.registration_id == registration.id,
                OutboxMessage.event_id == registration.event_id,
            )
            .order_by(OutboxMessage.id.desc())
        ).all()
    )


def categories_of_event(event: Event) -> list[Category]:
    """The event's categories in display order."""
    return list(
        db.session.scalars(
            select(Category)
            .where(Category.event_id == event.id)
            .order_by(Category.position, Category.id)
        ).all()
    )


def category_counts(event: Event) -> list[dict]:
    """Per category: capacity, places taken and a count per registration state."""
    rows = db.session.execute(
        select(Registration.category_id, Registration.state, func.count(Registration.id))
        .where(Registration.event_id == event.id)
        .group_by(Registration.category_id, Registration.state)
    ).all()
    by_category: dict[int, dict[str, int]] = {}
    for category_id, state, count in rows:
        by_category.setdefault(category_id, {})[RegistrationState(state).value] = count
    categories = db.session.scalars(
        select(Category)
        .where(Category.event_id == event.id)
        .order_by(Category.position, Category.id)
    ).all()
    return [
        {
            "category": category,
            "capacity": category.capacity,
            "places_taken": category.places_taken,
            "states": {
                s.value: by_category.get(category.id, {}).get(s.value, 0) for s in RegistrationState
            },
        }
        for category in categories
    ]
