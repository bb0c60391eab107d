"""Judging rules: entries and teams, rounds and criteria, conflicts, assignment, scoring with a
version history, cached rankings, advancement, awards and the live final's stage state.

Services flush and never commit; the caller (a route) commits. Every refusal raises
JudgingError with a message for the user and an HTTP status.
"""

from __future__ import annotations

import math
import re
import secrets
import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, func, select, update

from app.accounts.models import EventRole, Role, User
from app.audit.services import record_audit
from app.clock import utcnow
from app.events.models import Event
from app.extensions import db
from app.judging import aggregation
from app.judging.assignment import AssignmentResult, balanced_assignment
from app.judging.models import (
    AdvancementRule,
    AggregationMethod,
    Assignment,
    Award,
    AwardLevel,
    Conflict,
    ConflictSource,
    Criterion,
    Eligibility,
    Entry,
    JudgeProfile,
    RankingState,
    Round,
    RoundEntry,
    RoundKind,
    ScoreSheet,
    ScoreVersion,
    SheetStatus,
    TeamMember,
    TimerPhase,
)
from app.registration.models import Registration, RegistrationState

MAX_DECK_BYTES = 10 * 1024 * 1024
PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
PDF_TRAILER = b"%%EOF"
MAX_COMMENT = 4000
MAX_DB_ID = 2**31 - 1  # the largest value of an integer primary key column
MAX_CRITERIA = 12
MAX_JUDGES_PER_ENTRY = 50
CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
URL_RE = re.compile(r"^https?://\S+$", re.IGNORECASE)


class JudgingError(Exception):
    """A judging operation that cannot be done; `message` is shown to the user."""

    def __init__(self, message, status: int = 400, code: str = "invalid", field_name=None):
        super().__init__(str(message))
        self.message = message
        self.status = status
        self.code = code
        self.field_name = field_name


# --- entries and teams ---------------------------------------------------------------------


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


# --- judges and conflicts ------------------------------------------------------------------


def normalize_organization(name: str) -> str:
    """Organization names compared case- and whitespace-insensitively."""
    return " ".join(name.split()).casefold()


def event_judges(event: Event) -> list[User]:
    """Users holding the judge role on the event, by name."""
    return db.session.scalars(
        select(User)
        .join(EventRole, EventRole.user_id == User.id)
        .where(EventRole.event_id == event.id, EventRole.role == Role.JUDGE)
        .order_by(User.name, User.id)
    ).all()


def is_judge(event: Event, user: User) -> bool:
    """True when the user holds the judge role on the event."""
    return (
        db.session.scalar(
            select(EventRole.id).where(
                EventRole.event_id == event.id,
                EventRole.user_id == user.id,
                EventRole.role == Role.JUDGE,
            )
        )
        is not None
    )


def judge_profile(event: Event, user: User) -> JudgeProfile | None:
    """What the judge declared for the event, if anything."""
    return db.session.scalar(
        select(JudgeProfile).where(
            JudgeProfile.event_id == event.id, JudgeProfile.user_id == user.id
        )
    )


def set_judge_organization(event: Event, user: User, organization: str) -> JudgeProfile:
    """Record the organization a judge works for (used for automatic conflict detection)."""
    if not is_judge(event, user):
        raise JudgingError(_l("This person is not a judge of the event."), status=404)
    profile = judge_profile(event, user)
    if profile is None:
        profile = JudgeProfile(event_id=event.id, user_id=user.id)
        db.session.add(profile)
    profile.organization = organization.strip()[:200]
    db.session.flush()
    return profile


def record_conflict(
    event: Event, judge: User, entry: Entry, source: ConflictSource, reason: str = ""
) -> Conflict:
    """Record a conflict between a judge and an entry (idempotent) and drop open assignments.

    Raises JudgingError when the user is not a judge or the entry is not the event's.
    """
    if not is_judge(event, judge):
        raise JudgingError(_l("This person is not a judge of the event."), status=404)
    if entry.event_id != event.id:
        raise JudgingError(_l("No such entry."), status=404)
    conflict = db.session.scalar(
        select(Conflict).where(Conflict.judge_user_id == judge.id, Conflict.entry_id == entry.id)
    )
    if conflict is None:
        conflict = Conflict(
            event_id=event.id,
            judge_user_id=judge.id,
            entry_id=entry.id,
            source=source,
            reason=reason.strip()[:300],
        )
        db.session.add(conflict)
    _drop_unscored_assignments(judge.id, entry.id)
    db.session.flush()
    return conflict


def _drop_unscored_assignments(judge_id: int, entry_id: int) -> None:
    """Remove a conflicted judge's assignments to the entry where nothing was submitted."""
    assignments = db.session.scalars(
        select(Assignment).where(
            Assignment.judge_user_id == judge_id, Assignment.entry_id == entry_id
        )
    ).all()
    for assignment in assignments:
        sheet = _sheet_of(assignment.round_id, entry_id, judge_id)
        if sheet is None or sheet.status != SheetStatus.SUBMITTED:
            if sheet is not None:
                db.session.delete(sheet)
            db.session.delete(assignment)


def remove_conflict(conflict: Conflict) -> None:
    """Delete a recorded conflict."""
    db.session.delete(conflict)
    db.session.flush()


def recorded_conflicts(event: Event) -> list[Conflict]:
    """The event's declared and hand-added conflicts."""
    return db.session.scalars(
        select(Conflict).where(Conflict.event_id == event.id).order_by(Conflict.id)
    ).all()


def automatic_conflicts(event: Event) -> dict[tuple[int, int], str]:
    """(entry id, judge id) → organization, where a judge works where a team member does."""
    profiles = db.session.scalars(
        select(JudgeProfile).where(JudgeProfile.event_id == event.id)
    ).all()
    judge_orgs: dict[str, list[int]] = defaultdict(list)
    for profile in profiles:
        key = normalize_organization(profile.organization)
        if key:
            judge_orgs[key].append(profile.user_id)
    if not judge_orgs:
        return {}
    found: dict[tuple[int, int], str] = {}
    rows = db.session.execute(
        select(TeamMember.entry_id, Registration.organization)
        .join(Registration, Registration.id == TeamMember.registration_id)
        .join(Entry, Entry.id == TeamMember.entry_id)
        .where(Entry.event_id == event.id)
    ).all()
    for entry_id, organization in rows:
        for judge_id in judge_orgs.get(normalize_organization(organization or ""), []):
            found[(entry_id, judge_id)] = organization.strip()
    return found


def conflict_pairs(event: Event) -> set[tuple[int, int]]:
    """Every (entry id, judge id) pair that must not be assigned."""
    pairs = set(automatic_conflicts(event))
    pairs.update((c.entry_id, c.judge_user_id) for c in recorded_conflicts(event))
    return pairs


