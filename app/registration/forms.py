"""The registration form, built per event because custom questions differ between events."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers
from babel import Locale
from flask_babel import lazy_gettext as _l
from pypinyin import Style, lazy_pinyin
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from app.events.models import Event
from app.forms import WebForm
from app.i18n import normalize_language
from app.registration.models import Attendance, Question, QuestionKind
from app.templating import marked

LANGUAGE_CHOICES = [("zh_CN", "中文"), ("en", "English"), ("ru", "Русский")]
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}
_LATIN_NAME = re.compile(r"^[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F .'\-]*$")
# Control characters break PostgreSQL (NUL) and mail headers (line breaks); multi-line fields
# keep tab and line breaks, single-line fields also refuse Unicode line/paragraph separators.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SINGLE_LINE_BREAKERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _pinyin_key(name: str) -> tuple:
    """Chinese dictionary order: syllable by syllable, then tone (a1 < a4 < ai1 < an1)."""
    syllables = lazy_pinyin(
        name, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda text: list(text)
    )
    return (tuple(syllables), name)


def _alphabetical_key(name: str) -> tuple:
    """Alphabetical order that ignores case and Latin accents (Åland with the A's, Côte d'Ivoire
    with the C's) and keeps Russian й a letter of its own; ё sorts with е, as in dictionaries."""
    letters = []
    for char in name.casefold():
        if char == "й":
            letters.append(char)
            continue
        letters.extend(
            c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
        )
    return ("".join(letters), name)


def name_sort_key(locale: str):
    """How a list of names is ordered for readers of `locale`: pinyin order in Chinese,
    alphabetical otherwise. (pypinyin, a dependency already, instead of ICU collation: PyICU
    needs the ICU C library and a compiler on every machine.)"""
    return _pinyin_key if Locale.parse(locale).language == "zh" else _alphabetical_key


@lru_cache(maxsize=8)
def country_choices(locale: str) -> tuple[SelectChoice, ...]:
    """A blank choice, then every country/region as (ISO code, localized name), ordered the
    way readers of the locale expect (see name_sort_key).

    Built once per locale: the select has ~250 options and is validated on every submission.
    """
    territories = Locale.parse(locale).territories
    codes = [c for c in territories if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES]
    key = name_sort_key(locale)
    ordered = sorted(((c, territories[c]) for c in codes), key=lambda item: key(item[1]))
    return (SelectChoice("", "—"), *(SelectChoice(code, name) for code, name in ordered))


def country_name(code: str, locale: str) -> str:
    """Localized name of a country/region code."""
    return Locale.parse(locale).territories.get(code, code)


_WTFORMS_INVALID_CHOICE = "Not a valid choice."


class CountryField(SelectField):
    """A country/region select whose answer is looked up in the offered codes at once.

    SelectField checks a choice by walking every option through its generator: ~250 here,
    a quarter of a millisecond per submitted form.
    """

    def pre_validate(self, form) -> None:
        choices = self.choices
        if self.process_errors or not self.validate_choice or not isinstance(choices, list | tuple):
            return super().pre_validate(form)
        values = set()
        for choice in choices:
            if isinstance(choice, SelectChoice):
                values.add(self.coerce(choice.value))
            elif isinstance(choice, tuple):
                values.add(self.coerce(choice[0]))
            else:
                values.add(self.coerce(choice))
        if self.data not in values:
            # WTForms' own message, translated by WTForms' catalogs (not one of ours).
            message = self.invalid_choice_message or self.gettext(_WTFORMS_INVALID_CHOICE)
            raise ValidationError(message)


def _validate_latin_name(form, field) -> None:
    if field.data and not _LATIN_NAME.match(field.data):
        raise ValidationError(_l("Please use Latin letters only (as in your passport)."))


def _validate_phone(form, field) -> None:
    if not field.data:
        return
    region = form.country.data if form.country.data else None
    try:
        number = phonenumbers.parse(field.data, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(_l("Please enter a valid phone number.")) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_l("Please enter a valid phone number."))
    field.data = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _has_forbidden_characters(field) -> bool:
    pattern = _CONTROL_CHARS if isinstance(field, TextAreaField) else _SINGLE_LINE_BREAKERS
    values = field.data if isinstance(field.data, list) else [field.data]
    return any(isinstance(value, str) and pattern.search(value) for value in values)


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes: a multi-select list box needs Ctrl-click on a
    computer and is a cramped scroll box on a phone."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ParticipantForm(WebForm):
    """Fields every registration has; custom questions are added per event."""

    class Meta:
        # Every text field is stripped before validation.
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if _strip not in filters:
                filters = [_strip, *filters]
            return unbound_field.bind(form=form, filters=filters, **options)

    native_name = StringField(
        _l("Name (as you write it)"), validators=[DataRequired(), Length(max=100)]
    )
    latin_name = StringField(
        _l("Name in Latin letters"),
        validators=[Optional(), Length(max=100), _validate_latin_name],
        description=_l("Filled in from a Chinese name; check it matches your passport."),
    )
    organization = StringField(_l("Organization"), validators=[DataRequired(), Length(max=200)])
    job_title = StringField(_l("Title / position"), validators=[Optional(), Length(max=200)])
    phone = TelField(
        _l("Mobile phone"),
        validators=[Optional(), Length(max=40), _validate_phone],
        description=_l("With country code if outside China, e.g. +7 912 345 67 89"),
    )
    country = CountryField(_l("Country / region"), validators=[DataRequired()])
    attendance = RadioField(
        _l("Attendance"),
        choices=[(Attendance.ONSITE.value, _l("On site")), (Attendance.ONLINE.value, _l("Online"))],
        default=Attendance.ONSITE.value,
        validators=[InputRequired()],
    )
    language = SelectField(
        _l("Language for emails and badge"), choices=LANGUAGE_CHOICES, validators=[DataRequired()]
    )

    def validate(self, extra_validators=None) -> bool:
        """Run the field validators, then refuse control characters in any text."""
        valid = super().validate(extra_validators)
        for field in self:
            if _has_forbidden_characters(field):
                field.errors.append(
                    _l("This field contains control characters or line breaks; please remove them.")
                )
                valid = False
        return valid


class NewRegistrationForm(ParticipantForm):
    """The public registration form."""

    category_id = RadioField(_l("Registration category"), coerce=int, validators=[InputRequired()])
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)]
    )
    consent = BooleanField(
        _l("I agree to the processing of my personal data as described above."),
        validators=[DataRequired(message=_l("Your consent is needed to register."))],
    )
    # The number of the privacy notice version the page showed (see events.consent).
    consent_version = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$")])


