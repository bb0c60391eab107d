"""Judge calibration: per judge and round, how their weighted totals sit beside the rest of the
panel's on the same entries — for the organizer, before results are published.

For every judge, over the entries they submitted:

* mean and spread — the mean and the (population) standard deviation of their totals (0…100);
* compared entries — those that at least two *other* judges also submitted (with one other
  judge nobody can tell which of the two stands apart);
* offset — the mean, over the compared entries, of the judge's total minus the mean of the
  other judges' totals on that entry (leave-one-out: the judge is never compared with itself);
* panel spread — how far the other judges' totals lie from their own mean on an entry, pooled
  over the compared entries (the standard deviation of a total around the entry's panel mean);
* agreement — Spearman's rank correlation between the judge's totals and the other judges'
  mean totals on the compared entries. Spearman rather than Kendall: it is Pearson's
  correlation of the (mid-)ranks, so ties are handled and all judges of a large round are
  ranked in O(n log n) with numpy, and organizers read it like any correlation (1 same order,
  0 unrelated, −1 reversed); for flagging a judge both say the same.

A judge is flagged

* for the mean when |offset| > 2 × max(panel spread, 2.5 points), with at least
  MIN_OFFSET_ENTRIES compared entries. The panel spread is taken from the *other* judges, so
  a far-off judge cannot hide by inflating it (which an inclusive standard deviation allows:
  with 4 judges one outlier can never be 2 of their standard deviations away); the floor keeps
  a panel that agrees almost exactly from flagging a judge a point or two apart;
* for agreement when, with at least MIN_AGREEMENT_ENTRIES compared entries, the correlation
  is negative (the judge orders the entries against the panel) or lies more than
  AGREEMENT_GAP below the median agreement of the other judges (scores that do not follow
  what the rest of the panel sees, as a judge scoring at random).

With fewer compared entries the state is *not enough data*, never a flag made of noise.
Plain functions over plain data; `round_calibration` reads a round's submitted sheets.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from app.extensions import db
from app.judging import aggregation
from app.judging.models import Round
from app.judging.ranking_cache import cached_calibration, store_calibration
from app.judging.ranking_services import round_score_rows
from app.judging.round_services import criterion_specs

MEAN_FLAG_SPREADS = 2.0
MIN_PANEL_SPREAD = 2.5  # points of 0…100: the mean flag needs at least 5 points of offset
MIN_OTHER_JUDGES = 2
MIN_OFFSET_ENTRIES = 3
MIN_AGREEMENT_ENTRIES = 8
AGREEMENT_GAP = 0.5
# What the organizer's page quotes when it explains the flags.
LIMITS = {
    "spreads": MEAN_FLAG_SPREADS,
    "min_offset": MEAN_FLAG_SPREADS * MIN_PANEL_SPREAD,
    "other_judges": MIN_OTHER_JUDGES,
    "offset_entries": MIN_OFFSET_ENTRIES,
    "agreement_entries": MIN_AGREEMENT_ENTRIES,
    "gap": AGREEMENT_GAP,
}


class CalibrationState(enum.StrEnum):
    """What calibration says about one judge."""

    OK = "ok"
    FLAGGED = "flagged"
    NOT_ENOUGH_DATA = "not_enough_data"


@dataclass(frozen=True)
class JudgeCalibration:
    """One judge's figures in a round (None where there is not enough data)."""

    judge_id: int
    entries: int
    mean: float
    spread: float
    compared: int
    offset: float | None
    panel_spread: float | None
    agreement: float | None
    panel_agreement: float | None  # the median agreement of the other judges
    mean_flag: bool
    agreement_flag: bool

    @property
    def state(self) -> CalibrationState:
        """Flagged, fine, or too few compared entries to tell."""
        if self.mean_flag or self.agreement_flag:
            return CalibrationState.FLAGGED
        if self.offset is None or self.agreement is None:
            return CalibrationState.NOT_ENOUGH_DATA
        return CalibrationState.OK

    @property
    def mean_threshold(self) -> float | None:
        """How far off the judge's offset may be before the mean flag."""
        if self.panel_spread is None:
            return None
        return MEAN_FLAG_SPREADS * max(self.panel_spread, MIN_PANEL_SPREAD)


