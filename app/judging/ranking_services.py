"""A round's ranking, computed once per score version (see ranking_cache.py) from the submitted
sheets, and the result lines pages and exports show.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from app.accounts.models import User
from app.audit.services import record_audit
from app.clock import utcnow
from app.extensions import db
from app.i18n import current_language
from app.judging import aggregation
from app.judging.errors import JudgingError
from app.judging.models import (
    Assignment,
    Award,
    Entry,
    Round,
    RoundEntry,
    ScoreSheet,
    SheetStatus,
)
from app.judging.ranking_cache import (
    cached_ranking,
    cached_score_rows,
    store_ranking,
    store_score_rows,
)
from app.judging.round_services import criterion_specs, round_entries


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


def round_score_rows(
    round_: Round, version: int, criteria: list[aggregation.CriterionSpec]
) -> ScoreRows:
    """The round's submitted score rows of a score version, read once per version (the three
    rankings and the judge calibration share them)."""
    rows = cached_score_rows(round_.id, version)
    if rows is None:
        rows = submitted_score_rows(round_, criteria)
        store_score_rows(round_.id, version, rows)
    return rows


def round_ranking(round_: Round, method: str | None = None) -> aggregation.Ranking:
    """The round's ranking by a method (the round's own by default), cached per score version."""
    method = str(method or round_.aggregation)
    version = db.session.scalar(select(Round.score_version).where(Round.id == round_.id)) or 0
    cached = cached_ranking(round_.id, version, method)
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
    rows = round_score_rows(round_, version, criteria)
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
    # Assignments change the score version too (assignment_services), so the counts cached
    # with the ranking stay true.
    assigned = dict(
        db.session.execute(
            select(Assignment.entry_id, func.count(Assignment.id))
            .where(Assignment.round_id == round_.id)
            .group_by(Assignment.entry_id)
        ).all()
    )
    for line in ranking.entries:
        line.assigned = assigned.get(line.entry_id, 0)
    store_ranking(round_.id, version, method, ranking)
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


def incomplete_lines(lines: list[ResultLine]) -> list[ResultLine]:
    """The lines whose entry has fewer submitted sheets than assigned judges."""
    return [r for r in lines if r.line.incomplete]


# Decisions taken down a ranking that refuse while judging is incomplete, and their audit action.
OVERRIDE_ACTIONS = {"advance": "judging.advance_override", "awards": "judging.awards_override"}
OVERRIDE_REASON_MAX = 500


def require_complete_ranking(
    round_: Round, decision: str, override_reason: str = "", actor: User | None = None
) -> None:
    """Let a decision down the ranking (advancement, awards) go ahead only when every entry of
    the ranking has all its assigned judges' sheets submitted, or when an organizer gives a
    reason to go ahead anyway: the override is then kept on the round (the results PDF prints
    it) and in the audit log.

    Raises JudgingError (409) while an entry is incomplete and no reason is given.
    """
    incomplete = incomplete_lines(result_lines(round_))
    if not incomplete:
        return
    locale = current_language()
    listed = [f"{r.entry.title(locale)} ({r.line.judges}/{r.line.assigned})" for r in incomplete]
    reason = (override_reason or "").strip()[:OVERRIDE_REASON_MAX]
    if not reason:
        raise JudgingError(
            _l(
                "Not every judge has submitted yet: %(entries)s. Wait for the missing scores, "
                "or give a reason to go ahead anyway.",
                entries=", ".join(listed),
            ),
            status=409,
            code="incomplete",
            field_name="override_reason",
        )
    round_.incomplete_overrides = [
        *(round_.incomplete_overrides or []),
        {
            "decision": decision,
            "reason": reason,
            "at": utcnow().isoformat(),
            "by": actor.name if actor is not None else "",
            "entries": [[r.entry.id, r.line.judges, r.line.assigned] for r in incomplete],
        },
    ]
    record_audit(
        OVERRIDE_ACTIONS[decision],
        event_id=round_.event_id,
        user=actor,
        target=f"round:{round_.id}",
        details={"round_id": round_.id, "reason": reason, "incomplete": listed},
    )


def round_tracks(round_: Round) -> list[str]:
    """The tracks of the round's entries."""
    return sorted({e.track for e in round_entries(round_) if e.track})
