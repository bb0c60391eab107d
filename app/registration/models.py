"""Registration: categories with capacity, custom questions, registrations and their history."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from app.clock import UTCDateTime, utcnow
from app.extensions import db
from app.translated import Translated, TranslatedText

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.events.models import Event
    from app.mail.models import OutboxMessage


class RegistrationState(enum.StrEnum):
    """Where a registration stands."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


# States that hold a place in the category (pending holds one so approving never overbooks).
PLACE_HOLDING_STATES = frozenset({RegistrationState.PENDING, RegistrationState.CONFIRMED})
ACTIVE_STATES = PLACE_HOLDING_STATES | {RegistrationState.WAITLISTED}


class Attendance(enum.StrEnum):
    """How a participant attends."""

    ONSITE = "onsite"
    ONLINE = "online"


class AttendanceRule(enum.StrEnum):
    """Which attendance modes a category allows."""

    ONSITE = "onsite"
    ONLINE = "online"
    EITHER = "either"


class QuestionKind(enum.StrEnum):
    """The input a custom question asks for."""

    TEXT = "text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    COUNTRY = "country"
    # A passport / ID card number: always sensitive (see Question.sensitive).
    ID_NUMBER = "id_number"


class Category(db.Model):
    """A registration category (government guest, media, team member …) with its capacity."""

    __table_args__ = (
        UniqueConstraint("event_id", "code"),
        CheckConstraint("places_taken >= 0", name="places_taken_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    # Written by the organizer in the event's content languages (see app.translated).
    name: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)
    description: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)
    capacity: Mapped[int | None] = mapped_column()  # None: unlimited
    # Places held by pending + confirmed registrations. Changed only by the atomic conditional
    # UPDATEs in registration.services so concurrent registrations can never overbook.
    places_taken: Mapped[int] = mapped_column(default=0)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requires_approval: Mapped[bool] = mapped_column(default=False)
    attendance_rule: Mapped[AttendanceRule] = mapped_column(
        Enum(AttendanceRule, native_enum=False, length=10), default=AttendanceRule.EITHER
    )
    is_public: Mapped[bool] = mapped_column(default=True)
    color: Mapped[str] = mapped_column(String(7), default="#1f6feb")
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="categories")

    def name_in(self, locale: object) -> str:
        """The name for a reader of `locale`, with the event's fallback order."""
        return self.event.text(self.name, locale)

    def description_in(self, locale: object) -> str:
        """The description for a reader of `locale`, with the event's fallback order."""
        return self.event.text(self.description, locale)

    @property
    def places_left(self) -> int | None:
        """Free places, or None when unlimited."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.places_taken, 0)

    def is_open_at(self, moment: datetime) -> bool:
        """True when the registration window includes `moment`."""
        if self.opens_at and moment < self.opens_at:
            return False
        return not (self.closes_at and moment >= self.closes_at)


class Question(db.Model):
    """A custom question an event asks every registrant."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[QuestionKind] = mapped_column(Enum(QuestionKind, native_enum=False, length=20))
    label: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)
    # [{"value": "veg", "zh": "素食", "en": "Vegetarian", "ru": "Вегетарианское"}, …]: the value,
    # and its label under each content language's code (any code: a fourth language is data).
    choices: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    # Answers are ID-like personal data (passport or ID number …): masked on screen and left
    # out of exports unless the organizer asks for them. Set for ID_NUMBER questions and for
    # text questions whose label asks for an ID document (privacy.services.is_id_like_label).
    sensitive: Mapped[bool] = mapped_column(default=False)

    event: Mapped[Event] = relationship(back_populates="questions")

    def label_in(self, locale: object) -> str:
        """The question for a reader of `locale`, with the event's fallback order."""
        return self.event.text(self.label, locale)

    def choice_texts(self) -> list[tuple[str, Translated]]:
        """(value, its label in every language it is written in) for each choice."""
        return [(str(c.get("value", "")), choice_text(c)) for c in self.choices or []]

    def choice_label(self, value: str, locale: object) -> str:
        """Label of one choice for a reader of `locale` (the raw value if unknown)."""
        for choice in self.choices or []:
            if choice.get("value") == value:
                return self.event.text(choice_text(choice), locale) or value
        return value