@dataclass(frozen=True)
class Calibration:
    """A round's calibration: one line per judge who submitted, by judge id."""

    judges: list[JudgeCalibration]

    @property
    def flagged(self) -> list[JudgeCalibration]:
        """The judges whose scores stand apart."""
        return [j for j in self.judges if j.state == CalibrationState.FLAGGED]


def average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, tied values sharing the mean of their ranks."""
    values = np.asarray(values, dtype=np.float64)
    return column_ranks(values[:, None], np.ones((values.size, 1), dtype=bool))[:, 0]


def column_ranks(matrix: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Every column's 1-based average ranks among its cells in `mask` (NaN elsewhere), all
    columns sorted at once."""
    ranks = np.full(matrix.shape, np.nan)
    rows, cols = np.nonzero(mask)
    if rows.size == 0:
        return ranks
    values = matrix[rows, cols]
    order = np.lexsort((values, cols))
    values, cols_sorted = values[order], cols[order]
    index = np.arange(values.size)
    new_column = np.r_[True, cols_sorted[1:] != cols_sorted[:-1]]
    new_group = new_column | np.r_[True, values[1:] != values[:-1]]
    column_first = np.maximum.accumulate(np.where(new_column, index, 0))
    group_first = np.maximum.accumulate(np.where(new_group, index, 0))
    group_size = np.bincount(np.cumsum(new_group) - 1)[np.cumsum(new_group) - 1]
    ranks[rows[order], cols_sorted] = group_first - column_first + (group_size + 1) / 2.0
    return ranks


