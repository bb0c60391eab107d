"""Ceremony forms: the ceremony, agenda segments, signing items (parties and witnesses as
fixed rows; blank rows are ignored), status changes and document uploads."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    Field,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.ceremonies.models import AgendaSegment, Ceremony, SegmentKind, SigningItem, SigningStatus
from app.ceremonies.services import (
    MAX_DURATION_MINUTES,
    MAX_PARTIES,
    MAX_WITNESSES,
    CeremonyData,
    PartyData,
    SegmentData,
    SigningItemData,
    WitnessData,
)
from app.forms import WebForm, language_fields, language_values
from app.i18n import language_name
from app.registration.forms import country_choices
from app.translated import Translated

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
PARTY_ROWS = 4
WITNESS_ROWS = 4

KIND_CHOICES = [
    (SegmentKind.OPENING.value, _l("Opening")),
    (SegmentKind.SPEECH.value, _l("Speech")),
    (SegmentKind.VIDEO.value, _l("Video")),
    (SegmentKind.SIGNING.value, _l("Signing")),
    (SegmentKind.WITNESS_PHOTO.value, _l("Group photo with witnesses")),
    (SegmentKind.CLOSING.value, _l("Closing")),
    (SegmentKind.OTHER.value, _l("Other")),
]
STATUS_CHOICES = [
    (SigningStatus.PROPOSED.value, _l("Proposed")),
    (SigningStatus.CONFIRMED.value, _l("Confirmed")),
    (SigningStatus.DOCUMENTS_READY.value, _l("Documents ready")),
    (SigningStatus.SIGNED.value, _l("Signed")),
]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _duration(label, default):
    return IntegerField(
        label,
        default=default,
        validators=[
            InputRequired(message=_l("Please enter a number of minutes.")),
            NumberRange(min=1, max=MAX_DURATION_MINUTES),
        ],
    )


class TranslatedForm:
    """A form (or row) with one field per content language for some texts; `languages` is set
    by the per-event subclass (`for_languages`)."""

    languages: tuple[str, ...] = ()

    def language_fields_of(self, prefix: str) -> list[tuple[str, Field]]:
        """(language, its `prefix` field) in the event's order."""
        return [(language, self[f"{prefix}_{language}"]) for language in self.languages]

    def fill_texts(self, prefix: str, value: Translated) -> None:
        """Show a translated text in the `prefix` fields."""
        for language, text_field in self.language_fields_of(prefix):
            text_field.data = value.get(language, "")

    def texts(self, prefix: str) -> Translated:
        """What the `prefix` fields hold."""
        return language_values(self, prefix, self.languages)

    def missing(self, prefix: str) -> list[str]:
        """The languages whose `prefix` field is empty while another is written (the
        completeness mark next to the fields; nothing written at all lacks nothing)."""
        written = self.texts(prefix)
        return written.missing(self.languages) if written else []


def _texts(prefix: str, label, languages: tuple[str, ...], length: int) -> dict[str, Field]:
    return language_fields(prefix, label, languages, validators=[Optional(), Length(max=length)])


