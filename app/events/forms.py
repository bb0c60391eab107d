"""Event forms: the settings an organizer edits, and a new event (the settings and the slug)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    EmailField,
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
from app.forms import WebForm
from app.i18n import enum_choices

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


class EventSettingsForm(WebForm):
    """Titles, texts, venue, times, timezone, status, kind, privacy texts and contact."""

    class Meta:
        # Every text field is stripped before validation.
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if _strip not in filters:
                filters = [_strip, *filters]
            return unbound_field.bind(form=form, filters=filters, **options)

    title_zh = StringField(_l("Title (Chinese)"), validators=[DataRequired(), Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=300)])
    description_zh = TextAreaField(
        _l("Description (Chinese)"), validators=[Optional(), Length(max=20000)]
    )
    description_en = TextAreaField(
        _l("Description (English)"), validators=[Optional(), Length(max=20000)]
    )
    venue_zh = StringField(_l("Venue (Chinese)"), validators=[Optional(), Length(max=300)])
    venue_en = StringField(_l("Venue (English)"), validators=[Optional(), Length(max=300)])
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
    privacy_text_zh = TextAreaField(
        _l("Privacy notice (Chinese)"), validators=[Optional(), Length(max=20000)]
    )
    privacy_text_en = TextAreaField(
        _l("Privacy notice (English)"), validators=[Optional(), Length(max=20000)]
    )
    privacy_text_ru = TextAreaField(
        _l("Privacy notice (Russian)"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Shown to Russian-speaking participants; English is used when empty."),
    )
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

    def languages(self) -> tuple[str, ...]:
        """The content-language codes as entered, lower case, in order."""
        raw = (self.content_languages.data or "").replace("，", ",").replace(" ", ",")
        return tuple(code.strip().lower() for code in raw.split(",") if code.strip())

    def to_event_data(self) -> EventData:
        """The validated input as the services take it."""
        return EventData(
            title_zh=self.title_zh.data,
            title_en=self.title_en.data,
            description_zh=self.description_zh.data or "",
            description_en=self.description_en.data or "",
            venue_zh=self.venue_zh.data or "",
            venue_en=self.venue_en.data or "",
            map_url=self.map_url.data or "",
            online_url=self.online_url.data or "",
            starts_local=self.starts_local.data,
            ends_local=self.ends_local.data,
            timezone=self.timezone.data,
            status=EventStatus(self.status.data),
            kind=EventKind(self.kind.data),
            privacy_text_zh=self.privacy_text_zh.data or "",
            privacy_text_en=self.privacy_text_en.data or "",
            privacy_text_ru=self.privacy_text_ru.data or "",
            contact_email=self.contact_email.data or "",
            content_languages=self.languages(),
            reminder_days_before=self.reminder_days_before.data,
        )

    def fill_from_event(self, event: Event) -> None:
        """Show an event's current settings, times in its own timezone."""
        for name in (
            "title_zh",
            "title_en",
            "description_zh",
            "description_en",
            "venue_zh",
            "venue_en",
            "map_url",
            "online_url",
            "timezone",
            "privacy_text_zh",
            "privacy_text_en",
            "privacy_text_ru",
            "contact_email",
            "reminder_days_before",
        ):
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
