"""Aggregation: hand-computed examples and properties (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.judging.aggregation import (
    CriterionSpec,
    Sheet,
    rank_entries,
    trimmed_mean,
    weighted_total,
    zscore_values,
)

TWO = [CriterionSpec(1, 60, 0, 10), CriterionSpec(2, 40, 0, 5)]


def test_weighted_total_scales_each_criterion_to_its_range():
    # 60 × 8/10 + 40 × 2.5/5 = 48 + 20
    assert weighted_total({1: 8, 2: 2.5}, TWO) == pytest.approx(68)
    assert weighted_total({1: 10, 2: 5}, TWO) == pytest.approx(100)
    assert weighted_total({1: 0, 2: 0}, TWO) == 0


def test_weighted_mean_ranking_by_hand():
    sheets = [
        Sheet(1, 10, {1: 8, 2: 2.5}),  # 68
        Sheet(1, 11, {1: 6, 2: 5}),  # 76 → mean 72
        Sheet(2, 10, {1: 10, 2: 4}),  # 92
        Sheet(2, 11, {1: 5, 2: 1}),  # 38 → mean 65
    ]
    ranking = rank_entries([1, 2, 3], sheets, TWO, "weighted_mean")
    assert [(line.entry_id, line.score, line.rank) for line in ranking.entries] == [
        (1, 72.0, 1),
        (2, 65.0, 2),
        (3, None, None),
    ]


def test_trimmed_mean_drops_highest_and_lowest_from_five_judges():
    assert trimmed_mean([90, 10, 50, 60, 70]) == pytest.approx(60)  # (50 + 60 + 70) / 3
    assert trimmed_mean([90, 10, 50, 60]) == pytest.approx(52.5)  # fewer than five: plain mean


def test_trimmed_ranking_reports_dropped_judges():
    criteria = [CriterionSpec(1, 100, 0, 100)]
    sheets = [Sheet(1, j, {1: v}) for j, v in zip(range(5), [90, 10, 50, 60, 70], strict=True)]
    ranking = rank_entries([1], sheets, criteria, "trimmed_mean")
    line = ranking.entries[0]
    assert line.score == pytest.approx(60)
    assert set(line.trimmed) == {0, 1}


def test_zscore_by_hand_removes_a_harsh_judges_offset():
    criteria = [CriterionSpec(1, 100, 0, 10)]
    # Judge 10 is harsh (2, 4), judge 11 lenient (8, 10): both rank entry 2 first by the same gap.
    sheets = [
        Sheet(1, 10, {1: 2}),
        Sheet(2, 10, {1: 4}),
        Sheet(1, 11, {1: 8}),
        Sheet(2, 11, {1: 10}),
    ]
    normalised = {(s.entry_id, s.judge_id): s.values[1] for s in zscore_values(sheets, criteria)}
    # z = ∓1 for both judges → 5 ∓ 5 × 1/3
    assert normalised[(1, 10)] == pytest.approx(5 - 5 / 3)
    assert normalised[(2, 11)] == pytest.approx(5 + 5 / 3)
    ranking = rank_entries([1, 2], sheets, criteria, "zscore")
    assert [line.entry_id for line in ranking.entries] == [2, 1]
    assert ranking.entries[0].score == pytest.approx(100 * (5 + 5 / 3) / 10)


def test_tie_broken_by_criterion_priority_then_reported():
    # Same total 50 for both; entry 2 is better on criterion 2 (priority 1).
    sheets = [Sheet(1, 10, {1: 10, 2: 0}), Sheet(2, 10, {1: 0, 2: 5})]
    criteria = [CriterionSpec(1, 50, 0, 10), CriterionSpec(2, 50, 0, 5)]
    ranking = rank_entries([1, 2], sheets, criteria, tie_break_criteria=[2])
    assert [line.entry_id for line in ranking.entries] == [2, 1]
    assert len(ranking.ties) == 1 and ranking.ties[0].entry_ids == [2, 1]
    assert ranking.entries[1].tie_broken_by == "criterion:2"


def test_tie_broken_by_higher_median_then_draw_order():
    criteria = [CriterionSpec(1, 100, 0, 100)]
    sheets = [
        Sheet(1, 1, {1: 40}),
        Sheet(1, 2, {1: 60}),
        Sheet(1, 3, {1: 50}),  # mean 50, median 50
        Sheet(2, 1, {1: 20}),
        Sheet(2, 2, {1: 65}),
        Sheet(2, 3, {1: 65}),  # mean 50, median 65
        Sheet(3, 1, {1: 50}),
        Sheet(3, 2, {1: 50}),
        Sheet(3, 3, {1: 50}),  # mean 50, median 50
    ]
    ranking = rank_entries([1, 2, 3], sheets, criteria, draw_positions={1: 2, 3: 1})
    assert [line.entry_id for line in ranking.entries] == [2, 3, 1]
    assert [line.tie_broken_by for line in ranking.entries] == [None, "median", "draw"]
    assert ranking.entries[0].rank == 1 and ranking.entries[2].rank == 3


def test_unknown_method_is_refused():
    with pytest.raises(ValueError):
        rank_entries([1], [], TWO, "median_of_medians")


totals = st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=15)


@given(totals)
def test_trimmed_mean_lies_between_min_and_max(values):
    result = trimmed_mean(values)
    assert min(values) - 1e-9 <= result <= max(values) + 1e-9


CRITERIA = [CriterionSpec(1, 30, 0, 10), CriterionSpec(2, 45, 0, 10), CriterionSpec(3, 25, 0, 20)]


@st.composite
def score_matrix(draw):
    n_entries = draw(st.integers(2, 8))
    n_judges = draw(st.integers(2, 6))
    sheets = []
    for judge in range(n_judges):
        for entry in range(n_entries):
            values = {c.id: draw(st.integers(0, 10)) for c in CRITERIA}
            sheets.append(Sheet(entry, judge, values))
    return n_entries, n_judges, sheets


@settings(max_examples=200, deadline=None)
@given(score_matrix(), st.integers(-5, 5), st.data())
def test_adding_a_constant_to_one_judge_does_not_change_the_zscore_ranking(matrix, shift, data):
    n_entries, n_judges, sheets = matrix
    judge = data.draw(st.integers(0, n_judges - 1))
    shifted = [
        Sheet(s.entry_id, s.judge_id, {k: v + shift for k, v in s.values.items()})
        if s.judge_id == judge
        else s
        for s in sheets
    ]
    before = rank_entries(range(n_entries), sheets, CRITERIA, "zscore")
    after = rank_entries(range(n_entries), shifted, CRITERIA, "zscore")
    assert [line.entry_id for line in after.entries] == [line.entry_id for line in before.entries]
    for a, b in zip(before.entries, after.entries, strict=True):
        assert a.score == pytest.approx(b.score, abs=1e-5)


@settings(max_examples=100, deadline=None)
@given(score_matrix())
def test_every_method_ranks_every_entry_once_with_scores_in_0_to_100(matrix):
    n_entries, _, sheets = matrix
    for method in ("weighted_mean", "trimmed_mean", "zscore"):
        ranking = rank_entries(range(n_entries), sheets, CRITERIA, method)
        assert sorted(line.entry_id for line in ranking.entries) == list(range(n_entries))
        scores = [line.score for line in ranking.entries]
        assert all(0 <= s <= 100 for s in scores)
        assert scores == sorted(scores, reverse=True)
        assert [line.rank for line in ranking.entries] == list(range(1, n_entries + 1))
