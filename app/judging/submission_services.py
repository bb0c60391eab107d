"""Team entries from the public site: the competition's submission settings, a team leader
submitting an entry (every team member becomes a registration of the competition's team
category through the registration services, and gets its normal mails), the leader's edits by
their signed self-service link, the eligibility check the organizers see, and their decision
mailed to the leader in the leader's language.

Services flush and never commit; the caller commits, which sends the queued mails. Every
refusal raises JudgingError with a message in the user's language before anything is written,
so a refused submission stores nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.clock import utcnow
from app.events.models import Event, EventStatus
from app.extensions import db
from app.judging import entry_services
from app.judging.entry_services import EntryData
from app.judging.errors import JudgingError
from app.judging.models import CompetitionSettings, Eligibility, Entry, TeamMember
from app.mail.services import absolute_url, queue_mail
from app.registration.models import (
    ACTIVE_STATES,
    Attendance,
    AttendanceRule,
    Category,
    Registration,
)
from app.registration.services import (
    ConsentOutdated,
    DuplicateRegistration,
    ParticipantData,
    RegistrationError,
    cancel_registration,
    manage_token,
    normalize_email,
    register_participant,
)

MAX_TEAM_SIZE = 20  # the most a competition can allow, the leader included
MAX_TRACKS = 30
MAX_TRACK_LENGTH = 80
MAX_VIDEO_URL = 500
OLDEST_PLAUSIBLE_AGE = 120
_URL_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]")


# --- settings ------------------------------------------------------------------------------


@dataclass
class SettingsData:
    """The submission settings as the organizer enters them."""

    team_category_id: int | None
    submissions_open: bool = False
    submission_deadline: datetime | None = None
    min_team_size: int = 1
    max_team_size: int = 5
    tracks: list[str] = field(default_factory=list)
    age_limit: int | None = None
    age_reference_date: date | None = None


def competition_settings(event: Event) -> CompetitionSettings | None:
    """The event's submission settings, or None when it has none."""
    return db.session.scalar(
        select(CompetitionSettings).where(CompetitionSettings.event_id == event.id)
    )


def clean_tracks(lines: list[str]) -> list[str]:
    """Tracks without blanks and repeats, in the order given; JudgingError when too many/long."""
    tracks = list(dict.fromkeys(" ".join(line.split()) for line in lines if line.strip()))
    if len(tracks) > MAX_TRACKS:
        raise JudgingError(
            _l("At most %(n)d tracks.", n=MAX_TRACKS),
            status=422,
            field_name="tracks",
            code="too_many",
        )
    if any(len(t) > MAX_TRACK_LENGTH for t in tracks):
        raise JudgingError(
            _l("A track name has at most %(n)d characters.", n=MAX_TRACK_LENGTH),
            status=422,
            field_name="tracks",
        )
    return tracks


def save_competition_settings(event: Event, data: SettingsData) -> CompetitionSettings:
    """Create or change the event's submission settings.

    Raises JudgingError for a category of another event, team sizes out of order or above
    MAX_TEAM_SIZE, an implausible age limit, or open submissions without a team category.
    """
    category = None
    if data.team_category_id is not None:
        category = db.session.get(Category, data.team_category_id)
        if category is None or category.event_id != event.id:
            raise JudgingError(
                _l("Choose a registration category of this event."),
                status=422,
                field_name="team_category",
            )
    if data.submissions_open and category is None:
        raise JudgingError(
            _l("Choose the registration category team members join before opening submissions."),
            status=422,
            field_name="team_category",
        )
    if not 1 <= data.min_team_size <= data.max_team_size <= MAX_TEAM_SIZE:
        raise JudgingError(
            _l(
                "Team sizes: at least 1, the minimum not above the maximum, at most %(n)d.",
                n=MAX_TEAM_SIZE,
            ),
            status=422,
            field_name="max_team_size",
        )
    if data.age_limit is not None and not 10 <= data.age_limit <= 100:
        raise JudgingError(
            _l("The age limit is a number of years between 10 and 100."),
            status=422,
            field_name="age_limit",
        )
    tracks = clean_tracks(data.tracks)
    settings = competition_settings(event)
    if settings is None:
        settings = CompetitionSettings(event_id=event.id)
        db.session.add(settings)
    settings.team_category_id = category.id if category else None
    settings.submissions_open = data.submissions_open
    settings.submission_deadline = data.submission_deadline
    settings.min_team_size = data.min_team_size
    settings.max_team_size = data.max_team_size
    settings.tracks = tracks
    settings.age_limit = data.age_limit
    settings.age_reference_date = data.age_reference_date if data.age_limit else None
    db.session.flush()
    return settings


