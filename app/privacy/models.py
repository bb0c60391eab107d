"""Deletion requests (the consent text versions are the events' own: app.events.models)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.registration.models import Registration


class DeletionState(enum.StrEnum):
    """Where a participant's deletion request stands."""

    OPEN = "open"
    DONE = "done"
    DECLINED = "declined"


class DeletionRequest(db.Model):
    """A participant's request to delete their data, decided by an organizer."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[DeletionState] = mapped_column(
        Enum(DeletionState, native_enum=False, length=10), default=DeletionState.OPEN
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    # Why a request was declined (a legal duty to keep the record …), shown to the participant.
    decision_note: Mapped[str] = mapped_column(String(500), default="")

    registration: Mapped[Registration] = relationship()
    decided_by: Mapped[User | None] = relationship()
