"""Rounds and their criteria: settings, weights that add up to 100, the entries taking part.
Flushes, never commits; refusals raise JudgingError.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from app.events.models import Event
from app.extensions import db
from app.judging import aggregation
from app.judging.errors import JudgingError
from app.judging.models import (
    AdvancementRule,
    AggregationMethod,
    Assignment,
    Criterion,
    CriterionLevel,
    Eligibility,
    Entry,
    Round,
    RoundEntry,
    RoundKind,
    ScoreSheet,
    SheetStatus,
)
from app.judging.ranking_cache import bump_score_version, invalidate_ranking
from app.translated import Translated, translated

MAX_CRITERIA = 12
MAX_LEVELS = 8
MAX_JUDGES_PER_ENTRY = 50


@dataclass
class LevelData:
    """One rubric band: scores low–high, a short title and what earns it."""

    low: float
    high: float
    title: Translated = field(default_factory=Translated)
    descriptor: Translated = field(default_factory=Translated)


@dataclass
class CriterionData:
    """One criterion row of the round form; `description` and `levels` None keep the rubric."""

    name: Translated
    weight: int
    min_score: float = 0
    max_score: float = 10
    step: float = 0.5
    description: Translated | None = None
    levels: list[LevelData] | None = None
    # The languages the row was written in (a form's fields); texts in other languages stay as
    # they are, so removing a language from the event's list loses nothing already written.
    # None: the row speaks for every language.
    languages: tuple[str, ...] | None = None


def _merged(old: Translated | None, new: object, languages: tuple[str, ...] | None) -> Translated:
    """`new`, plus `old`'s texts in languages `new` was not written in."""
    new = translated(new)
    if languages is None:
        return new
    kept = {k: text for k, text in translated(old).items() if k not in languages}
    return Translated({**kept, **new})


@dataclass
class RoundData:
    """A round's settings as the organizer enters them."""

    name: Translated
    kind: RoundKind
    judges_per_entry: int = 3
    aggregation: AggregationMethod = AggregationMethod.WEIGHTED_MEAN
    advancement_rule: AdvancementRule = AdvancementRule.TOP_N
    advancement_value: float = 10
    pitch_seconds: int = 480
    qa_seconds: int = 420
    criteria: list[CriterionData] = field(default_factory=list)
    # Positions (0-based) in `criteria`, most important first, for tie-breaks.
    tie_break_positions: list[int] = field(default_factory=list)
    # The languages the form showed (see CriterionData.languages); None: every language.
    languages: tuple[str, ...] | None = None


def check_criteria(criteria: list[CriterionData]) -> None:
    """Raise JudgingError unless the criteria are named, ranged and their weights add up to 100."""
    if not criteria:
        raise JudgingError(_l("Add at least one criterion."), field_name="criteria")
    if len(criteria) > MAX_CRITERIA:
        raise JudgingError(
            _l("A round can have at most %(n)d criteria.", n=MAX_CRITERIA), field_name="criteria"
        )
    for c in criteria:
        if not translated(c.name):
            raise JudgingError(_l("Every criterion needs a name."), field_name="criteria")
        if c.weight <= 0:
            raise JudgingError(
                _l("Every criterion needs a weight above zero."), field_name="criteria"
            )
        if not (math.isfinite(c.min_score) and math.isfinite(c.max_score)) or (
            c.max_score <= c.min_score
        ):
            raise JudgingError(
                _l("A criterion's maximum score must be above its minimum."),
                field_name="criteria",
            )
        if not (c.step > 0 and math.isfinite(c.step)) or c.step > c.max_score - c.min_score:
            raise JudgingError(_l("A criterion's step must fit its range."), field_name="criteria")
        if c.levels is not None:
            check_levels(c.min_score, c.max_score, c.levels)
    total = sum(c.weight for c in criteria)
    if total != 100:
        raise JudgingError(
            _l("The weights add up to %(total)d; they must add up to 100.", total=total),
            field_name="criteria",
        )


def check_levels(min_score: float, max_score: float, levels: list[LevelData]) -> None:
    """Raise JudgingError unless the bands lie in the range, in order, without overlapping, and
    each says what earns it."""
    if len(levels) > MAX_LEVELS:
        raise JudgingError(
            _l("A rubric can have at most %(n)d levels.", n=MAX_LEVELS), field_name="levels"
        )
    previous_high = None
    for level in sorted(levels, key=lambda lv: lv.low):
        if not (math.isfinite(level.low) and math.isfinite(level.high)) or level.low > level.high:
            raise JudgingError(
                _l("A level's lowest score must not be above its highest."), field_name="levels"
            )
        if level.low < min_score or level.high > max_score:
            raise JudgingError(
                _l(
                    "Every level must lie within the criterion's range %(low)s–%(high)s.",
                    low=f"{min_score:g}",
                    high=f"{max_score:g}",
                ),
                field_name="levels",
            )
        if previous_high is not None and level.low <= previous_high:
            raise JudgingError(_l("Levels must not overlap."), field_name="levels")
        if not translated(level.descriptor):
            raise JudgingError(
                _l("Every level needs a description of what earns it."), field_name="levels"
            )
        previous_high = level.high


