"""Event forms: the settings an organizer edits, and a new event (the settings and the slug)."""

from __future__ import annotations

from functools import cache

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    EmailField,
    Field,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
)

from app.events.models import Event, EventKind, EventStatus
from app.events.services import (
    REMINDER_DAYS_MAX,
    REMINDER_DAYS_MESSAGE,
    REMINDER_DAYS_MIN,
    SLUG_PATTERN,
    EventData,
)
from app.forms import WebForm, language_fields, language_values
from app.i18n import enum_choices
from app.translated import DEFAULT_CONTENT_LANGUAGES, Translated, valid_language_codes

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"

STATUS_CHOICES = enum_choices(EventStatus)
KIND_CHOICES = [
    (EventKind.CONFERENCE.value, _l("Conference")),
    (EventKind.COMPETITION.value, _l("Competition")),
    (EventKind.BOTH.value, _l("Conference and competition")),
]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class DaysField(IntegerField):
    """A whole number of days; anything else gets the field's own message, once."""

    def process_formdata(self, valuelist):
        if valuelist and not str(valuelist[0]).strip():
            self.data = None  # left empty: no reminder
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(REMINDER_DAYS_MESSAGE) from None
        if self.data is not None and abs(self.data) > 1_000_000:
            self.data = None  # no "out of range" for the database on top of the message
            raise ValueError(REMINDER_DAYS_MESSAGE)

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # the message is there; NumberRange would repeat it


# The texts an organizer writes for readers: one input per content language each.
# prefix → (label, field type, longest text).
TEXT_FIELDS: dict[str, tuple[object, type, int]] = {
    "title": (_l("Event title"), StringField, 300),
    "description": (_l("Description"), TextAreaField, 20000),
    "venue": (_l("Venue"), StringField, 300),
    "privacy_text": (_l("Privacy notice"), TextAreaField, 20000),
}
MAX_CONTENT_LANGUAGES = 12


def parse_languages(raw: str | None) -> tuple[str, ...]:
    """Content-language codes as entered ("zh, ru，en kk"), lower case, in order."""
    text = (raw or "").replace("，", ",").replace(" ", ",")
    return tuple(code.strip().lower() for code in text.split(",") if code.strip())


def form_languages(current: list[str] | tuple[str, ...], posted: str | None) -> tuple[str, ...]:
    """The languages the settings form has inputs for: the event's current ones on display; on
    a save, the content languages as submitted (a language just added gets its texts in the
    same save, one dropped is not touched), or — when that list is not valid — the current ones
    and the well-formed codes submitted, so the form is shown again with every input."""
    submitted = parse_languages(posted)
    if submitted and not valid_language_codes(submitted) and len(set(submitted)) == len(submitted):
        return submitted[:MAX_CONTENT_LANGUAGES]
    languages = list(current)
    for code in submitted:
        if code not in languages and not valid_language_codes([code]):
            languages.append(code)
    return tuple(languages[:MAX_CONTENT_LANGUAGES])


