"""Organizer desk forms: registration actions, categories, custom questions."""

from __future__ import annotations

import re
from functools import lru_cache

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import Field
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from app.forms import WebForm, language_fields, language_values
from app.i18n import language_name
from app.registration.models import AttendanceRule, QuestionKind
from app.registration.organizer_services import CHOICE_KINDS, DeskAction
from app.translated import Translated

CHOICE_VALUE = re.compile(r"^[A-Za-z0-9_.\-]{1,50}$")
MAX_CHOICES = 100


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class _StrippedForm(WebForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if _strip not in filters:
                filters = [_strip, *filters]
            return unbound_field.bind(form=form, filters=filters, **options)


class ConfirmForm(WebForm):
    """A button-only POST form: carries nothing but the CSRF token."""


class RegistrationActionForm(_StrippedForm):
    """Approve / reject / cancel one registration, with an optional note for the history."""

    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=500)])


class BulkActionForm(_StrippedForm):
    """An action for the registrations ticked in the list (ids come as repeated `ids` fields)."""

    action = SelectField(
        _l("Action"),
        choices=[
            (DeskAction.APPROVE.value, _l("Approve")),
            (DeskAction.REJECT.value, _l("Reject")),
            (DeskAction.CANCEL.value, _l("Cancel")),
        ],
        validators=[DataRequired()],
    )
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=500)])


ATTENDANCE_RULE_CHOICES = [
    (AttendanceRule.EITHER.value, _l("On site or online")),
    (AttendanceRule.ONSITE.value, _l("On site only")),
    (AttendanceRule.ONLINE.value, _l("Online only")),
]


