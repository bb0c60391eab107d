"""The demo loader: the seed's event with ~300 guests, logins, and idempotence."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.accounts.models import EventRole, User
from app.demo import DEMO_PASSWORD, DEMO_SLUG, DEMO_USERS, load_demo
from app.events.models import Event
from app.extensions import db
from app.mail.models import OutboxMessage
from app.registration.models import (
    PLACE_HOLDING_STATES,
    Category,
    Question,
    Registration,
    RegistrationChange,
    RegistrationState,
)
from tests.conftest import empty_database

HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0003134f]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"^[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f .'\-]*$")


@pytest.fixture(scope="module")
def _loaded_demo(_app):
    """Load the demo once for this module (about 4 s); every test here only reads it."""
    with _app.app_context():
        load_demo()
        db.session.remove()
    yield
    with _app.app_context():
        empty_database()


@pytest.fixture
def app(_app, _loaded_demo):
    """The app with the demo loaded; overrides the suite's fixture, which empties the database."""
    with _app.app_context():
        yield _app
        db.session.remove()


@pytest.fixture
def demo(app):
    return db.session.scalar(select(Event).where(Event.slug == DEMO_SLUG))


def row_counts() -> dict[str, int]:
    models = (Event, Category, Question, User, EventRole, Registration, RegistrationChange)
    counts = {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}
    counts.update(
        {
            f"state:{state}": count
            for state, count in db.session.execute(
                select(Registration.state, func.count()).group_by(Registration.state)
            )
        }
    )
    return counts


def registrations(event: Event) -> list[Registration]:
    return db.session.scalars(select(Registration).where(Registration.event_id == event.id)).all()


def test_loading_twice_changes_nothing(demo):
    first = row_counts()
    emails = set(db.session.scalars(select(Registration.email)))
    summary = load_demo()
    assert row_counts() == first
    assert set(db.session.scalars(select(Registration.email))) == emails
    assert summary.created == {}


def test_demo_has_nearly_three_hundred_guests_in_every_state_it_needs(demo):
    regs = registrations(demo)
    assert len(regs) >= 280
    states = {r.state for r in regs}
    assert {
        RegistrationState.CONFIRMED,
        RegistrationState.PENDING,
        RegistrationState.WAITLISTED,
        RegistrationState.CANCELLED,
    } <= states
    assert len({r.category_id for r in regs}) == len(demo.categories)


def test_no_category_is_over_capacity_and_place_counts_match(demo):
    for category in demo.categories:
        holding = db.session.scalar(
            select(func.count(Registration.id)).where(
                Registration.category_id == category.id,
                Registration.state.in_(PLACE_HOLDING_STATES),
            )
        )
        assert category.places_taken == holding, category.code
        if category.capacity is not None:
            assert holding <= category.capacity, category.code


def test_waitlisted_guests_are_only_in_full_categories(demo):
    for registration in registrations(demo):
        if registration.state == RegistrationState.WAITLISTED:
            category = registration.category
            assert category.places_taken == category.capacity


def test_names_come_in_han_cyrillic_and_latin_scripts_with_latin_transliterations(demo):
    regs = registrations(demo)
    names = [r.native_name for r in regs]
    assert any(HAN.search(n) for n in names)
    assert any(CYRILLIC.search(n) for n in names)
    assert any(LATIN.match(n) for n in names)
    assert any(ch in n for n in names for ch in "喆堃玥")
    for registration in regs:
        assert LATIN.match(registration.latin_name), registration.latin_name


def test_guests_come_from_sco_countries_and_partners_on_site_and_online(demo):
    regs = registrations(demo)
    countries = {r.country for r in regs}
    assert {"CN", "RU", "KZ", "KG", "TJ", "UZ", "IN", "PK", "IR", "BY"} <= countries
    assert {"MN", "NO"} <= countries
    assert {r.attendance.value for r in regs} == {"onsite", "online"}


def test_registration_times_are_spread_over_the_weeks_before_the_event(demo):
    times = sorted(r.created_at for r in registrations(demo))
    assert times[-1] < demo.starts_at
    assert (times[-1] - times[0]).days >= 21
    for registration in registrations(demo):
        moments = [c.created_at for c in registration.changes]
        assert moments == sorted(moments)
        assert moments[0] == registration.created_at


def test_loading_the_demo_sends_no_mail(demo):
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_demo_logins_can_sign_in(demo, app):
    for email, *_ in DEMO_USERS:
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        assert client.get("/staff").status_code == 200, email


def test_cli_prints_the_event_page_and_the_logins(demo, app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert f"/e/{DEMO_SLUG}/" in result.output
    for email, *_ in DEMO_USERS:
        assert email in result.output
    assert DEMO_PASSWORD in result.output


def test_demo_has_check_in_points_for_on_site_guests_and_teams(demo):
    from app.checkin.demo import COMPETITION_VENUE, MAIN_HALL
    from app.checkin.services import lists_of_event
    from app.registration.models import AttendanceRule

    lists = {checkin_list.name: checkin_list for checkin_list in lists_of_event(demo)}
    assert set(lists) == {MAIN_HALL, COMPETITION_VENUE}
    onsite = {c.code for c in demo.categories if c.attendance_rule != AttendanceRule.ONLINE}
    assert {c.code for c in lists[MAIN_HALL].categories} == onsite
    assert "online" not in onsite
    assert {c.code for c in lists[COMPETITION_VENUE].categories} == {"team"}
    assert lists[COMPETITION_VENUE].track_exits