def _apply_rubric(criterion: Criterion, row: CriterionData) -> None:
    """Copy the row's rubric onto the criterion; levels that no longer fit its range go."""
    if row.description is not None:
        criterion.description = _merged(criterion.description, row.description, row.languages)
    if row.levels is not None:
        # Levels are matched by position for the texts of languages the row was not written in.
        old = list(criterion.levels)
        criterion.levels = [
            CriterionLevel(
                low=float(level.low),
                high=float(level.high),
                title=_merged(
                    old[i].title if i < len(old) else Translated(), level.title, row.languages
                ),
                descriptor=_merged(
                    old[i].descriptor if i < len(old) else Translated(),
                    level.descriptor,
                    row.languages,
                ),
            )
            for i, level in enumerate(sorted(row.levels, key=lambda lv: lv.low))
        ]
    else:
        criterion.levels = [
            level
            for level in criterion.levels
            if criterion.min_score <= level.low and level.high <= criterion.max_score
        ]


def set_rubric(
    criterion: Criterion,
    description: Translated,
    levels: list[LevelData],
    languages: tuple[str, ...] | None = None,
) -> None:
    """Replace a criterion's rubric (allowed while scoring: it changes no score); with
    `languages`, texts in other languages are kept (see CriterionData.languages)."""
    check_levels(criterion.min_score, criterion.max_score, levels)
    _apply_rubric(
        criterion,
        CriterionData(
            name=criterion.name,
            weight=criterion.weight,
            description=description,
            levels=levels,
            languages=languages,
        ),
    )
    db.session.flush()
    invalidate_ranking(criterion.round)


def _check_round_data(data: RoundData) -> None:
    if not translated(data.name):
        raise JudgingError(_l("Give the round a name."), field_name="name")
    if not 1 <= data.judges_per_entry <= MAX_JUDGES_PER_ENTRY:
        raise JudgingError(
            _l("Judges per entry must be between 1 and %(n)d.", n=MAX_JUDGES_PER_ENTRY),
            field_name="judges_per_entry",
        )
    if data.advancement_rule == AdvancementRule.THRESHOLD:
        if not 0 <= data.advancement_value <= 100:
            raise JudgingError(
                _l("The threshold is a score between 0 and 100."), field_name="advancement_value"
            )
    elif data.advancement_value < 1 or data.advancement_value != int(data.advancement_value):
        raise JudgingError(
            _l("The number of entries that go through must be a whole number of at least 1."),
            field_name="advancement_value",
        )
    check_criteria(data.criteria)


def scoring_started(round_: Round) -> bool:
    """True once any sheet of the round exists (criteria shape and auto-assignment freeze)."""
    return (
        db.session.scalar(select(ScoreSheet.id).where(ScoreSheet.round_id == round_.id).limit(1))
        is not None
    )


def _apply_round(round_: Round, data: RoundData) -> None:
    _check_round_data(data)
    round_.name = _merged(round_.name, data.name, data.languages)
    round_.kind = data.kind
    round_.judges_per_entry = data.judges_per_entry
    round_.aggregation = data.aggregation
    round_.advancement_rule = data.advancement_rule
    round_.advancement_value = data.advancement_value
    round_.pitch_seconds = data.pitch_seconds
    round_.qa_seconds = data.qa_seconds
    same_shape = [(c.weight, c.min_score, c.max_score, c.step) for c in round_.criteria] == [
        (c.weight, float(c.min_score), float(c.max_score), float(c.step)) for c in data.criteria
    ]
    if round_.id is not None and not same_shape and scoring_started(round_):
        raise JudgingError(
            _l("Scoring has started: criteria weights and ranges can no longer change."),
            status=409,
            field_name="criteria",
        )
    # Criteria are matched by position, so a renamed or re-weighted criterion keeps its id and
    # its rubric; rows beyond the new list go, new rows are added.
    existing = list(round_.criteria)
    del round_.criteria[len(data.criteria) :]
    for position, row in enumerate(data.criteria):
        if position < len(existing):
            criterion = existing[position]
        else:
            criterion = Criterion(position=position)
            round_.criteria.append(criterion)
        criterion.name = _merged(criterion.name, row.name, row.languages)
        criterion.weight = row.weight
        criterion.min_score = float(row.min_score)
        criterion.max_score = float(row.max_score)
        criterion.step = float(row.step)
        criterion.position = position
        _apply_rubric(criterion, row)
    db.session.flush()
    round_.tie_break_criteria = [
        round_.criteria[p].id for p in data.tie_break_positions if 0 <= p < len(round_.criteria)
    ]
    invalidate_ranking(round_)