class CeremonyForm(TranslatedForm, WebForm):
    """Title and venue (per content language), date and start time (event timezone), host and
    the time slot."""

    starts_local = DateTimeLocalField(
        _l("Date and start time"),
        format=DATETIME_FORMAT,
        validators=[InputRequired(message=_l("Please enter a date and time."))],
        description=_l("In the event's timezone."),
    )
    host_name = StringField(
        _l("Host (MC)"), filters=[_strip], validators=[Optional(), Length(max=200)]
    )
    host_language = SelectField(
        _l("Host's language"),
        choices=[],
        description=_l("The host script is written in this language."),
    )
    slot_minutes = _duration(_l("Time slot (minutes)"), 60)

    @classmethod
    def for_languages(cls, languages) -> type[CeremonyForm]:
        """The ceremony form of an event with these content languages."""
        return _ceremony_form(tuple(languages))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The host speaks one of the event's content languages (a ceremony already set to
        # another one keeps it as a choice).
        self.host_language.choices = [(code, language_name(code)) for code in self.languages]
        if self.host_language.data is None and self.languages:
            self.host_language.data = self.languages[0]

    def keep_host_language(self, ceremony: Ceremony) -> None:
        """Offer the ceremony's host language even when the event no longer lists it."""
        if ceremony.host_language not in dict(self.host_language.choices):
            self.host_language.choices.append(
                (ceremony.host_language, language_name(ceremony.host_language))
            )

    def to_data(self) -> CeremonyData:
        """The validated input as the services take it."""
        return CeremonyData(
            title=self.texts("title"),
            starts_local=self.starts_local.data,
            venue=self.texts("venue"),
            host_name=self.host_name.data or "",
            host_language=self.host_language.data,
            slot_minutes=self.slot_minutes.data,
            languages=self.languages,
        )

    def fill_from(self, ceremony: Ceremony) -> None:
        """Show a ceremony's current values, the start in the event's timezone."""
        self.fill_texts("title", ceremony.title)
        self.fill_texts("venue", ceremony.venue)
        self.host_name.data = ceremony.host_name
        self.starts_local.data = ceremony.event.local(ceremony.starts_at).replace(tzinfo=None)
        self.keep_host_language(ceremony)
        self.host_language.data = ceremony.host_language
        self.slot_minutes.data = ceremony.slot_minutes


@lru_cache(maxsize=64)
def _ceremony_form(languages: tuple[str, ...]) -> type[CeremonyForm]:
    return type(
        "CeremonyForm_" + "_".join(languages),
        (CeremonyForm,),
        {
            "languages": languages,
            **_texts("title", _l("Ceremony title"), languages, 300),
            **_texts("venue", _l("Venue"), languages, 300),
        },
    )


class SegmentForm(TranslatedForm, WebForm):
    """An agenda segment: kind, title and speaker/performer per language, duration."""

    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, default=SegmentKind.SPEECH.value)
    duration_minutes = _duration(_l("Duration (minutes)"), 5)

    @classmethod
    def for_languages(cls, languages) -> type[SegmentForm]:
        """The segment form of an event with these content languages."""
        return _segment_form(tuple(languages))

    def to_data(self) -> SegmentData:
        """The validated input as the services take it."""
        return SegmentData(
            kind=SegmentKind(self.kind.data),
            duration_minutes=self.duration_minutes.data,
            title=self.texts("title"),
            performer=self.texts("performer"),
            languages=self.languages,
        )

    def fill_from(self, segment: AgendaSegment) -> None:
        """Show a segment's current values."""
        self.kind.data = segment.kind.value
        self.duration_minutes.data = segment.duration_minutes
        self.fill_texts("title", segment.title)
        self.fill_texts("performer", segment.performer)


@lru_cache(maxsize=64)
def _segment_form(languages: tuple[str, ...]) -> type[SegmentForm]:
    return type(
        "SegmentForm_" + "_".join(languages),
        (SegmentForm,),
        {
            "languages": languages,
            **_texts("title", _l("Segment title"), languages, 300),
            **_texts("performer", _l("Speaker / performer"), languages, 300),
        },
    )


class PartyRow(TranslatedForm, Form):
    """One signing party row, the organization per content language (blank rows are ignored)."""

    country = SelectField(_l("Country/region"), choices=[], validate_choice=False)
    signatory_name = StringField(
        _l("Signatory"), filters=[_strip], validators=[Optional(), Length(max=200)]
    )


class WitnessRow(TranslatedForm, Form):
    """One witness row: the name once, title and organization per language (blank rows are
    ignored)."""

    name = StringField(_l("Name"), filters=[_strip], validators=[Optional(), Length(max=200)])


