"""Judging forms: entries, eligibility, rounds with criteria rows, conflicts, assignments,
awards, the draw and small confirmations."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    Field,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.forms import NumberField, WebForm, language_fields, language_values
from app.i18n import enum_choices
from app.judging.entry_services import EntryData
from app.judging.models import (
    AdvancementRule,
    AggregationMethod,
    AwardLevel,
    Eligibility,
    RoundKind,
)
from app.judging.round_services import CriterionData, LevelData, RoundData
from app.translated import Translated

CRITERION_ROWS = 8
LEVEL_ROWS = 5

KIND_CHOICES = enum_choices(RoundKind)
AGGREGATION_CHOICES = enum_choices(AggregationMethod)
RULE_CHOICES = enum_choices(AdvancementRule)
ELIGIBILITY_CHOICES = [
    (Eligibility.PENDING.value, _l("Not checked yet")),
    (Eligibility.ELIGIBLE.value, _l("Eligible")),
    (Eligibility.INELIGIBLE.value, _l("Not eligible")),
]
AWARD_LABELS = {
    AwardLevel.GOLD: _l("Gold"),
    AwardLevel.SILVER: _l("Silver"),
    AwardLevel.BRONZE: _l("Bronze"),
    AwardLevel.EXCELLENCE: _l("Excellence"),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class EntryForm(WebForm):
    """An entry with its team; members are registrations of the event."""

    title_zh = StringField(_l("Project title (Chinese)"), [Length(max=300)], filters=[_strip])
    title_en = StringField(_l("Project title (English)"), [Length(max=300)], filters=[_strip])
    team_name = StringField(_l("Team name"), [Length(max=200)], filters=[_strip])
    track = StringField(_l("Track"), [Length(max=80)], filters=[_strip])
    summary = TextAreaField(_l("Summary"), [Length(max=5000)], filters=[_strip])
    video_url = StringField(_l("Video link"), [Length(max=500)], filters=[_strip])
    members = SelectMultipleField(_l("Team members"), coerce=int, validate_choice=False)
    leader = SelectField(_l("Team leader"), coerce=int, validate_choice=False)
    deck = FileField(_l("Pitch deck (PDF, at most 10 MB)"))

    def to_data(self) -> EntryData:
        """The form's values for the entry services."""
        return EntryData(
            title_zh=self.title_zh.data or "",
            title_en=self.title_en.data or "",
            team_name=self.team_name.data or "",
            track=self.track.data or "",
            summary=self.summary.data or "",
            video_url=self.video_url.data or "",
            member_ids=list(self.members.data or []),
            leader_id=self.leader.data or None,
        )


class EligibilityForm(WebForm):
    """Accept or reject an entry with a reason."""

    status = SelectField(_l("Eligibility"), choices=ELIGIBILITY_CHOICES)
    reason = StringField(_l("Reason"), [Length(max=500)], filters=[_strip])


class CriterionRowForm(Form):
    """One criterion row, with one name field per content language (`criterion_row_form`);
    blank rows are ignored."""

    languages: tuple[str, ...] = ()
    weight = IntegerField(_l("Weight"), [Optional(), NumberRange(min=0, max=100)])
    min_score = NumberField(_l("Minimum"), [Optional()], default=0)
    max_score = NumberField(_l("Maximum"), [Optional()], default=10)
    step = NumberField(_l("Step"), [Optional()], default=0.5)
    tie_break = IntegerField(_l("Tie-break priority"), [Optional(), NumberRange(min=1, max=20)])

    def name_fields(self) -> list[tuple[str, Field]]:
        """(language, its name field) in the event's order."""
        return [(language, self[f"name_{language}"]) for language in self.languages]

    def names(self) -> Translated:
        return language_values(self, "name", self.languages)

    def is_blank(self) -> bool:
        return not (self.names() or self.weight.data)


@lru_cache(maxsize=64)
def criterion_row_form(languages: tuple[str, ...]) -> type[CriterionRowForm]:
    """The criterion row form of an event with these content languages."""
    fields = language_fields("name", _l("Name"), languages, validators=[Length(max=200)])
    return type(
        "CriterionRowForm_" + "_".join(languages),
        (CriterionRowForm,),
        {"languages": languages, **fields},
    )


