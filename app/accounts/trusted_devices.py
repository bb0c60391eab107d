"""Trusted-device cookies (OWASP's "device cookie" defence against account lockout).

Failed sign-ins are limited per account from any address, so a stranger who types wrong
passwords for `judge@…` long enough would lock the judge out too. After a successful sign-in
the browser gets a cookie naming the account; a sign-in attempt for that account from that
browser is exempt from the per-account limit (the per-address limit still applies). Attempts
from browsers without it are limited per account as before.

The cookie is signed with SECRET_KEY, HttpOnly, SameSite=Strict, Secure wherever the session
cookie is, sent only to the sign-in pages, and holds up to MAX_ACCOUNTS entries (a desk
computer shared by a few staff members): the user id, a digest of the account's session token
(so a password change or "Sign out everywhere" voids it) and when it was issued.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

from app.accounts.models import User
from app.extensions import db

COOKIE_NAME = "huiwu_trusted_device"
COOKIE_PATH = "/login"  # the password page and /login/code
MAX_ACCOUNTS = 5
_SALT = "huiwu-trusted-device"
_MAX_ID = 2**31 - 1


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)


def _lifetime_seconds() -> int:
    return int(current_app.config["TRUSTED_DEVICE_DAYS"]) * 86400


def _token_digest(user: User) -> str:
    return hashlib.sha256(f"{user.id}:{user.session_token}".encode()).hexdigest()[:32]


def _fresh_entries() -> list[tuple[int, str, int]]:
    """The entries of this request's cookie that are well-formed, signed by us and not expired."""
    value = request.cookies.get(COOKIE_NAME)
    if not value:
        return []
    try:
        entries = _serializer().loads(value)
    except BadSignature:
        return []
    if not isinstance(entries, list):
        return []
    oldest = time.time() - _lifetime_seconds()
    return [
        (entry[0], entry[1], entry[2])
        for entry in entries[:MAX_ACCOUNTS]
        if isinstance(entry, list)
        and len(entry) == 3
        and isinstance(entry[0], int)
        and 0 < entry[0] <= _MAX_ID
        and isinstance(entry[1], str)
        and isinstance(entry[2], int)
        and entry[2] > oldest
    ]


def trusted_users() -> list[User]:
    """The active accounts this browser signed in to before, whose session token is unchanged."""
    users = []
    for user_id, digest, _issued in _fresh_entries():
        user = db.session.get(User, user_id)
        if (
            user is not None
            and user.active
            and hmac.compare_digest(digest.encode(), _token_digest(user).encode())
        ):
            users.append(user)
    return users


def trust_this_device(response: Response, user: User) -> None:
    """Add (or renew) `user`'s entry in the browser's trusted-device cookie."""
    others = [list(entry) for entry in _fresh_entries() if entry[0] != user.id]
    entries = [[user.id, _token_digest(user), int(time.time())], *others][:MAX_ACCOUNTS]
    response.set_cookie(
        COOKIE_NAME,
        _serializer().dumps(entries),
        max_age=_lifetime_seconds(),
        path=COOKIE_PATH,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE", False)),
        httponly=True,
        samesite="Strict",
    )
