"""Privacy fixtures: an event with a notice, registrations made through the public form."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import select

from app.accounts.models import Role
from app.checkin.models import Checkin, CheckinList, CheckinStatus
from app.clock import utcnow
from app.extensions import db
from app.registration.models import Registration
from app.registration.tickets import ticket_code
from app.translated import Translated
from tests.conftest import form_data, manage_token_from


@pytest.fixture
def privacy_event(make_event, make_category):
    """An open event with a privacy notice in three languages and one category of 10."""
    event = make_event(
        privacy_text=Translated(
            zh="我们仅为组织会议处理您的个人信息。",
            en="We process your data only to organize the conference.",
            ru="Мы обрабатываем ваши данные только для организации конференции.",
        ),
    )
    category = make_category(event, capacity=10)
    return event, category


@pytest.fixture
def register(client):
    """Register through the public form; returns (registration, self-service token)."""

    def factory(event, category, **overrides) -> tuple[Registration, str]:
        response = client.post(
            f"/e/{event.slug}/register?lang=en", data=form_data(category, **overrides)
        )
        assert response.status_code == 302, response.text
        token = manage_token_from(response)
        # Test requests share the test's app context: drop the event they left in `g`, or
        # templates rendered by services called directly from the test would see it.
        g.pop("event", None)
        registration = db.session.scalars(
            select(Registration).order_by(Registration.id.desc()).limit(1)
        ).one()
        return registration, token

    return factory


@pytest.fixture
def organizer(make_user, auth):
    """Sign an organizer of `event` in on the test client."""

    def factory(event):
        user = make_user(Role.ORGANIZER, event=event)
        auth.login(user)
        return user

    return factory


def check_in(event, registration, station="Gate A") -> None:
    """Record an ok entry scan of the registration's ticket on a (new or existing) list."""
    checkin_list = db.session.scalar(select(CheckinList).where(CheckinList.event_id == event.id))
    if checkin_list is None:
        checkin_list = CheckinList(event_id=event.id, name="Main hall")
        db.session.add(checkin_list)
        db.session.flush()
    db.session.add(
        Checkin(
            list_id=checkin_list.id,
            registration_id=registration.id,
            active_registration_id=registration.id,
            code=ticket_code(registration),
            status=CheckinStatus.OK,
            station=station,
            nonce=uuid.uuid4().hex,
            scanned_at=utcnow(),
        )
    )
    db.session.commit()


def end_event(event, days_ago: int = 1) -> None:
    """Move the event into the past (ended `days_ago` days ago)."""
    event.starts_at = utcnow() - timedelta(days=days_ago + 1)
    event.ends_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
