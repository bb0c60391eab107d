"""The live final: the pitch-order draw, the stage (current entry and timer), score reveals
and the ranking screen. Flushes, never commits; refusals raise JudgingError.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.clock import utcnow
from app.extensions import db
from app.judging import aggregation
from app.judging.errors import JudgingError
from app.judging.models import (
    Assignment,
    RankingState,
    Round,
    ScoreSheet,
    SheetStatus,
    TimerPhase,
)
from app.judging.ranking_cache import bump_score_version
from app.judging.ranking_services import result_lines
from app.judging.round_services import round_entries


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
            "pitch": round_.pitch_seconds,  # shown, dimmed, before the pitch starts
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
            # Added fields (older frozen snapshots lack them): sheets submitted of assigned.
            "submitted": r.line.judges,
            "assigned": r.line.assigned,
            "incomplete": r.line.incomplete,
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