def has_conflict(event: Event, judge_id: int, entry_id: int) -> bool:
    """True when the judge has a recorded or detected conflict with the entry."""
    if db.session.scalar(
        select(Conflict.id).where(Conflict.judge_user_id == judge_id, Conflict.entry_id == entry_id)
    ):
        return True
    profile = db.session.scalar(
        select(JudgeProfile.organization).where(
            JudgeProfile.event_id == event.id, JudgeProfile.user_id == judge_id
        )
    )
    key = normalize_organization(profile or "")
    if not key:
        return False
    organizations = db.session.scalars(
        select(Registration.organization)
        .join(TeamMember, TeamMember.registration_id == Registration.id)
        .where(TeamMember.entry_id == entry_id)
    ).all()
    return any(normalize_organization(o or "") == key for o in organizations)


# --- rounds and criteria ---------------------------------------------------------------------


@dataclass
class CriterionData:
    """One criterion row of the round form."""

    name_zh: str
    name_en: str
    weight: int
    min_score: float = 0
    max_score: float = 10
    step: float = 0.5


@dataclass
class RoundData:
    """A round's settings as the organizer enters them."""

    name_zh: str
    name_en: str
    kind: RoundKind
    judges_per_entry: int = 3
    aggregation: AggregationMethod = AggregationMethod.WEIGHTED_MEAN
    advancement_rule: AdvancementRule = AdvancementRule.TOP_N
    advancement_value: float = 10
    pitch_seconds: int = 480
    qa_seconds: int = 420
    criteria: list[CriterionData] = field(default_factory=list)
    # Positions (0-based) in `criteria`, most important first, for tie-breaks.
    tie_break_positions: list[int] = field(default_factory=list)


def check_criteria(criteria: list[CriterionData]) -> None:
    """Raise JudgingError unless the criteria are named, ranged and their weights add up to 100."""
    if not criteria:
        raise JudgingError(_l("Add at least one criterion."), field_name="criteria")
    if len(criteria) > MAX_CRITERIA:
        raise JudgingError(
            _l("A round can have at most %(n)d criteria.", n=MAX_CRITERIA), field_name="criteria"
        )
    for c in criteria:
        if not (c.name_zh.strip() or c.name_en.strip()):
            raise JudgingError(_l("Every criterion needs a name."), field_name="criteria")
        if c.weight <= 0:
            raise JudgingError(
                _l("Every criterion needs a weight above zero."), field_name="criteria"
            )
        if not (math.isfinite(c.min_score) and math.isfinite(c.max_score)) or (
            c.max_score <= c.min_score
        ):
            raise JudgingError(
                _l("A criterion's maximum score must be above its minimum."),
                field_name="criteria",
            )
        if not (c.step > 0 and math.isfinite(c.step)) or c.step > c.max_score - c.min_score:
            raise JudgingError(_l("A criterion's step must fit its range."), field_name="criteria")
    total = sum(c.weight for c in criteria)
    if total != 100:
        raise JudgingError(
            _l("The weights add up to %(total)d; they must add up to 100.", total=total),
            field_name="criteria",
        )


def _check_round_data(data: RoundData) -> None:
    if not (data.name_zh.strip() or data.name_en.strip()):
        raise JudgingError(_l("Give the round a name."), field_name="name_zh")
    if not 1 <= data.judges_per_entry <= MAX_JUDGES_PER_ENTRY:
        raise JudgingError(
            _l("Judges per entry must be between 1 and %(n)d.", n=MAX_JUDGES_PER_ENTRY),
            field_name="judges_per_entry",
        )
    if data.advancement_rule == AdvancementRule.THRESHOLD:
        if not 0 <= data.advancement_value <= 100:
            raise JudgingError(
                _l("The threshold is a score between 0 and 100."), field_name="advancement_value"
            )
    elif data.advancement_value < 1 or data.advancement_value != int(data.advancement_value):
        raise JudgingError(
            _l("The number of entries that go through must be a whole number of at least 1."),
            field_name="advancement_value",
        )
    check_criteria(data.criteria)


def _scoring_started(round_: Round) -> bool:
    return (
        db.session.scalar(select(ScoreSheet.id).where(ScoreSheet.round_id == round_.id).limit(1))
        is not None
    )


def _apply_round(round_: Round, data: RoundData) -> None:
    _check_round_data(data)
    round_.name_zh, round_.name_en = data.name_zh.strip(), data.name_en.strip()
    round_.kind = data.kind
    round_.judges_per_entry = data.judges_per_entry
    round_.aggregation = data.aggregation
    round_.advancement_rule = data.advancement_rule
    round_.advancement_value = data.advancement_value
    round_.pitch_seconds = data.pitch_seconds
    round_.qa_seconds = data.qa_seconds
    same_shape = [(c.weight, c.min_score, c.max_score, c.step) for c in round_.criteria] == [
        (c.weight, float(c.min_score), float(c.max_score), float(c.step)) for c in data.criteria
    ]
    if round_.id is not None and not same_shape and _scoring_started(round_):
        raise JudgingError(
            _l("Scoring has started: criteria weights and ranges can no longer change."),
            status=409,
            field_name="criteria",
        )
    if same_shape and round_.criteria:
        for criterion, row in zip(round_.criteria, data.criteria, strict=True):
            criterion.name_zh, criterion.name_en = row.name_zh.strip(), row.name_en.strip()
    else:
        round_.criteria.clear()
        db.session.flush()
        for position, row in enumerate(data.criteria):
            round_.criteria.append(
                Criterion(
                    name_zh=row.name_zh.strip(),
                    name_en=row.name_en.strip(),
                    weight=row.weight,
                    min_score=float(row.min_score),
                    max_score=float(row.max_score),
                    step=float(row.step),
                    position=position,
                )
            )
    db.session.flush()
    round_.tie_break_criteria = [
        round_.criteria[p].id for p in data.tie_break_positions if 0 <= p < len(round_.criteria)
    ]
    invalidate_ranking(round_)


def create_round(event: Event, data: RoundData) -> Round:
    """Create a round with its criteria; raises JudgingError for bad settings or weights."""
    position = (
        db.session.scalar(select(func.max(Round.position)).where(Round.event_id == event.id)) or 0
    ) + 1
    round_ = Round(event_id=event.id, name_zh="", name_en="", kind=data.kind, position=position)
    db.session.add(round_)
    _apply_round(round_, data)
    return round_


def update_round(round_: Round, data: RoundData) -> None:
    """Change a round's settings; weights and ranges are fixed once scoring has started."""
    _apply_round(round_, data)


def list_rounds(event: Event) -> list[Round]:
    """The event's rounds in order."""
    return db.session.scalars(
        select(Round).where(Round.event_id == event.id).order_by(Round.position, Round.id)
    ).all()


def get_round(event: Event, round_id: int) -> Round | None:
    """The event's round with this id, or None."""
    round_ = db.session.get(Round, round_id)
    return round_ if round_ is not None and round_.event_id == event.id else None


