"""Signed-in sessions kept on the server, so that signing out ends them.

Flask keeps the session in a signed cookie, and Flask-Login's remember-me cookie holds only the
user's id and a signature: neither can be taken back once issued. So every sign-in begins a
`UserSession` row, and its random key becomes part of the Flask-Login id
("<user id>:<session token>:<session key>") carried by both cookies:

- signing out deletes this browser's row: a session or remember-me cookie copied before no
  longer signs anyone in, while the account's other browsers (the judge's tablet) stay signed in;
- "Sign out everywhere" deletes every row of the account and rotates its session token (which
  also voids its trusted-device cookies and a sign-in waiting for its second factor);
- a row older than the remember-me cookie's lifetime no longer counts, whatever the cookie says.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from app.accounts.models import User, UserSession
from app.audit.services import record_audit
from app.clock import utcnow
from app.extensions import db

# Flask-Login's default lifetime of the remember-me cookie.
DEFAULT_SESSION_LIFETIME = timedelta(days=365)
# The largest id an integer primary key holds (PostgreSQL's integer).
MAX_ID = 2**31 - 1


def session_lifetime() -> timedelta:
    """How long a sign-in lasts at most: the remember-me cookie's lifetime."""
    duration = current_app.config.get("REMEMBER_COOKIE_DURATION", DEFAULT_SESSION_LIFETIME)
    return duration if isinstance(duration, timedelta) else timedelta(seconds=duration)


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def begin_session(user: User) -> None:
    """Record a new signed-in browser for `user` (its key goes into `user.get_id()`), and drop
    the user's sessions that have outlived the remember-me cookie. The caller commits."""
    cutoff = utcnow() - session_lifetime()
    db.session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.created_at < cutoff)
    )
    key = secrets.token_urlsafe(24)
    db.session.add(UserSession(user_id=user.id, key_hash=_key_hash(key)))
    db.session.flush()
    user.session_key = key


def end_session(user: User) -> None:
    """Forget the browser `user` is signed in with (its cookies stop working). The caller
    commits."""
    if user.session_key:
        db.session.execute(
            delete(UserSession).where(
                UserSession.user_id == user.id,
                UserSession.key_hash == _key_hash(user.session_key),
            )
        )
    user.session_key = None


def end_every_session(user: User) -> None:
    """Sign `user` out on every browser: every session, remember-me and trusted-device cookie
    of the account stops working. The caller commits."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    user.session_token = secrets.token_hex(16)
    user.session_key = None
    record_audit("accounts.sign_out_everywhere", user=user, target=f"user:{user.id}")
    db.session.flush()


def user_for_session(login_id: str) -> User | None:
    """The active user signed in with this Flask-Login id, or None: the session was ended, the
    account's session token changed, the account was deactivated, or the sign-in is too old."""
    parts = login_id.split(":")
    if len(parts) != 3:
        return None
    raw_id, token, key = parts
    if not raw_id.isdigit() or int(raw_id) > MAX_ID or not token or not key:
        return None
    row = db.session.execute(
        select(User, UserSession.created_at)
        .join(UserSession, UserSession.user_id == User.id)
        .where(User.id == int(raw_id), UserSession.key_hash == _key_hash(key))
    ).first()
    if row is None:
        return None
    user, started = row
    if not user.active or user.session_token != token or started < utcnow() - session_lifetime():
        return None
    user.session_key = key
    return user
