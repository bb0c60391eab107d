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
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from statistics import median

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


def zscore_values(sheets: Sequence[Sheet], criteria: Sequence[CriterionSpec]) -> list[Sheet]:
    """The sheets with every judge's scores standardised per criterion and mapped to its range."""
    by_judge: dict[int, list[Sheet]] = defaultdict(list)
    for sheet in sheets:
        by_judge[sheet.judge_id].append(sheet)
    normalised: list[Sheet] = []
    for judge_sheets in by_judge.values():
        n = len(judge_sheets)
        stats: dict[int, tuple[float, float]] = {}
        for criterion in criteria:
            cid = criterion.id
            column = [s.values.get(cid, criterion.min_score) for s in judge_sheets]
            mean = math.fsum(column) / n
            variance = math.fsum((v - mean) ** 2 for v in column) / n
            stats[cid] = (mean, math.sqrt(variance))
        for sheet in judge_sheets:
            values: dict[int, float] = {}
            for criterion in criteria:
                cid = criterion.id
                mean, std = stats[cid]
                z = (
                    0.0
                    if std <= 1e-12
                    else (sheet.values.get(cid, criterion.min_score) - mean) / std
                )
                middle = (criterion.min_score + criterion.max_score) / 2
                half = (criterion.max_score - criterion.min_score) / 2
                scaled = middle + half * z / Z_SPAN
                values[cid] = min(max(scaled, criterion.min_score), criterion.max_score)
            normalised.append(Sheet(sheet.entry_id, sheet.judge_id, values))
    return normalised


def _criterion_means(
    sheets: Sequence[Sheet], criteria: Sequence[CriterionSpec]
) -> dict[int, float]:
    return {
        c.id: math.fsum(s.values.get(c.id, c.min_score) for s in sheets) / len(sheets)
        for c in criteria
    }


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
    draw_positions = draw_positions or {}
    used = zscore_values(sheets, criteria) if method == ZSCORE else list(sheets)
    per_entry: dict[int, list[Sheet]] = defaultdict(list)
    for sheet in used:
        per_entry[sheet.entry_id].append(sheet)
    lines: list[RankedEntry] = []
    for entry_id in dict.fromkeys(entry_ids):
        entry_sheets = per_entry.get(entry_id, [])
        line = RankedEntry(entry_id, None, draw_position=draw_positions.get(entry_id))
        if entry_sheets:
            totals = {s.judge_id: weighted_total(s.values, criteria) for s in entry_sheets}
            values = list(totals.values())
            if method == TRIMMED_MEAN:
                score = trimmed_mean(values)
                line.trimmed = trimmed_judges(totals)
            else:
                score = math.fsum(values) / len(values)
            line.score = round(score, SCORE_DIGITS)
            line.judges = len(entry_sheets)
            line.totals = {j: round(t, SCORE_DIGITS) for j, t in totals.items()}
            line.criterion_means = {
                cid: round(v, SCORE_DIGITS)
                for cid, v in _criterion_means(entry_sheets, criteria).items()
            }
            line.median_total = round(median(values), SCORE_DIGITS)
        lines.append(line)

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


def compare_methods(
    entry_ids: Sequence[int],
    sheets: Sequence[Sheet],
    criteria: Sequence[CriterionSpec],
    *,
    tie_break_criteria: Sequence[int] = (),
    draw_positions: dict[int, int] | None = None,
) -> dict[str, Ranking]:
    """The rankings all three methods give, by method name."""
    return {
        method: rank_entries(
            entry_ids,
            sheets,
            criteria,
            method,
            tie_break_criteria=tie_break_criteria,
            draw_positions=draw_positions,
        )
        for method in METHODS
    }
