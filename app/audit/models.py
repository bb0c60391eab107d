"""The audit log: one row per recorded action, kept when the event or the user is deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import UTCDateTime, utcnow
from app.extensions import db


class AuditEntry(db.Model):
    """One audited action: who (user id and, as written then, their email), what, on which event.

    `action` is a dotted name such as "registrations.export" or "privacy.anonymize_event";
    `target` names the object acted on ("registration:42", "" for the whole event); `details`
    holds the figures that matter (format, row count, filters …) — never personal data of
    participants, so the log itself needs no anonymization.
    """

    __table_args__ = (
        Index("ix_audit_entry_event_created", "event_id", "created_at"),
        Index("ix_audit_entry_action_created", "action", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The staff user's email at the time, or "participant", "system", "cli".
    actor: Mapped[str] = mapped_column(String(254))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(100), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str] = mapped_column(String(45), default="")