class CategoryForm(_StrippedForm):
    """A registration category; times are entered in the event's timezone."""

    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(
                r"^[a-z0-9][a-z0-9_\-]*$",
                message=_l("Use lowercase Latin letters, digits, - and _ only."),
            ),
        ],
        filters=[lambda v: v.lower() if isinstance(v, str) else v],
        description=_l("Short identifier, e.g. guest, media, team."),
    )
    # name_<language> and description_<language> per content language: see `for_languages`.
    languages: tuple[str, ...] = ()
    capacity = IntegerField(
        _l("Capacity"),
        validators=[Optional(), NumberRange(min=0, max=1_000_000)],
        description=_l("Leave empty for no limit."),
    )
    opens_at = DateTimeLocalField(
        _l("Registration opens"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        validators=[Optional()],
    )
    closes_at = DateTimeLocalField(
        _l("Registration closes"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        validators=[Optional()],
    )
    requires_approval = BooleanField(_l("Registrations need the organizer's approval"))
    attendance_rule = SelectField(
        _l("Attendance"), choices=ATTENDANCE_RULE_CHOICES, default=AttendanceRule.EITHER.value
    )
    is_public = BooleanField(_l("Shown on the public registration form"), default=True)
    color = StringField(
        _l("Badge colour"),
        default="#1f6feb",
        validators=[
            DataRequired(),
            Regexp(r"^#[0-9A-Fa-f]{6}$", message=_l("Use a colour like #1F6FEB.")),
        ],
    )
    position = IntegerField(
        _l("Position"), default=0, validators=[InputRequired(), NumberRange(min=0, max=10_000)]
    )

    @classmethod
    def for_languages(cls, languages: list[str] | tuple[str, ...]) -> type[CategoryForm]:
        """The category form with a name and a description field per content language."""
        return _category_form(tuple(languages))

    def name_fields(self) -> list[tuple[str, Field]]:
        """(language, name field) in the event's order."""
        return [(language, self[f"name_{language}"]) for language in self.languages]

    def description_fields(self) -> list[tuple[str, Field]]:
        """(language, description field) in the event's order."""
        return [(language, self[f"description_{language}"]) for language in self.languages]

    def fill_texts(self, category) -> None:
        """Show a category's name and description."""
        for language, name_field in self.name_fields():
            name_field.data = category.name.get(language, "")
        for language, description_field in self.description_fields():
            description_field.data = category.description.get(language, "")

    def texts(self, before=None) -> tuple[Translated, Translated]:
        """(name, description) as written; texts `before` in a language the event no longer
        writes in (not on the form) are kept."""
        name = language_values(self, "name", self.languages)
        description = language_values(self, "description", self.languages)
        if before is not None:
            name = _keep_others(before.name, name, self.languages)
            description = _keep_others(before.description, description, self.languages)
        return name, description

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return _one_language_written(self.name_fields(), _NAME_NEEDED) and valid

    def validate_closes_at(self, field) -> None:
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("Registration must close after it opens."))


_NAME_NEEDED = _l("Write the name in at least one language.")
_LABEL_NEEDED = _l("Write the question in at least one language.")


def _one_language_written(fields: list[tuple[str, Field]], message: object) -> bool:
    """False (and an error under the first field) when every field is empty."""
    if fields and not any(f.data for _language, f in fields):
        fields[0][1].errors = [*fields[0][1].errors, message]
        return False
    return True


def _keep_others(before: Translated, after: Translated, languages: tuple[str, ...]) -> Translated:
    return Translated({**{k: v for k, v in before.items() if k not in languages}, **after})


@lru_cache(maxsize=64)
def _category_form(languages: tuple[str, ...]) -> type[CategoryForm]:
    return type(
        "CategoryForm_" + "_".join(languages),
        (CategoryForm,),
        {
            "languages": languages,
            **language_fields("name", _l("Category name"), languages, validators=[Length(max=200)]),
            **language_fields(
                "description",
                _l("Description"),
                languages,
                TextAreaField,
                validators=[Optional(), Length(max=5000)],
            ),
        },
    )


QUESTION_KIND_CHOICES = [
    (QuestionKind.TEXT.value, _l("Short text")),
    (QuestionKind.LONG_TEXT.value, _l("Long text")),
    (QuestionKind.SINGLE_CHOICE.value, _l("One choice")),
    (QuestionKind.MULTIPLE_CHOICE.value, _l("Several choices")),
    (QuestionKind.YES_NO.value, _l("Yes / no")),
    (QuestionKind.COUNTRY.value, _l("Country")),
    (QuestionKind.ID_NUMBER.value, _l("ID document number (sensitive)")),
]


def choice_columns(languages: tuple[str, ...]) -> LazyString:
    """ "value | Chinese | Russian | English": the columns of a choice line, in the event's
    content languages and their order."""
    return LazyString(
        lambda: " | ".join([str(_l("value")), *(language_name(code) for code in languages)])
    )


def parse_choices(text: str, languages: tuple[str, ...]) -> list[dict[str, str]]:
    """Choices from lines `value | label | label …`, one label per content language in the
    event's order (trailing ones may be left out, one is needed).

    Raises ValidationError naming the first bad line.
    """
    choices: list[dict[str, str]] = []
    seen: set[str] = set()
    for number, raw_line in enumerate((text or "").splitlines(), start=1):
        line = raw_line.strip()
        if not line:
            continue
        parts = [part.strip() for part in line.split("|")]
        if not 2 <= len(parts) <= len(languages) + 1:
            raise ValidationError(
                _l(
                    "Line %(n)d: write %(columns)s (a language may be left empty).",
                    n=number,
                    columns=choice_columns(languages),
                )
            )
        value, labels = parts[0], dict(zip(languages, parts[1:], strict=False))
        if not CHOICE_VALUE.match(value):
            raise ValidationError(
                _l(
                    "Line %(n)d: the value must be 1–50 Latin letters, digits, dots, - or _.",
                    n=number,
                )
            )
        if value in seen:
            raise ValidationError(
                _l("Line %(n)d: the value %(value)s is used twice.", n=number, value=value)
            )
        if not any(labels.values()):
            raise ValidationError(
                _l("Line %(n)d: write the choice in at least one language.", n=number)
            )
        if max(len(label) for label in labels.values()) > 200:
            raise ValidationError(
                _l("Line %(n)d: a label is longer than 200 characters.", n=number)
            )
        seen.add(value)
        choices.append({"value": value, **{k: v for k, v in labels.items() if v}})
    if len(choices) > MAX_CHOICES:
        raise ValidationError(_l("At most %(n)d choices are allowed.", n=MAX_CHOICES))
    return choices


def format_choices(choices: list[dict[str, str]], languages: tuple[str, ...]) -> str:
    """The textarea form of stored choices (inverse of parse_choices)."""
    lines = []
    for choice in choices or []:
        parts = [choice.get("value", ""), *(choice.get(code, "") for code in languages)]
        while len(parts) > 2 and not parts[-1]:
            parts.pop()
        lines.append(" | ".join(parts))
    return "\n".join(lines)


class QuestionForm(_StrippedForm):
    """A custom question; choices one per line for the choice kinds."""

    # label_<language> per content language: see `for_languages`.
    languages: tuple[str, ...] = ()
    kind = SelectField(_l("Kind"), choices=QUESTION_KIND_CHOICES, validators=[DataRequired()])
    required = BooleanField(_l("An answer is required"))
    sensitive = BooleanField(
        _l("Sensitive (ID-like): mask on screen, leave out of exports unless chosen"),
        description=_l(
            "Set automatically for ID document numbers and for questions asking for a "
            "passport or ID card."
        ),
    )
    position = IntegerField(
        _l("Position"), default=0, validators=[InputRequired(), NumberRange(min=0, max=10_000)]
    )
    choices = TextAreaField(
        _l("Choices"),
        validators=[Length(max=20_000)],
    )

    parsed_choices: list[dict[str, str]] = []

    @classmethod
    def for_languages(cls, languages: list[str] | tuple[str, ...]) -> type[QuestionForm]:
        """The question form with a label field per content language; choices take one label
        per content language."""
        return _question_form(tuple(languages))

    def label_fields(self) -> list[tuple[str, Field]]:
        """(language, label field) in the event's order."""
        return [(language, self[f"label_{language}"]) for language in self.languages]

    def fill_texts(self, question) -> None:
        """Show a question's label and choices."""
        for language, label_field in self.label_fields():
            label_field.data = question.label.get(language, "")
        self.choices.data = format_choices(question.choices, self.languages)

    def label_text(self, before=None) -> Translated:
        """The label as written (texts `before` in languages not on the form are kept)."""
        label = language_values(self, "label", self.languages)
        return label if before is None else _keep_others(before.label, label, self.languages)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return _one_language_written(self.label_fields(), _LABEL_NEEDED) and valid

    def validate_choices(self, field) -> None:
        kind = self.kind.data
        if kind in CHOICE_KINDS:
            self.parsed_choices = parse_choices(field.data or "", self.languages)
            if not self.parsed_choices:
                raise ValidationError(_l("A choice question needs at least one choice."))
        else:
            self.parsed_choices = []
            if (field.data or "").strip():
                raise ValidationError(_l("Only choice questions have choices; leave this empty."))


@lru_cache(maxsize=64)
def _question_form(languages: tuple[str, ...]) -> type[QuestionForm]:
    return type(
        "QuestionForm_" + "_".join(languages),
        (QuestionForm,),
        {
            "languages": languages,
            **language_fields("label", _l("Question"), languages, validators=[Length(max=300)]),
            "choices": TextAreaField(
                _l("Choices"),
                validators=[Length(max=20_000)],
                render_kw={"rows": 6},
                description=LazyString(
                    lambda: _("One per line: %(columns)s", columns=choice_columns(languages))
                ),
            ),
        },
    )
