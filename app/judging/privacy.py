"""Judging's part of a participant's data: the competition entries of their teams in the
download (nothing about team-mates). Anonymization keeps team membership: it names nobody."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from app.extensions import db
from app.judging.models import Entry, TeamMember

if TYPE_CHECKING:
    from app.registration.models import Registration


def export_competition_entries(registration: Registration) -> list[dict[str, Any]]:
    """The entries of the teams the registration belongs to, and whether it leads them."""
    entries = db.session.execute(
        select(Entry, TeamMember.is_leader)
        .join(TeamMember, TeamMember.entry_id == Entry.id)
        .where(TeamMember.registration_id == registration.id)
        .order_by(Entry.id)
    ).all()
    return [
        {
            "title_zh": entry.title_zh,
            "title_en": entry.title_en,
            "team_name": entry.team_name,
            "track": entry.track,
            "team_leader": is_leader,
        }
        for entry, is_leader in entries
    ]