class RoundForm(WebForm):
    """A round: stage, judges per entry, aggregation, advancement, timers and criteria."""

    languages: tuple[str, ...] = ()
    kind = SelectField(_l("Stage"), choices=KIND_CHOICES)
    judges_per_entry = IntegerField(
        _l("Judges per entry"), [InputRequired(), NumberRange(min=1, max=50)], default=3
    )
    aggregation = SelectField(_l("Aggregation"), choices=AGGREGATION_CHOICES)
    advancement_rule = SelectField(_l("Advancement rule"), choices=RULE_CHOICES)
    advancement_value = NumberField(
        _l("N (top N) or minimum score (threshold)"), [InputRequired()], default=10
    )
    pitch_minutes = IntegerField(
        _l("Pitch minutes"), [InputRequired(), NumberRange(min=1, max=60)], default=8
    )
    qa_minutes = IntegerField(
        _l("Q&A minutes"), [InputRequired(), NumberRange(min=0, max=60)], default=7
    )
    criteria = FieldList(FormField(CriterionRowForm), min_entries=CRITERION_ROWS)

    @classmethod
    def for_languages(cls, languages: list[str] | tuple[str, ...]) -> type[RoundForm]:
        """The round form with a name field per content language, for the round and for each
        criterion row."""
        return _round_form(tuple(languages))

    def name_fields(self) -> list[tuple[str, Field]]:
        """(language, the round's name field) in the event's order."""
        return [(language, self[f"name_{language}"]) for language in self.languages]

    def fill_from(self, round_) -> None:
        """Show a round's current settings."""
        for language, name_field in self.name_fields():
            name_field.data = round_.name.get(language, "")
        self.kind.data = str(round_.kind)
        self.judges_per_entry.data = round_.judges_per_entry
        self.aggregation.data = str(round_.aggregation)
        self.advancement_rule.data = str(round_.advancement_rule)
        self.advancement_value.data = round_.advancement_value
        self.pitch_minutes.data = round_.pitch_seconds // 60
        self.qa_minutes.data = round_.qa_seconds // 60
        priorities = {cid: i + 1 for i, cid in enumerate(round_.tie_break_criteria or [])}
        while len(self.criteria) < max(CRITERION_ROWS, len(round_.criteria)):
            self.criteria.append_entry()
        for row, criterion in zip(self.criteria, round_.criteria, strict=False):
            for language, name_field in row.form.name_fields():
                name_field.data = criterion.name.get(language, "")
            row.weight.data = criterion.weight
            row.min_score.data, row.max_score.data = criterion.min_score, criterion.max_score
            row.step.data = criterion.step
            row.tie_break.data = priorities.get(criterion.id)

    def to_data(self) -> RoundData:
        """The form's values for the round services."""
        rows = [row.form for row in self.criteria if not row.form.is_blank()]
        criteria = [
            CriterionData(
                name=row.names(),
                languages=row.languages,
                weight=row.weight.data or 0,
                min_score=row.min_score.data if row.min_score.data is not None else 0,
                max_score=row.max_score.data if row.max_score.data is not None else 10,
                step=row.step.data if row.step.data is not None else 1,
            )
            for row in rows
        ]
        ranked = sorted(
            (row.tie_break.data, position)
            for position, row in enumerate(rows)
            if row.tie_break.data
        )
        return RoundData(
            name=language_values(self, "name", self.languages),
            languages=self.languages,
            kind=RoundKind(self.kind.data),
            judges_per_entry=self.judges_per_entry.data,
            aggregation=AggregationMethod(self.aggregation.data),
            advancement_rule=AdvancementRule(self.advancement_rule.data),
            advancement_value=self.advancement_value.data,
            pitch_seconds=self.pitch_minutes.data * 60,
            qa_seconds=self.qa_minutes.data * 60,
            criteria=criteria,
            tie_break_positions=[position for _, position in ranked],
        )


@lru_cache(maxsize=64)
def _round_form(languages: tuple[str, ...]) -> type[RoundForm]:
    row = criterion_row_form(languages)
    names = language_fields("name", _l("Round name"), languages, validators=[Length(max=200)])
    return type(
        "RoundForm_" + "_".join(languages),
        (RoundForm,),
        {
            "languages": languages,
            "criteria": FieldList(FormField(row), min_entries=CRITERION_ROWS),
            **names,
        },
    )


class JudgeOrganizationForm(WebForm):
    """The organization a judge works for."""

    organization = StringField(_l("Organization"), [Length(max=200)], filters=[_strip])


class ConflictForm(WebForm):
    """A conflict between a judge and an entry."""

    judge = SelectField(_l("Judge"), coerce=int, validate_choice=False)
    entry = SelectField(_l("Entry"), coerce=int, validate_choice=False)
    reason = StringField(_l("Reason"), [Length(max=300)], filters=[_strip])


class DeclarationForm(WebForm):
    """What a judge declares: organization and entries they know."""

    organization = StringField(_l("Your organization"), [Length(max=200)], filters=[_strip])
    entries = SelectMultipleField(
        _l("Entries you have a conflict of interest with"), coerce=int, validate_choice=False
    )
    reason = StringField(_l("Why (optional)"), [Length(max=300)], filters=[_strip])


class AssignmentForm(WebForm):
    """Add or remove one judge–entry pair."""

    judge = SelectField(_l("Judge"), coerce=int, validate_choice=False)
    entry = SelectField(_l("Entry"), coerce=int, validate_choice=False)


class OverrideForm(WebForm):
    """A decision down the ranking (advancement, awards): the reason to take it although some
    entries lack submitted sheets (the service refuses an empty one while that is so)."""

    override_reason = TextAreaField(
        _l("Reason to go ahead although judging is incomplete"),
        filters=[_strip],
        render_kw={"maxlength": 500, "rows": 2},
    )