def _masked_correlations(x: np.ndarray, y: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Pearson's correlation of every column pair over the masked cells (NaN if constant)."""
    n = mask.sum(axis=0)
    safe = np.maximum(n, 1)
    dx = np.where(mask, x - np.where(mask, x, 0).sum(axis=0) / safe, 0.0)
    dy = np.where(mask, y - np.where(mask, y, 0).sum(axis=0) / safe, 0.0)
    norm = np.sqrt((dx * dx).sum(axis=0) * (dy * dy).sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (dx * dy).sum(axis=0) / norm
    return np.where(norm > 1e-12, np.clip(r, -1.0, 1.0), np.nan)


def spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    """Spearman's rank correlation of two samples, None when either is constant."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    mask = np.ones((x.size, 1), dtype=bool)
    r = _masked_correlations(column_ranks(x[:, None], mask), column_ranks(y[:, None], mask), mask)
    return None if np.isnan(r[0]) else float(r[0])


def median(values: Sequence[float]) -> float:
    """The median of a non-empty sequence."""
    return float(np.median(np.asarray(values, dtype=np.float64)))


def calibrate_totals(
    entry_ids: Sequence | np.ndarray,
    judge_ids: Sequence | np.ndarray,
    totals: Sequence[float] | np.ndarray,
) -> Calibration:
    """Calibration from one total per submitted sheet (its entry, its judge, its total);
    every judge at once on the entry × judge matrix."""
    totals = np.asarray(totals, dtype=np.float64)
    if totals.size == 0:
        return Calibration([])
    _, entry_codes = np.unique(np.asarray(entry_ids), return_inverse=True)
    judges, judge_codes = np.unique(np.asarray(judge_ids), return_inverse=True)
    entry_codes, judge_codes = entry_codes.reshape(-1), judge_codes.reshape(-1)
    shape = (int(entry_codes.max()) + 1, len(judges))
    # The entry × judge matrix of totals (a judge's later sheet for the same entry wins).
    present = np.zeros(shape, dtype=bool)
    matrix = np.zeros(shape)
    present[entry_codes, judge_codes] = True
    matrix[entry_codes, judge_codes] = totals
    count = present.sum(axis=1, keepdims=True)
    row_sum = matrix.sum(axis=1, keepdims=True)
    row_squares = (matrix * matrix).sum(axis=1, keepdims=True)

    # Leave-one-out, per cell: the other judges of the entry, their mean and squares around it.
    others = np.broadcast_to(count - 1, shape)
    compared = present & (others >= MIN_OTHER_JUDGES)
    safe_others = np.where(compared, others, 2)
    others_sum = row_sum - matrix
    others_mean = np.where(compared, others_sum / safe_others, 0.0)
    squares = np.where(compared, (row_squares - matrix * matrix) - others_sum * others_mean, 0.0)
    n = compared.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        offsets = np.where(compared, matrix - others_mean, 0.0).sum(axis=0) / n
        spreads = np.sqrt(
            np.maximum(squares.sum(axis=0), 0.0)
            / np.where(compared, safe_others - 1, 0).sum(axis=0)
        )
        sheets = present.sum(axis=0)
        means = np.where(present, matrix, 0.0).sum(axis=0) / sheets
        deviations = np.where(present, matrix - means, 0.0)
        judge_spreads = np.sqrt((deviations * deviations).sum(axis=0) / sheets)
    agreements = _masked_correlations(
        column_ranks(matrix, compared), column_ranks(others_mean, compared), compared
    )
    agreements = np.where(n >= MIN_AGREEMENT_ENTRIES, agreements, np.nan)

    known = [None if np.isnan(a) else float(a) for a in agreements]
    result = []
    for j, judge_id in enumerate(judges.tolist()):
        enough = n[j] >= MIN_OFFSET_ENTRIES
        offset = float(offsets[j]) if enough else None
        panel_spread = float(spreads[j]) if enough else None
        others_agreement = [a for i, a in enumerate(known) if i != j and a is not None]
        panel_agreement = (
            median(others_agreement) if len(others_agreement) >= MIN_OTHER_JUDGES else None
        )
        agreement = known[j]
        result.append(
            JudgeCalibration(
                judge_id=judge_id,
                entries=int(sheets[j]),
                mean=float(means[j]),
                spread=float(judge_spreads[j]),
                compared=int(n[j]),
                offset=offset,
                panel_spread=panel_spread,
                agreement=agreement,
                panel_agreement=panel_agreement,
                mean_flag=offset is not None
                and panel_spread is not None
                and abs(offset) > MEAN_FLAG_SPREADS * max(panel_spread, MIN_PANEL_SPREAD),
                agreement_flag=agreement is not None
                and (
                    agreement < 0
                    or (panel_agreement is not None and agreement < panel_agreement - AGREEMENT_GAP)
                ),
            )
        )
    return Calibration(result)


def calibrate_sheets(
    sheets: Sequence[aggregation.Sheet], criteria: Sequence[aggregation.CriterionSpec]
) -> Calibration:
    """Calibration from submitted sheets, each judged by its weighted total."""
    return calibrate_totals(
        [s.entry_id for s in sheets],
        [s.judge_id for s in sheets],
        [aggregation.weighted_total(s.values, criteria) for s in sheets],
    )


def matrix_totals(values: np.ndarray, criteria: Sequence[aggregation.CriterionSpec]) -> np.ndarray:
    """Every row's weighted total (0…100) of a score matrix whose columns follow the criteria."""
    if not criteria:
        return np.zeros(values.shape[0])
    low = np.array([c.min_score for c in criteria], dtype=np.float64)
    span = np.array([c.max_score - c.min_score for c in criteria], dtype=np.float64)
    weight = np.array([c.weight for c in criteria], dtype=np.float64)
    scale = np.divide(weight, span, out=np.zeros_like(weight), where=span != 0)
    return (values - low) @ scale


def round_calibration(round_: Round) -> Calibration:
    """A round's calibration from its submitted sheets, cached per score version."""
    version = db.session.scalar(select(Round.score_version).where(Round.id == round_.id)) or 0
    cached = cached_calibration(round_.id, version)
    if cached is not None:
        return cached
    criteria = criterion_specs(round_)
    rows = round_score_rows(round_, version, criteria)
    calibration = calibrate_totals(
        rows.entry_ids, rows.judge_ids, matrix_totals(rows.values, criteria)
    )
    store_calibration(round_.id, version, calibration)
    return calibration
