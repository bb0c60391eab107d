"""Aggregation of judges' scores into a ranking: plain functions on plain data, no database.

A judge's *total* for an entry is the weighted sum of the criterion scores, each scaled to
its range, so totals lie in 0…100 (weights add up to 100). Three ways to get an entry's score:

* weighted mean — the mean of the judges' totals;
* trimmed mean — the same after dropping the highest and the lowest total, when at least
  five judges scored (Chinese competition practice);
* z-score — every judge's scores per criterion are standardised over the entries that judge
  scored (removing a lenient or harsh judge's offset and spread), then mapped back onto the
  criterion's range (mean at the middle, ±3 standard deviations at the ends, clipped) before
  the weighted mean. A judge with a single entry, or all equal scores, gets the middle.

Ties (equal scores after rounding to SCORE_DIGITS) are broken by the criterion priority list
(higher mean of that criterion), then the higher median of the totals, then the draw order
(earlier first), and reported.
"""

from __future__ import annotations

import math
import operator
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, pairwise, repeat
from statistics import median

import numpy as np

WEIGHTED_MEAN = "weighted_mean"
TRIMMED_MEAN = "trimmed_mean"
ZSCORE = "zscore"
METHODS = (WEIGHTED_MEAN, TRIMMED_MEAN, ZSCORE)
TRIM_MIN_JUDGES = 5
SCORE_DIGITS = 6
Z_SPAN = 3.0  # standard deviations from the middle to either end of a criterion's range


@dataclass(frozen=True)
class CriterionSpec:
    """A criterion as aggregation needs it."""

    id: int
    weight: float
    min_score: float
    max_score: float


@dataclass(frozen=True)
class Sheet:
    """One judge's submitted scores for one entry: {criterion id: value}."""

    entry_id: int
    judge_id: int
    values: dict[int, float]


@dataclass
class RankedEntry:
    """One line of a ranking."""

    entry_id: int
    score: float | None
    rank: int | None = None
    judges: int = 0
    totals: dict[int, float] = field(default_factory=dict)  # judge id → total (method space)
    criterion_means: dict[int, float] = field(default_factory=dict)
    median_total: float | None = None
    draw_position: int | None = None
    trimmed: tuple[int, ...] = ()  # judges whose totals were dropped
    tie_group: int | None = None  # entries with the same score share a group number
    tie_broken_by: str | None = None  # "criterion:<id>", "median", "draw" or None
    assigned: int = 0  # judges assigned to the entry (set by the caller that knows them)

    @property
    def incomplete(self) -> bool:
        """Fewer submitted sheets than assigned judges: the score may still move."""
        return self.judges < self.assigned


@dataclass
class Tie:
    """Entries that had the same score, in the order the tie-break put them, and how."""

    entry_ids: list[int]
    score: float
    broken_by: list[str | None]


@dataclass
class Ranking:
    """A ranking by one method: the lines best first (unscored entries last) and the ties."""

    method: str
    entries: list[RankedEntry]
    ties: list[Tie]


def weighted_total(values: dict[int, float], criteria: Sequence[CriterionSpec]) -> float:
    """A judge's total for one entry on 0…100: each score scaled to its range, times its weight.

    Missing criteria count as their minimum.
    """
    total = 0.0
    for criterion in criteria:
        span = criterion.max_score - criterion.min_score
        value = values.get(criterion.id, criterion.min_score)
        fraction = (value - criterion.min_score) / span if span else 0.0
        total += criterion.weight * fraction
    return total


def trimmed_mean(totals: Sequence[float], min_judges: int = TRIM_MIN_JUDGES) -> float:
    """Mean of the totals after dropping one highest and one lowest (with ≥ min_judges)."""
    if not totals:
        raise ValueError("no totals")
    if len(totals) >= min_judges:
        ordered = sorted(totals)
        kept = ordered[1:-1]
        return sum(kept) / len(kept)
    return sum(totals) / len(totals)


def trimmed_judges(totals: dict[int, float], min_judges: int = TRIM_MIN_JUDGES) -> tuple[int, ...]:
    """The judges whose totals a trimmed mean drops: (lowest, highest), by judge id on ties."""
    if len(totals) < min_judges:
        return ()
    ordered = sorted(totals.items(), key=lambda item: (item[1], item[0]))
    return (ordered[0][0], ordered[-1][0])