def age_reference_date(settings: CompetitionSettings, event: Event) -> date:
    """The day ages are counted on: the configured one, else the event's first local day."""
    return settings.age_reference_date or event.local(event.starts_at).date()


def age_on(birth: date, day: date) -> int:
    """Age in full years on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def submission_closed_reason(
    event: Event, settings: CompetitionSettings | None, moment: datetime
) -> str | None:
    """Why teams cannot submit or change entries at `moment` (a message), or None when they can."""
    if (
        settings is None
        or not settings.submissions_open
        or settings.team_category_id is None
        or event.status != EventStatus.OPEN
    ):
        return str(_l("This competition is not taking entries on the site."))
    if settings.submission_deadline is not None and moment >= settings.submission_deadline:
        return str(_l("The submission deadline has passed."))
    category = db.session.get(Category, settings.team_category_id)
    if not category.is_open_at(moment):
        return str(_l("Registration for the competition's teams is not open now."))
    return None


def _check_open(event: Event, settings: CompetitionSettings | None, moment: datetime) -> None:
    reason = submission_closed_reason(event, settings, moment)
    if reason is not None:
        raise JudgingError(reason, status=409, code="closed")


# --- what a team sends ---------------------------------------------------------------------


@dataclass
class MemberData:
    """A team member the leader enters (besides the leader); `row` is the form row, for
    placing an error next to the right field."""

    native_name: str
    latin_name: str
    email: str
    country: str
    organization: str = ""
    language: str = "en"
    date_of_birth: date | None = None
    row: int = 0

    @property
    def prefix(self) -> str:
        return f"members-{self.row}-"


@dataclass
class TeamEntryData:
    """The project as the team describes it."""

    title_zh: str
    title_en: str
    team_name: str = ""
    track: str = ""
    summary: str = ""
    video_url: str = ""


def check_video_url(url: str) -> str:
    """The video link to store ("" when none); JudgingError unless an http(s) URL with a host."""
    url = unicodedata.normalize("NFC", url.strip())
    if not url:
        return ""
    refused = JudgingError(
        _l("The video link must be a web address starting with http:// or https://."),
        status=422,
        code="bad_url",
        field_name="video_url",
    )
    if len(url) > MAX_VIDEO_URL or _URL_FORBIDDEN.search(url):
        raise refused
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        raise refused from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or not port_ok:
        raise refused
    return url


def _check_project(settings: CompetitionSettings, data: TeamEntryData) -> TeamEntryData:
    if not (data.title_zh.strip() or data.title_en.strip()):
        raise JudgingError(
            _l("Give the project a title (Chinese, English or both)."),
            status=422,
            field_name="title_zh",
        )
    track = " ".join(data.track.split())
    if settings.tracks and track not in settings.tracks:
        raise JudgingError(_l("Choose one of the tracks."), status=422, field_name="track")
    return TeamEntryData(
        title_zh=data.title_zh.strip(),
        title_en=data.title_en.strip(),
        team_name=data.team_name.strip(),
        track=track,
        summary=data.summary.strip(),
        video_url=check_video_url(data.video_url),
    )


def _check_birth_date(
    settings: CompetitionSettings, birth: date | None, field_name: str, name: str
) -> None:
    if not settings.age_limit:
        return
    if birth is None:
        raise JudgingError(
            _l(
                "The competition has an age limit: give the date of birth of %(name)s.",
                name=name,
            ),
            status=422,
            code="birth_date_missing",
            field_name=field_name,
        )
    today = utcnow().date()
    if birth >= today or age_on(birth, today) > OLDEST_PLAUSIBLE_AGE:
        raise JudgingError(
            _l("Check the date of birth of %(name)s.", name=name),
            status=422,
            field_name=field_name,
        )


def _check_team(
    settings: CompetitionSettings,
    kept_emails: list[str],
    members: list[MemberData],
) -> None:
    """Team size within the competition's limits, one email per person, complete rows.

    `kept_emails` are the people already in the team (the leader first).
    """
    size = len(kept_emails) + len(members)
    if size < settings.min_team_size:
        raise JudgingError(
            _l(
                "A team needs at least %(n)d members, the leader included; add the missing ones.",
                n=settings.min_team_size,
            ),
            status=422,
            code="too_few_members",
            field_name="members",
        )
    if size > settings.max_team_size:
        raise JudgingError(
            _l(
                "A team has at most %(n)d members, the leader included.",
                n=settings.max_team_size,
            ),
            status=422,
            code="too_many_members",
            field_name="members",
        )
    seen = {normalize_email(e) for e in kept_emails}
    for member in members:
        for attribute, message in (
            ("native_name", _l("Give the name of every team member.")),
            ("email", _l("Give the email address of every team member.")),
            ("country", _l("Give the country of every team member.")),
        ):
            if not getattr(member, attribute).strip():
                raise JudgingError(
                    message,
                    status=422,
                    code="member_incomplete",
                    field_name=member.prefix + attribute,
                )
        key = normalize_email(member.email)
        if key in seen:
            raise JudgingError(
                _l(
                    "%(email)s appears twice in the team; every member needs their own "
                    "email address.",
                    email=member.email.strip(),
                ),
                status=422,
                code="duplicate_email",
                field_name=member.prefix + "email",
            )
        seen.add(key)
        _check_birth_date(
            settings, member.date_of_birth, member.prefix + "date_of_birth", member.native_name
        )


def _member_attendance(category: Category, wanted: Attendance) -> Attendance:
    if category.attendance_rule == AttendanceRule.EITHER:
        return wanted
    return Attendance(category.attendance_rule.value)


def _register_member(
    event: Event, category: Category, member: MemberData, leader: ParticipantData
) -> Registration:
    """Register one team member (they get the category's normal mail after the commit)."""
    data = ParticipantData(
        native_name=member.native_name.strip(),
        latin_name=member.latin_name.strip(),
        email=member.email.strip(),
        country=member.country,
        attendance=_member_attendance(category, leader.attendance),
        language=member.language,
        organization=(member.organization or leader.organization).strip(),
        consent_version=leader.consent_version,  # the leader agreed for the team
        consent_locale=leader.consent_locale,  # … to the notice in the language they read it in
    )
    try:
        return register_participant(event, category, data)
    except DuplicateRegistration:
        raise JudgingError(
            _l(
                "%(email)s is already registered for this event. Ask the organizers to add "
                "that registration to your team, or enter another address.",
                email=data.email,
            ),
            status=409,
            code="already_registered",
            field_name=member.prefix + "email",
        ) from None
    except RegistrationError as exc:
        name = member.prefix + exc.field_name if exc.field_name else None
        raise JudgingError(exc.message, status=422, field_name=name) from None


def _register_leader(event: Event, category: Category, leader: ParticipantData) -> Registration:
    try:
        return register_participant(event, category, leader)
    except DuplicateRegistration as exc:
        raise JudgingError(
            exc.message, status=409, code="already_registered", field_name="email"
        ) from None
    except RegistrationError as exc:
        status = 409 if isinstance(exc, ConsentOutdated) else 422
        raise JudgingError(exc.message, status=status, field_name=exc.field_name) from None


@dataclass
class TeamSubmission:
    """Everything the public entry form sends."""

    leader: ParticipantData
    project: TeamEntryData
    members: list[MemberData]
    deck: bytes | None
    leader_birth_date: date | None = None


def submit_team_entry(event: Event, submission: TeamSubmission) -> Entry:
    """Register the leader and every member in the team category and create their entry.

    The leader and the members get the category's normal mails (confirmation, or pending
    approval / waiting list), the leader also a mail with the link to their entry.
    Raises JudgingError (409 closed / already registered, 413/415 deck, 422 bad input).
    """
    now = utcnow()
    settings = competition_settings(event)
    _check_open(event, settings, now)
    category = db.session.get(Category, settings.team_category_id)
    project = _check_project(settings, submission.project)
    _check_birth_date(
        settings,
        submission.leader_birth_date,
        "date_of_birth",
        submission.leader.native_name,
    )
    _check_team(settings, [submission.leader.email], submission.members)
    if submission.deck is None:
        raise JudgingError(
            _l("Upload the pitch deck (a PDF file)."),
            status=422,
            code="deck_missing",
            field_name="deck",
        )
    leader = _register_leader(event, category, submission.leader)
    registrations = [
        _register_member(event, category, m, submission.leader) for m in submission.members
    ]
    entry = entry_services.create_entry(
        event,
        EntryData(
            title_zh=project.title_zh,
            title_en=project.title_en,
            team_name=project.team_name,
            track=project.track,
            summary=project.summary,
            video_url=project.video_url,
            member_ids=[leader.id, *(r.id for r in registrations)],
            leader_id=leader.id,
        ),
    )
    births = {leader.id: submission.leader_birth_date}
    births.update(
        (r.id, m.date_of_birth) for r, m in zip(registrations, submission.members, strict=True)
    )
    for member in entry.members:
        member.date_of_birth = births.get(member.registration_id) if settings.age_limit else None
    entry.submitted_at = entry.team_updated_at = now
    entry_services.store_deck(entry, submission.deck)
    _mail_leader(entry, leader, "entry_received", "judging.entry_received")
    db.session.flush()
    return entry


# --- the leader's self-service page ----------------------------------------------------------


def led_entry(registration: Registration) -> Entry | None:
    """The entry this registration leads, if any."""
    return db.session.scalar(
        select(Entry)
        .join(TeamMember, TeamMember.entry_id == Entry.id)
        .where(TeamMember.registration_id == registration.id, TeamMember.is_leader.is_(True))
    )


def team_edit_refusal(entry: Entry, leader: Registration, moment: datetime) -> str | None:
    """Why the leader cannot change the entry now (a message), or None when they can."""
    if leader.state not in ACTIVE_STATES:
        return str(_l("Your registration is no longer active, so the entry cannot be changed."))
    if entry.eligibility == Eligibility.ELIGIBLE:
        return str(_l("The organizers have accepted the entry; it can no longer be changed."))
    event = db.session.get(Event, entry.event_id)
    return submission_closed_reason(event, competition_settings(event), moment)


@dataclass
class TeamEdit:
    """The leader's changes: the project, members to remove (registration ids), dates of birth
    of the members who stay (registration id → date), new members, and a new deck."""

    project: TeamEntryData
    remove: set[int] = field(default_factory=set)
    birth_dates: dict[int, date | None] = field(default_factory=dict)
    new_members: list[MemberData] = field(default_factory=list)
    deck: bytes | None = None


def update_team_entry(entry: Entry, leader: Registration, edit: TeamEdit) -> None:
    """Apply the leader's changes; a rejected entry goes back to the organizers for review.

    Removed members' registrations are cancelled (they were made for the team), new members
    are registered like at submission. Raises JudgingError (409 when the entry can no longer
    change, 422 bad input) before anything is written.
    """
    now = utcnow()
    refusal = team_edit_refusal(entry, leader, now)
    if refusal is not None:
        raise JudgingError(refusal, status=409, code="locked")
    event = db.session.get(Event, entry.event_id)
    settings = competition_settings(event)
    category = db.session.get(Category, settings.team_category_id)
    project = _check_project(settings, edit.project)
    if leader.id in edit.remove:
        raise JudgingError(
            _l("The team leader cannot be removed from the team."), status=422, field_name="members"
        )
    staying = [m for m in entry.members if m.registration_id not in edit.remove]
    for member in staying:
        birth = edit.birth_dates.get(member.registration_id) or member.date_of_birth
        name = f"birth-{member.registration_id}"
        _check_birth_date(settings, birth, name, member.registration.native_name)
    ordered = sorted(staying, key=lambda m: not m.is_leader)
    _check_team(settings, [m.registration.email for m in ordered], edit.new_members)

    for member in list(entry.members):
        if member.registration_id in edit.remove:
            cancel_registration(member.registration, note="removed from the team by its leader")
    leader_data = ParticipantData(
        native_name=leader.native_name,
        latin_name=leader.latin_name,
        email=leader.email,
        country=leader.country,
        attendance=leader.attendance,
        language=leader.language,
        organization=leader.organization,
    )
    added = [_register_member(event, category, m, leader_data) for m in edit.new_members]
    entry_services.update_entry(
        entry,
        EntryData(
            title_zh=project.title_zh,
            title_en=project.title_en,
            team_name=project.team_name,
            track=project.track,
            summary=project.summary,
            video_url=project.video_url,
            member_ids=[m.registration_id for m in ordered] + [r.id for r in added],
            leader_id=leader.id,
        ),
    )
    births = {m.registration_id: edit.birth_dates.get(m.registration_id) for m in staying}
    births.update((r.id, m.date_of_birth) for r, m in zip(added, edit.new_members, strict=True))
    for member in entry.members:
        if settings.age_limit and member.registration_id in births:
            member.date_of_birth = births[member.registration_id] or member.date_of_birth
    if edit.deck is not None:
        entry_services.store_deck(entry, edit.deck)
    if entry.eligibility == Eligibility.INELIGIBLE:
        entry.eligibility = Eligibility.PENDING
        entry.decided_at = None
    entry.team_updated_at = now
    db.session.flush()


# --- organizers: eligibility check and decision ----------------------------------------------


@dataclass
class MemberCheck:
    """One team member as the eligibility check sees them."""

    member: TeamMember
    age: int | None
    over_age: bool
    birth_date_missing: bool
    inactive: bool


@dataclass
class EligibilityReport:
    """What the organizers check before accepting: ages, team size, registrations, deck."""

    age_limit: int | None
    reference_date: date | None
    members: list[MemberCheck]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def eligibility_report(entry: Entry) -> EligibilityReport:
    """The automatic eligibility check of an entry (the organizer still decides)."""
    event = db.session.get(Event, entry.event_id)
    settings = competition_settings(event)
    limit = settings.age_limit if settings else None
    day = age_reference_date(settings, event) if limit else None
    problems: list[str] = []
    checks = []
    for member in entry.members:
        registration = member.registration
        name = registration.latin_name or registration.native_name
        age = age_on(member.date_of_birth, day) if limit and member.date_of_birth else None
        check = MemberCheck(
            member=member,
            age=age,
            over_age=age is not None and age > limit,
            birth_date_missing=bool(limit) and member.date_of_birth is None,
            inactive=registration.state not in ACTIVE_STATES,
        )
        if check.over_age:
            problems.append(
                str(
                    _l(
                        "%(name)s is %(age)d on %(day)s, above the age limit of %(limit)d.",
                        name=name,
                        age=age,
                        day=day.isoformat(),
                        limit=limit,
                    )
                )
            )
        if check.birth_date_missing:
            problems.append(str(_l("No date of birth for %(name)s.", name=name)))
        if check.inactive:
            problems.append(str(_l("The registration of %(name)s is no longer active.", name=name)))
        checks.append(check)
    if settings is not None:
        size = len(entry.members)
        if not settings.min_team_size <= size <= settings.max_team_size:
            problems.append(
                str(
                    _l(
                        "Team size %(n)d; the competition allows %(min)d to %(max)d.",
                        n=size,
                        min=settings.min_team_size,
                        max=settings.max_team_size,
                    )
                )
            )
    if entry.leader is None:
        problems.append(str(_l("The team has no leader.")))
    if not entry.deck_file:
        problems.append(str(_l("No pitch deck has been uploaded.")))
    return EligibilityReport(limit, day, checks, problems)


def decide_entry(entry: Entry, status: Eligibility, reason: str) -> bool:
    """Accept or reject an entry (a rejection needs a reason) and mail the leader the decision
    with the reason, in the leader's language; returns whether a mail was queued.

    Raises JudgingError when a rejection has no reason.
    """
    before = (entry.eligibility, entry.eligibility_reason)
    entry_services.set_eligibility(entry, status, reason)
    leader = entry.leader
    if status == Eligibility.PENDING or leader is None:
        return False
    if before == (entry.eligibility, entry.eligibility_reason):
        return False  # nothing new to tell
    template = "entry_accepted" if status == Eligibility.ELIGIBLE else "entry_rejected"
    _mail_leader(entry, leader.registration, template, f"judging.{template}")
    return True


def entry_link(leader: Registration) -> str:
    """The leader's absolute self-service link to the entry."""
    return absolute_url("judging.team_entry", token=manage_token(leader))


def _mail_leader(entry: Entry, leader: Registration, template: str, kind: str) -> None:
    event = db.session.get(Event, entry.event_id)
    settings = competition_settings(event)
    queue_mail(
        kind=kind,
        to_address=leader.email,
        to_name=leader.native_name,
        language=leader.language,
        template=template,
        context={
            "entry": entry,
            "event": event,
            "registration": leader,
            "entry_url": entry_link(leader),
            "deadline": settings.submission_deadline if settings else None,
        },
        event_id=event.id,
        registration_id=leader.id,
    )
