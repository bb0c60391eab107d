"""Judging entries and their teams: the project, its members and leader, eligibility and the
pitch deck (a PDF kept on disk).

Like every judging service module: flushes and never commits (the route commits); every
refusal raises JudgingError with a message for the user and an HTTP status.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.clock import utcnow
from app.events.models import Event
from app.extensions import db
from app.judging.errors import JudgingError
from app.judging.models import (
    Eligibility,
    Entry,
    TeamMember,
)
from app.registration.models import Registration, RegistrationState

MAX_DECK_BYTES = 10 * 1024 * 1024
PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
PDF_TRAILER = b"%%EOF"
URL_RE = re.compile(r"^https?://\S+$", re.IGNORECASE)


@dataclass
class EntryData:
    """An entry as the organizer (or the team) enters it."""

    title_zh: str
    title_en: str
    team_name: str = ""
    track: str = ""
    summary: str = ""
    video_url: str = ""
    member_ids: list[int] = field(default_factory=list)
    leader_id: int | None = None


def team_candidates(event: Event) -> list[Registration]:
    """Registrations of the event that can be team members (active), team category first."""
    rows = db.session.scalars(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.state.in_([RegistrationState.CONFIRMED, RegistrationState.PENDING]),
        )
    ).all()
    return sorted(rows, key=lambda r: (r.category.code != "team", r.latin_name.casefold()))


def _apply_entry(entry: Entry, event: Event, data: EntryData) -> None:
    title_zh, title_en = data.title_zh.strip(), data.title_en.strip()
    if not (title_zh or title_en):
        raise JudgingError(_l("Give the project a title."), field_name="title_zh")
    video = data.video_url.strip()
    if video and not URL_RE.match(video):
        raise JudgingError(
            _l("The video link must start with http:// or https://."), field_name="video_url"
        )
    member_ids = list(dict.fromkeys(data.member_ids))
    if not member_ids:
        raise JudgingError(_l("A team needs at least one member."), field_name="member_ids")
    if data.leader_id is None or data.leader_id not in member_ids:
        raise JudgingError(
            _l("Choose the team leader among the team members."), field_name="leader_id"
        )
    registrations = db.session.scalars(
        select(Registration).where(Registration.id.in_(member_ids))
    ).all()
    if len(registrations) != len(member_ids) or any(r.event_id != event.id for r in registrations):
        raise JudgingError(
            _l("Team members must be registrations of this event."), field_name="member_ids"
        )
    taken = db.session.scalars(
        select(TeamMember).where(
            TeamMember.registration_id.in_(member_ids),
            TeamMember.entry_id != (entry.id or 0),
        )
    ).all()
    if taken:
        names = ", ".join(sorted(t.registration.latin_name for t in taken))
        raise JudgingError(
            _l("Already in another team: %(names)s.", names=names), field_name="member_ids"
        )
    entry.title_zh, entry.title_en = title_zh, title_en
    entry.team_name = data.team_name.strip()
    entry.track = data.track.strip()
    entry.summary = data.summary.strip()
    entry.video_url = video
    current = {m.registration_id: m for m in entry.members}
    for registration_id, member in current.items():
        if registration_id not in member_ids:
            entry.members.remove(member)
    for registration_id in member_ids:
        member = current.get(registration_id)
        if member is None:
            member = TeamMember(registration_id=registration_id)
            entry.members.append(member)
        member.is_leader = registration_id == data.leader_id


def create_entry(event: Event, data: EntryData) -> Entry:
    """Create an entry with its team; raises JudgingError for a bad title, team or link."""
    entry = Entry(event_id=event.id, title_zh="", title_en="")
    _apply_entry(entry, event, data)
    db.session.add(entry)
    db.session.flush()
    return entry


def update_entry(entry: Entry, data: EntryData) -> None:
    """Change an entry and its team; raises JudgingError like create_entry."""
    _apply_entry(entry, db.session.get(Event, entry.event_id), data)
    db.session.flush()


def list_entries(event: Event) -> list[Entry]:
    """The event's entries by track then title."""
    return db.session.scalars(
        select(Entry).where(Entry.event_id == event.id).order_by(Entry.track, Entry.title_en)
    ).all()


def get_entry(event: Event, entry_id: int) -> Entry | None:
    """The event's entry with this id, or None."""
    entry = db.session.get(Entry, entry_id)
    return entry if entry is not None and entry.event_id == event.id else None


def set_eligibility(entry: Entry, status: Eligibility, reason: str) -> None:
    """Accept or reject an entry; a rejection needs a reason (JudgingError otherwise)."""
    reason = reason.strip()
    if status == Eligibility.INELIGIBLE and not reason:
        raise JudgingError(_l("Give the reason for the rejection."), field_name="reason")
    if (status, reason) != (entry.eligibility, entry.eligibility_reason):
        entry.decided_at = None if status == Eligibility.PENDING else utcnow()
    entry.eligibility = status
    entry.eligibility_reason = reason
    db.session.flush()


def deck_dir(event_id: int) -> Path:
    """Where an event's pitch decks are kept."""
    return Path(current_app.config["INSTANCE_DIR"]) / "judging" / str(event_id)


def read_deck(stream: IO[bytes]) -> bytes:
    """Read an uploaded pitch deck; raises JudgingError (413/415) when too large or not a PDF.

    The type is sniffed from the bytes (a PDF starts with the %PDF-1.x/2.x header and ends
    with an %%EOF marker), never taken from the file name or the browser's content type.
    """
    data = stream.read(MAX_DECK_BYTES + 1)
    if len(data) > MAX_DECK_BYTES:
        raise JudgingError(
            _l("The pitch deck is larger than %(mb)d MB.", mb=MAX_DECK_BYTES // (1024 * 1024)),
            status=413,
            code="too_large",
            field_name="deck",
        )
    if not PDF_HEADER.match(data) or PDF_TRAILER not in data[-2048:]:
        raise JudgingError(
            _l("The pitch deck must be a PDF file."), status=415, code="not_pdf", field_name="deck"
        )
    return data


def store_deck(entry: Entry, data: bytes) -> None:
    """Write a checked deck (see read_deck) outside the static folder, replacing the old one."""
    directory = deck_dir(entry.event_id)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"deck-{entry.id}-{uuid.uuid4().hex[:12]}.pdf"
    (directory / name).write_bytes(data)
    old = entry.deck_file
    entry.deck_file = name
    entry.deck_size = len(data)
    db.session.flush()
    if old:
        (directory / old).unlink(missing_ok=True)


def save_deck(entry: Entry, stream: IO[bytes]) -> None:
    """Store an uploaded pitch deck; raises JudgingError (413/415) when too large or not a PDF."""
    store_deck(entry, read_deck(stream))


def deck_path(entry: Entry) -> Path | None:
    """The stored deck's path, or None."""
    if not entry.deck_file:
        return None
    path = deck_dir(entry.event_id) / entry.deck_file
    return path if path.is_file() else None