def _shown(question: Question, locale: str):
    """The question's label and choices for a reader of `locale`: Markup, a text in another
    language than the reader's (the event's fallback) marked with its `lang`."""
    languages = question.event.languages
    return (
        marked(question.label, locale, languages),
        tuple((value, marked(text, locale, languages)) for value, text in question.choice_texts()),
    )


def _question_field(question: Question, locale: str):
    label, shown_choices = _shown(question, locale)
    required = [DataRequired()] if question.required else [Optional()]
    choices = list(shown_choices)
    if question.kind == QuestionKind.TEXT:
        return StringField(label, validators=[*required, Length(max=500)])
    if question.kind == QuestionKind.LONG_TEXT:
        return TextAreaField(label, validators=[*required, Length(max=5000)])
    if question.kind == QuestionKind.SINGLE_CHOICE:
        return RadioField(label, choices=choices, validators=required or [Optional()])
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return MultiCheckboxField(label, choices=choices, validators=required)
    if question.kind == QuestionKind.YES_NO:
        yes_no = [("yes", _l("Yes")), ("no", _l("No"))]
        return RadioField(label, choices=yes_no, validators=required)
    if question.kind == QuestionKind.ID_NUMBER:
        return StringField(
            label,
            validators=[
                *required,
                Length(max=40),
                Regexp(
                    r"^[A-Za-z0-9][A-Za-z0-9 \-]*$",
                    message=_l("Please use only letters, digits, spaces and hyphens."),
                ),
            ],
            render_kw={"autocomplete": "off", "spellcheck": "false"},
        )
    return CountryField(label, choices=list(country_choices(locale)), validators=required)


def question_field_name(question: Question) -> str:
    """The form field name of a custom question."""
    return f"q_{question.id}"


# Form classes by (base form, event, locale, questions as the fields show them); bounded.
_FORM_CLASSES: dict[tuple, type] = {}
MAX_FORM_CLASSES = 256


def build_form_class(base: type[ParticipantForm], event: Event, locale: str) -> type:
    """A form class for `event`: the base fields plus one field per custom question.

    Made once per process for each event, language and state of its questions (WTForms then
    also sorts the class's fields only once): the key holds everything a question's field is
    made from, so a question added, removed or edited gets a new class.
    """
    questions = tuple(
        (
            q.id,
            q.kind,
            q.required,
            *_shown(q, locale),
        )
        for q in event.questions
    )
    key = (base, event.id, locale, questions)
    form_class = _FORM_CLASSES.get(key)
    if form_class is None:
        attrs = {question_field_name(q): _question_field(q, locale) for q in event.questions}
        form_class = type(f"{base.__name__}ForEvent{event.id}", (base,), attrs)
        if len(_FORM_CLASSES) >= MAX_FORM_CLASSES:
            _FORM_CLASSES.pop(next(iter(_FORM_CLASSES)))
        _FORM_CLASSES[key] = form_class
    return form_class


def prepare_form(form: ParticipantForm, locale: str) -> None:
    """Fill the locale-dependent choices of a participant form."""
    form.country.choices = list(country_choices(locale))
    if not form.language.data:
        form.language.data = normalize_language(locale) or "en"


def answers_from_form(form: ParticipantForm, event: Event) -> dict:
    """The custom-question answers of a validated form, keyed by question id."""
    answers = {}
    for question in event.questions:
        value = form[question_field_name(question)].data
        if value in (None, "", []):
            continue
        answers[str(question.id)] = value
    return answers
