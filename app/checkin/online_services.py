"""Online attendance: the personal join link of an online attendee and what opening it records.

The link (/j/<token>) is signed with its own salt and carries the registration's link_version,
so anonymizing a registration or sending a new self-service link stops it too. It has no
timestamp: the same link stands in the confirmation mail, on the badge and on the personal
page, and it works for as long as the registration is a confirmed online one. Opening it is
the attendance record (first and last join, number of visits), written by one atomic
INSERT … ON CONFLICT DO UPDATE, and the only way to the stream: the stream URL the organizer
set (Event.online_url) is revealed by the redirect alone, never printed on a page or in a mail.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from datetime import UTC, datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import case, func, select

from app.checkin.models import OnlineAttendance
from app.checkin.services import ARRIVAL_BUCKET
from app.clock import utcnow
from app.events.models import Event
from app.extensions import db
from app.mail.services import absolute_url
from app.registration.models import Attendance, Registration, RegistrationState

JOIN_SALT = "checkin-online-join"


class JoinLinkInvalid(Exception):
    """A join link that was tampered with, or names no registration (any more)."""


class JoinRefusal(enum.StrEnum):
    """Why a genuine join link does not lead to the stream."""

    NOT_CONFIRMED = "not_confirmed"  # pending approval or on the waiting list
    INACTIVE = "inactive"  # cancelled or rejected
    ONSITE = "onsite"  # the registration was changed to on-site attendance


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=JOIN_SALT)


def join_token(registration: Registration) -> str:
    """The signed token of a registration's join link (the same every time it is asked for)."""
    return _serializer().dumps([registration.id, registration.link_version])


def join_url(registration: Registration) -> str:
    """The absolute personal join link of a registration, for pages, mails and badges."""
    return absolute_url("checkin.join_online", token=join_token(registration))


def registration_for_join(token: str) -> Registration:
    """The registration a join token names; raises JoinLinkInvalid for a forged, malformed or
    superseded token (link_version bumped, registration anonymized or deleted)."""
    try:
        payload = _serializer().loads(token)
    except BadSignature as exc:
        raise JoinLinkInvalid() from exc
    if not (
        isinstance(payload, list)
        and len(payload) == 2
        and all(isinstance(x, int) and not isinstance(x, bool) for x in payload)
    ):
        raise JoinLinkInvalid()
    registration = db.session.get(Registration, payload[0])
    if (
        registration is None
        or registration.link_version != payload[1]
        or registration.anonymized_at is not None
    ):
        raise JoinLinkInvalid()
    return registration


def join_refusal(registration: Registration) -> JoinRefusal | None:
    """Why this registration may not join online now, or None when it may."""
    if registration.state in (RegistrationState.CANCELLED, RegistrationState.REJECTED):
        return JoinRefusal.INACTIVE
    if registration.state != RegistrationState.CONFIRMED:
        return JoinRefusal.NOT_CONFIRMED
    if registration.attendance != Attendance.ONLINE:
        return JoinRefusal.ONSITE
    return None


def offers_join_link(registration: Registration) -> bool:
    """True when the registration's mails, badge and page carry a join link."""
    return join_refusal(registration) is None


def record_join(registration_id: int, event_id: int, at: datetime | None = None) -> None:
    """Record one visit through the join link: the first visit inserts the row, later ones
    raise the count and move the last time, in one statement.

    INSERT … ON CONFLICT (registration_id) DO UPDATE is atomic on PostgreSQL and SQLite alike:
    concurrent visits each add one and none fails on the primary key. Flushes nothing of the
    session; the caller commits.
    """
    at = at or utcnow()
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - Huiwu runs on PostgreSQL and SQLite only
        raise RuntimeError(f"no upsert for the {dialect} dialect")
    table = OnlineAttendance.__table__
    statement = insert(table).values(
        registration_id=registration_id,
        event_id=event_id,
        first_joined_at=at,
        last_joined_at=at,
        join_count=1,
    )
    # An older time never replaces a newer one (two visits may commit out of order).
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.registration_id],
        set_={
            "join_count": table.c.join_count + 1,
            "last_joined_at": case(
                (
                    statement.excluded.last_joined_at > table.c.last_joined_at,
                    statement.excluded.last_joined_at,
                ),
                else_=table.c.last_joined_at,
            ),
        },
    )
    db.session.execute(statement)


def online_attendance_of(registration_id: int) -> OnlineAttendance | None:
    """The registration's online attendance record, if it ever joined."""
    return db.session.get(OnlineAttendance, registration_id)


def joined_online_registration_ids(event_id: int):
    """A subquery of the registrations of an event that joined online at least once."""
    return select(OnlineAttendance.registration_id).where(OnlineAttendance.event_id == event_id)


def online_attendance_by_event(event_id: int) -> dict[int, OnlineAttendance]:
    """Every online attendance record of an event, by registration id."""
    rows = db.session.scalars(select(OnlineAttendance).where(OnlineAttendance.event_id == event_id))
    return {row.registration_id: row for row in rows}


def online_stats(event: Event) -> dict:
    """Online attendees who joined vs confirmed online registrations, per category.

    Joined counts the confirmed online registrations with a join record: someone who joined
    and cancelled later no longer counts, as a checked-in guest whose entry was undone.
    """
    confirmed_online = (
        Registration.event_id == event.id,
        Registration.state == RegistrationState.CONFIRMED,
        Registration.attendance == Attendance.ONLINE,
    )
    expected = dict(
        db.session.execute(
            select(Registration.category_id, func.count(Registration.id))
            .where(*confirmed_online)
            .group_by(Registration.category_id)
        ).all()
    )
    joined = dict(
        db.session.execute(
            select(Registration.category_id, func.count(OnlineAttendance.registration_id))
            .join(Registration, Registration.id == OnlineAttendance.registration_id)
            .where(*confirmed_online)
            .group_by(Registration.category_id)
        ).all()
    )
    per_category = [
        {"category": c, "joined": joined.get(c.id, 0), "expected": expected.get(c.id, 0)}
        for c in event.categories
        if expected.get(c.id) or joined.get(c.id)
    ]
    return {
        "joined": sum(joined.values()),
        "expected": sum(expected.values()),
        "per_category": per_category,
    }


def online_joins_per_bucket(event: Event) -> list[dict]:
    """First online joins per 5 minutes, oldest first: the online side of the arrivals."""
    step = int(ARRIVAL_BUCKET.total_seconds())
    counts: dict[int, int] = defaultdict(int)
    for first in db.session.scalars(
        select(OnlineAttendance.first_joined_at).where(OnlineAttendance.event_id == event.id)
    ):
        counts[int(first.timestamp()) // step * step] += 1
    return [
        {"at": datetime.fromtimestamp(stamp, tz=UTC), "count": n}
        for stamp, n in sorted(counts.items())
    ]
