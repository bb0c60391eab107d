"""Ceremony forms: the ceremony, agenda segments, signing items (parties and witnesses as
fixed rows; blank rows are ignored), status changes and document uploads."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.ceremonies.models import Ceremony, HostLanguage, SegmentKind, SigningItem, SigningStatus
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
from app.forms import WebForm
from app.registration.forms import country_choices

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
PARTY_ROWS = 4
WITNESS_ROWS = 4

HOST_LANGUAGE_CHOICES = [(HostLanguage.ZH.value, "中文"), (HostLanguage.EN.value, "English")]
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


class CeremonyForm(WebForm):
    """Title, date and start time (event timezone), venue, host and the time slot."""

    title_zh = StringField(
        _l("Title (Chinese)"), filters=[_strip], validators=[DataRequired(), Length(max=300)]
    )
    title_en = StringField(
        _l("Title (English)"), filters=[_strip], validators=[DataRequired(), Length(max=300)]
    )
    starts_local = DateTimeLocalField(
        _l("Date and start time"),
        format=DATETIME_FORMAT,
        validators=[InputRequired(message=_l("Please enter a date and time."))],
        description=_l("In the event's timezone."),
    )
    venue_zh = StringField(
        _l("Venue (Chinese)"), filters=[_strip], validators=[Optional(), Length(max=300)]
    )
    venue_en = StringField(
        _l("Venue (English)"), filters=[_strip], validators=[Optional(), Length(max=300)]
    )
    host_name = StringField(
        _l("Host (MC)"), filters=[_strip], validators=[Optional(), Length(max=200)]
    )
    host_language = SelectField(
        _l("Host's language"),
        choices=HOST_LANGUAGE_CHOICES,
        default=HostLanguage.ZH.value,
        description=_l("The host script is written in this language."),
    )
    slot_minutes = _duration(_l("Time slot (minutes)"), 60)

    def to_data(self) -> CeremonyData:
        """The validated input as the services take it."""
        return CeremonyData(
            title_zh=self.title_zh.data,
            title_en=self.title_en.data,
            starts_local=self.starts_local.data,
            venue_zh=self.venue_zh.data or "",
            venue_en=self.venue_en.data or "",
            host_name=self.host_name.data or "",
            host_language=HostLanguage(self.host_language.data),
            slot_minutes=self.slot_minutes.data,
        )

    def fill_from(self, ceremony: Ceremony) -> None:
        """Show a ceremony's current values, the start in the event's timezone."""
        for name in ("title_zh", "title_en", "venue_zh", "venue_en", "host_name"):
            self[name].data = getattr(ceremony, name)
        self.starts_local.data = ceremony.event.local(ceremony.starts_at).replace(tzinfo=None)
        self.host_language.data = ceremony.host_language.value
        self.slot_minutes.data = ceremony.slot_minutes


class SegmentForm(WebForm):
    """An agenda segment: kind, titles, speaker or performer, duration."""

    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, default=SegmentKind.SPEECH.value)
    title_zh = StringField(
        _l("Title (Chinese)"), filters=[_strip], validators=[Optional(), Length(max=300)]
    )
    title_en = StringField(
        _l("Title (English)"), filters=[_strip], validators=[Optional(), Length(max=300)]
    )
    performer = StringField(
        _l("Speaker / performer"), filters=[_strip], validators=[Optional(), Length(max=300)]
    )
    duration_minutes = _duration(_l("Duration (minutes)"), 5)

    def to_data(self) -> SegmentData:
        """The validated input as the services take it."""
        return SegmentData(
            kind=SegmentKind(self.kind.data),
            duration_minutes=self.duration_minutes.data,
            title_zh=self.title_zh.data or "",
            title_en=self.title_en.data or "",
            performer=self.performer.data or "",
        )


class PartyRow(Form):
    """One signing party row (blank rows are ignored)."""

    organization_zh = StringField(
        _l("Organization (Chinese)"), filters=[_strip], validators=[Optional(), Length(max=300)]
    )
    organization_en = StringField(
        _l("Organization (English)"), filters=[_strip], validators=[Optional(), Length(max=300)]
    )
    country = SelectField(_l("Country/region"), choices=[], validate_choice=False)
    signatory_name = StringField(
        _l("Signatory"), filters=[_strip], validators=[Optional(), Length(max=200)]
    )
    signatory_title = StringField(
        _l("Signatory's title"), filters=[_strip], validators=[Optional(), Length(max=200)]
    )


class WitnessRow(Form):
    """One witness row (blank rows are ignored)."""

    name = StringField(_l("Name"), filters=[_strip], validators=[Optional(), Length(max=200)])
    title = StringField(_l("Title"), filters=[_strip], validators=[Optional(), Length(max=200)])
    organization = StringField(
        _l("Organization"), filters=[_strip], validators=[Optional(), Length(max=300)]
    )


class SigningItemForm(WebForm):
    """A signing item: titles, parties (two or more), witnesses, duration, round, notes."""

    title_zh = StringField(
        _l("Project title (Chinese)"),
        filters=[_strip],
        validators=[DataRequired(), Length(max=300)],
    )
    title_en = StringField(
        _l("Project title (English)"),
        filters=[_strip],
        validators=[DataRequired(), Length(max=300)],
    )
    duration_minutes = _duration(_l("Signing time (minutes)"), 3)
    with_previous = BooleanField(
        _l("Signed at the same time as the previous item (at another table)")
    )
    notes = TextAreaField(_l("Notes"), filters=[_strip], validators=[Optional(), Length(max=5000)])
    parties = FieldList(FormField(PartyRow), min_entries=PARTY_ROWS, max_entries=MAX_PARTIES)
    witnesses = FieldList(
        FormField(WitnessRow), min_entries=WITNESS_ROWS, max_entries=MAX_WITNESSES
    )

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
            title_zh=self.title_zh.data,
            title_en=self.title_en.data,
            duration_minutes=self.duration_minutes.data,
            with_previous=bool(self.with_previous.data),
            notes=self.notes.data or "",
            parties=[
                PartyData(
                    organization_zh=row.form.organization_zh.data or "",
                    organization_en=row.form.organization_en.data or "",
                    country=row.form.country.data or "",
                    signatory_name=row.form.signatory_name.data or "",
                    signatory_title=row.form.signatory_title.data or "",
                )
                for row in self.parties
            ],
            witnesses=[
                WitnessData(
                    name=row.form.name.data or "",
                    title=row.form.title.data or "",
                    organization=row.form.organization.data or "",
                )
                for row in self.witnesses
            ],
        )

    def fill_from(self, item: SigningItem) -> None:
        """Show an item's current values, parties and witnesses first then blank rows."""
        self.title_zh.data = item.title_zh
        self.title_en.data = item.title_en
        self.duration_minutes.data = item.duration_minutes
        self.with_previous.data = item.with_previous
        self.notes.data = item.notes
        while len(self.parties) < min(len(item.parties), MAX_PARTIES):
            self.parties.append_entry()
        while len(self.witnesses) < min(len(item.witnesses), MAX_WITNESSES):
            self.witnesses.append_entry()
        self._set_country_choices()
        for row, party in zip(self.parties, item.parties, strict=False):
            row.form.organization_zh.data = party.organization_zh
            row.form.organization_en.data = party.organization_en
            row.form.country.data = party.country
            row.form.signatory_name.data = party.signatory_name
            row.form.signatory_title.data = party.signatory_title
        for row, witness in zip(self.witnesses, item.witnesses, strict=False):
            row.form.name.data = witness.name
            row.form.title.data = witness.title
            row.form.organization.data = witness.organization


class StatusForm(WebForm):
    """Move a signing item to another status."""

    status = SelectField(_l("Status"), choices=STATUS_CHOICES)


class DocumentForm(WebForm):
    """Upload a PDF of a signing item."""

    document = FileField(_l("Document (PDF)"), validators=[FileRequired()])
