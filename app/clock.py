"""UTC time: one clock for the app and a column type that keeps datetimes in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def isoformat(value: datetime | None) -> str | None:
    """A datetime as ISO 8601 (`2026-05-01T02:00:00+00:00`), None as None: for JSON."""
    return value.isoformat() if value is not None else None


def to_local(value: datetime | None, timezone: str) -> datetime | None:
    """Convert an aware UTC datetime to the given IANA timezone."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(timezone))


def local_to_utc(value: datetime, timezone: str) -> datetime:
    """Interpret a naive wall-clock time in `timezone` and return it as aware UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(timezone))
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC on every backend and always returns aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)
