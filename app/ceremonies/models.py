"""Ceremony models: a ceremony, its ordered agenda segments and ordered signing items.

Start times of segments and signing rounds are never stored: they are computed from the
ceremony's start and the durations (see services.agenda_timeline), so they cannot drift.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import UTCDateTime, utcnow
from app.extensions import db
from app.translated import Translated, TranslatedText

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.events.models import Event


class SegmentKind(enum.StrEnum):
    """What happens in an agenda segment."""

    OPENING = "opening"
    SPEECH = "speech"
    VIDEO = "video"
    SIGNING = "signing"
    WITNESS_PHOTO = "witness_photo"
    CLOSING = "closing"
    OTHER = "other"


class SigningStatus(enum.StrEnum):
    """Where a signing item stands, in this order."""

    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    DOCUMENTS_READY = "documents_ready"
    SIGNED = "signed"


STATUS_ORDER = list(SigningStatus)


class Ceremony(db.Model):
    """A signing ceremony of an event."""

    __table_args__ = (CheckConstraint("slot_minutes > 0", name="slot_minutes_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    # Texts the organizer writes are one value per content language (app.translated).
    title: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)
    # Date and start time together, entered in the event's timezone, stored in UTC.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)
    host_name: Mapped[str] = mapped_column(String(200), default="")
    # The content language the host (MC) speaks ("zh", "ru", "en", "kk" …): the host script is
    # written in it. A language code, not an enum, so a fourth language needs no migration.
    host_language: Mapped[str] = mapped_column(String(5), default="zh")
    # The time the venue/programme allows; a longer agenda is warned about, not refused.
    slot_minutes: Mapped[int] = mapped_column(default=60)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    segments: Mapped[list[AgendaSegment]] = relationship(
        back_populates="ceremony",
        order_by="AgendaSegment.position, AgendaSegment.id",
        cascade="all, delete-orphan",
    )
    items: Mapped[list[SigningItem]] = relationship(
        back_populates="ceremony",
        order_by="SigningItem.position, SigningItem.id",
        cascade="all, delete-orphan",
    )


class AgendaSegment(db.Model):
    """One segment of the run of show; its start time is computed, never stored."""

    __table_args__ = (CheckConstraint("duration_minutes > 0", name="duration_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ceremony_id: Mapped[int] = mapped_column(
        ForeignKey("ceremony.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[SegmentKind] = mapped_column(Enum(SegmentKind, native_enum=False, length=20))
    # Empty: the agenda prints the segment's kind ("Speech").
    title: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)
    # Speaker or performer as printed ("Li Ming, Director, Bureau of Science and Technology"),
    # per language like the title: a position reads differently in each.
    performer: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)
    duration_minutes: Mapped[int] = mapped_column()

    ceremony: Mapped[Ceremony] = relationship(back_populates="segments")


class SigningItem(db.Model):
    """A project signed on stage by two or more parties, in `position` order."""

    __table_args__ = (CheckConstraint("duration_minutes > 0", name="duration_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ceremony_id: Mapped[int] = mapped_column(
        ForeignKey("ceremony.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)
    # Signed at the same time as the previous item, at the next table (one signing round).
    with_previous: Mapped[bool] = mapped_column(default=False)
    duration_minutes: Mapped[int] = mapped_column(default=3)
    status: Mapped[SigningStatus] = mapped_column(
        Enum(SigningStatus, native_enum=False, length=20), default=SigningStatus.PROPOSED
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ceremony: Mapped[Ceremony] = relationship(back_populates="items")
    parties: Mapped[list[SigningParty]] = relationship(
        back_populates="item",
        order_by="SigningParty.position, SigningParty.id",
        cascade="all, delete-orphan",
    )
    witnesses: Mapped[list[Witness]] = relationship(
        back_populates="item",
        order_by="Witness.position, Witness.id",
        cascade="all, delete-orphan",
    )
    documents: Mapped[list[SigningDocument]] = relationship(
        back_populates="item",
        order_by="SigningDocument.uploaded_at, SigningDocument.id",
        cascade="all, delete-orphan",
    )
    status_changes: Mapped[list[SigningStatusChange]] = relationship(
        back_populates="item",
        order_by="SigningStatusChange.changed_at, SigningStatusChange.id",
        cascade="all, delete-orphan",
    )


class SigningParty(db.Model):
    """One organization signing an item, with its signatory (who may not be known yet)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("signing_item.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    organization: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)
    country: Mapped[str] = mapped_column(String(2))
    # A person's name is written once, as the person writes it; the position ("Director",
    # "Директор", "主任") is per content language: the host reads it aloud.
    signatory_name: Mapped[str] = mapped_column(String(200), default="")
    signatory_title: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)

    item: Mapped[SigningItem] = relationship(back_populates="parties")


class Witness(db.Model):
    """A guest witnessing a signing item (stands behind the signatories)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("signing_item.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    # Position and organization per content language, like a party's.
    title: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)
    organization: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)

    item: Mapped[SigningItem] = relationship(back_populates="witnesses")


class SigningDocument(db.Model):
    """An uploaded PDF of a signing item, stored under instance/uploads/ceremonies/."""

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("signing_item.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    # Random name on disk; the user's filename is only ever used for Content-Disposition.
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column()
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[SigningItem] = relationship(back_populates="documents")
    uploaded_by: Mapped[User | None] = relationship()


class SigningStatusChange(db.Model):
    """One status change of a signing item: from, to, who and when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("signing_item.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[SigningStatus | None] = mapped_column(
        Enum(SigningStatus, native_enum=False, length=20)
    )
    to_status: Mapped[SigningStatus] = mapped_column(
        Enum(SigningStatus, native_enum=False, length=20)
    )
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[SigningItem] = relationship(back_populates="status_changes")
    changed_by: Mapped[User | None] = relationship()