def choice_text(choice: dict[str, str]) -> Translated:
    """The label of a stored choice ({"value": …, "zh": …, "ru": …}) as one translated text."""
    return Translated({k: v for k, v in choice.items() if k != "value" and isinstance(v, str)})


class Registration(db.Model):
    """One person's registration for one event."""

    __table_args__ = (
        # One active registration per email per event; NULL (inactive) rows never collide.
        UniqueConstraint("event_id", "active_email"),
        Index("ix_registration_event_state", "event_id", "state"),
        Index("ix_registration_category_state_created", "category_id", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    state: Mapped[RegistrationState] = mapped_column(
        Enum(RegistrationState, native_enum=False, length=20)
    )
    native_name: Mapped[str] = mapped_column(String(200))
    latin_name: Mapped[str] = mapped_column(String(200))
    organization: Mapped[str] = mapped_column(String(200), default="")
    job_title: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254))
    active_email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40), default="")
    country: Mapped[str] = mapped_column(String(2))
    attendance: Mapped[Attendance] = mapped_column(Enum(Attendance, native_enum=False, length=10))
    language: Mapped[str] = mapped_column(String(10))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The privacy notice version consented to; NULL for registrations made before versions
    # were kept (their consent time is known, the exact text is not) or without any notice.
    consent_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("consent_version.id", ondelete="SET NULL")
    )
    # The language of the notice text agreed to ("ru", or "zh" when the Russian text was
    # missing and the Chinese one was shown instead); "" when unknown (before it was recorded).
    consent_language: Mapped[str] = mapped_column(String(10), default="")
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Bumped to invalidate every self-service link issued before.
    link_version: Mapped[int] = mapped_column(default=1)
    # Bumped when a badge is re-issued; codes with an older serial are revoked.
    ticket_serial: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When the reminder mail before the event was put in the outbox; set by one conditional
    # UPDATE (… WHERE reminder_sent_at IS NULL), so a registration is reminded at most once.
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the personal data was replaced (deletion request or retention period).
    anonymized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    category: Mapped[Category] = relationship()
    changes: Mapped[list[RegistrationChange]] = relationship(
        back_populates="registration",
        order_by="RegistrationChange.id",
        cascade="all, delete-orphan",
    )
    # Mails about this registration. Write-only: a mail is added (also to a registration not
    # written yet, in the same flush) without loading the others; read them with a query.
    mails: WriteOnlyMapped[OutboxMessage] = relationship(passive_deletes=True)

    @property
    def reference(self) -> str:
        """Short human reference quoted in mails and at the desk."""
        return f"R{self.id:06d}"


class RegistrationChange(db.Model):
    """One state change of a registration: who, when, from → to."""

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    from_state: Mapped[RegistrationState | None] = mapped_column(
        Enum(RegistrationState, native_enum=False, length=20)
    )
    to_state: Mapped[RegistrationState] = mapped_column(
        Enum(RegistrationState, native_enum=False, length=20)
    )
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # "participant", "organizer" or "system" (waitlist promotion).
    actor_kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="changes")
    actor: Mapped[User | None] = relationship()


class TicketRevocation(db.Model):
    """A ticket code that must be refused (re-issued badge, cancelled or rejected registration).

    Check-in devices download these so that they refuse revoked codes also when offline.
    """

    __table_args__ = (UniqueConstraint("registration_id", "serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    serial: Mapped[int] = mapped_column()
    # "reissued", "cancelled" or "rejected".
    reason: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Mailing(db.Model):
    """A message an organizer sent to a filtered set of registrations: who, when, to whom."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    sent_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # The recipient filter as GET-style arguments: {"category": "3", "state": "confirmed", …}.
    filters: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    recipient_count: Mapped[int] = mapped_column(default=0)
    # Random value of the composing form, so a double submit sends once.
    client_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sent_by: Mapped[User | None] = relationship()