def next_round(round_: Round) -> Round | None:
    """The round after this one, if any."""
    return db.session.scalar(
        select(Round)
        .where(Round.event_id == round_.event_id, Round.position > round_.position)
        .order_by(Round.position, Round.id)
        .limit(1)
    )


def round_entries(round_: Round) -> list[Entry]:
    """The entries in a round, in pitch order once drawn, else by title."""
    rows = db.session.execute(
        select(RoundEntry, Entry)
        .join(Entry, Entry.id == RoundEntry.entry_id)
        .where(RoundEntry.round_id == round_.id)
    ).all()
    rows = sorted(
        rows,
        key=lambda row: (
            row[0].draw_position is None,
            row[0].draw_position or 0,
            row[1].title_en.casefold(),
        ),
    )
    return [entry for _, entry in rows]


def add_entries_to_round(round_: Round, entry_ids: list[int]) -> int:
    """Put entries (eligible ones only) into a round; returns how many were added."""
    existing = set(
        db.session.scalars(select(RoundEntry.entry_id).where(RoundEntry.round_id == round_.id))
    )
    added = 0
    for entry_id in dict.fromkeys(entry_ids):
        entry = db.session.get(Entry, entry_id)
        if entry is None or entry.event_id != round_.event_id:
            raise JudgingError(_l("No such entry."), status=404)
        if entry.eligibility != Eligibility.ELIGIBLE:
            raise JudgingError(
                _l(
                    "Only eligible entries can take part in a round: %(title)s.",
                    title=entry.title_en,
                )
            )
        if entry_id not in existing:
            db.session.add(RoundEntry(round_id=round_.id, entry_id=entry_id))
            added += 1
    db.session.flush()
    invalidate_ranking(round_)
    return added


def add_eligible_entries(round_: Round) -> int:
    """Put every eligible entry of the event into the round; returns how many were added."""
    ids = db.session.scalars(
        select(Entry.id).where(
            Entry.event_id == round_.event_id, Entry.eligibility == Eligibility.ELIGIBLE
        )
    ).all()
    return add_entries_to_round(round_, list(ids))


def remove_entry_from_round(round_: Round, entry_id: int) -> None:
    """Take an entry out of a round; refused (409) once it has submitted scores."""
    submitted = db.session.scalar(
        select(ScoreSheet.id).where(
            ScoreSheet.round_id == round_.id,
            ScoreSheet.entry_id == entry_id,
            ScoreSheet.status == SheetStatus.SUBMITTED,
        )
    )
    if submitted:
        raise JudgingError(_l("This entry already has submitted scores."), status=409)
    db.session.execute(
        delete(Assignment).where(Assignment.round_id == round_.id, Assignment.entry_id == entry_id)
    )
    db.session.execute(
        delete(ScoreSheet).where(ScoreSheet.round_id == round_.id, ScoreSheet.entry_id == entry_id)
    )
    db.session.execute(
        delete(RoundEntry).where(RoundEntry.round_id == round_.id, RoundEntry.entry_id == entry_id)
    )
    db.session.flush()
    invalidate_ranking(round_)


# --- assignment ----------------------------------------------------------------------------


def assignments_of(round_: Round) -> list[Assignment]:
    """A round's assignments."""
    return db.session.scalars(
        select(Assignment).where(Assignment.round_id == round_.id).order_by(Assignment.id)
    ).all()


def assign_automatically(round_: Round, seed: int | str | None = None) -> AssignmentResult:
    """Replace the round's assignments by a balanced, conflict-free one.

    Raises JudgingError (409) once scoring has started, and when the round has no entries or
    the event no judges.
    """
    if _scoring_started(round_):
        raise JudgingError(_l("Scoring has started; adjust the assignments by hand."), status=409)
    event = db.session.get(Event, round_.event_id)
    entry_ids = [e.id for e in round_entries(round_)]
    judge_ids = [j.id for j in event_judges(event)]
    if not entry_ids:
        raise JudgingError(_l("The round has no entries yet."))
    if not judge_ids:
        raise JudgingError(_l("The event has no judges yet."))
    result = balanced_assignment(
        entry_ids,
        judge_ids,
        round_.judges_per_entry,
        conflict_pairs(event),
        seed=round_.id if seed is None else seed,
    )
    db.session.execute(delete(Assignment).where(Assignment.round_id == round_.id))
    for entry_id, judge_id in sorted(result.pairs):
        db.session.add(Assignment(round_id=round_.id, entry_id=entry_id, judge_user_id=judge_id))
    db.session.flush()
    return result


def add_assignment(round_: Round, entry_id: int, judge_id: int) -> Assignment:
    """Assign a judge to an entry by hand; raises JudgingError for conflicts and strangers."""
    event = db.session.get(Event, round_.event_id)
    judge = db.session.get(User, judge_id)
    if judge is None or not is_judge(event, judge):
        raise JudgingError(_l("This person is not a judge of the event."), status=404)
    in_round = db.session.scalar(
        select(RoundEntry.id).where(
            RoundEntry.round_id == round_.id, RoundEntry.entry_id == entry_id
        )
    )
    if not in_round:
        raise JudgingError(_l("This entry is not in the round."), status=404)
    if has_conflict(event, judge_id, entry_id):
        raise JudgingError(_l("This judge has a conflict of interest with this entry."), status=409)
    existing = db.session.scalar(
        select(Assignment).where(
            Assignment.round_id == round_.id,
            Assignment.entry_id == entry_id,
            Assignment.judge_user_id == judge_id,
        )
    )
    if existing is not None:
        return existing
    assignment = Assignment(
        round_id=round_.id, entry_id=entry_id, judge_user_id=judge_id, manual=True
    )
    db.session.add(assignment)
    db.session.flush()
    return assignment


def remove_assignment(round_: Round, entry_id: int, judge_id: int) -> None:
    """Unassign a judge; refused (409) when their score is submitted (reopen it first)."""
    sheet = _sheet_of(round_.id, entry_id, judge_id)
    if sheet is not None and sheet.status == SheetStatus.SUBMITTED:
        raise JudgingError(
            _l("This judge has submitted a score for the entry; reopen it first."), status=409
        )
    if sheet is not None:
        db.session.delete(sheet)
    db.session.execute(
        delete(Assignment).where(
            Assignment.round_id == round_.id,
            Assignment.entry_id == entry_id,
            Assignment.judge_user_id == judge_id,
        )
    )
    db.session.flush()


@dataclass
class AssignmentOverview:
    """What the organizer sees: entries × judges with pair states and loads."""

    entries: list[Entry]
    judges: list[User]
    assigned: set[tuple[int, int]]
    conflicts: dict[tuple[int, int], str]  # (entry, judge) → reason
    sheet_status: dict[tuple[int, int], str]
    loads: dict[int, int]
    short_entries: list[int]


