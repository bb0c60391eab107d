"""Certificates: numbered participation and award certificates, verifiable by a public token."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import UTCDateTime, utcnow
from app.extensions import db
from app.translated import Translated, TranslatedText

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.events.models import Event
    from app.registration.models import Registration


class CertificateKind(enum.StrEnum):
    """What a certificate attests."""

    PARTICIPATION = "participation"
    AWARD = "award"


# The letter a kind contributes to a certificate number ("ITTC2020-P-0042").
KIND_LETTERS = {CertificateKind.PARTICIPATION: "P", CertificateKind.AWARD: "A"}


def new_verification_token() -> str:
    """A random, unguessable token for the public verification URL."""
    return secrets.token_urlsafe(16)


class CertificateCounter(db.Model):
    """The last number issued per event and kind; bumped by one conditional UPDATE.

    The UPDATE's row lock (PostgreSQL) or the write lock (SQLite) makes concurrent issuers
    wait for each other, so numbers are unique and consecutive; a rolled-back issue gives
    its number back.
    """

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[CertificateKind] = mapped_column(
        Enum(CertificateKind, native_enum=False, length=20), primary_key=True
    )
    last_number: Mapped[int] = mapped_column(default=0)


class CertificateSettings(db.Model):
    """Per-event certificate settings: number prefix, issuer, logo, seal and signature images.

    Images are PNG files (re-encoded by Pillow) under instance/uploads/<event_id>/; the
    columns hold file names only.
    """

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    number_prefix: Mapped[str] = mapped_column(String(20), unique=True)
    # Who issues the certificates, one text per content language (printed above the seal).
    issuer: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)
    logo_file: Mapped[str | None] = mapped_column(String(100))
    seal_file: Mapped[str | None] = mapped_column(String(100))
    signature_file: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Certificate(db.Model):
    """One certificate issued to one registration."""

    __table_args__ = (
        # One current certificate per registration, kind and award (the key: the kind and a
        # digest of the award's texts); revoking one sets its key to NULL (NULLs never
        # collide), so it can be issued afresh with a new number.
        UniqueConstraint("registration_id", "active_key"),
        Index("ix_certificate_event_kind", "event_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[CertificateKind] = mapped_column(
        Enum(CertificateKind, native_enum=False, length=20)
    )
    sequence: Mapped[int] = mapped_column()
    number: Mapped[str] = mapped_column(String(40), unique=True)
    # What is printed, as it was at issue time (a later edit of the registration does not
    # silently change an issued certificate).
    native_name: Mapped[str] = mapped_column(String(200))
    latin_name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(10))
    # The award's name in each language it was given in at issue time (empty for
    # participation): the snapshot every later print of this certificate reads.
    award_name: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)
    # Filled by the judging domain (issue 5) for award certificates of competition teams.
    team_name: Mapped[str | None] = mapped_column(String(300))
    entry_title: Mapped[str | None] = mapped_column(String(300))
    active_key: Mapped[str | None] = mapped_column(String(450))
    verification_token: Mapped[str] = mapped_column(
        String(32), unique=True, default=new_verification_token
    )
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoke_reason: Mapped[str] = mapped_column(String(500), default="")
    revoked_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )

    event: Mapped[Event] = relationship()
    registration: Mapped[Registration] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_user_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_user_id])

    @property
    def is_revoked(self) -> bool:
        """True once the certificate has been revoked."""
        return self.revoked_at is not None


class CertificateBatch(db.Model):
    """A background job issuing participation certificates, with its progress."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    requested_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    registration_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    send_mail: Mapped[bool] = mapped_column(default=True)
    total: Mapped[int] = mapped_column(default=0)
    issued: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    # "queued", "running", "done" or "failed".
    state: Mapped[str] = mapped_column(String(10), default="queued")
    error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requested_by: Mapped[User | None] = relationship()

    @property
    def processed(self) -> int:
        """Registrations handled so far (issued or skipped)."""
        return self.issued + self.skipped

    @property
    def percent(self) -> int:
        """Progress in percent for the progress bar."""
        if not self.total:
            return 100 if self.state == "done" else 0
        return min(100, round(100 * self.processed / self.total))
