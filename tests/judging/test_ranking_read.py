"""The ranking service reads the stored value lists (or the JSON values where none is stored)
and ranks exactly as the row-by-row definition does on the submitted sheets."""

from __future__ import annotations

import itertools

from sqlalchemy import select, update

from app.accounts.models import User
from app.extensions import db
from app.judging import (
    aggregation,
    assignment_services,
    ranking_cache,
    ranking_services,
    round_services,
    scoring_services,
)
from app.judging.models import ScoreSheet
from tests.judging.conftest import new_client_id


def score_unevenly(comp) -> None:
    """Every assigned judge submits different values per criterion (some with decimals)."""
    steps = itertools.cycle([0, 0.5, 3, 7.5, 10, 9.5, 1, 6])
    for assignment in assignment_services.assignments_of(comp.round):
        judge = db.session.get(User, assignment.judge_user_id)
        values = {str(c.id): next(steps) for c in comp.round.criteria}
        scoring_services.save_sheet(
            comp.round,
            assignment.entry_id,
            judge,
            values=values,
            submit=True,
            client_id=new_client_id(),
        )
    db.session.commit()


def reference_ranking(round_, method):
    draws = {r.entry_id: r.draw_position for r in round_.round_entries}
    return aggregation.rank_entries_reference(
        list(draws),
        ranking_services.submitted_sheets(round_),
        round_services.criterion_specs(round_),
        method,
        tie_break_criteria=[str(cid) for cid in round_.tie_break_criteria or []],
        draw_positions={k: v for k, v in draws.items() if v is not None},
    )


def test_saving_a_sheet_stores_its_values_in_criterion_order(competition):
    comp = competition(entries=2, judges=2, k=2)
    score_unevenly(comp)
    for sheet in db.session.scalars(select(ScoreSheet)):
        expected = [float(sheet.values[str(c.id)]) for c in comp.round.criteria]
        assert [float(v) for v in sheet.value_list.split()] == expected


def test_service_ranking_equals_the_definition_for_every_method(competition):
    comp = competition(entries=6, judges=5, k=5)
    score_unevenly(comp)
    for method in aggregation.METHODS:
        ranking_cache.invalidate_ranking(comp.round)
        assert ranking_services.round_ranking(comp.round, method) == reference_ranking(
            comp.round, method
        )


def test_sheets_without_a_value_list_are_read_from_their_json_values(competition):
    comp = competition(entries=5, judges=4, k=4)
    score_unevenly(comp)
    stored = ranking_services.round_ranking(comp.round)
    first = db.session.scalars(select(ScoreSheet.id).order_by(ScoreSheet.id)).all()[::2]
    db.session.execute(update(ScoreSheet).where(ScoreSheet.id.in_(first)).values(value_list=None))
    ranking_cache.bump_score_version(comp.round)
    db.session.commit()
    assert ranking_services.round_ranking(comp.round) == stored