def assignment_overview(round_: Round) -> AssignmentOverview:
    """The assignment matrix of a round with conflicts, sheet states and judge loads."""
    event = db.session.get(Event, round_.event_id)
    entries = round_entries(round_)
    judges = event_judges(event)
    assigned = {(a.entry_id, a.judge_user_id) for a in assignments_of(round_)}
    conflicts: dict[tuple[int, int], str] = {
        pair: str(_l("same organization: %(org)s", org=org))
        for pair, org in automatic_conflicts(event).items()
    }
    for conflict in recorded_conflicts(event):
        label = (
            _l("declared by the judge")
            if conflict.source == ConflictSource.DECLARED
            else _l("added by an organizer")
        )
        text = f"{label}: {conflict.reason}" if conflict.reason else str(label)
        conflicts[(conflict.entry_id, conflict.judge_user_id)] = text
    sheets = db.session.execute(
        select(ScoreSheet.entry_id, ScoreSheet.judge_user_id, ScoreSheet.status).where(
            ScoreSheet.round_id == round_.id
        )
    ).all()
    loads = {j.id: 0 for j in judges}
    for _, judge_id in assigned:
        loads[judge_id] = loads.get(judge_id, 0) + 1
    per_entry: dict[int, int] = defaultdict(int)
    for entry_id, _ in assigned:
        per_entry[entry_id] += 1
    return AssignmentOverview(
        entries=entries,
        judges=judges,
        assigned=assigned,
        conflicts=conflicts,
        sheet_status={(e, j): str(s) for e, j, s in sheets},
        loads=loads,
        short_entries=[e.id for e in entries if per_entry[e.id] < round_.judges_per_entry],
    )


# --- scoring -------------------------------------------------------------------------------


def _sheet_of(round_id: int, entry_id: int, judge_id: int) -> ScoreSheet | None:
    return db.session.scalar(
        select(ScoreSheet).where(
            ScoreSheet.round_id == round_id,
            ScoreSheet.entry_id == entry_id,
            ScoreSheet.judge_user_id == judge_id,
        )
    )


def can_score(round_: Round, entry_id: int, user: User) -> bool:
    """True when the user is assigned to the entry in this round and has no conflict with it."""
    assigned = db.session.scalar(
        select(Assignment.id).where(
            Assignment.round_id == round_.id,
            Assignment.entry_id == entry_id,
            Assignment.judge_user_id == user.id,
        )
    )
    if not assigned:
        return False
    return not has_conflict(db.session.get(Event, round_.event_id), user.id, entry_id)


def check_can_score(round_: Round, entry_id: int, user: User) -> None:
    """Raise JudgingError (403) unless the user may score this entry in this round."""
    if not can_score(round_, entry_id, user):
        raise JudgingError(
            _l("You are not assigned to this entry, or you have a conflict of interest with it."),
            status=403,
            code="not_assigned",
        )


def judge_rounds(event: Event, user: User) -> list[tuple[Round, int, int]]:
    """Rounds where the judge has entries: (round, submitted, assigned)."""
    result = []
    for round_ in list_rounds(event):
        entries = judge_entries(round_, user)
        if not entries:
            continue
        submitted = sum(
            1 for _, sheet in entries if sheet and sheet.status == SheetStatus.SUBMITTED
        )
        result.append((round_, submitted, len(entries)))
    return result


def judge_entries(round_: Round, user: User) -> list[tuple[Entry, ScoreSheet | None]]:
    """The judge's scorable entries in a round (conflicted ones left out) with their sheets."""
    event = db.session.get(Event, round_.event_id)
    conflicted = {e for e, j in conflict_pairs(event) if j == user.id}
    rows = db.session.execute(
        select(Entry, RoundEntry.draw_position)
        .join(Assignment, Assignment.entry_id == Entry.id)
        .join(
            RoundEntry,
            (RoundEntry.entry_id == Entry.id) & (RoundEntry.round_id == Assignment.round_id),
        )
        .where(Assignment.round_id == round_.id, Assignment.judge_user_id == user.id)
    ).all()
    sheets = {
        s.entry_id: s
        for s in db.session.scalars(
            select(ScoreSheet).where(
                ScoreSheet.round_id == round_.id, ScoreSheet.judge_user_id == user.id
            )
        )
    }
    rows = sorted(
        (r for r in rows if r[0].id not in conflicted),
        key=lambda r: (r[1] is None, r[1] or 0, r[0].title_en.casefold()),
    )
    return [(entry, sheets.get(entry.id)) for entry, _ in rows]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def validate_values(round_: Round, raw: Any, *, complete: bool) -> dict[str, float]:
    """Check submitted scores against the round's criteria; returns {"<criterion id>": value}.

    Raises JudgingError (422) for unknown criteria, non-numbers, out-of-range or off-step
    values and, when `complete`, missing criteria.
    """
    if not isinstance(raw, dict):
        raise JudgingError(_l("Scores must be an object of criterion → score."), status=422)
    criteria = {str(c.id): c for c in round_.criteria}
    clean: dict[str, float] = {}
    for key, value in raw.items():
        criterion = criteria.get(str(key))
        if criterion is None:
            raise JudgingError(_l("Unknown criterion: %(key)s.", key=str(key)[:40]), status=422)
        if value is None and not complete:
            continue
        number = _number(value)
        name = criterion.name_en or criterion.name_zh
        if number is None:
            raise JudgingError(
                _l("The score for %(name)s must be a number.", name=name),
                status=422,
                code="not_a_number",
            )
        if not criterion.min_score <= number <= criterion.max_score:
            raise JudgingError(
                _l(
                    "The score for %(name)s must be between %(min)s and %(max)s.",
                    name=name,
                    min=f"{criterion.min_score:g}",
                    max=f"{criterion.max_score:g}",
                ),
                status=422,
                code="out_of_range",
            )
        steps = (number - criterion.min_score) / criterion.step
        if abs(steps - round(steps)) > 1e-6:
            raise JudgingError(
                _l(
                    "The score for %(name)s must be in steps of %(step)s.",
                    name=name,
                    step=f"{criterion.step:g}",
                ),
                status=422,
                code="off_step",
            )
        clean[str(criterion.id)] = number
    if complete:
        missing = [c.name_en or c.name_zh for cid, c in criteria.items() if cid not in clean]
        if missing:
            raise JudgingError(
                _l("Score every criterion before submitting: %(names)s.", names=", ".join(missing)),
                status=422,
                code="incomplete",
            )
    return clean


def criterion_specs(round_: Round) -> list[aggregation.CriterionSpec]:
    """The round's criteria as aggregation needs them."""
    return [
        aggregation.CriterionSpec(str(c.id), c.weight, c.min_score, c.max_score)
        for c in round_.criteria
    ]


