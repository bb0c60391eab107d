"""Check-in's part of a participant's data: their scans and online visits in the download.
Anonymization keeps them (they hold nothing that names the person and make up the attendance
figures)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from app.checkin.models import Checkin, CheckinList, OnlineAttendance
from app.clock import isoformat
from app.extensions import db

if TYPE_CHECKING:
    from app.registration.models import Registration


def export_checkins(registration: Registration) -> list[dict[str, Any]]:
    """The registration's scans: where, which station, what kind and result, when."""
    checkins = db.session.execute(
        select(Checkin, CheckinList.name)
        .join(CheckinList, CheckinList.id == Checkin.list_id)
        .where(Checkin.registration_id == registration.id)
        .order_by(Checkin.scanned_at, Checkin.id)
    ).all()
    return [
        {
            "checkin_point": list_name,
            "station": checkin.station,
            "kind": checkin.kind.value,
            "result": checkin.status.value,
            "scanned_at": isoformat(checkin.scanned_at),
            "offline": checkin.offline,
            "undone_at": isoformat(checkin.undone_at),
            "exited_at": isoformat(checkin.exited_at),
        }
        for checkin, list_name in checkins
    ]


def export_online_attendance(registration: Registration) -> dict[str, Any] | None:
    """Visits through the personal join link of an online attendee (None: never joined)."""
    online = db.session.get(OnlineAttendance, registration.id)
    if online is None:
        return None
    return {
        "first_joined_at": isoformat(online.first_joined_at),
        "last_joined_at": isoformat(online.last_joined_at),
        "visits": online.join_count,
    }