def _rows(
    sheets: Sequence[Sheet], criteria: Sequence[CriterionSpec]
) -> list[tuple[Hashable, Hashable, list[float]]]:
    """(entry, judge, values in criterion order), a missing value counting as the minimum."""
    keys = [(c.id, c.min_score) for c in criteria]
    if len(keys) == 1:
        cid, low = keys[0]
        return [(s.entry_id, s.judge_id, [s.values.get(cid, low)]) for s in sheets]
    getter = operator.itemgetter(*(cid for cid, _ in keys))
    rows = []
    for s in sheets:
        try:
            values = list(getter(s.values))
        except KeyError:
            values = [s.values.get(cid, low) for cid, low in keys]
        rows.append((s.entry_id, s.judge_id, values))
    return rows


def _zscore_rows(
    rows: list[tuple[Hashable, Hashable, list[float]]], criteria: Sequence[CriterionSpec]
) -> list[tuple[Hashable, Hashable, list[float]]]:
    """Standardise every judge's columns and map them onto the criterion ranges (clipped)."""
    by_judge: dict[Hashable, list[tuple[Hashable, Hashable, list[float]]]] = defaultdict(list)
    for row in rows:
        by_judge[row[1]].append(row)
    out: list[tuple[Hashable, Hashable, list[float]]] = []
    for judge_rows in by_judge.values():
        n = len(judge_rows)
        # Per criterion the map is v ↦ a·v + b (then clipped): a = half-range / (3σ).
        coefficients = []
        for column, c in zip(zip(*(r[2] for r in judge_rows), strict=True), criteria, strict=True):
            mean = math.fsum(column) / n
            std = math.sqrt(math.fsum((v - mean) ** 2 for v in column) / n)
            middle = (c.min_score + c.max_score) / 2
            if std <= 1e-12:
                coefficients.append((0.0, middle, c.min_score, c.max_score))
            else:
                a = (c.max_score - c.min_score) / 2 / (std * Z_SPAN)
                coefficients.append((a, middle - a * mean, c.min_score, c.max_score))
        for entry_id, judge_id, values in judge_rows:
            scaled = [
                min(max(a * v + b, low), high)
                for v, (a, b, low, high) in zip(values, coefficients, strict=True)
            ]
            out.append((entry_id, judge_id, scaled))
    return out


def zscore_values(sheets: Sequence[Sheet], criteria: Sequence[CriterionSpec]) -> list[Sheet]:
    """The sheets with every judge's scores standardised per criterion and mapped to its range."""
    ids = [c.id for c in criteria]
    return [
        Sheet(entry_id, judge_id, dict(zip(ids, values, strict=True)))
        for entry_id, judge_id, values in _zscore_rows(_rows(sheets, criteria), criteria)
    ]


def _zscore_coefficients(
    rows: list[tuple[Hashable, Hashable, list[float]]], criteria: Sequence[CriterionSpec]
) -> dict[Hashable, tuple[list[tuple[float, float, float, float]], bool]]:
    """Per judge: the map v ↦ a·v + b of every criterion, and whether any value needs clipping."""
    by_judge: dict[Hashable, list[list[float]]] = defaultdict(list)
    for _, judge_id, values in rows:
        by_judge[judge_id].append(values)
    result = {}
    for judge_id, judge_values in by_judge.items():
        n = len(judge_values)
        coefficients = []
        clips = False
        for column, c in zip(zip(*judge_values, strict=True), criteria, strict=True):
            mean = math.fsum(column) / n
            deviations = [v - mean for v in column]
            std = math.sqrt(math.fsum(map(operator.mul, deviations, deviations)) / n)
            middle = (c.min_score + c.max_score) / 2
            if std <= 1e-12:
                a, b = 0.0, middle
            else:
                a = (c.max_score - c.min_score) / 2 / (std * Z_SPAN)
                b = middle - a * mean
                low, high = a * min(column) + b, a * max(column) + b
                clips = clips or low < c.min_score or high > c.max_score
            coefficients.append((a, b, c.min_score, c.max_score))
        result[judge_id] = (coefficients, clips)
    return result