def sheet_total(round_: Round, values: dict[str, float]) -> float:
    """The weighted total (0…100) of a sheet's values."""
    return round(
        aggregation.weighted_total(values, criterion_specs(round_)),
        aggregation.SCORE_DIGITS,
    )


def value_list(round_: Round, values: dict[str, float]) -> str:
    """A sheet's values as ScoreSheet.value_list stores them: criterion order, space-separated,
    a missing value as the criterion's minimum."""
    return " ".join(repr(float(values.get(str(c.id), c.min_score))) for c in round_.criteria)


@dataclass
class SaveResult:
    """The sheet after a save, and whether the request was a resend already stored."""

    sheet: ScoreSheet
    duplicate: bool


def save_sheet(
    round_: Round,
    entry_id: int,
    judge: User,
    *,
    values: Any,
    comment: Any = "",
    submit: bool = False,
    client_id: Any,
) -> SaveResult:
    """Save a judge's draft or submit it (locks it); a resent client id returns the stored one.

    Raises JudgingError: 403 when not assigned or conflicted, 409 when the sheet is locked,
    422 for bad values, a bad comment or a bad client id.
    """
    if not isinstance(client_id, str) or not CLIENT_ID_RE.match(client_id):
        raise JudgingError(
            _l("Every save needs a client id of 8 to 64 letters, digits or - _ . :"),
            status=422,
            code="bad_client_id",
        )
    if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
        raise JudgingError(
            _l("The comment must be text of at most %(n)d characters.", n=MAX_COMMENT), status=422
        )
    check_can_score(round_, entry_id, judge)
    # The assignment row lock serialises saves of one sheet (two tabs, a resend racing the
    # original) on PostgreSQL; SQLite's BEGIN IMMEDIATE does it for the whole database.
    db.session.scalar(
        select(Assignment.id)
        .where(
            Assignment.round_id == round_.id,
            Assignment.entry_id == entry_id,
            Assignment.judge_user_id == judge.id,
        )
        .with_for_update()
    )
    sheet = _sheet_of(round_.id, entry_id, judge.id)
    if sheet is not None:
        seen = db.session.scalar(
            select(ScoreVersion.id).where(
                ScoreVersion.sheet_id == sheet.id, ScoreVersion.client_id == client_id
            )
        )
        if seen:
            return SaveResult(sheet, True)
        if sheet.status == SheetStatus.SUBMITTED:
            raise JudgingError(
                _l("This score is submitted and locked; ask an organizer to reopen it."),
                status=409,
                code="locked",
            )
    clean = validate_values(round_, values, complete=submit)
    if sheet is None:
        sheet = ScoreSheet(round_id=round_.id, entry_id=entry_id, judge_user_id=judge.id)
        db.session.add(sheet)
        merged = clean
    else:
        # A draft may carry only the criteria that changed; submit carries all of them.
        merged = dict(sheet.values or {})
        merged.update(clean)
        merged = {k: v for k, v in merged.items() if k in {str(c.id) for c in round_.criteria}}
    now = utcnow()
    sheet.values = merged
    sheet.value_list = value_list(round_, merged)
    sheet.comment = comment.strip()
    sheet.version = (sheet.version or 0) + 1
    sheet.total = sheet_total(round_, merged)
    sheet.updated_at = now
    if submit:
        sheet.status = SheetStatus.SUBMITTED
        sheet.submitted_at = now
    else:
        sheet.status = SheetStatus.DRAFT
    db.session.flush()
    db.session.add(
        ScoreVersion(
            sheet_id=sheet.id,
            version=sheet.version,
            action="submit" if submit else "draft",
            values=dict(merged),
            comment=sheet.comment,
            status=sheet.status,
            client_id=client_id,
            actor_user_id=judge.id,
            created_at=now,
        )
    )
    if submit:
        bump_score_version(round_)
    db.session.flush()
    return SaveResult(sheet, False)


def reopen_sheet(sheet: ScoreSheet, actor: User, note: str = "") -> None:
    """Unlock a submitted score so the judge can change it (kept as a new version).

    Raises JudgingError (409) when the sheet is not submitted.
    """
    db.session.scalar(
        select(Assignment.id)
        .where(
            Assignment.round_id == sheet.round_id,
            Assignment.entry_id == sheet.entry_id,
            Assignment.judge_user_id == sheet.judge_user_id,
        )
        .with_for_update()
    )
    db.session.refresh(sheet)
    if sheet.status != SheetStatus.SUBMITTED:
        raise JudgingError(_l("Only a submitted score can be reopened."), status=409)
    sheet.status = SheetStatus.DRAFT
    sheet.submitted_at = None
    sheet.version += 1
    sheet.updated_at = utcnow()
    db.session.add(
        ScoreVersion(
            sheet_id=sheet.id,
            version=sheet.version,
            action="reopen",
            values=dict(sheet.values or {}),
            comment=sheet.comment,
            status=SheetStatus.DRAFT,
            actor_user_id=actor.id,
            note=note.strip()[:300],
            created_at=sheet.updated_at,
        )
    )
    round_ = db.session.get(Round, sheet.round_id)
    bump_score_version(round_)
    record_audit(
        "judging.sheet_reopen",
        event_id=round_.event_id,
        user=actor,
        target=f"sheet:{sheet.id}",
        details={
            "round_id": sheet.round_id,
            "entry_id": sheet.entry_id,
            "judge_user_id": sheet.judge_user_id,
            "version": sheet.version,
        },
    )
    db.session.flush()


def get_sheet(round_: Round, sheet_id: int) -> ScoreSheet | None:
    """The round's score sheet with this id, or None."""
    sheet = db.session.get(ScoreSheet, sheet_id)
    return sheet if sheet is not None and sheet.round_id == round_.id else None


def sheet_state(round_: Round, entry_id: int, judge: User) -> dict[str, Any]:
    """The judge's sheet for an entry as JSON-ready data (empty draft when none yet)."""
    sheet = _sheet_of(round_.id, entry_id, judge.id)
    if sheet is None:
        return {
            "entry_id": entry_id,
            "status": "new",
            "version": 0,
            "values": {},
            "comment": "",
            "total": None,
        }
    return {
        "entry_id": entry_id,
        "status": str(sheet.status),
        "version": sheet.version,
        "values": sheet.values or {},
        "comment": sheet.comment,
        "total": sheet.total,
    }


@dataclass
class VersionChange:
    """One line of the audit trail: a version with what changed from the one before."""

    version: ScoreVersion
    sheet: ScoreSheet
    changes: list[tuple[str, Any, Any]]  # (criterion or "comment"/"status", old, new)