def create_round(event: Event, data: RoundData) -> Round:
    """Create a round with its criteria; raises JudgingError for bad settings or weights."""
    position = (
        db.session.scalar(select(func.max(Round.position)).where(Round.event_id == event.id)) or 0
    ) + 1
    round_ = Round(event_id=event.id, name=Translated(), kind=data.kind, position=position)
    db.session.add(round_)
    _apply_round(round_, data)
    return round_


def update_round(round_: Round, data: RoundData) -> None:
    """Change a round's settings; weights and ranges are fixed once scoring has started."""
    _apply_round(round_, data)


def list_rounds(event: Event) -> list[Round]:
    """The event's rounds in order."""
    return db.session.scalars(
        select(Round).where(Round.event_id == event.id).order_by(Round.position, Round.id)
    ).all()


def get_round(event: Event, round_id: int) -> Round | None:
    """The event's round with this id, or None."""
    round_ = db.session.get(Round, round_id)
    return round_ if round_ is not None and round_.event_id == event.id else None


def next_round(round_: Round) -> Round | None:
    """The round after this one, if any."""
    return db.session.scalar(
        select(Round)
        .where(Round.event_id == round_.event_id, Round.position > round_.position)
        .order_by(Round.position, Round.id)
        .limit(1)
    )


def round_entries(round_: Round) -> list[Entry]:
    """The entries in a round, in pitch order once drawn, else by title."""
    rows = db.session.execute(
        select(RoundEntry, Entry)
        .join(Entry, Entry.id == RoundEntry.entry_id)
        .where(RoundEntry.round_id == round_.id)
    ).all()
    rows = sorted(
        rows,
        key=lambda row: (
            row[0].draw_position is None,
            row[0].draw_position or 0,
            row[1].title_en.casefold(),
        ),
    )
    return [entry for _, entry in rows]


def add_entries_to_round(round_: Round, entry_ids: list[int]) -> int:
    """Put entries (eligible ones only) into a round; returns how many were added."""
    existing = set(
        db.session.scalars(select(RoundEntry.entry_id).where(RoundEntry.round_id == round_.id))
    )
    added = 0
    for entry_id in dict.fromkeys(entry_ids):
        entry = db.session.get(Entry, entry_id)
        if entry is None or entry.event_id != round_.event_id:
            raise JudgingError(_l("No such entry."), status=404)
        if entry.eligibility != Eligibility.ELIGIBLE:
            raise JudgingError(
                _l(
                    "Only eligible entries can take part in a round: %(title)s.",
                    title=entry.title_en,
                )
            )
        if entry_id not in existing:
            db.session.add(RoundEntry(round_id=round_.id, entry_id=entry_id))
            added += 1
    db.session.flush()
    bump_score_version(round_)
    return added


def add_eligible_entries(round_: Round) -> int:
    """Put every eligible entry of the event into the round; returns how many were added."""
    ids = db.session.scalars(
        select(Entry.id).where(
            Entry.event_id == round_.event_id, Entry.eligibility == Eligibility.ELIGIBLE
        )
    ).all()
    return add_entries_to_round(round_, list(ids))


def remove_entry_from_round(round_: Round, entry_id: int) -> None:
    """Take an entry out of a round; refused (409) once it has submitted scores."""
    submitted = db.session.scalar(
        select(ScoreSheet.id).where(
            ScoreSheet.round_id == round_.id,
            ScoreSheet.entry_id == entry_id,
            ScoreSheet.status == SheetStatus.SUBMITTED,
        )
    )
    if submitted:
        raise JudgingError(_l("This entry already has submitted scores."), status=409)
    db.session.execute(
        delete(Assignment).where(Assignment.round_id == round_.id, Assignment.entry_id == entry_id)
    )
    db.session.execute(
        delete(ScoreSheet).where(ScoreSheet.round_id == round_.id, ScoreSheet.entry_id == entry_id)
    )
    db.session.execute(
        delete(RoundEntry).where(RoundEntry.round_id == round_.id, RoundEntry.entry_id == entry_id)
    )
    db.session.flush()
    bump_score_version(round_)  # its assignments went with it


def criterion_specs(round_: Round) -> list[aggregation.CriterionSpec]:
    """The round's criteria as aggregation needs them."""
    return [
        aggregation.CriterionSpec(str(c.id), c.weight, c.min_score, c.max_score)
        for c in round_.criteria
    ]
