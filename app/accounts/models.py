"""Accounts: users with hashed passwords and per-event roles."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.clock import UTCDateTime, utcnow
from app.extensions import db
from app.i18n import enum_labels

if TYPE_CHECKING:
    from app.events.models import Event


class Role(enum.StrEnum):
    """A role a user holds for one event."""

    ORGANIZER = "organizer"
    CHECKIN_STAFF = "checkin_staff"
    JUDGE = "judge"


ROLE_LABELS = enum_labels(
    Role,
    {
        Role.ORGANIZER: _l("Organizer"),
        Role.CHECKIN_STAFF: _l("Check-in staff"),
        Role.JUDGE: _l("Judge"),
    },
)


class User(UserMixin, db.Model):
    """A staff account (organizer, check-in staff, judge, site administrator)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # Part of every session's Flask-Login id: rotated on password change, on the second factor
    # turned on or off and on "Sign out everywhere", so every session and remember-me cookie and
    # every trusted-device cookie of the account stops working.
    session_token: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    locale: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Optional second factor (TOTP, RFC 6238): the base32 secret once confirmed, when it was
    # turned on, and the last time step accepted (a code is never accepted twice).
    totp_secret: Mapped[str | None] = mapped_column(String(128))  # sealed, see two_factor.py
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column()

    roles: Mapped[list[EventRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def has_two_factor(self) -> bool:
        """True when the account signs in with a TOTP code after the password."""
        return self.totp_enabled_at is not None and bool(self.totp_secret)

    def set_password(self, password: str) -> None:
        """Hash and store a new password and invalidate existing sessions."""
        self.password_hash = generate_password_hash(password)
        self.session_token = secrets.token_hex(16)

    def check_password(self, password: str) -> bool:
        """Return True when the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    # This request's signed-in browser (the key of its UserSession row), set when the session
    # begins or is loaded; not a column.
    session_key = None

    def get_id(self) -> str:
        """Flask-Login id: user id, the account's session token and this browser's session key
        (app/accounts/sessions.py); a cookie is only as good as all three."""
        return f"{self.id}:{self.session_token}:{self.session_key or ''}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active


class EventRole(db.Model):
    """Grants one user one role on one event."""

    __table_args__ = (UniqueConstraint("user_id", "event_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")
    event: Mapped[Event] = relationship()


class RecoveryCode(db.Model):
    """A one-time code that replaces a TOTP code when the phone is lost; only its hash is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="recovery_codes")


class UserSession(db.Model):
    """One signed-in browser. Its key travels inside the Flask-Login id of the session and
    remember-me cookies; only its hash is kept. Signing out deletes the row, so a cookie copied
    before stops working while the account's other browsers stay signed in."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
