"""The vectorised aggregation gives exactly what the row-by-row definition gives."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app.judging.aggregation import (
    METHODS,
    CriterionSpec,
    Sheet,
    rank_entries,
    rank_entries_reference,
    rank_matrix,
    zscore_values,
)

CRITERIA = [
    CriterionSpec("1", 30, 0, 10),
    CriterionSpec("2", 45, 1, 7),
    CriterionSpec("3", 25, -5, 20),
]


@st.composite
def sheets_and_entries(draw):
    n_entries = draw(st.integers(1, 14))
    judges = draw(st.lists(st.integers(1, 60), min_size=1, max_size=8, unique=True))
    value = st.one_of(
        st.integers(-5, 20),
        st.floats(-5, 20, allow_nan=False, allow_infinity=False),
        st.sampled_from([0.1, 0.2, 0.3, 1 / 3, 2.5, 7.25]),
    )
    sheets = []
    for judge in judges:
        for entry in range(n_entries + 1):  # the last entry is not asked for
            if draw(st.booleans()) or entry == 0:
                keys = draw(st.lists(st.sampled_from(["1", "2", "3"]), unique=True, min_size=1))
                sheets.append(Sheet(entry, judge, {k: draw(value) for k in keys}))
    order = draw(st.permutations(range(n_entries)))
    return order, sheets


@settings(max_examples=300, deadline=None)
@given(sheets_and_entries(), st.sampled_from(METHODS), st.data())
def test_vectorised_ranking_equals_the_row_by_row_definition_exactly(case, method, data):
    order, sheets = case
    tie_break = data.draw(st.lists(st.sampled_from(["1", "2", "3", "9"]), unique=True))
    draws = data.draw(st.dictionaries(st.integers(0, 9), st.integers(1, 5)))
    kwargs = {"tie_break_criteria": tie_break, "draw_positions": draws}
    fast = rank_entries(order, sheets, CRITERIA, method, **kwargs)
    slow = rank_entries_reference(order, sheets, CRITERIA, method, **kwargs)
    assert fast == slow


def test_a_judge_with_two_sheets_for_one_entry_follows_the_definition():
    sheets = [Sheet(1, 7, {"1": 4}), Sheet(1, 7, {"1": 9}), Sheet(1, 8, {"1": 5})]
    for method in METHODS:
        assert rank_entries([1], sheets, CRITERIA, method) == rank_entries_reference(
            [1], sheets, CRITERIA, method
        )


def test_rank_matrix_takes_numpy_rows():
    values = np.array([[8.0, 4.0, 10.0], [6.0, 2.0, 0.0], [7.0, 3.0, 5.0], [5.0, 1.0, 20.0]])
    ranking = rank_matrix(
        [2, 1], np.array([1, 1, 2, 2]), np.array([10, 11, 10, 11]), values, CRITERIA
    )
    sheets = [
        Sheet(e, j, dict(zip(["1", "2", "3"], v, strict=True)))
        for e, j, v in zip([1, 1, 2, 2], [10, 11, 10, 11], values.tolist(), strict=True)
    ]
    assert ranking == rank_entries_reference([2, 1], sheets, CRITERIA)
    assert [line.entry_id for line in ranking.entries] == [1, 2]


def test_zscore_with_clipped_outliers_follows_the_definition():
    # Twelve entries, one far off: its z-score passes 3 and is clipped to the range.
    sheets = [Sheet(e, j, {"1": 5 + j, "2": 4, "3": 0.5 * e}) for e in range(11) for j in (1, 2)]
    sheets += [Sheet(11, 1, {"1": 10, "2": 7, "3": 20}), Sheet(11, 2, {"1": 0, "2": 1, "3": -5})]
    kwargs = {"tie_break_criteria": ["3", "1"]}
    fast = rank_entries(range(12), sheets, CRITERIA, "zscore", **kwargs)
    assert fast == rank_entries_reference(range(12), sheets, CRITERIA, "zscore", **kwargs)
    clipped = [s.values["3"] for s in zscore_values(sheets, CRITERIA) if s.entry_id == 11]
    assert 20 in clipped  # the outlier really was clipped to the top of the range


def test_no_sheets_leaves_every_entry_unscored():
    for method in METHODS:
        ranking = rank_entries([3, 1], [], CRITERIA, method)
        assert [(line.entry_id, line.score, line.rank) for line in ranking.entries] == [
            (1, None, None),
            (3, None, None),
        ]
