"""Compact, unguessable, unforgeable ticket codes for badge QR symbols.

Format (35 characters, all in the QR alphanumeric set so the symbol stays small)::

    "HW1" + BASE32( event_id:u32 | registration_id:u32 | serial:u16 | tag:10 bytes )

  (ids are at most 2**31 - 1, the database's `integer`; a code claiming more is malformed)

* ``tag`` is HMAC-SHA256(event key, b"HW1" + the 10 payload bytes) truncated to 80 bits.
  Guessing a valid code means guessing an 80-bit MAC online; a 2**-80 chance per scan.
* The key is per event (32 random bytes), so one leaked scanner key never opens other
  events, and an event's codes can all be rotated by changing its key.
* ``serial`` lets one registration be re-issued: bump it, and check-in refuses older serials
  (the check-in service compares it with the stored one; revocation is a stored decision).
* Base32 is RFC 4648 upper case without padding; 20 bytes encode exactly to 32 characters,
  so there are no spare bits and every code has exactly one spelling: any changed character
  changes the bytes, and lower case is refused.

Why not a signature (Ed25519)? A 64-byte signature alone is 103 base32 characters, which
blows the ~60-character budget and makes the QR denser. The price of a MAC is that an
offline scanner holding the key could also mint codes; scanners are staff devices that
receive the key for one event only, which is the same trust they need to admit people.
The browser verifier (static/js/ticket-verify.js) implements the same checks with WebCrypto.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import struct
from dataclasses import dataclass

from app.extensions import INTEGER_MAX

__all__ = [
    "CODE_LENGTH",
    "PREFIX",
    "TicketClaims",
    "generate_event_key",
    "issue_ticket_code",
    "peek_claims",
    "peek_event_id",
    "verify_ticket_code",
]

PREFIX = "HW1"
TAG_BYTES = 10
_PAYLOAD = struct.Struct(">IIH")
_RAW_BYTES = _PAYLOAD.size + TAG_BYTES
CODE_LENGTH = len(PREFIX) + _RAW_BYTES * 8 // 5
_BODY_RE = re.compile(f"[A-Z2-7]{{{CODE_LENGTH - len(PREFIX)}}}")
KEY_BYTES = 32
MIN_KEY_BYTES = 16
# The payload has room for 32-bit ids, but the database's ids stop at 2**31 - 1 (PostgreSQL's
# `integer`): a code claiming more is not well-formed (a typo, a scratched badge), so it is
# refused before any id in it reaches a query.
MAX_ID = INTEGER_MAX
MAX_SERIAL = 2**16 - 1


@dataclass(frozen=True)
class TicketClaims:
    """What a valid ticket code asserts."""

    event_id: int
    registration_id: int
    serial: int


def generate_event_key() -> bytes:
    """Return a fresh random 32-byte per-event ticket key."""
    return secrets.token_bytes(KEY_BYTES)


def _check_key(key: bytes) -> None:
    """Raise TypeError/ValueError unless key is bytes of at least 16 bytes."""
    if not isinstance(key, bytes | bytearray):
        raise TypeError("ticket key must be bytes")
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"ticket key must have at least {MIN_KEY_BYTES} bytes")


def _tag(key: bytes, payload: bytes) -> bytes:
    """Return the truncated HMAC of a payload."""
    return hmac.new(bytes(key), PREFIX.encode() + payload, hashlib.sha256).digest()[:TAG_BYTES]


def _check_number(name: str, value: int, maximum: int) -> None:
    """Raise TypeError/ValueError unless value is an int in 0..maximum."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int")
    if not 0 <= value <= maximum:
        raise ValueError(f"{name} must be between 0 and {maximum}")


def issue_ticket_code(key: bytes, event_id: int, registration_id: int, serial: int) -> str:
    """Return the ticket code for a registration; raises TypeError/ValueError on bad input."""
    _check_key(key)
    _check_number("event_id", event_id, MAX_ID)
    _check_number("registration_id", registration_id, MAX_ID)
    _check_number("serial", serial, MAX_SERIAL)
    payload = _PAYLOAD.pack(event_id, registration_id, serial)
    return PREFIX + base64.b32encode(payload + _tag(key, payload)).decode("ascii")


def _decode(code: object) -> bytes | None:
    """Return the raw bytes of a well-formed code, or None."""
    if type(code) is not str or len(code) != CODE_LENGTH or not code.startswith(PREFIX):
        return None
    body = code[len(PREFIX) :]
    if not _BODY_RE.fullmatch(body):
        return None
    try:
        raw = base64.b32decode(body)
    except (binascii.Error, ValueError):
        return None
    event_id, registration_id, _serial = _PAYLOAD.unpack(raw[: _PAYLOAD.size])
    if event_id > MAX_ID or registration_id > MAX_ID:
        return None
    return raw


def peek_claims(code: object) -> TicketClaims | None:
    """Return what a well-formed code claims, UNVERIFIED (to pick the key and the rows to read
    before verifying)."""
    raw = _decode(code)
    return None if raw is None else TicketClaims(*_PAYLOAD.unpack(raw[: _PAYLOAD.size]))


def peek_event_id(code: object) -> int | None:
    """Return the event id a well-formed code claims, UNVERIFIED (to pick the key)."""
    claims = peek_claims(code)
    return None if claims is None else claims.event_id


def verify_ticket_code(key: bytes, code: object) -> TicketClaims | None:
    """Return the claims of a genuine code, None for anything else; never raises on code."""
    _check_key(key)
    raw = _decode(code)
    if raw is None:
        return None
    payload, tag = raw[: _PAYLOAD.size], raw[_PAYLOAD.size :]
    if not hmac.compare_digest(tag, _tag(key, payload)):
        return None
    event_id, registration_id, serial = _PAYLOAD.unpack(payload)
    return TicketClaims(event_id, registration_id, serial)
