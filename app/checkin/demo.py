"""Demo: the check-in points of the conference — the main hall for every on-site guest and
the competition venue for the teams, with entry/exit tracking there.

Idempotent: lists are found by name, so loading twice changes nothing.
"""

from __future__ import annotations

from sqlalchemy import select

from app.checkin.services import ListData, create_list, lists_of_event
from app.events.models import Event
from app.extensions import db
from app.registration.models import AttendanceRule, Category

MAIN_HALL = "主会场 Main hall"
COMPETITION_VENUE = "大赛场馆 Competition venue"


def load_demo_checkin(event: Event, summary) -> None:
    """The demo loader's entry point: one list per check-in point, if missing."""
    existing = {checkin_list.name for checkin_list in lists_of_event(event)}
    # Queried, not event.categories: the loader adds categories by id in this same session.
    categories = db.session.scalars(select(Category).where(Category.event_id == event.id)).all()
    onsite = [c.id for c in categories if c.attendance_rule != AttendanceRule.ONLINE]
    teams = [c.id for c in categories if c.code == "team"]
    wanted = [
        ListData(name=MAIN_HALL, category_ids=onsite),
        ListData(name=COMPETITION_VENUE, category_ids=teams, track_exits=True),
    ]
    for data in wanted:
        if data.name in existing or not data.category_ids:
            continue
        create_list(event, data)
        summary.created["check-in lists"] = summary.created.get("check-in lists", 0) + 1
