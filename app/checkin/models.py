"""Check-in: lists (check-in points), scans, and device tokens for scanners."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, Enum, ForeignKey, Index, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.events.models import Event
    from app.registration.models import Category, Registration


class ScanKind(enum.StrEnum):
    """Whether a scan lets a person in or out."""

    ENTRY = "entry"
    EXIT = "exit"


class CheckinStatus(enum.StrEnum):
    """The answer to one scan; the scanner acts on these values."""

    OK = "ok"
    ALREADY_CHECKED_IN = "already_checked_in"
    NOT_CHECKED_IN = "not_checked_in"  # an exit for someone who is not inside
    INVALID = "invalid"
    REVOKED = "revoked"
    NOT_CONFIRMED = "not_confirmed"
    WRONG_EVENT = "wrong_event"
    WRONG_LIST = "wrong_list"
    OUTSIDE_WINDOW = "outside_window"


checkin_list_category = Table(
    "checkin_list_category",
    db.metadata,
    Column("list_id", ForeignKey("checkin_list.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("category.id", ondelete="CASCADE"), primary_key=True),
)


class CheckinList(db.Model):
    """A check-in point: which categories it admits, when, and whether exits are tracked."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    track_exits: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    # Empty: every category of the event is admitted.
    categories: Mapped[list[Category]] = relationship(
        secondary=checkin_list_category, order_by="Category.position, Category.id"
    )

    def is_open_at(self, moment: datetime) -> bool:
        """True when the list's time window (if any) includes `moment`."""
        return window_includes(self.starts_at, self.ends_at, moment)


def window_includes(starts_at: datetime | None, ends_at: datetime | None, moment: datetime) -> bool:
    """True when `moment` is inside [starts_at, ends_at); a missing bound is open."""
    if starts_at and moment < starts_at:
        return False
    return not (ends_at and moment >= ends_at)


class Checkin(db.Model):
    """One recorded scan of a registration's code on a list.

    Only the valid entry of a person carries `active_registration_id`; the unique constraint
    on (list_id, active_registration_id) makes a second simultaneous entry impossible. Undo,
    an exit, or being a repeat/conflicting scan leaves it NULL (NULLs never collide).
    """

    __table_args__ = (
        UniqueConstraint("list_id", "active_registration_id"),
        Index("ix_checkin_list_created", "list_id", "created_at"),
        Index("ix_checkin_list_registration", "list_id", "registration_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("checkin_list.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    # The scanned code, so that a replayed nonce with another code is told apart.
    code: Mapped[str] = mapped_column(String(64))
    status: Mapped[CheckinStatus] = mapped_column(Enum(CheckinStatus, native_enum=False, length=20))
    station: Mapped[str] = mapped_column(String(60))
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[ScanKind] = mapped_column(
        Enum(ScanKind, native_enum=False, length=10), default=ScanKind.ENTRY
    )
    offline: Mapped[bool] = mapped_column(default=False)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_station: Mapped[str | None] = mapped_column(String(60))
    # An offline scan of a code another station had already checked in.
    conflict: Mapped[bool] = mapped_column(default=False)
    active_registration_id: Mapped[int | None] = mapped_column()
    # For an ok entry: when the person left (exit tracking).
    exited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    checkin_list: Mapped[CheckinList] = relationship()
    registration: Mapped[Registration] = relationship()


class DeviceToken(db.Model):
    """A revocable API token of one scanner device, valid for one event; only its hash is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()


class OnlineAttendance(db.Model):
    """How an online attendee came in through their personal join link (/j/<token>): when
    first and last, and how many visits (a reload is a visit).

    One row per registration, written only by one INSERT … ON CONFLICT DO UPDATE
    (online_services.record_join), so concurrent opens neither lose a count nor collide on
    the primary key.
    """

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    first_joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    join_count: Mapped[int] = mapped_column(default=1)

    registration: Mapped[Registration] = relationship()