def rank_entries(
    entry_ids: Iterable[int],
    sheets: Sequence[Sheet],
    criteria: Sequence[CriterionSpec],
    method: str = WEIGHTED_MEAN,
    *,
    tie_break_criteria: Sequence[int] = (),
    draw_positions: dict[int, int] | None = None,
) -> Ranking:
    """Rank the entries by one method with the deterministic tie-breaks; unscored entries last.

    Raises ValueError for an unknown method.
    """
    if method not in METHODS:
        raise ValueError(f"unknown aggregation method {method!r}")
    keys = [c.id for c in criteria]
    try:
        # Every sheet has every criterion (the usual case): one pass in C, no row lists.
        getter = operator.itemgetter(*keys) if len(keys) > 1 else None
        pick = (lambda v: (v[keys[0]],)) if getter is None else getter
        flat = np.fromiter(
            chain.from_iterable(map(pick, map(operator.attrgetter("values"), sheets))),
            dtype=np.float64,
            count=len(sheets) * len(keys),
        )
    except KeyError:
        flat = np.array([r[2] for r in _rows(sheets, criteria)], dtype=np.float64)
    return rank_matrix(
        entry_ids,
        list(map(operator.attrgetter("entry_id"), sheets)),
        list(map(operator.attrgetter("judge_id"), sheets)),
        flat.reshape(len(sheets), len(keys)),
        criteria,
        method,
        tie_break_criteria=tie_break_criteria,
        draw_positions=draw_positions,
        sheets=sheets,
    )


def _codes(ids: Sequence | np.ndarray) -> tuple[list, np.ndarray]:
    """The distinct ids in ascending order (as Python values) and every row's index among them."""
    array = np.asarray(ids)
    if array.ndim != 1 or array.dtype == object:
        distinct = sorted(set(ids))
        index = {key: i for i, key in enumerate(distinct)}
        return distinct, np.fromiter((index[k] for k in ids), dtype=np.intp, count=len(ids))
    if array.dtype.kind in "iu" and array.size and array.min() >= 0 and array.max() < 1 << 22:
        # Database ids: a lookup table is much faster than sorting.
        present = np.zeros(int(array.max()) + 1, dtype=bool)
        present[array] = True
        distinct = np.flatnonzero(present)
        code_of = np.cumsum(present) - 1
        return distinct.tolist(), code_of[array].astype(np.intp)
    distinct, codes = np.unique(array, return_inverse=True)
    return distinct.tolist(), codes.reshape(-1)


def _sequential_sum(matrix: np.ndarray) -> np.ndarray:
    """Row sums added left to right, exactly as Python's sum() of the row would add them."""
    if matrix.shape[1] == 0:
        return np.zeros(matrix.shape[0])
    total = matrix[:, 0].copy()
    for column in range(1, matrix.shape[1]):
        total += matrix[:, column]
    return total


