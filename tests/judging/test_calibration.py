"""Judge calibration: a planted harsh or random judge is flagged, a consistent panel with noise
is not, tiny panels say *not enough data*, and the organizer's round page shows the table."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.accounts.models import User
from app.extensions import db
from app.judging import assignment_services, scoring_services
from app.judging.aggregation import CriterionSpec, Sheet
from app.judging.calibration_services import (
    CalibrationState,
    average_ranks,
    calibrate_sheets,
    calibrate_totals,
    spearman,
)
from tests.judging.conftest import new_client_id

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


@st.composite
def panels(draw, min_entries: int = 10):
    """True entry qualities spread over 10…90, judges = quality + small noise (0…100)."""
    entries = draw(st.integers(min_entries, 20))
    judges = draw(st.integers(4, 7))
    qualities = draw(st.lists(st.integers(10, 90), min_size=entries, max_size=entries, unique=True))
    noise = draw(st.floats(0.0, 3.0))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    scores = {
        judge: [float(np.clip(q + rng.normal(0, noise), 0, 100)) for q in qualities]
        for judge in range(1, judges + 1)
    }
    return np.array(qualities, dtype=float), scores, rng


def totals_of(scores: dict[int, list[float]]):
    entry_ids, judge_ids, totals = [], [], []
    for judge, values in scores.items():
        for entry, value in enumerate(values, start=100):
            entry_ids.append(entry)
            judge_ids.append(judge)
            totals.append(value)
    return entry_ids, judge_ids, totals


def by_judge(calibration):
    return {line.judge_id: line for line in calibration.judges}


@FAST
@given(panels())
def test_a_consistent_panel_with_noise_flags_nobody(panel):
    _, scores, _ = panel
    calibration = calibrate_totals(*totals_of(scores))
    assert calibration.flagged == []
    assert all(line.state == CalibrationState.OK for line in calibration.judges)


@FAST
@given(panels(), st.floats(20.0, 40.0))
def test_a_planted_harsh_judge_is_flagged_for_the_mean(panel, offset):
    qualities, scores, _ = panel
    assume(qualities.min() >= offset)  # the harsh judge's totals stay on 0…100
    scores[99] = [v - offset for v in scores[1]]
    calibration = by_judge(calibrate_totals(*totals_of(scores)))
    assert calibration[99].mean_flag
    assert calibration[99].offset < 0
    assert not calibration[99].agreement_flag  # the same order, only lower
    assert [j for j, line in calibration.items() if line.mean_flag] == [99]


@FAST
@given(panels())
def test_a_planted_random_judge_is_flagged_for_agreement(panel):
    qualities, scores, rng = panel
    random_scores = rng.uniform(qualities.min(), qualities.max(), size=len(qualities))
    # Independent of quality: a draw that happens to follow it closely is no random judge.
    assume(abs(spearman(random_scores, qualities)) < 0.3)
    scores[99] = random_scores.tolist()
    calibration = by_judge(calibrate_totals(*totals_of(scores)))
    assert calibration[99].agreement_flag
    assert [j for j, line in calibration.items() if line.agreement_flag] == [99]


def test_a_judge_ordering_entries_backwards_has_negative_agreement():
    scores = {j: [10.0 * i + j for i in range(10)] for j in range(1, 5)}
    scores[5] = list(reversed(scores[1]))
    line = by_judge(calibrate_totals(*totals_of(scores)))[5]
    assert line.agreement == -1.0
    assert line.agreement_flag


def test_tiny_panels_and_few_shared_entries_are_not_enough_data_not_flags():
    two_judges = {1: [50.0, 60, 70, 80, 90, 55, 65, 75, 85, 95], 2: [0.0] * 10}
    lines = calibrate_totals(*totals_of(two_judges)).judges
    assert [line.state for line in lines] == [CalibrationState.NOT_ENOUGH_DATA] * 2
    assert all(line.offset is None and line.agreement is None for line in lines)

    few_entries = {1: [50.0, 60], 2: [52.0, 61], 3: [51.0, 59], 4: [0.0, 100]}
    lines = calibrate_totals(*totals_of(few_entries)).judges
    assert {line.state for line in lines} == {CalibrationState.NOT_ENOUGH_DATA}
    assert all(line.mean == line.mean for line in lines)  # mean and spread are still shown


def test_sheets_are_judged_by_their_weighted_totals():
    criteria = [CriterionSpec("a", 60, 0, 10), CriterionSpec("b", 40, 0, 10)]
    sheets = [
        Sheet(entry, judge, {"a": float(entry), "b": float(entry) - (judge == 4) * 6})
        for entry in range(1, 11)
        for judge in range(1, 5)
    ]
    lines = by_judge(calibrate_sheets(sheets, criteria))
    assert lines[1].mean == 55.0
    assert round(lines[4].offset, 6) == -24.0
    assert lines[4].mean_flag and not lines[1].mean_flag


def test_round_page_shows_the_calibration_table_and_explains_a_flag(competition, client, auth):
    comp = competition(entries=10, judges=4, k=4)
    assignment_services.assign_automatically(comp.round)
    harsh = comp.judges[3]
    for index, entry in enumerate(comp.entries):
        for judge in comp.judges:
            value = 9.5 - index * 0.5 - (4.0 if judge.id == harsh.id else 0.0)
            scoring_services.save_sheet(
                comp.round,
                entry.id,
                db.session.get(User, judge.id),
                values={str(c.id): value for c in comp.round.criteria},
                submit=True,
                client_id=new_client_id(),
            )
    db.session.commit()
    auth.login(comp.organizer)
    url = f"/manage/{comp.event.slug}/judging/rounds/{comp.round.id}/"
    page = client.get(f"{url}?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert comp.round.ranking_state != "published"
    assert 'id="calibration"' in html and "Judge calibration" in html
    assert "Harsher than the panel: on average 40.0 points below the other judges" in html
    assert html.count("in line with the panel") == 3
    assert "−1 reversed" in html
    chinese = client.get(f"{url}?lang=zh").get_data(as_text=True)
    assert "评委校准" in chinese and "比评审组严格：在相同项目上平均比其他评委低 40.0 分" in chinese


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=1, max_size=30))
def test_ties_share_the_mean_of_their_ranks(values):
    ranks = average_ranks(np.array(values, dtype=float))
    for value, rank in zip(values, ranks, strict=True):
        below = sum(v < value for v in values)
        tied = sum(v == value for v in values)
        assert rank == below + (tied + 1) / 2