class AwardsForm(OverrideForm):
    """How many awards of each level to give down the ranking."""

    gold = IntegerField(_l("Gold"), [InputRequired(), NumberRange(min=0, max=100)], default=1)
    silver = IntegerField(_l("Silver"), [InputRequired(), NumberRange(min=0, max=100)], default=2)
    bronze = IntegerField(_l("Bronze"), [InputRequired(), NumberRange(min=0, max=100)], default=3)
    excellence = IntegerField(
        _l("Excellence"), [InputRequired(), NumberRange(min=0, max=500)], default=4
    )

    def counts(self) -> dict[AwardLevel, int]:
        return {
            AwardLevel.GOLD: self.gold.data,
            AwardLevel.SILVER: self.silver.data,
            AwardLevel.BRONZE: self.bronze.data,
            AwardLevel.EXCELLENCE: self.excellence.data,
        }


class DrawForm(WebForm):
    """The pitch-order draw; an empty seed draws a random one."""

    seed = StringField(
        _l("Seed (leave empty for a random one)"), [Length(max=64)], filters=[_strip]
    )


class ReopenForm(WebForm):
    """Reopen a submitted score with a note."""

    note = StringField(_l("Why"), [Length(max=300)], filters=[_strip])


class LevelRowForm(Form):
    """One rubric band: lowest and highest score, then a title and a descriptor per content
    language (`rubric_form`); a row with nothing in it is ignored."""

    languages: tuple[str, ...] = ()
    low = NumberField(_l("From score"), [Optional()])
    high = NumberField(_l("To score"), [Optional()])

    def text_fields(self) -> list[tuple[str, Field, Field]]:
        """(language, title field, descriptor field) in the event's order."""
        return [
            (language, self[f"title_{language}"], self[f"descriptor_{language}"])
            for language in self.languages
        ]

    def titles(self) -> Translated:
        return language_values(self, "title", self.languages)

    def descriptors(self) -> Translated:
        return language_values(self, "descriptor", self.languages)

    def is_blank(self) -> bool:
        return (
            self.low.data is None
            and self.high.data is None
            and not self.titles()
            and not self.descriptors()
        )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not self.is_blank() and (self.low.data is None or self.high.data is None):
            self.low.errors = [*self.low.errors, _l("Give the level's lowest and highest score.")]
            ok = False
        return ok


class RubricForm(WebForm):
    """A criterion's rubric: a description and up to eight level bands, in every content
    language of the event (`RubricForm.for_languages`)."""

    languages: tuple[str, ...] = ()
    levels = FieldList(FormField(LevelRowForm), min_entries=LEVEL_ROWS)

    @classmethod
    def for_languages(cls, languages: list[str] | tuple[str, ...]) -> type[RubricForm]:
        return _rubric_form(tuple(languages))

    def description_fields(self) -> list[tuple[str, Field]]:
        return [(language, self[f"description_{language}"]) for language in self.languages]

    def fill_from(self, criterion) -> None:
        for language, description in self.description_fields():
            description.data = criterion.description.get(language, "")
        while len(self.levels) < max(LEVEL_ROWS, len(criterion.levels)):
            self.levels.append_entry()
        for row, level in zip(self.levels, criterion.levels, strict=False):
            row.form.low.data, row.form.high.data = level.low, level.high
            for language, title, descriptor in row.form.text_fields():
                title.data = level.title.get(language, "")
                descriptor.data = level.descriptor.get(language, "")

    def description(self) -> Translated:
        return language_values(self, "description", self.languages)

    def level_data(self) -> list[LevelData]:
        return [
            LevelData(
                low=row.form.low.data,
                high=row.form.high.data,
                title=row.form.titles(),
                descriptor=row.form.descriptors(),
            )
            for row in self.levels
            if not row.form.is_blank()
        ]


@lru_cache(maxsize=64)
def _rubric_form(languages: tuple[str, ...]) -> type[RubricForm]:
    level_fields = {
        **language_fields("title", _l("Level title"), languages, validators=[Length(max=60)]),
        **language_fields(
            "descriptor",
            _l("What earns it"),
            languages,
            TextAreaField,
            validators=[Length(max=500)],
            render_kw={"rows": 4, "maxlength": 500},
        ),
    }
    row = type(
        "LevelRowForm_" + "_".join(languages),
        (LevelRowForm,),
        {"languages": languages, **level_fields},
    )
    descriptions = language_fields(
        "description",
        _l("What the judge looks at"),
        languages,
        TextAreaField,
        validators=[Length(max=1000)],
        render_kw={"rows": 4, "maxlength": 1000},
    )
    return type(
        "RubricForm_" + "_".join(languages),
        (RubricForm,),
        {
            "languages": languages,
            "levels": FieldList(FormField(row), min_entries=LEVEL_ROWS),
            **descriptions,
        },
    )