def rank_matrix(
    entry_ids: Iterable[int],
    row_entries: Sequence | np.ndarray,
    row_judges: Sequence | np.ndarray,
    values: np.ndarray,
    criteria: Sequence[CriterionSpec],
    method: str = WEIGHTED_MEAN,
    *,
    tie_break_criteria: Sequence = (),
    draw_positions: dict | None = None,
    sheets: Sequence[Sheet] | None = None,
) -> Ranking:
    """rank_entries on a score matrix: one row per submitted sheet (its entry, its judge, its
    values in criterion order, a missing value already the criterion's minimum), vectorised.

    Every floating-point operation is the one rank_entries_reference does, in the same order
    (sums left to right, exact fsum for the z-score statistics), so scores, totals, means and
    medians are bit for bit the same and so is the ranking. Raises ValueError for an unknown
    method.
    """
    if method not in METHODS:
        raise ValueError(f"unknown aggregation method {method!r}")
    draw_positions = draw_positions or {}
    order = list(dict.fromkeys(entry_ids))
    n_rows, n_criteria = len(row_entries), len(criteria)
    values = np.asarray(values, dtype=np.float64).reshape(n_rows, n_criteria)
    entries, entry_codes = _codes(row_entries)
    judges, judge_codes = _codes(row_judges)
    pair = entry_codes * max(len(judges), 1) + judge_codes
    if n_rows and (
        np.bincount(pair).max() > 1
        if len(entries) * len(judges) <= 1 << 22
        else np.unique(pair).size != n_rows
    ):
        # A judge with two sheets for one entry: the row-by-row definition decides.
        if sheets is None:
            sheets = [
                Sheet(e, j, dict(zip([c.id for c in criteria], v, strict=True)))
                for e, j, v in zip(row_entries, row_judges, values.tolist(), strict=True)
            ]
        return rank_entries_reference(
            order,
            sheets,
            criteria,
            method,
            tie_break_criteria=tie_break_criteria,
            draw_positions=draw_positions,
        )
    factors = [
        c.weight / (c.max_score - c.min_score) if c.max_score != c.min_score else 0.0
        for c in criteria
    ]
    offset = sum(f * c.min_score for f, c in zip(factors, criteria, strict=True))
    position = {c.id: i for i, c in enumerate(criteria)}
    tie_positions = [(cid, position[cid]) for cid in tie_break_criteria if cid in position]
    if method != ZSCORE:
        totals = _sequential_sum(values * np.array(factors)) - offset
        tie_values = values[:, [i for _, i in tie_positions]]
    else:
        totals, tie_values = _zscore_totals(
            values, judge_codes, len(judges), criteria, factors, offset, tie_positions
        )
    # Lines in the given order; rows of entries not asked for are left out (after z-scores).
    line_of_entry = {entry: i for i, entry in enumerate(order)}
    entry_line = np.array([line_of_entry.get(e, -1) for e in entries], dtype=np.intp)
    row_lines = entry_line[entry_codes] if n_rows else np.zeros(0, dtype=np.intp)
    keep = np.nonzero(row_lines >= 0)[0]
    by_line = keep[np.argsort(row_lines[keep], kind="stable")]  # per line, in row order
    lines_sorted = row_lines[by_line]
    counts = np.bincount(lines_sorted, minlength=len(order))
    starts = np.concatenate(([0], np.cumsum(counts)))
    width = int(counts.max()) if len(order) and len(keep) else 0
    slot = np.arange(len(by_line)) - starts[lines_sorted]
    padded = np.zeros((len(order), width))
    padded[lines_sorted, slot] = totals[by_line]
    sums = _sequential_sum(padded)
    ordered = np.full((len(order), width), np.inf)
    ordered[lines_sorted, slot] = totals[by_line]
    ordered.sort(axis=1)
    means = []
    for k in range(len(tie_positions)):
        column = np.zeros((len(order), width))
        column[lines_sorted, slot] = tie_values[by_line, k]
        means.append(_sequential_sum(column))
    safe = np.maximum(counts, 1)
    scores = sums / safe
    middle = np.minimum(counts // 2, max(width - 1, 0))
    lines_index = np.arange(len(order))
    if width:
        upper = ordered[lines_index, middle]
        lower = ordered[lines_index, np.maximum(middle - 1, 0)]
        medians = np.where(counts % 2 == 1, upper, (lower + upper) / 2)
    else:
        medians = np.zeros(len(order))
    trimmed: dict[int, tuple] = {}
    if method == TRIMMED_MEAN:
        inner = np.zeros(len(order))
        for s in range(1, max(width - 1, 1)):
            inner += np.where(s <= counts - 2, ordered[:, s], 0.0)
        many = counts >= TRIM_MIN_JUDGES
        scores = np.where(many, inner / np.maximum(counts - 2, 1), scores)
        # Lowest and highest total of each line, judge id breaking equal totals.
        by_total = keep[np.lexsort((judge_codes[keep], totals[keep], row_lines[keep]))]
        first, last = starts[:-1], starts[1:] - 1
        judge_list = judge_codes[by_total].tolist()
        for i in np.nonzero(many)[0].tolist():
            trimmed[i] = (judges[judge_list[first[i]]], judges[judge_list[last[i]]])
    line_totals = list(map(round, totals[by_line].tolist(), repeat(SCORE_DIGITS)))
    line_judges = [judges[j] for j in judge_codes[by_line].tolist()]
    count_list, start_list = counts.tolist(), starts.tolist()
    score_list, median_list = scores.tolist(), medians.tolist()
    mean_lists = [(m / safe).tolist() for m in means]
    lines: list[RankedEntry] = []
    for i, entry_id in enumerate(order):
        line = RankedEntry(entry_id, None, draw_position=draw_positions.get(entry_id))
        n = count_list[i]
        if n:
            a, b = start_list[i], start_list[i + 1]
            line.score = round(score_list[i], SCORE_DIGITS)
            line.judges = n
            line.totals = dict(zip(line_judges[a:b], line_totals[a:b], strict=True))
            line.criterion_means = {
                cid: round(mean_lists[k][i], SCORE_DIGITS)
                for k, (cid, _) in enumerate(tie_positions)
            }
            line.median_total = round(median_list[i], SCORE_DIGITS)
            line.trimmed = trimmed.get(i, ())
        lines.append(line)
    return _finish(method, lines, tie_break_criteria)


def _zscore_totals(
    values: np.ndarray,
    judge_codes: np.ndarray,
    n_judges: int,
    criteria: Sequence[CriterionSpec],
    factors: list[float],
    offset: float,
    tie_positions: list[tuple[Hashable, int]],
) -> tuple[np.ndarray, np.ndarray]:
    """Every row's total and tie-break values in z-score space (see _zscore_coefficients)."""
    n_criteria = len(criteria)
    a_of = np.zeros((n_judges, n_criteria))
    b_of = np.zeros((n_judges, n_criteria))
    fold = np.zeros((n_judges, n_criteria))
    constant = np.zeros(n_judges)
    clipping = np.zeros(n_judges, dtype=bool)
    by_judge = np.argsort(judge_codes, kind="stable")
    bounds = np.searchsorted(judge_codes[by_judge], np.arange(n_judges + 1)).tolist()
    for j in range(n_judges):
        block = values[by_judge[bounds[j] : bounds[j + 1]]]
        n = block.shape[0]
        clips = False
        for k, c in enumerate(criteria):
            column = block[:, k]
            mean = math.fsum(column.tolist()) / n
            deviations = column - mean
            std = math.sqrt(math.fsum((deviations * deviations).tolist()) / n)
            middle = (c.min_score + c.max_score) / 2
            if std <= 1e-12:
                a, b = 0.0, middle
            else:
                a = (c.max_score - c.min_score) / 2 / (std * Z_SPAN)
                b = middle - a * mean
                low, high = a * float(column.min()) + b, a * float(column.max()) + b
                clips = clips or low < c.min_score or high > c.max_score
            a_of[j, k], b_of[j, k] = a, b
            fold[j, k] = factors[k] * a
        clipping[j] = clips
        constant[j] = sum(f * b for f, b in zip(factors, b_of[j].tolist(), strict=True)) - offset
    lows = np.array([c.min_score for c in criteria], dtype=np.float64)
    highs = np.array([c.max_score for c in criteria], dtype=np.float64)
    scaled = np.minimum(np.maximum(a_of[judge_codes] * values + b_of[judge_codes], lows), highs)
    linear = _sequential_sum(values * fold[judge_codes]) + constant[judge_codes]
    clipped = _sequential_sum(scaled * np.array(factors)) - offset
    totals = np.where(clipping[judge_codes], clipped, linear)
    return totals, scaled[:, [i for _, i in tie_positions]]


def rank_entries_reference(
    entry_ids: Iterable[int],
    sheets: Sequence[Sheet],
    criteria: Sequence[CriterionSpec],
    method: str = WEIGHTED_MEAN,
    *,
    tie_break_criteria: Sequence[int] = (),
    draw_positions: dict[int, int] | None = None,
) -> Ranking:
    """rank_entries in plain Python, row by row: the definition the vectorised one follows
    operation for operation (also used when a judge has two sheets for one entry).

    Raises ValueError for an unknown method.
    """
    if method not in METHODS:
        raise ValueError(f"unknown aggregation method {method!r}")
    draw_positions = draw_positions or {}
    rows = _rows(sheets, criteria)
    factors = [
        c.weight / (c.max_score - c.min_score) if c.max_score != c.min_score else 0.0
        for c in criteria
    ]
    offset = sum(f * c.min_score for f, c in zip(factors, criteria, strict=True))
    # Only the tie-break criteria's means are needed (in the method's space).
    position = {c.id: i for i, c in enumerate(criteria)}
    tie_positions = [(cid, position[cid]) for cid in tie_break_criteria if cid in position]
    # Every judge's total is linear in the scores: weights (and, for z-scores, the judge's
    # standardisation) fold into one factor per criterion plus a constant, unless clipped.
    linear: dict[Hashable, tuple[list[float], float]] = {}
    coefficients: dict = {}
    if method == ZSCORE:
        coefficients = _zscore_coefficients(rows, criteria)
        for judge_id, (coefs, clips) in coefficients.items():
            if not clips:
                linear[judge_id] = (
                    [f * a for f, (a, _, _, _) in zip(factors, coefs, strict=True)],
                    sum(f * b for f, (_, b, _, _) in zip(factors, coefs, strict=True)) - offset,
                )
    per_entry: dict[Hashable, list[tuple[Hashable, float, list[float]]]] = defaultdict(list)
    for entry_id, judge_id, values in rows:
        if method != ZSCORE:
            total = sum(map(operator.mul, values, factors)) - offset
            tie_values = [values[i] for _, i in tie_positions]
        else:
            coefs = coefficients[judge_id][0]
            fold = linear.get(judge_id)
            if fold is not None:
                total = sum(map(operator.mul, values, fold[0])) + fold[1]
            else:
                scaled = [
                    min(max(a * v + b, low), high)
                    for v, (a, b, low, high) in zip(values, coefs, strict=True)
                ]
                total = sum(map(operator.mul, scaled, factors)) - offset
            tie_values = []
            for _, i in tie_positions:
                a, b, low, high = coefs[i]
                tie_values.append(min(max(a * values[i] + b, low), high))
        per_entry[entry_id].append((judge_id, total, tie_values))
    lines: list[RankedEntry] = []
    for entry_id in dict.fromkeys(entry_ids):
        entry_rows = per_entry.get(entry_id)
        line = RankedEntry(entry_id, None, draw_position=draw_positions.get(entry_id))
        if entry_rows:
            n = len(entry_rows)
            totals = {judge_id: total for judge_id, total, _ in entry_rows}
            values = list(totals.values())
            if method == TRIMMED_MEAN:
                score = trimmed_mean(values)
                line.trimmed = trimmed_judges(totals)
            else:
                score = sum(values) / n
            line.score = round(score, SCORE_DIGITS)
            line.judges = n
            line.totals = {j: round(t, SCORE_DIGITS) for j, t in totals.items()}
            line.criterion_means = {
                cid: round(sum(r[2][k] for r in entry_rows) / n, SCORE_DIGITS)
                for k, (cid, _) in enumerate(tie_positions)
            }
            line.median_total = round(median(values), SCORE_DIGITS)
        lines.append(line)
    return _finish(method, lines, tie_break_criteria)


def _finish(method: str, lines: list[RankedEntry], tie_break_criteria: Sequence) -> Ranking:
    """Sort the lines with the deterministic tie-breaks, mark the ties and number the ranks."""
    far = float("inf")

    def key(line: RankedEntry) -> tuple:
        return (
            line.score is None,
            -(line.score or 0.0),
            *(-line.criterion_means.get(cid, 0.0) for cid in tie_break_criteria),
            -(line.median_total or 0.0),
            line.draw_position if line.draw_position is not None else far,
            line.entry_id,
        )

    lines.sort(key=key)
    ties = _mark_ties(lines, tie_break_criteria)
    rank = 0
    for index, line in enumerate(lines, start=1):
        if line.score is not None:
            rank = index
            line.rank = rank
    return Ranking(method, lines, ties)


def _mark_ties(lines: list[RankedEntry], tie_break_criteria: Sequence[int]) -> list[Tie]:
    """Group equal scores and record which tie-break separated each line from the one above."""
    ties: list[Tie] = []
    start = 0
    while start < len(lines):
        end = start + 1
        while (
            end < len(lines)
            and lines[start].score is not None
            and lines[end].score == lines[start].score
        ):
            end += 1
        if end - start > 1:
            group = lines[start:end]
            broken_by: list[str | None] = [None]
            for above, below in pairwise(group):
                broken_by.append(_separated_by(above, below, tie_break_criteria))
            for line, reason in zip(group, broken_by, strict=True):
                line.tie_group = len(ties) + 1
                line.tie_broken_by = reason
            ties.append(Tie([line.entry_id for line in group], group[0].score or 0.0, broken_by))
        start = end
    return ties


def _separated_by(above: RankedEntry, below: RankedEntry, tie_break_criteria: Sequence[int]) -> str:
    for cid in tie_break_criteria:
        if above.criterion_means.get(cid) != below.criterion_means.get(cid):
            return f"criterion:{cid}"
    if above.median_total != below.median_total:
        return "median"
    if above.draw_position != below.draw_position:
        return "draw"
    return "id"
