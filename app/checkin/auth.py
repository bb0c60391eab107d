"""Who may call the check-in API: staff/organizer sessions (with CSRF) or device tokens.

`checkin_access()` is an ordinary permission Rule for `requires`. A request carrying
`Authorization: Bearer <token>` is judged by the token alone (scoped to one event, revocable)
and needs no CSRF token: no browser attaches it on its own. Any other request must come from
a signed-in user with the checkin_staff or organizer role on the event, and its POSTs must
carry the session's CSRF token in the X-CSRFToken header (the API views are exempted from
Flask-WTF's automatic check because a token-authenticated scanner has no session).

Token look-ups are cached per process for a few seconds: a scanner sends hundreds of requests
a minute and each would otherwise cost a query. Revoking a token clears the cache of the
process that revoked it at once and every other process within TOKEN_CACHE_SECONDS. The cache
also holds the slug of the token's event, so a token request loads neither the event nor a
session user: views read `g.event_id`, or `current_event()` when they need the event itself.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import abort, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select, update

from app.accounts.models import Role, User
from app.accounts.permissions import Rule, load_event, user_has_role
from app.checkin.models import DeviceToken
from app.checkin.services import hash_device_secret
from app.clock import utcnow
from app.events.models import Event
from app.extensions import csrf, db

TOKEN_CACHE_SECONDS = 5.0
LAST_USED_EVERY = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200
STAFF_ROLES = frozenset({Role.CHECKIN_STAFF, Role.ORGANIZER})


@dataclass(frozen=True)
class _CachedToken:
    token_id: int
    event_id: int
    event_slug: str
    revoked: bool
    fetched: float


_cache: dict[str, _CachedToken] = {}
_last_used_written: dict[int, float] = {}
_lock = threading.Lock()


def forget_cached_tokens() -> None:
    """Drop every cached token (after a revocation, and between tests)."""
    with _lock:
        _cache.clear()
        _last_used_written.clear()


def _lookup(token_hash: str) -> _CachedToken | None:
    now = time.monotonic()
    cached = _cache.get(token_hash)
    if cached is not None and now - cached.fetched < TOKEN_CACHE_SECONDS:
        return cached
    row = db.session.execute(
        select(DeviceToken.id, DeviceToken.event_id, DeviceToken.revoked_at, Event.slug)
        .join(Event, Event.id == DeviceToken.event_id)
        .where(DeviceToken.token_hash == token_hash)
    ).first()
    if row is None:
        with _lock:
            _cache.pop(token_hash, None)
        return None
    cached = _CachedToken(row.id, row.event_id, row.slug, row.revoked_at is not None, now)
    with _lock:
        _cache[token_hash] = cached
    return cached


def _touch(token_id: int) -> None:
    """Record that a token was used, at most once a minute per token and process."""
    now = time.monotonic()
    if now - _last_used_written.get(token_id, -1e9) < LAST_USED_EVERY.total_seconds():
        return
    _last_used_written[token_id] = now
    moment = utcnow()
    # Committed at once (before the view's work), so that GET requests record it too; one
    # session, because SQLite allows one writer and the request already holds its lock.
    db.session.execute(
        update(DeviceToken)
        .where(
            DeviceToken.id == token_id,
            or_(
                DeviceToken.last_used_at.is_(None),
                DeviceToken.last_used_at < moment - LAST_USED_EVERY,
            ),
        )
        .values(last_used_at=moment)
    )
    db.session.commit()


def _deny(status: int, code: str, message: str):
    response = jsonify(error=code, message=message)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="checkin"'
    abort(response)


def _bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return secret.strip()


def _check_device_or_staff(_user: User | None, _event: Event | None) -> bool:
    """Pass a valid device token of the URL's event, or a staff session (CSRF-checked POSTs).

    Sets g.event_id; a staff session also loads g.event (404 for an unknown event)."""
    slug = request.view_args.get("slug", "")
    if "Authorization" in request.headers:
        secret = _bearer_secret()
        if not secret or len(secret) > MAX_TOKEN_LENGTH:
            _deny(401, "invalid_token", _("The device token is missing or malformed."))
        cached = _lookup(hash_device_secret(secret))
        if cached is None:
            _deny(401, "invalid_token", _("This device token is not valid."))
        if cached.revoked:
            _deny(401, "revoked_token", _("This device token was revoked."))
        if cached.event_slug != slug:
            load_event(slug)  # 404 when there is no such event
            _deny(403, "wrong_event", _("This device token belongs to another event."))
        g.event_id = cached.event_id
        g.device_token_id = cached.token_id
        _touch(cached.token_id)
        return True
    event = g.event = load_event(slug)
    g.event_id = event.id
    user = current_user if current_user.is_authenticated else None
    if user is None:
        _deny(401, "login_required", _("Sign in or use a device token."))
    if not user_has_role(user, event, STAFF_ROLES):
        _deny(403, "forbidden", _("You are not check-in staff for this event."))
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    return True


def checkin_access() -> Rule:
    """Rule: a device token for the URL's event, or check-in staff / organizer signed in."""
    return Rule("checkin_access", False, _check_device_or_staff, needs_user=False)


def current_event() -> Event:
    """The URL's event: loaded by the access check for a staff session, here for a token."""
    event = g.get("event")
    if event is None:
        event = g.event = load_event(request.view_args["slug"])
    return event
