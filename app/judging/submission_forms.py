"""Forms of the team entry flow: the public submission form (the leader's registration form
of the registration domain, plus the project, the team members and the pitch deck), the
leader's edit form, and the organizers' submission settings.

Forms are built per competition: the date of birth is asked only when there is an age limit,
and the track is a choice when the organizers listed tracks.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.events.models import Event
from app.forms import WebForm
from app.judging.models import CompetitionSettings
from app.judging.submission_services import MAX_TEAM_SIZE, MemberData, TeamEntryData
from app.registration.forms import (
    LANGUAGE_CHOICES,
    NewRegistrationForm,
    ParticipantForm,
    build_form_class,
    country_choices,
)

_SINGLE_LINE_BREAKERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MEMBER_TEXT_FIELDS = ("native_name", "latin_name", "email", "organization", "date_of_birth")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ProjectFields:
    """The project as a team describes it (shared by the submission and edit forms)."""

    title_zh = StringField(_l("Project title (Chinese)"), [Length(max=300)], filters=[_strip])
    title_en = StringField(_l("Project title (English)"), [Length(max=300)], filters=[_strip])
    team_name = StringField(_l("Team name"), [Length(max=200)], filters=[_strip])
    track = StringField(_l("Track"), [Length(max=80)], filters=[_strip])
    summary = TextAreaField(
        _l("Summary"),
        [DataRequired(), Length(max=5000)],
        filters=[_strip],
        description=_l("What the project does, for whom, and how far it has come."),
    )
    video_url = URLField(
        _l("Video link"),
        [Length(max=500)],
        filters=[_strip],
        description=_l("A link to the team's pitch video (https://…), optional."),
    )

    def project_data(self) -> TeamEntryData:
        """The project fields for the services."""
        return TeamEntryData(
            title_zh=self.title_zh.data or "",
            title_en=self.title_en.data or "",
            team_name=self.team_name.data or "",
            track=self.track.data or "",
            summary=self.summary.data or "",
            video_url=self.video_url.data or "",
        )


class MemberForm(Form):
    """One team member besides the leader; blank rows are dropped before validation."""

    class Meta:
        bind_field = ParticipantForm.Meta.bind_field  # strips every text field

    native_name = StringField(_l("Name"), [DataRequired(), Length(max=100)])
    latin_name = ParticipantForm.latin_name
    email = NewRegistrationForm.email
    country = ParticipantForm.country
    organization = StringField(
        _l("Organization"),
        [Optional(), Length(max=200)],
        description=_l("Leave empty if the same as the leader's."),
    )
    language = SelectField(_l("Language for emails and badge"), choices=LANGUAGE_CHOICES)
    date_of_birth = DateField(_l("Date of birth"), [Optional()])

    def validate(self, extra_validators=None) -> bool:
        """Field validators, then no control characters or line breaks in any text."""
        valid = super().validate(extra_validators)
        for name in ("native_name", "latin_name", "email", "organization"):
            value = self[name].data
            if isinstance(value, str) and _SINGLE_LINE_BREAKERS.search(value):
                self[name].errors.append(
                    _l("This field contains control characters or line breaks; please remove them.")
                )
                valid = False
        return valid

    def member_data(self, row: int) -> MemberData:
        """The row for the services."""
        return MemberData(
            native_name=self.native_name.data or "",
            latin_name=self.latin_name.data or "",
            email=self.email.data or "",
            country=self.country.data or "",
            organization=self.organization.data or "",
            language=self.language.data or "en",
            date_of_birth=self.date_of_birth.data if "date_of_birth" in self else None,
            row=row,
        )


class CurrentMemberForm(Form):
    """A member already in the team, on the leader's edit form."""

    registration_id = IntegerField(validators=[InputRequired()])
    remove = BooleanField(_l("Remove from the team"))
    date_of_birth = DateField(_l("Date of birth"), [Optional()])


class TeamEntryForm(ProjectFields, NewRegistrationForm):
    """The public entry form: the leader registers (the registration form's fields and the
    event's questions), describes the project, names the other members and uploads the deck."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            # The registration form strips every field; member rows take no filters.
            if unbound_field.field_class in (FieldList, FormField):
                return unbound_field.bind(form=form, **options)
            return super().bind_field(form, unbound_field, options)

    category_id = None  # always the competition's team category
    date_of_birth = DateField(_l("Your date of birth"), [Optional()])
    members = FieldList(FormField(MemberForm), max_entries=MAX_TEAM_SIZE)
    deck = FileField(_l("Pitch deck (PDF, at most 10 MB)"))
    team_consent = BooleanField(
        _l("The team members agree that I register them and pass on their details."),
        validators=[DataRequired(message=_l("The team members' agreement is needed."))],
    )


class TeamEditForm(ProjectFields, WebForm):
    """The leader's changes: project, members (remove, date of birth, new ones), new deck."""

    current = FieldList(FormField(CurrentMemberForm), max_entries=MAX_TEAM_SIZE)
    members = FieldList(FormField(MemberForm), max_entries=MAX_TEAM_SIZE)
    deck = FileField(_l("New pitch deck (PDF, at most 10 MB; leave empty to keep the current one)"))