def audit_trail(round_: Round, entry_id: int | None = None) -> list[VersionChange]:
    """Every saved version of the round's sheets, newest first, with old → new values."""
    query = (
        select(ScoreVersion, ScoreSheet)
        .join(ScoreSheet, ScoreSheet.id == ScoreVersion.sheet_id)
        .where(ScoreSheet.round_id == round_.id)
        .order_by(ScoreVersion.sheet_id, ScoreVersion.version)
    )
    if entry_id is not None:
        query = query.where(ScoreSheet.entry_id == entry_id)
    names = {str(c.id): c for c in round_.criteria}
    lines: list[VersionChange] = []
    previous: dict[int, ScoreVersion] = {}
    for version, sheet in db.session.execute(query).all():
        before = previous.get(sheet.id)
        old_values = before.values if before else {}
        changes: list[tuple[str, Any, Any]] = []
        for key in sorted(set(old_values) | set(version.values or {}), key=lambda k: int(k)):
            old, new = old_values.get(key), (version.values or {}).get(key)
            if old != new:
                criterion = names.get(key)
                changes.append((criterion.name_en if criterion else key, old, new))
        if (before.comment if before else "") != version.comment:
            changes.append(("comment", before.comment if before else "", version.comment))
        if (before.status if before else None) != version.status:
            changes.append(("status", str(before.status) if before else "", str(version.status)))
        lines.append(VersionChange(version, sheet, changes))
        previous[sheet.id] = version
    lines.sort(key=lambda line: (line.version.created_at, line.version.id), reverse=True)
    return lines


# --- rankings (computed once per score version, CTFd style) ----------------------------------

_ranking_cache: dict[tuple[int, int, str], aggregation.Ranking] = {}
_ranking_lock = threading.Lock()


def bump_score_version(round_: Round) -> None:
    """Invalidate a round's cached ranking: an atomic increment every process sees."""
    db.session.execute(
        update(Round).where(Round.id == round_.id).values(score_version=Round.score_version + 1)
    )
    invalidate_ranking(round_)


def invalidate_ranking(round_: Round) -> None:
    """Drop this process's cached rankings of a round."""
    with _ranking_lock:
        for key in [k for k in _ranking_cache if k[0] == round_.id]:
            del _ranking_cache[key]


def submitted_sheets(round_: Round) -> list[aggregation.Sheet]:
    """The round's submitted sheets as aggregation input."""
    rows = db.session.execute(
        select(ScoreSheet.entry_id, ScoreSheet.judge_user_id, ScoreSheet.values)
        .where(ScoreSheet.round_id == round_.id, ScoreSheet.status == SheetStatus.SUBMITTED)
        .order_by(ScoreSheet.id)
    ).all()
    # Criterion ids stay the JSON's string keys (see criterion_specs): no per-value conversion.
    return [aggregation.Sheet(entry_id, judge_id, values) for entry_id, judge_id, values in rows]


@dataclass
class ScoreRows:
    """The round's submitted sheets as columns, in sheet id order: entry, judge and a values
    matrix whose columns follow the criteria (a missing value is the criterion's minimum)."""

    entry_ids: np.ndarray
    judge_ids: np.ndarray
    values: np.ndarray


def submitted_score_rows(round_: Round, criteria: list[aggregation.CriterionSpec]) -> ScoreRows:
    """The round's submitted sheets as aggregation's score matrix, read without ORM objects:
    the stored value lists parsed in one go (the JSON values only where no list is stored).

    On PostgreSQL the database concatenates the sheets into one row (id, entry and judge
    arrays and one text of values), so no Python work is done per sheet.
    """
    where = [ScoreSheet.round_id == round_.id, ScoreSheet.status == SheetStatus.SUBMITTED]
    n = len(criteria)
    ids, entry_ids, judge_ids, texts = [], [], [], []
    if db.session.get_bind().dialect.name == "postgresql":
        sheets = (
            select(ScoreSheet.id, ScoreSheet.entry_id, ScoreSheet.judge_user_id)
            .add_columns(ScoreSheet.value_list)
            .where(*where, ScoreSheet.value_list.is_not(None))
            .order_by(ScoreSheet.id)
            .subquery()
        )
        row = db.session.execute(
            select(
                func.array_agg(sheets.c.id),
                func.array_agg(sheets.c.entry_id),
                func.array_agg(sheets.c.judge_user_id),
                func.string_agg(sheets.c.value_list, " "),
            )
        ).one()
        if row[0]:
            ids, entry_ids, judge_ids, texts = list(row[0]), row[1], row[2], [row[3]]
        where.append(ScoreSheet.value_list.is_(None))
    rows = db.session.execute(
        select(
            ScoreSheet.id,
            ScoreSheet.entry_id,
            ScoreSheet.judge_user_id,
            ScoreSheet.value_list,
            case((ScoreSheet.value_list.is_(None), ScoreSheet.values)),
        )
        .where(*where)
        .order_by(ScoreSheet.id)
    ).all()
    if rows:
        keys = [(str(c.id), c.min_score) for c in criteria]
        ids = [*ids, *(r[0] for r in rows)]
        entry_ids = [*entry_ids, *(r[1] for r in rows)]
        judge_ids = [*judge_ids, *(r[2] for r in rows)]
        for _, _, _, text, values in rows:
            if text is None:
                text = " ".join(repr(float((values or {}).get(k, low))) for k, low in keys)
            texts.append(text)
    flat = list(map(float, " ".join(texts).split()))
    if len(flat) != len(ids) * n:
        raise ValueError("stored value lists do not match the round's criteria")
    order = np.argsort(np.array(ids, dtype=np.int64), kind="stable")
    return ScoreRows(
        np.array(entry_ids, dtype=np.int64)[order],
        np.array(judge_ids, dtype=np.int64)[order],
        np.array(flat, dtype=np.float64).reshape(len(ids), n)[order],
    )


def round_ranking(round_: Round, method: str | None = None) -> aggregation.Ranking:
    """The round's ranking by a method (the round's own by default), cached per score version."""
    method = str(method or round_.aggregation)
    version = db.session.scalar(select(Round.score_version).where(Round.id == round_.id)) or 0
    key = (round_.id, version, method)
    with _ranking_lock:
        cached = _ranking_cache.get(key)
    if cached is not None:
        return cached
    draws = dict(
        db.session.execute(
            select(RoundEntry.entry_id, RoundEntry.draw_position).where(
                RoundEntry.round_id == round_.id
            )
        ).all()
    )
    criteria = criterion_specs(round_)
    rows = submitted_score_rows(round_, criteria)
    ranking = aggregation.rank_matrix(
        list(draws),
        rows.entry_ids,
        rows.judge_ids,
        rows.values,
        criteria,
        method,
        tie_break_criteria=[str(cid) for cid in round_.tie_break_criteria or []],
        draw_positions={k: v for k, v in draws.items() if v is not None},
    )
    with _ranking_lock:
        for old in [k for k in _ranking_cache if k[0] == round_.id and k[1] != version]:
            del _ranking_cache[old]
        _ranking_cache[key] = ranking
    return ranking


def compare_rankings(round_: Round) -> dict[str, aggregation.Ranking]:
    """The rankings the three methods give, by method."""
    return {m: round_ranking(round_, m) for m in aggregation.METHODS}


