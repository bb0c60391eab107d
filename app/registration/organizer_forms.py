"""Organizer desk forms: registration actions, categories, custom questions."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from app.forms import WebForm
from app.registration.models import AttendanceRule, QuestionKind
from app.registration.organizer_services import CHOICE_KINDS, DeskAction

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
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=200)])
    name_ru = StringField(_l("Name (Russian)"), validators=[Optional(), Length(max=200)])
    description_zh = TextAreaField(
        _l("Description (Chinese)"), validators=[Optional(), Length(max=5000)]
    )
    description_en = TextAreaField(
        _l("Description (English)"), validators=[Optional(), Length(max=5000)]
    )
    description_ru = TextAreaField(
        _l("Description (Russian)"), validators=[Optional(), Length(max=5000)]
    )
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

    def validate_closes_at(self, field) -> None:
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("Registration must close after it opens."))


QUESTION_KIND_CHOICES = [
    (QuestionKind.TEXT.value, _l("Short text")),
    (QuestionKind.LONG_TEXT.value, _l("Long text")),
    (QuestionKind.SINGLE_CHOICE.value, _l("One choice")),
    (QuestionKind.MULTIPLE_CHOICE.value, _l("Several choices")),
    (QuestionKind.YES_NO.value, _l("Yes / no")),
    (QuestionKind.COUNTRY.value, _l("Country")),
    (QuestionKind.ID_NUMBER.value, _l("ID document number (sensitive)")),
]


def parse_choices(text: str) -> list[dict[str, str]]:
    """Choices from lines `value | 中文 | English | Русский` (Russian optional).

    Raises ValidationError naming the first bad line.
    """
    choices: list[dict[str, str]] = []
    seen: set[str] = set()
    for number, raw_line in enumerate((text or "").splitlines(), start=1):
        line = raw_line.strip()
        if not line:
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) not in (3, 4):
            raise ValidationError(
                _l(
                    "Line %(n)d: write value | 中文 | English | Русский (Russian may be left out).",
                    n=number,
                )
            )
        value, zh, en = parts[0], parts[1], parts[2]
        ru = parts[3] if len(parts) == 4 else ""
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
        if not zh or not en:
            raise ValidationError(
                _l("Line %(n)d: both the Chinese and the English label are needed.", n=number)
            )
        if max(len(zh), len(en), len(ru)) > 200:
            raise ValidationError(
                _l("Line %(n)d: a label is longer than 200 characters.", n=number)
            )
        seen.add(value)
        choices.append({"value": value, "zh": zh, "en": en, "ru": ru})
    if len(choices) > MAX_CHOICES:
        raise ValidationError(_l("At most %(n)d choices are allowed.", n=MAX_CHOICES))
    return choices


def format_choices(choices: list[dict[str, str]]) -> str:
    """The textarea form of stored choices (inverse of parse_choices)."""
    lines = []
    for choice in choices or []:
        parts = [choice.get("value", ""), choice.get("zh", ""), choice.get("en", "")]
        if choice.get("ru"):
            parts.append(choice["ru"])
        lines.append(" | ".join(parts))
    return "\n".join(lines)


class QuestionForm(_StrippedForm):
    """A custom question; choices one per line for the choice kinds."""

    kind = SelectField(_l("Kind"), choices=QUESTION_KIND_CHOICES, validators=[DataRequired()])
    label_zh = StringField(_l("Question (Chinese)"), validators=[DataRequired(), Length(max=300)])
    label_en = StringField(_l("Question (English)"), validators=[DataRequired(), Length(max=300)])
    label_ru = StringField(_l("Question (Russian)"), validators=[Optional(), Length(max=300)])
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
        description=_l("One per line: value | 中文 | English | Русский"),
    )

    parsed_choices: list[dict[str, str]] = []

    def validate_choices(self, field) -> None:
        kind = self.kind.data
        if kind in CHOICE_KINDS:
            self.parsed_choices = parse_choices(field.data or "")
            if not self.parsed_choices:
                raise ValidationError(_l("A choice question needs at least one choice."))
        else:
            self.parsed_choices = []
            if (field.data or "").strip():
                raise ValidationError(_l("Only choice questions have choices; leave this empty."))