class EventSettingsForm(WebForm):
    """Titles, texts, venue, times, timezone, status, kind, privacy texts and contact; the
    texts have one input per content language (build the class with `for_languages`)."""

    class Meta:
        # Every text field is stripped before validation.
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if _strip not in filters:
                filters = [_strip, *filters]
            return unbound_field.bind(form=form, filters=filters, **options)

    languages: tuple[str, ...] = DEFAULT_CONTENT_LANGUAGES

    map_url = URLField(
        _l("Map link"),
        validators=[Optional(), Length(max=500)],
        description=_l("A map of the venue (https://…), linked from each participant's page."),
    )
    online_url = URLField(
        _l("Online stream or meeting link"),
        validators=[Optional(), Length(max=500)],
        description=_l(
            "For online attendees (https://…). They never see this address on a page or in a "
            "mail: each gets a personal join link that records their attendance and then opens "
            "this one."
        ),
    )
    starts_local = DateTimeLocalField(
        _l("Starts"),
        format=DATETIME_FORMAT,
        validators=[InputRequired(message=_l("Please enter a date and time."))],
        description=_l("In the event's timezone."),
    )
    ends_local = DateTimeLocalField(
        _l("Ends"),
        format=DATETIME_FORMAT,
        validators=[InputRequired(message=_l("Please enter a date and time."))],
        description=_l("In the event's timezone."),
    )
    timezone = StringField(
        _l("Timezone"),
        default="Asia/Shanghai",
        validators=[DataRequired(), Length(max=64)],
        description=_l("IANA name, for example Asia/Shanghai or Europe/Moscow."),
    )
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, default=EventStatus.DRAFT.value)
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, default=EventKind.CONFERENCE.value)
    contact_email = EmailField(
        _l("Contact email"), validators=[Optional(), Email(), Length(max=254)]
    )
    content_languages = StringField(
        _l("Content languages"),
        default="zh, en",
        validators=[DataRequired(), Length(max=100)],
        description=_l(
            "The languages you write this event's texts in, in fallback order, as codes "
            "(zh, ru, en, kk, uz …). A reader whose language has no text sees the first that has."
        ),
    )
    reminder_days_before = DaysField(
        _l("Reminder mail: days before the start"),
        validators=[
            Optional(),
            NumberRange(
                min=REMINDER_DAYS_MIN, max=REMINDER_DAYS_MAX, message=REMINDER_DAYS_MESSAGE
            ),
        ],
        description=_l(
            "Confirmed participants get a reminder with their QR code and calendar entry this "
            "many days before the start (1–60); if that moment has passed, it goes out as soon "
            "as you save. Leave empty for no reminder."
        ),
    )

    @classmethod
    def for_languages(cls, languages: list[str] | tuple[str, ...]) -> type[EventSettingsForm]:
        """This form with a title, description, venue and privacy notice input per language."""
        return _with_languages(cls, tuple(languages))

    def text_fields(self, prefix: str) -> list[tuple[str, Field]]:
        """(language, input) of one text (see TEXT_FIELDS), in the event's language order."""
        return [(language, self[f"{prefix}_{language}"]) for language in self.languages]

    def texts(self, prefix: str) -> Translated:
        """One text as entered, all languages."""
        return language_values(self, prefix, self.languages)

    def missing(self, prefix: str) -> list[str]:
        """The content languages a written text lacks (the completeness mark); none for a text
        not written at all (an optional one nobody wrote lacks nothing, as on the dashboard)."""
        texts = self.texts(prefix)
        return texts.missing(self.entered_languages() or self.languages) if texts else []

    def entered_languages(self) -> tuple[str, ...]:
        """The content-language codes as entered, lower case, in order."""
        return parse_languages(self.content_languages.data)

    def validate(self, extra_validators=None) -> bool:
        """The field checks, and a title in at least one language."""
        valid = super().validate(extra_validators)
        if not self.texts("title"):
            first = self.text_fields("title")[0][1]
            first.errors = [*first.errors, _l("Enter the title in at least one language.")]
            valid = False
        return valid

    def to_event_data(self) -> EventData:
        """The validated input as the services take it."""
        return EventData(
            title=self.texts("title"),
            description=self.texts("description"),
            venue=self.texts("venue"),
            privacy_text=self.texts("privacy_text"),
            text_languages=self.languages,
            map_url=self.map_url.data or "",
            online_url=self.online_url.data or "",
            starts_local=self.starts_local.data,
            ends_local=self.ends_local.data,
            timezone=self.timezone.data,
            status=EventStatus(self.status.data),
            kind=EventKind(self.kind.data),
            contact_email=self.contact_email.data or "",
            content_languages=self.entered_languages(),
            reminder_days_before=self.reminder_days_before.data,
        )

    def fill_from_event(self, event: Event) -> None:
        """Show an event's current settings, times in its own timezone."""
        for prefix in TEXT_FIELDS:
            value = getattr(event, prefix)
            for language, text_field in self.text_fields(prefix):
                text_field.data = value.get(language, "")
        for name in ("map_url", "online_url", "timezone", "contact_email", "reminder_days_before"):
            self[name].data = getattr(event, name)
        self.starts_local.data = event.local(event.starts_at).replace(tzinfo=None)
        self.ends_local.data = event.local(event.ends_at).replace(tzinfo=None)
        self.status.data = event.status.value
        self.kind.data = event.kind.value
        self.content_languages.data = ", ".join(event.languages)

    def show_error(self, field_name: str | None, message) -> bool:
        """Attach a service error to its field; False when the field is unknown."""
        target = self._fields.get(field_name or "")
        if target is None:
            return False
        target.errors = [*target.errors, str(message)]
        return True


class NewEventForm(EventSettingsForm):
    """Every event setting plus the slug, which cannot change later."""

    slug = StringField(
        _l("Address (slug)"),
        validators=[
            DataRequired(),
            Length(max=80),
            Regexp(
                SLUG_PATTERN,
                message=_l(
                    "Use lowercase letters, digits and hyphens only (for example qingdao-2021)."
                ),
            ),
        ],
        description=_l("Part of the event's web address; it cannot be changed later."),
    )


@cache
def _with_languages(base: type[EventSettingsForm], languages: tuple[str, ...]):
    """`base` with the per-language text inputs (one class per form and language list)."""
    fields: dict[str, object] = {"languages": languages}
    for prefix, (label, field_type, longest) in TEXT_FIELDS.items():
        # A notice or a description is read whole while written: tall boxes.
        rows = {"render_kw": {"rows": 8}} if field_type is TextAreaField else {}
        fields.update(
            language_fields(
                prefix,
                label,
                languages,
                field=field_type,
                validators=[Length(max=longest)],
                **rows,
            )
        )
    return type(f"{base.__name__}_{'_'.join(languages)}", (base,), fields)