@dataclass
class ResultLine:
    """A ranking line with its entry, for pages and exports."""

    line: aggregation.RankedEntry
    entry: Entry
    award: Award | None = None


def result_lines(
    round_: Round, method: str | None = None, track: str | None = None
) -> list[ResultLine]:
    """The ranking with entries and awards, optionally one track (ranks within the track)."""
    ranking = round_ranking(round_, method)
    entries = {e.id: e for e in round_entries(round_)}
    awards = {
        a.entry_id: a for a in db.session.scalars(select(Award).where(Award.round_id == round_.id))
    }
    lines = [
        ResultLine(line, entries[line.entry_id], awards.get(line.entry_id))
        for line in ranking.entries
        if line.entry_id in entries
    ]
    if track is not None:
        lines = [r for r in lines if r.entry.track == track]
    return lines


def round_tracks(round_: Round) -> list[str]:
    """The tracks of the round's entries."""
    return sorted({e.track for e in round_entries(round_) if e.track})


# --- advancement ---------------------------------------------------------------------------


def advancement_preview(round_: Round) -> list[Entry]:
    """The entries the round's rule would send through, best first (nothing is changed)."""
    lines = [r for r in result_lines(round_) if r.line.score is not None]
    rule, value = round_.advancement_rule, round_.advancement_value
    if rule == AdvancementRule.THRESHOLD:
        chosen = [r for r in lines if (r.line.score or 0) >= value]
    elif rule == AdvancementRule.TOP_N_PER_TRACK:
        per_track: dict[str, int] = defaultdict(int)
        chosen = []
        for r in lines:
            if per_track[r.entry.track] < int(value):
                per_track[r.entry.track] += 1
                chosen.append(r)
    else:
        chosen = lines[: int(value)]
    return [r.entry for r in chosen]


def advance_round(round_: Round) -> tuple[Round, int]:
    """Send the previewed entries into the next round; returns it and how many were added.

    Raises JudgingError when there is no next round or nobody would go through.
    """
    target = next_round(round_)
    if target is None:
        raise JudgingError(_l("There is no next round to advance to."), status=409)
    chosen = advancement_preview(round_)
    if not chosen:
        raise JudgingError(_l("No entry meets the advancement rule yet."), status=409)
    ids = {e.id for e in chosen}
    for round_entry in round_.round_entries:
        round_entry.advanced = round_entry.entry_id in ids
    added = add_entries_to_round(target, [e.id for e in chosen])
    round_.advanced_at = utcnow()
    db.session.flush()
    return target, added


# --- awards --------------------------------------------------------------------------------

AWARD_NAMES = {
    AwardLevel.GOLD: ("金奖", "Gold Award"),
    AwardLevel.SILVER: ("银奖", "Silver Award"),
    AwardLevel.BRONZE: ("铜奖", "Bronze Award"),
    AwardLevel.EXCELLENCE: ("优秀奖", "Award of Excellence"),
}


def assign_awards(round_: Round, counts: dict[AwardLevel, int]) -> list[Award]:
    """Give awards down the ranking (e.g. 1 gold, 2 silver, 3 bronze, 5 excellence).

    Replaces the round's awards whose certificates are not issued yet; raises JudgingError
    when counts are negative or there are fewer scored entries than awards.
    """
    if any(n < 0 for n in counts.values()):
        raise JudgingError(_l("Award counts cannot be negative."))
    lines = [r for r in result_lines(round_) if r.line.score is not None]
    wanted = sum(counts.values())
    if wanted > len(lines):
        raise JudgingError(
            _l("Only %(n)d entries have scores; that is fewer than the awards.", n=len(lines))
        )
    issued = db.session.scalar(
        select(Award.id).where(
            Award.round_id == round_.id, Award.certificates_issued_at.is_not(None)
        )
    )
    if issued:
        raise JudgingError(
            _l("Certificates have been issued for this round's awards; awards are fixed."),
            status=409,
        )
    db.session.execute(delete(Award).where(Award.round_id == round_.id))
    awards = []
    position = 0
    for level in AwardLevel:
        for _ in range(counts.get(level, 0)):
            line = lines[position]
            award = Award(
                round_id=round_.id, entry_id=line.entry.id, level=level, rank=line.line.rank
            )
            db.session.add(award)
            awards.append(award)
            position += 1
    db.session.flush()
    return awards


def round_awards(round_: Round) -> list[Award]:
    """The round's awards, best level first."""
    order = {level: i for i, level in enumerate(AwardLevel)}
    awards = db.session.scalars(select(Award).where(Award.round_id == round_.id)).all()
    return sorted(awards, key=lambda a: (order[a.level], a.rank or 0))


@dataclass
class CertificateRun:
    """What issuing award certificates did."""

    issued: int = 0
    existing: int = 0
    skipped: list[str] = field(default_factory=list)  # members not confirmed


def issue_award_certificates(round_: Round, actor: User | None) -> CertificateRun:
    """Issue (idempotently) and mail an award certificate to every confirmed team member.

    Raises JudgingError when the round has no awards.
    """
    from app.certificates.models import CertificateKind
    from app.certificates.services import issue_certificate

    awards = round_awards(round_)
    if not awards:
        raise JudgingError(_l("Assign the awards first."), status=409)
    run = CertificateRun()
    for award in awards:
        name_zh, name_en = AWARD_NAMES[award.level]
        entry = award.entry
        for member in entry.members:
            registration = member.registration
            if registration.state != RegistrationState.CONFIRMED:
                run.skipped.append(registration.latin_name or registration.native_name)
                continue
            result = issue_certificate(
                registration,
                CertificateKind.AWARD,
                award_name_zh=name_zh,
                award_name_en=name_en,
                team_name=entry.team_name or None,
                entry_title=entry.title(registration.language or "en"),
                actor=actor,
                send_mail=True,
            )
            if result.created:
                run.issued += 1
            else:
                run.existing += 1
        award.certificates_issued_at = award.certificates_issued_at or utcnow()
    db.session.flush()
    return run


# --- live final: draw, stage and ranking screen ---------------------------------------------


def draw_pitch_order(round_: Round, seed: str | None = None) -> str:
    """Shuffle the round's pitch order with a recorded seed (a new random one by default).

    The entries are sorted by id before shuffling, so the seed alone repeats the draw.
    Raises JudgingError (409) once a score is submitted in the round.
    """
    submitted = db.session.scalar(
        select(ScoreSheet.id).where(
            ScoreSheet.round_id == round_.id, ScoreSheet.status == SheetStatus.SUBMITTED
        )
    )
    if submitted:
        raise JudgingError(_l("Scores are already submitted; the order can no longer change."), 409)
    seed = (seed or secrets.token_hex(8)).strip()[:64]
    if not seed:
        raise JudgingError(_l("Give a seed for the draw."))
    import random

    rows = sorted(round_.round_entries, key=lambda r: r.entry_id)
    if not rows:
        raise JudgingError(_l("The round has no entries yet."))
    random.Random(seed).shuffle(rows)
    for position, row in enumerate(rows, start=1):
        row.draw_position = position
    round_.draw_seed = seed
    round_.drawn_at = utcnow()
    round_.current_entry_id = None
    bump_score_version(round_)
    db.session.flush()
    return seed