class SigningItemForm(TranslatedForm, WebForm):
    """A signing item: title per language, parties (two or more), witnesses, duration, round,
    notes."""

    duration_minutes = _duration(_l("Signing time (minutes)"), 3)
    with_previous = BooleanField(
        _l("Signed at the same time as the previous item (at another table)")
    )
    notes = TextAreaField(_l("Notes"), filters=[_strip], validators=[Optional(), Length(max=5000)])
    parties = FieldList(FormField(PartyRow), min_entries=PARTY_ROWS, max_entries=MAX_PARTIES)
    witnesses = FieldList(
        FormField(WitnessRow), min_entries=WITNESS_ROWS, max_entries=MAX_WITNESSES
    )

    @classmethod
    def for_languages(cls, languages) -> type[SigningItemForm]:
        """The signing item form of an event with these content languages."""
        return _item_form(tuple(languages))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_country_choices()

    def _set_country_choices(self) -> None:
        choices = country_choices(str(get_locale() or "zh_CN"))
        for row in self.parties:
            row.form.country.choices = choices

    def to_data(self) -> SigningItemData:
        """The validated input as the services take it (blank rows included; services drop them)."""
        return SigningItemData(
            title=self.texts("title"),
            languages=self.languages,
            duration_minutes=self.duration_minutes.data,
            with_previous=bool(self.with_previous.data),
            notes=self.notes.data or "",
            parties=[
                PartyData(
                    organization=row.form.texts("organization"),
                    country=row.form.country.data or "",
                    signatory_name=row.form.signatory_name.data or "",
                    signatory_title=row.form.texts("signatory_title"),
                )
                for row in self.parties
            ],
            witnesses=[
                WitnessData(
                    name=row.form.name.data or "",
                    title=row.form.texts("title"),
                    organization=row.form.texts("organization"),
                )
                for row in self.witnesses
            ],
        )

    def fill_from(self, item: SigningItem) -> None:
        """Show an item's current values, parties and witnesses first then blank rows."""
        self.fill_texts("title", item.title)
        self.duration_minutes.data = item.duration_minutes
        self.with_previous.data = item.with_previous
        self.notes.data = item.notes
        while len(self.parties) < min(len(item.parties), MAX_PARTIES):
            self.parties.append_entry()
        while len(self.witnesses) < min(len(item.witnesses), MAX_WITNESSES):
            self.witnesses.append_entry()
        self._set_country_choices()
        for row, party in zip(self.parties, item.parties, strict=False):
            row.form.fill_texts("organization", party.organization)
            row.form.country.data = party.country
            row.form.signatory_name.data = party.signatory_name
            row.form.fill_texts("signatory_title", party.signatory_title)
        for row, witness in zip(self.witnesses, item.witnesses, strict=False):
            row.form.name.data = witness.name
            row.form.fill_texts("title", witness.title)
            row.form.fill_texts("organization", witness.organization)


@lru_cache(maxsize=64)
def _item_form(languages: tuple[str, ...]) -> type[SigningItemForm]:
    party_row = type(
        "PartyRow_" + "_".join(languages),
        (PartyRow,),
        {
            "languages": languages,
            **_texts("organization", _l("Organization"), languages, 300),
            **_texts("signatory_title", _l("Signatory's title"), languages, 200),
        },
    )
    witness_row = type(
        "WitnessRow_" + "_".join(languages),
        (WitnessRow,),
        {
            "languages": languages,
            **_texts("title", _l("Witness's title"), languages, 200),
            **_texts("organization", _l("Organization"), languages, 300),
        },
    )
    return type(
        "SigningItemForm_" + "_".join(languages),
        (SigningItemForm,),
        {
            "languages": languages,
            **_texts("title", _l("Project title"), languages, 300),
            "parties": FieldList(
                FormField(party_row), min_entries=PARTY_ROWS, max_entries=MAX_PARTIES
            ),
            "witnesses": FieldList(
                FormField(witness_row), min_entries=WITNESS_ROWS, max_entries=MAX_WITNESSES
            ),
        },
    )


class StatusForm(WebForm):
    """Move a signing item to another status."""

    status = SelectField(_l("Status"), choices=STATUS_CHOICES)


class DocumentForm(WebForm):
    """Upload a PDF of a signing item."""

    document = FileField(_l("Document (PDF)"), validators=[FileRequired()])
