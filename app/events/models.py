"""Events: a conference, a competition, or both, with bilingual content."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Enum, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import UTCDateTime, to_local, utcnow
from app.documents.tickets import generate_event_key
from app.extensions import db
from app.i18n import enum_labels
from app.translated import DEFAULT_CONTENT_LANGUAGES, Translated, TranslatedText

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.registration.models import Category, Question


class EventStatus(enum.StrEnum):
    """Whether an event is visible and takes registrations."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


EVENT_STATUS_LABELS = enum_labels(
    EventStatus,
    {
        EventStatus.DRAFT: _l("Draft (not visible)"),
        EventStatus.OPEN: _l("Open for registration"),
        EventStatus.CLOSED: _l("Closed"),
    },
)


class EventKind(enum.StrEnum):
    """What an event is."""

    CONFERENCE = "conference"
    COMPETITION = "competition"
    BOTH = "both"


class Event(db.Model):
    """One event; every other record hangs off an event."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # What organizers write for readers is translated text, one value per field, one text per
    # content language; read it with `event.text(event.title, locale)` (Python) or
    # `localized(event, 'title')` / `event.title|tr` (templates).
    title: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)
    description: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)
    venue: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    status: Mapped[EventStatus] = mapped_column(
        Enum(EventStatus, native_enum=False, length=20), default=EventStatus.DRAFT
    )
    kind: Mapped[EventKind] = mapped_column(
        Enum(EventKind, native_enum=False, length=20), default=EventKind.CONFERENCE
    )
    # The current privacy notice; every change becomes a ConsentVersion (events.consent).
    privacy_text: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    # The languages organizers write this event's texts in, in fallback order: a reader whose
    # language has no text gets the first of these that has one (app/translated.py).
    content_languages: Mapped[list[str]] = mapped_column(
        JSON, default=lambda: list(DEFAULT_CONTENT_LANGUAGES)
    )
    # The stream or meeting online attendees are sent to. Never shown to them: their personal
    # join link (checkin.join_online) records the visit and redirects here.
    online_url: Mapped[str] = mapped_column(String(500), default="")
    # A map of the venue (http or https), linked from the participant's page.
    map_url: Mapped[str] = mapped_column(String(500), default="")
    # Secret that signs this event's ticket codes (HMAC); given only to its check-in devices.
    ticket_key: Mapped[bytes] = mapped_column(LargeBinary(64), default=generate_event_key)
    badge_size: Mapped[str] = mapped_column(String(10), default="A6")
    # Badge accent colour (#rrggbb) and logo file name under instance/uploads/<event id>/.
    badge_accent_color: Mapped[str] = mapped_column(String(7), default="#1F4E9C")
    badge_logo: Mapped[str] = mapped_column(String(100), default="")
    # Days before the start at which confirmed registrants get a reminder mail (1–60); None:
    # no reminder. Sent by the registration domain (app/registration/reminders.py).
    reminder_days_before: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    categories: Mapped[list[Category]] = relationship(
        back_populates="event",
        order_by="Category.position, Category.id",
        cascade="all, delete-orphan",
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="event",
        order_by="Question.position, Question.id",
        cascade="all, delete-orphan",
    )

    @property
    def is_draft(self) -> bool:
        """A draft: its public pages are for its organizers only."""
        return self.status == EventStatus.DRAFT

    @property
    def languages(self) -> list[str]:
        """The content languages in fallback order (never empty)."""
        return list(self.content_languages or DEFAULT_CONTENT_LANGUAGES)

    def text(self, value: Translated, locale: object) -> str:
        """A translated text of this event for a reader of `locale`, with its fallback order:
        `event.text(event.title, "ru")`, `event.text(criterion.name, locale)`."""
        return value.text(locale, self.languages)

    @property
    def reminder_due_at(self) -> datetime | None:
        """When the reminder mail is due (the start minus the reminder days), or None."""
        if self.reminder_days_before is None or self.starts_at is None:
            return None
        return self.starts_at - timedelta(days=self.reminder_days_before)

    def pick(self, value: Translated, locale: object) -> tuple[str, str | None]:
        """(text, its language) of a translated text of this event for a reader of `locale`;
        the language differs from the reader's when the text is a fallback."""
        return value.pick(locale, self.languages)

    def local(self, value: datetime | None) -> datetime | None:
        """A UTC datetime shown in the event's timezone."""
        return to_local(value, self.timezone)


class JobState(enum.StrEnum):
    """Where a background job stands."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class BackgroundJob(db.Model):
    """A long job run for an event (a badge sheet …), tracked for its progress bar.

    The worker updates progress_done/progress_total as it goes and result_path (relative to
    the instance folder) when done; error holds a short message when it failed.
    """

    __table_args__ = (Index("ix_background_job_event_kind", "event_id", "kind", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    # What the job makes, e.g. "badge_sheet"; parameters are in `parameters`.
    kind: Mapped[str] = mapped_column(String(40))
    state: Mapped[JobState] = mapped_column(
        Enum(JobState, native_enum=False, length=10), default=JobState.QUEUED
    )
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    result_path: Mapped[str] = mapped_column(String(300), default="")
    error: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()

    @property
    def percent(self) -> int:
        """Progress in whole percent (100 when done)."""
        if self.state == JobState.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)


class ConsentVersion(db.Model):
    """One version of an event's privacy notice, as participants saw it; never changed later.

    A new version is written whenever the event's privacy text changes (see
    `events.consent.install_consent_versioning`); a registration records the one it
    consented to.
    """

    __table_args__ = (UniqueConstraint("event_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    # The notice in each language it was published in (a copy of Event.privacy_text).
    text: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )

    event: Mapped[Event] = relationship()
    created_by: Mapped[User | None] = relationship()