def set_current_entry(round_: Round, entry_id: int | None) -> None:
    """Put an entry of the round on stage (None clears) and reset the timer."""
    if entry_id is not None and not any(r.entry_id == entry_id for r in round_.round_entries):
        raise JudgingError(_l("This entry is not in the round."), status=404)
    round_.current_entry_id = entry_id
    round_.timer_phase = TimerPhase.IDLE
    round_.timer_started_at = None
    round_.timer_elapsed = 0
    bump_score_version(round_)
    db.session.flush()


def step_current_entry(round_: Round, offset: int) -> None:
    """Move the stage to the next (offset 1) or previous (-1) entry in pitch order."""
    order = [e.id for e in round_entries(round_)]
    if not order:
        raise JudgingError(_l("The round has no entries yet."))
    current = round_.current_entry_id
    index = order.index(current) + offset if current in order else 0
    set_current_entry(round_, order[max(0, min(index, len(order) - 1))])


def timer_elapsed(round_: Round) -> float:
    """Seconds the current timer phase has run."""
    elapsed = round_.timer_elapsed or 0.0
    if round_.timer_started_at is not None:
        elapsed += (utcnow() - round_.timer_started_at).total_seconds()
    return elapsed


def control_timer(round_: Round, action: str) -> None:
    """Host timer control: start_pitch, start_qa, pause, resume, reset.

    Raises JudgingError for an unknown action or one that does not fit the timer's state.
    """
    now = utcnow()
    if action in ("start_pitch", "start_qa"):
        round_.timer_phase = TimerPhase.PITCH if action == "start_pitch" else TimerPhase.QA
        round_.timer_elapsed = 0
        round_.timer_started_at = now
    elif action == "pause":
        if round_.timer_started_at is None:
            raise JudgingError(_l("The timer is not running."), status=409)
        round_.timer_elapsed = timer_elapsed(round_)
        round_.timer_started_at = None
    elif action == "resume":
        if round_.timer_phase == TimerPhase.IDLE or round_.timer_started_at is not None:
            raise JudgingError(_l("There is no paused timer."), status=409)
        round_.timer_started_at = now
    elif action == "reset":
        round_.timer_phase = TimerPhase.IDLE
        round_.timer_elapsed = 0
        round_.timer_started_at = None
    else:
        raise JudgingError(_l("Unknown timer action."))
    bump_score_version(round_)
    db.session.flush()


def entry_reveal(round_: Round, entry_id: int) -> dict[str, Any]:
    """Each judge's total and the trimmed final once every assigned judge has submitted."""
    judges = db.session.scalars(
        select(Assignment.judge_user_id).where(
            Assignment.round_id == round_.id, Assignment.entry_id == entry_id
        )
    ).all()
    sheets = db.session.execute(
        select(ScoreSheet.judge_user_id, ScoreSheet.total, User.name)
        .join(User, User.id == ScoreSheet.judge_user_id)
        .where(
            ScoreSheet.round_id == round_.id,
            ScoreSheet.entry_id == entry_id,
            ScoreSheet.status == SheetStatus.SUBMITTED,
        )
    ).all()
    submitted = {judge_id for judge_id, _, _ in sheets}
    complete = bool(judges) and set(judges) <= submitted
    data: dict[str, Any] = {
        "assigned": len(judges),
        "submitted": len(submitted & set(judges)),
        "complete": complete,
    }
    if complete:
        totals = {judge_id: total or 0.0 for judge_id, total, _ in sheets}
        dropped = aggregation.trimmed_judges(totals)
        data["judges"] = [
            {"name": name, "total": round(total or 0.0, 2), "dropped": judge_id in dropped}
            for judge_id, total, name in sorted(sheets, key=lambda s: s[0])
        ]
        data["final"] = round(aggregation.trimmed_mean(list(totals.values())), 2)
    return data


def stage_state(round_: Round, locale: str) -> dict[str, Any]:
    """Everything the stage page shows, as JSON-ready data."""
    entries = round_entries(round_)
    current = next((e for e in entries if e.id == round_.current_entry_id), None)
    duration = {
        TimerPhase.PITCH: round_.pitch_seconds,
        TimerPhase.QA: round_.qa_seconds,
    }.get(round_.timer_phase, 0)
    positions = {r.entry_id: r.draw_position for r in round_.round_entries}
    return {
        "version": round_.score_version,
        "seed": round_.draw_seed,
        "order": [
            {"id": e.id, "title": e.title(locale), "position": positions.get(e.id)} for e in entries
        ],
        "current": None
        if current is None
        else {
            "id": current.id,
            "title": current.title(locale),
            "team": current.team_name,
            "track": current.track,
            "position": positions.get(current.id),
            "members": [m.registration.latin_name for m in current.members],
            "reveal": entry_reveal(round_, current.id),
        },
        "timer": {
            "phase": str(round_.timer_phase),
            "duration": duration,
            "elapsed": round(timer_elapsed(round_), 1),
            "running": round_.timer_started_at is not None,
        },
    }


def ranking_snapshot(round_: Round, locale: str) -> list[dict[str, Any]]:
    """The live ranking as JSON-ready rows."""
    return [
        {
            "rank": r.line.rank,
            "entry_id": r.entry.id,
            "title": r.entry.title(locale),
            "track": r.entry.track,
            "score": None if r.line.score is None else round(r.line.score, 2),
            "judges": r.line.judges,
            "tie": r.line.tie_group,
        }
        for r in result_lines(round_)
    ]


def set_ranking_state(round_: Round, state: RankingState, locale: str) -> None:
    """Switch the ranking screen: live, frozen (keeps a snapshot) or published."""
    round_.ranking_state = state
    round_.frozen_ranking = (
        ranking_snapshot(round_, locale) if state == RankingState.FROZEN else None
    )
    bump_score_version(round_)
    db.session.flush()


def screen_ranking(round_: Round, locale: str) -> dict[str, Any]:
    """What the ranking screen shows now: rows and the state they are in."""
    if round_.ranking_state == RankingState.FROZEN:
        rows = round_.frozen_ranking or []
    else:
        rows = ranking_snapshot(round_, locale)
    return {"version": round_.score_version, "state": str(round_.ranking_state), "rows": rows}


def current_score_version(round_id: int) -> int | None:
    """The round's score version read afresh (for the event stream), None when it is gone."""
    return db.session.scalar(select(Round.score_version).where(Round.id == round_id))
