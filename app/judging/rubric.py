"""A round's rubric as a reader sees it: each criterion's name, weight, range, description and
level bands in the reader's language (with the event's fallback order, and the language each
text was taken from, so a page can mark a fallback). The judge's sheet, the organizer's round
page, the advancement preview and the results PDF all print it from here."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.contributions import ContentGap, content_gap
from app.events.models import Event
from app.extensions import db
from app.judging.models import Criterion, Round, ScoreSheet, SheetStatus
from app.translated import Translated


@dataclass(frozen=True)
class Text:
    """A text picked for one reader, with the language it is in (None when empty)."""

    text: str
    lang: str | None

    @classmethod
    def of(cls, value: Translated, locale: object, fallback: list[str]) -> Text:
        text, language = value.pick(locale, fallback)
        return cls(text, language)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Level:
    low: float
    high: float
    title: Text
    descriptor: Text
    target: float  # the score a tap on this band sets (see `band_score`)

    @property
    def band(self) -> str:
        """ "0–3", "8.5–10" (one number when low = high)."""
        if self.low == self.high:
            return f"{self.low:g}"
        return f"{self.low:g}–{self.high:g}"


@dataclass(frozen=True)
class CriterionRubric:
    id: int
    name: Text
    weight: int
    min_score: float
    max_score: float
    step: float
    description: Text
    levels: list[Level] = field(default_factory=list)


def band_score(low: float, high: float, min_score: float, step: float) -> float:
    """The score a judge's tap on a band sets: the middle of the band on the criterion's step
    grid, rounded up (0–3 → 1.5; 3.5–6 → 5; 8.5–10 → 9.5 with step 0.5), then fine-tuned ±."""
    middle = (low + high) / 2
    steps = math.floor((middle - min_score) / step + 0.5 + 1e-9)
    value = min_score + steps * step
    value = max(low, min(high, value))
    return round(value, 6)


def criterion_rubric(criterion: Criterion, locale: object, fallback: list[str]) -> CriterionRubric:
    """One criterion's rubric for a reader of `locale`."""
    return CriterionRubric(
        id=criterion.id,
        name=Text.of(criterion.name, locale, fallback),
        weight=criterion.weight,
        min_score=criterion.min_score,
        max_score=criterion.max_score,
        step=criterion.step,
        description=Text.of(criterion.description, locale, fallback),
        levels=[
            Level(
                low=level.low,
                high=level.high,
                title=Text.of(level.title, locale, fallback),
                descriptor=Text.of(level.descriptor, locale, fallback),
                target=band_score(level.low, level.high, criterion.min_score, criterion.step),
            )
            for level in criterion.levels
        ],
    )


def round_rubric(round_: Round, event: Event, locale: object) -> list[CriterionRubric]:
    """Every criterion of a round, in order, for a reader of `locale`."""
    return [criterion_rubric(c, locale, event.languages) for c in round_.criteria]


def has_rubric(rubric: list[CriterionRubric]) -> bool:
    """True when any criterion has a description or a level band."""
    return any(c.description.text or c.levels for c in rubric)


def rubric_json(rubric: list[CriterionRubric]) -> list[dict]:
    """The rubric for the judge's sheet (JSON)."""
    return [
        {
            "id": c.id,
            "name": c.name.text,
            "nameLang": c.name.lang,
            "weight": c.weight,
            "min": c.min_score,
            "max": c.max_score,
            "step": c.step,
            "description": c.description.text,
            "descriptionLang": c.description.lang,
            "levels": [
                {
                    "low": level.low,
                    "high": level.high,
                    "band": level.band,
                    "target": level.target,
                    "title": level.title.text,
                    "descriptor": level.descriptor.text,
                    "lang": level.descriptor.lang,
                }
                for level in c.levels
            ],
        }
        for c in rubric
    ]


@dataclass(frozen=True)
class Citation:
    """An entry's mean score on one criterion and the rubric level it falls in."""

    criterion: CriterionRubric
    mean: float
    level: Level | None


def cite_levels(
    round_: Round, rubric: list[CriterionRubric], entry_ids: list[int]
) -> dict[int, list[Citation]]:
    """For each entry, its mean submitted score per criterion and the level that mean reaches
    (the advancement preview says *why* an entry goes through in the rubric's own words)."""
    if not entry_ids:
        return {}
    rows = db.session.execute(
        select(ScoreSheet.entry_id, ScoreSheet.values).where(
            ScoreSheet.round_id == round_.id,
            ScoreSheet.entry_id.in_(entry_ids),
            ScoreSheet.status == SheetStatus.SUBMITTED,
        )
    ).all()
    values: dict[int, list[dict]] = {}
    for entry_id, sheet_values in rows:
        values.setdefault(entry_id, []).append(sheet_values or {})
    cited: dict[int, list[Citation]] = {}
    for entry_id in entry_ids:
        sheets = values.get(entry_id, [])
        out = []
        for c in rubric:
            scores = [s[str(c.id)] for s in sheets if s.get(str(c.id)) is not None]
            if not scores:
                continue
            mean = math.fsum(scores) / len(scores)
            # A mean can fall between two bands (7.75 between 6.5–8 and 8.5–10): it reaches
            # the lower one.
            level = next((lv for lv in reversed(c.levels) if lv.low <= mean + 1e-9), None)
            out.append(Citation(c, round(mean, 2), level))
        cited[entry_id] = out
    return cited


def rubric_missing(criterion: Criterion, languages: list[str]) -> list[str]:
    """The content languages in which some text of the criterion's rubric (its name, description
    or a level) is missing; a criterion without any rubric text lacks nothing here."""
    texts = [criterion.name, criterion.description]
    for level in criterion.levels:
        texts += [level.title, level.descriptor]
    texts = [t for t in texts if t]
    return [language for language in languages if any(language not in t for t in texts)]


def judging_content_gaps(event: Event) -> Iterator[ContentGap | None]:
    """The event's rounds whose name, criteria or rubric lack a content language."""
    from flask import url_for

    from app.judging.round_services import list_rounds

    languages = event.languages
    for round_ in list_rounds(event):
        url = url_for("judging.round_page", slug=event.slug, round_id=round_.id) + "#rubric"
        name = round_.name.text(get_locale(), languages)
        yield content_gap(_l("Round “%(round)s”: name", round=name), [round_.name], languages, url)
        texts = []
        for criterion in round_.criteria:
            texts += [criterion.name, criterion.description]
            for level in criterion.levels:
                texts += [level.title, level.descriptor]
        yield content_gap(
            _l("Round “%(round)s”: criteria and rubric", round=name), texts, languages, url
        )
