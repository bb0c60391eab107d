"""The outbox: every mail is a row, written in the transaction of the change that caused it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import UTCDateTime, utcnow
from app.extensions import db
from app.i18n import enum_labels


class MailState(enum.StrEnum):
    """Delivery state of an outbox message."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


MAIL_STATE_LABELS = enum_labels(
    MailState,
    {
        MailState.QUEUED: _l("Queued"),
        MailState.SENDING: _l("Sending"),
        MailState.SENT: _l("Sent"),
        MailState.FAILED: _l("Failed"),
    },
)


class OutboxMessage(db.Model):
    """One email to one recipient and its delivery state."""

    __table_args__ = (
        Index("ix_outbox_message_event_state", "event_id", "state"),
        Index("ix_outbox_message_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(254))
    to_name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(300))
    # Empty until delivery for a mail whose bodies are composed when it is sent (template set).
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    # templates/mail/<template>.{txt,html} rendered at delivery, in `language`, from the
    # context the builder registered for the template makes of this row (template_params,
    # registration_id …); "" for a mail rendered when it was queued.
    template: Mapped[str] = mapped_column(String(80), default="")
    template_params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[MailState] = mapped_column(
        Enum(MailState, native_enum=False, length=10), default=MailState.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[str] = mapped_column(String(200), default="")
    # [{"kind": "badge", "ref": 42}, …]: built at delivery time by the registered builder.
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When a queued message may be tried again (None: now).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the current delivery attempt claimed the row; a stale claim means a dead worker.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
