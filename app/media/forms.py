"""Media forms: outlets, coverage items, the import upload and journalist links."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, Field, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.forms import WebForm, language_fields, language_values
from app.media.models import CoverageItem, CoverageKind, Outlet, OutletLevel, OutletType
from app.media.services import CoverageData, OutletData

LEVEL_CHOICES = [
    (OutletLevel.CENTRAL.value, _l("Central")),
    (OutletLevel.PROVINCIAL.value, _l("Provincial")),
    (OutletLevel.MUNICIPAL.value, _l("Municipal")),
    (OutletLevel.INDUSTRY.value, _l("Industry")),
    (OutletLevel.OVERSEAS.value, _l("Overseas")),
]
TYPE_CHOICES = [
    (OutletType.TV.value, _l("TV")),
    (OutletType.NEWSPAPER.value, _l("Newspaper")),
    (OutletType.NEWS_WEBSITE.value, _l("News website")),
    (OutletType.NEW_MEDIA.value, _l("New media account")),
    (OutletType.VIDEO_PLATFORM.value, _l("Video platform")),
]
KIND_CHOICES = [
    (CoverageKind.ORIGINAL.value, _l("Original report")),
    (CoverageKind.REPOST.value, _l("Repost")),
    (CoverageKind.VIDEO.value, _l("Video")),
    (CoverageKind.LIVE_STREAM.value, _l("Live stream")),
]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class OutletForm(WebForm):
    """An outlet: its name per content language (`OutletForm.for_languages(event.languages)`,
    at least one), level, type, website."""

    languages: tuple[str, ...] = ()
    level = SelectField(_l("Level"), choices=LEVEL_CHOICES)
    type = SelectField(_l("Type"), choices=TYPE_CHOICES)
    website = StringField(_l("Website"), filters=[_strip], validators=[Optional(), Length(max=500)])

    @classmethod
    def for_languages(cls, languages: list[str] | tuple[str, ...]) -> type[OutletForm]:
        """The outlet form with a name field per content language."""
        return _outlet_form(tuple(languages))

    def name_fields(self) -> list[tuple[str, Field]]:
        """(language, the name's field) in the event's order."""
        return [(language, self[f"name_{language}"]) for language in self.languages]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.languages and not language_values(self, "name", self.languages):
            first = self[f"name_{self.languages[0]}"]
            first.errors = [*first.errors, _l("Enter the outlet's name.")]
            ok = False
        return ok

    def to_data(self) -> OutletData:
        """The validated input as the services take it."""
        return OutletData(
            name=language_values(self, "name", self.languages),
            level=OutletLevel(self.level.data),
            type=OutletType(self.type.data),
            website=self.website.data or "",
        )

    def fill_from(self, outlet: Outlet) -> None:
        """Show an outlet's current values."""
        for language, name_field in self.name_fields():
            name_field.data = outlet.name.get(language, "")
        self.level.data = outlet.level.value
        self.type.data = outlet.type.value
        self.website.data = outlet.website


@lru_cache(maxsize=64)
def _outlet_form(languages: tuple[str, ...]) -> type[OutletForm]:
    names = language_fields("name", _l("Name"), languages, validators=[Length(max=200)])
    return type(
        "OutletForm_" + "_".join(languages), (OutletForm,), {"languages": languages, **names}
    )


class CoverageForm(WebForm):
    """A coverage item; outlet and ceremony choices are set by the view."""

    outlet_id = SelectField(_l("Outlet"), coerce=int, validators=[InputRequired()])
    published_on = DateField(
        _l("Date"), validators=[InputRequired(message=_l("Please enter a date."))]
    )
    title = StringField(_l("Title"), filters=[_strip], validators=[DataRequired(), Length(max=500)])
    url = StringField(_l("URL"), filters=[_strip], validators=[Optional(), Length(max=1000)])
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, default=CoverageKind.ORIGINAL.value)
    plays = IntegerField(
        _l("Plays/views"),
        validators=[Optional(), NumberRange(min=0, max=2_000_000_000)],
        description=_l("Leave empty when not known."),
    )
    ceremony_id = SelectField(_l("Ceremony"), coerce=int, default=0)
    notes = TextAreaField(_l("Notes"), filters=[_strip], validators=[Optional(), Length(max=5000)])

    def to_data(self) -> CoverageData:
        """The validated input as the services take it."""
        return CoverageData(
            outlet_id=self.outlet_id.data,
            published_on=self.published_on.data,
            title=self.title.data,
            url=self.url.data or "",
            kind=CoverageKind(self.kind.data),
            plays=self.plays.data,
            notes=self.notes.data or "",
            ceremony_id=self.ceremony_id.data or None,
        )

    def fill_from(self, item: CoverageItem) -> None:
        """Show a coverage item's current values."""
        self.outlet_id.data = item.outlet_id
        self.published_on.data = item.published_on
        self.title.data = item.title
        self.url.data = item.url or ""
        self.kind.data = item.kind.value
        self.plays.data = item.plays
        self.ceremony_id.data = item.ceremony_id or 0
        self.notes.data = item.notes


class ImportForm(WebForm):
    """Upload a coverage spreadsheet (CSV or XLSX)."""

    file = FileField(
        _l("Spreadsheet (CSV or XLSX)"),
        validators=[FileRequired(message=_l("Choose a file to import."))],
    )


class LinkJournalistForm(WebForm):
    """Link a journalist's registration to an outlet; choices are set by the view."""

    registration_id = SelectField(_l("Journalist"), coerce=int, validators=[InputRequired()])