def _adapt(base: type, settings: CompetitionSettings) -> type:
    """`base` with the track as a choice when tracks are listed, and no date of birth without
    an age limit."""
    attrs: dict = {}
    if settings.tracks:
        attrs["track"] = SelectField(
            _l("Track"),
            [DataRequired()],
            choices=[("", "—"), *((t, t) for t in settings.tracks)],
        )
    if not settings.age_limit:
        no_birth = {"date_of_birth": None}
        attrs["date_of_birth"] = None
        member_form = type("MemberFormWithoutBirthDate", (MemberForm,), no_birth)
        attrs["members"] = FieldList(FormField(member_form), max_entries=MAX_TEAM_SIZE)
        if issubclass(base, TeamEditForm):
            current_form = type("CurrentMemberFormWithoutBirthDate", (CurrentMemberForm,), no_birth)
            attrs["current"] = FieldList(FormField(current_form), max_entries=MAX_TEAM_SIZE)
    return type(f"{base.__name__}ForCompetition{settings.id}", (base,), attrs)


def build_entry_form_class(event: Event, settings: CompetitionSettings, locale: str) -> type:
    """The public entry form class of a competition (the event's questions included)."""
    return _adapt(build_form_class(TeamEntryForm, event, locale), settings)


def build_edit_form_class(settings: CompetitionSettings) -> type:
    """The leader's edit form class of a competition."""
    return _adapt(TeamEditForm, settings)


def without_blank_members(form: MultiDict, files: MultiDict) -> CombinedMultiDict:
    """The posted form without blank member rows (a name, email, organization and date of
    birth all empty), so only the rows a person filled in are validated and registered.

    Of the uploads only the deck is kept: a file sent under a text field's name would reach
    that field's validators as a file object (a 500), where a missing value is a message."""
    pattern = re.compile(r"^members-(\d+)-(\w+)$")
    rows: dict[int, dict[str, str]] = {}
    for key in form:
        match = pattern.match(key)
        if match:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = form.get(key, "")
    blank = {
        index
        for index, values in rows.items()
        if not any((values.get(name) or "").strip() for name in MEMBER_TEXT_FIELDS)
    }
    kept = MultiDict(
        [
            (key, value)
            for key, value in form.items(multi=True)
            if not ((m := pattern.match(key)) and int(m.group(1)) in blank)
        ]
    )
    deck = MultiDict([(key, upload) for key, upload in files.items(multi=True) if key == "deck"])
    return CombinedMultiDict([deck, kept])


def prepare_member_rows(form, locale: str, rows: int, default_language: str) -> None:
    """Give every member row its country choices and show at least `rows` rows."""
    while len(form.members) < rows:
        form.members.append_entry()
    for row in form.members:
        row.form.country.choices = list(country_choices(locale))
        if not row.form.language.data:
            row.form.language.data = default_language


class SettingsForm(WebForm):
    """The organizers' submission settings."""

    team_category = SelectField(
        _l("Registration category of team members"), coerce=int, validate_choice=False
    )
    submissions_open = BooleanField(_l("Teams can submit entries on the public site"))
    submission_deadline = DateTimeLocalField(
        _l("Submission deadline (event time zone)"),
        [Optional()],
        format="%Y-%m-%dT%H:%M",
        description=_l("Teams can submit and change entries until then; empty: no deadline."),
    )
    min_team_size = IntegerField(
        _l("Smallest team (leader included)"),
        [InputRequired(), NumberRange(min=1, max=MAX_TEAM_SIZE)],
        default=1,
    )
    max_team_size = IntegerField(
        _l("Largest team (leader included)"),
        [InputRequired(), NumberRange(min=1, max=MAX_TEAM_SIZE)],
        default=5,
    )
    tracks = TextAreaField(
        _l("Tracks, one per line"),
        [Length(max=3000)],
        description=_l("Empty: teams type their track."),
    )
    age_limit = IntegerField(
        _l("Age limit (oldest age allowed, in years)"),
        [Optional(), NumberRange(min=10, max=100)],
        description=_l("Only with an age limit are team members asked for their date of birth."),
    )
    age_reference_date = DateField(
        _l("Age counted on"),
        [Optional()],
        description=_l("Empty: the event's first day."),
    )
