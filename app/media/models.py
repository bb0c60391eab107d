"""Media models: outlets of an event's coverage, coverage items and press accreditations."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import UTCDateTime, utcnow
from app.extensions import db
from app.translated import Translated, TranslatedText

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.ceremonies.models import Ceremony
    from app.events.models import Event
    from app.registration.models import Registration


class OutletLevel(enum.StrEnum):
    """The administrative level of an outlet, as Chinese coverage reports group them."""

    CENTRAL = "central"
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    INDUSTRY = "industry"
    OVERSEAS = "overseas"


class OutletType(enum.StrEnum):
    """What kind of medium an outlet is."""

    TV = "tv"
    NEWSPAPER = "newspaper"
    NEWS_WEBSITE = "news_website"
    NEW_MEDIA = "new_media"
    VIDEO_PLATFORM = "video_platform"


class CoverageKind(enum.StrEnum):
    """What a coverage item is."""

    ORIGINAL = "original"
    REPOST = "repost"
    VIDEO = "video"
    LIVE_STREAM = "live_stream"


class Outlet(db.Model):
    """A newspaper, channel, website or account that covered the event."""

    # The unique key holds the compared form (media.services.name_key) of the outlet's first
    # name (Chinese, else English, else any): concurrent imports creating the same new outlet
    # cannot both succeed. The services also refuse a name equal to any of another outlet's.
    __table_args__ = (UniqueConstraint("event_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    # The outlet's name as it is known in each content language (a proper name: often only
    # one or two are written, readers of another language see the fallback).
    name: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)
    name_key: Mapped[str] = mapped_column(String(200))
    level: Mapped[OutletLevel] = mapped_column(Enum(OutletLevel, native_enum=False, length=20))
    type: Mapped[OutletType] = mapped_column(Enum(OutletType, native_enum=False, length=20))
    website: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    accreditations: Mapped[list[PressAccreditation]] = relationship(
        back_populates="outlet", cascade="all, delete-orphan"
    )

    @property
    def sort_name(self) -> str:
        """The name lists are sorted by (Chinese first, as coverage reports are)."""
        return self.name.text("zh")


class CoverageItem(db.Model):
    """One report, repost, video or live stream by an outlet."""

    __table_args__ = (
        # Duplicates are refused by the services with a message; these keep concurrent
        # imports honest too. NULL URLs (TV broadcasts) never collide.
        UniqueConstraint("event_id", "url"),
        UniqueConstraint("event_id", "outlet_id", "published_on", "title"),
        CheckConstraint("plays IS NULL OR plays >= 0", name="plays_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlet.id", ondelete="CASCADE"), index=True)
    published_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(1000))
    kind: Mapped[CoverageKind] = mapped_column(
        Enum(CoverageKind, native_enum=False, length=20), default=CoverageKind.ORIGINAL
    )
    plays: Mapped[int | None] = mapped_column()
    notes: Mapped[str] = mapped_column(Text, default="")
    ceremony_id: Mapped[int | None] = mapped_column(
        ForeignKey("ceremony.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    outlet: Mapped[Outlet] = relationship()
    ceremony: Mapped[Ceremony | None] = relationship()
    created_by: Mapped[User | None] = relationship()


class PressAccreditation(db.Model):
    """A journalist's registration (media category) linked to the outlet they work for."""

    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlet.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), unique=True
    )
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    outlet: Mapped[Outlet] = relationship(back_populates="accreditations")
    registration: Mapped[Registration] = relationship()
