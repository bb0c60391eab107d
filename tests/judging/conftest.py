"""Judging fixtures: a competition with team registrations, entries, judges and a round."""

from __future__ import annotations

import itertools
import shutil
from dataclasses import dataclass, field

import pytest

from app.accounts.models import Role, User
from app.clock import utcnow
from app.events.models import Event, EventKind
from app.extensions import db
from app.judging import entry_services, round_services, submission_services
from app.judging.entry_services import EntryData
from app.judging.models import CompetitionSettings, Eligibility, Entry, Round, RoundKind
from app.judging.round_services import CriterionData, RoundData
from app.judging.submission_services import SettingsData
from app.registration.models import Attendance, Category, Registration, RegistrationState
from app.translated import Translated

_serial = itertools.count(1)

CRITERIA = [
    ("创新性", "Innovation", 30),
    ("市场前景", "Market", 25),
    ("团队", "Team", 20),
    ("可行性", "Feasibility", 15),
    ("社会影响", "Social impact", 10),
]


def criteria_rows(weights=None) -> list[CriterionData]:
    """The demo's five criteria on 0–10 in steps of 0.5 (weights overridable)."""
    rows = []
    for index, (zh, en, weight) in enumerate(CRITERIA):
        w = weights[index] if weights else weight
        rows.append(CriterionData(Translated(zh=zh, en=en), w, 0, 10, 0.5))
    return rows


@dataclass
class Competition:
    """What the `competition` factory built."""

    event: Event
    round: Round
    entries: list[Entry]
    judges: list[User]
    organizer: User
    members: dict[int, list[Registration]] = field(default_factory=dict)


@pytest.fixture
def make_registration(app, make_category):
    categories: dict[int, object] = {}

    def factory(event: Event, organization: str = "", **overrides) -> Registration:
        category = categories.get(event.id)
        if category is None:
            category = make_category(event, code=f"team-{event.id}", capacity=None)
            categories[event.id] = category
        n = next(_serial)
        values = dict(
            event_id=event.id,
            category_id=category.id,
            state=RegistrationState.CONFIRMED,
            native_name=f"队员{n}",
            latin_name=f"Member {n}",
            email=f"member{n}@example.org",
            active_email=f"member{n}@example.org",
            country="KZ",
            attendance=Attendance.ONSITE,
            language="en",
            consent_at=utcnow(),
            organization=organization or f"University {n}",
        )
        values.update(overrides)
        registration = Registration(**values)
        db.session.add(registration)
        db.session.flush()
        return registration

    return factory


@pytest.fixture
def competition(app, make_event, make_user, make_registration):
    def factory(
        entries: int = 4,
        judges: int = 3,
        k: int = 2,
        members: int = 2,
        tracks: tuple[str, ...] = ("AI", "Green"),
        aggregation="weighted_mean",
    ) -> Competition:
        event = make_event(kind=EventKind.COMPETITION)
        organizer = make_user(Role.ORGANIZER, event=event)
        judge_users = [make_user(Role.JUDGE, event=event) for _ in range(judges)]
        made: list[Entry] = []
        member_map: dict[int, list[Registration]] = {}
        for i in range(entries):
            regs = [make_registration(event) for _ in range(members)]
            entry = entry_services.create_entry(
                event,
                EntryData(
                    title_zh=f"项目{i + 1}",
                    title_en=f"Project {i + 1}",
                    team_name=f"Team {i + 1}",
                    track=tracks[i % len(tracks)] if tracks else "",
                    member_ids=[r.id for r in regs],
                    leader_id=regs[0].id,
                ),
            )
            entry.eligibility = Eligibility.ELIGIBLE
            made.append(entry)
            member_map[entry.id] = regs
        round_ = round_services.create_round(
            event,
            RoundData(
                name=Translated(zh="初赛", en="Preliminary"),
                kind=RoundKind.PRELIMINARY,
                judges_per_entry=k,
                aggregation=aggregation,
                criteria=criteria_rows(),
            ),
        )
        round_services.add_eligible_entries(round_)
        db.session.commit()
        return Competition(event, round_, made, judge_users, organizer, member_map)

    return factory


def full_values(round_: Round, value: float = 7.0) -> dict[str, float]:
    """Every criterion of the round at the same value."""
    return {str(c.id): value for c in round_.criteria}


def new_client_id() -> str:
    return f"test-{next(_serial):08d}-{utcnow().timestamp():.0f}"


@dataclass
class CallForEntries:
    """An open competition with a team category and its submission settings."""

    event: Event
    category: Category
    settings: CompetitionSettings


@pytest.fixture
def call_for_entries(app, make_event, make_category):
    def factory(**settings) -> CallForEntries:
        event = make_event(kind=EventKind.COMPETITION)
        # Ids are reused between tests (the database is emptied, files are not).
        shutil.rmtree(entry_services.deck_dir(event.id), ignore_errors=True)
        category = make_category(
            event,
            code="team",
            name=Translated(
                zh="参赛团队成员", en="Competition team member", ru="Участник команды конкурса"
            ),
            capacity=None,
        )
        values = dict(
            team_category_id=category.id,
            submissions_open=True,
            min_team_size=2,
            max_team_size=4,
            tracks=["AI", "Green energy"],
        )
        values.update(settings)
        saved = submission_services.save_competition_settings(event, SettingsData(**values))
        db.session.commit()
        return CallForEntries(event, category, saved)

    return factory
