"""Optional second factor for organizers and site administrators: TOTP codes (RFC 6238, any
authenticator app) with one-time recovery codes.

Enrolment: a fresh secret is shown as a QR code (the app's one QR module) and kept in the
session until the user types a code from the app; only then is it stored on the account and
ten recovery codes are shown, once. The recovery codes are random (50 bits each), so an HMAC of
them with the app's secret key is enough to store them; they cannot be read back. The TOTP
secret must be read back, so it is stored sealed: AES-GCM with a key derived (HKDF) from the
app's secret key, bound to the account's id, so a copy of the database alone (a backup, a
dump) does not let anyone generate codes. Changing SECRET_KEY therefore turns every account's
second factor off in effect (as it already voids the recovery codes): users enrol again.

At sign-in, a correct password of an account with a second factor only leads to the code
page; a TOTP code is accepted once (its time step is remembered), with one step of clock drift
either way; a recovery code is used up.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from datetime import datetime

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import EventRole, RecoveryCode, Role, User
from app.accounts.services import AccountError
from app.audit.services import record_audit
from app.clock import utcnow
from app.documents.qr import qr_png
from app.extensions import db

ISSUER = "Huiwu"
RECOVERY_CODE_COUNT = 10
VALID_WINDOW = 1  # time steps of 30 s accepted before and after the current one
SEALED_PREFIX = "v1:"  # a stored secret sealed with AES-GCM (older rows hold it in clear)


def _secret_cipher() -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"huiwu two-step sign-in secrets"
    ).derive(current_app.config["SECRET_KEY"].encode())
    return AESGCM(key)


def seal_secret(user: User, secret: str) -> str:
    """The TOTP secret as stored: `v1:` + base64url(nonce ‖ AES-GCM(secret)), bound to the user."""
    nonce = os.urandom(12)
    sealed = _secret_cipher().encrypt(nonce, secret.encode("ascii"), f"user:{user.id}".encode())
    return SEALED_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def stored_secret(user: User) -> str | None:
    """The account's TOTP secret in clear; None when there is none or it cannot be opened (the
    secret key changed, or the row was copied onto another account)."""
    stored = user.totp_secret
    if not stored:
        return None
    if not stored.startswith(SEALED_PREFIX):
        return stored  # stored before secrets were sealed; sealed at its next use
    try:
        raw = base64.urlsafe_b64decode(stored[len(SEALED_PREFIX) :])
        opened = _secret_cipher().decrypt(raw[:12], raw[12:], f"user:{user.id}".encode())
    except (InvalidTag, ValueError):
        return None
    return opened.decode("ascii")


def may_use_two_factor(user: User) -> bool:
    """Site administrators and organizers of any event may turn on a second factor."""
    if user.is_admin:
        return True
    return (
        db.session.scalar(
            select(EventRole.id).where(
                EventRole.user_id == user.id, EventRole.role == Role.ORGANIZER
            )
        )
        is not None
    )


def new_secret() -> str:
    """A fresh random base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_data_url(user: User, secret: str) -> str:
    """The enrolment QR code as a data: URL for an <img>."""
    png = qr_png(provisioning_uri(user, secret), box_size=6)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _normalize(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch.isalnum()).lower()


def _matching_step(secret: str, code: str, moment: datetime) -> int | None:
    """The time step whose TOTP equals `code` within the drift window, or None."""
    totp = pyotp.TOTP(secret)
    if not (code.isdigit() and len(code) == totp.digits):
        return None
    step = totp.timecode(moment)
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        candidate = step + offset
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def _hash_recovery_code(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, _normalize(code).encode(), hashlib.sha256).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with fresh ones; returns them for showing once."""
    db.session.query(RecoveryCode).filter(RecoveryCode.user_id == user.id).delete()
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:12]}-{raw[12:16]}"
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash_recovery_code(code)))
        codes.append(code)
    return codes


def enable_two_factor(user: User, secret: str, code: str, moment: datetime | None = None):
    """Store `secret` on the account once `code` proves the app has it; returns the recovery
    codes. Raises AccountError for a wrong code or a user who may not use a second factor.
    Other sessions of the account are signed out."""
    if not may_use_two_factor(user):
        raise AccountError(_l("Only organizers and site administrators can use this."))
    step = _matching_step(secret, _normalize(code), moment or utcnow())
    if step is None:
        raise AccountError(
            _l("The code is not right. Check the time on your phone and try again."), "code"
        )
    user.totp_secret = seal_secret(user, secret)
    user.totp_enabled_at = moment or utcnow()
    user.totp_last_step = step
    user.session_token = secrets.token_hex(16)
    codes = _new_recovery_codes(user)
    record_audit("accounts.two_factor_on", user=user, target=f"user:{user.id}")
    db.session.flush()
    return codes


def disable_two_factor(user: User, password: str) -> None:
    """Turn the second factor off after checking the password; raises AccountError."""
    if not user.check_password(password):
        raise AccountError(_l("The password is wrong."), "password")
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.query(RecoveryCode).filter(RecoveryCode.user_id == user.id).delete()
    user.session_token = secrets.token_hex(16)
    record_audit("accounts.two_factor_off", user=user, target=f"user:{user.id}")
    db.session.flush()


def regenerate_recovery_codes(user: User, password: str) -> list[str]:
    """New recovery codes (the old ones stop working); raises AccountError."""
    if not user.has_two_factor:
        raise AccountError(_l("Two-step sign-in is not turned on."))
    if not user.check_password(password):
        raise AccountError(_l("The password is wrong."), "password")
    codes = _new_recovery_codes(user)
    db.session.flush()
    return codes


def unused_recovery_codes(user: User) -> int:
    """How many recovery codes the user has left."""
    return sum(1 for code in user.recovery_codes if code.used_at is None)


def verify_second_factor(user: User, code: str, moment: datetime | None = None) -> bool:
    """True when `code` is a TOTP code not used before or an unused recovery code (which is
    then used up). The caller commits."""
    moment = moment or utcnow()
    normalized = _normalize(code)
    if not user.has_two_factor or not normalized:
        return False
    secret = stored_secret(user)
    step = _matching_step(secret, normalized, moment) if secret else None
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            return False  # replayed (or older than one already used)
        user.totp_last_step = step
        if not user.totp_secret.startswith(SEALED_PREFIX):
            user.totp_secret = seal_secret(user, secret)
        return True
    wanted = _hash_recovery_code(normalized)
    for recovery in user.recovery_codes:
        if recovery.used_at is None and hmac.compare_digest(recovery.code_hash, wanted):
            recovery.used_at = moment
            return True
    return False
