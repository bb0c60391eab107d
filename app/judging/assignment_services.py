"""A round's judge assignments: the balanced automatic one (the flow algorithm of
assignment.py) and changes by hand, with an overview of loads and conflicts. Flushes, never
commits; refusals raise JudgingError.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from app.accounts.models import User
from app.events.models import Event
from app.extensions import db
from app.judging.assignment import AssignmentResult, balanced_assignment
from app.judging.errors import JudgingError
from app.judging.judge_services import (
    automatic_conflicts,
    conflict_pairs,
    event_judges,
    has_conflict,
    is_judge,
    recorded_conflicts,
    sheet_of,
)
from app.judging.models import (
    Assignment,
    ConflictSource,
    Entry,
    Round,
    RoundEntry,
    ScoreSheet,
    SheetStatus,
)
from app.judging.ranking_cache import bump_score_version
from app.judging.round_services import round_entries, scoring_started


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
    if scoring_started(round_):
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
    bump_score_version(round_)  # the ranking's submitted/assigned counts change
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
    bump_score_version(round_)
    return assignment


def remove_assignment(round_: Round, entry_id: int, judge_id: int) -> None:
    """Unassign a judge; refused (409) when their score is submitted (reopen it first)."""
    sheet = sheet_of(round_.id, entry_id, judge_id)
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
    bump_score_version(round_)


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
