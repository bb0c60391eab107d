"""Check-in fixtures: guests with ticket codes, lists, device tokens, an API client."""

from __future__ import annotations

import itertools
import uuid

import pytest

from app.checkin.auth import forget_cached_tokens
from app.checkin.models import CheckinList
from app.checkin.services import create_device_token
from app.clock import utcnow
from app.extensions import db
from app.registration.models import Attendance, Registration, RegistrationState
from app.registration.tickets import ticket_code

_guest_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_token_cache():
    forget_cached_tokens()
    yield
    forget_cached_tokens()


@pytest.fixture
def make_guest(app):
    """A registration (confirmed by default) written directly; returns it."""

    def factory(event, category, state=RegistrationState.CONFIRMED, **overrides):
        n = next(_guest_numbers)
        values = dict(
            event_id=event.id,
            category_id=category.id,
            state=state,
            native_name=f"王{n}",
            latin_name=f"Wang {n}",
            organization=f"Org {n}",
            email=f"guest{n}@example.org",
            active_email=f"guest{n}@example.org",
            phone=f"+861380013{n:04d}",
            country="CN",
            attendance=Attendance.ONSITE,
            language="zh_CN",
            consent_at=utcnow(),
        )
        values.update(overrides)
        registration = Registration(**values)
        db.session.add(registration)
        db.session.commit()
        return registration

    return factory


@pytest.fixture
def make_list(app):
    """A check-in list of an event (all categories unless `categories` given)."""

    def factory(event, name="Main hall", categories=(), **overrides):
        checkin_list = CheckinList(
            event_id=event.id, name=name, categories=list(categories), **overrides
        )
        db.session.add(checkin_list)
        db.session.commit()
        return checkin_list

    return factory


@pytest.fixture
def make_token(app):
    """A device token's secret for an event."""

    def factory(event, name="Tablet 1") -> str:
        _token, secret = create_device_token(event, name)
        db.session.commit()
        return secret

    return factory


def code_of(registration) -> str:
    """The current ticket code of a registration."""
    return ticket_code(registration)


def new_nonce() -> str:
    return uuid.uuid4().hex


class CheckinApi:
    """A test client speaking the check-in API of one event with a device token."""

    def __init__(self, client, slug: str, secret: str | None):
        self.client = client
        self.slug = slug
        self.secret = secret

    def headers(self, extra=None) -> dict:
        headers = {"Accept": "application/json"}
        if self.secret is not None:
            headers["Authorization"] = f"Bearer {self.secret}"
        headers.update(extra or {})
        return headers

    def url(self, action: str) -> str:
        return f"/api/events/{self.slug}/checkin/{action}"

    def post(self, action: str, json=None, headers=None, **kwargs):
        return self.client.post(
            self.url(action), json=json, headers=self.headers(headers), **kwargs
        )

    def get(self, action: str, headers=None, **params):
        return self.client.get(self.url(action), query_string=params, headers=self.headers(headers))

    def redeem(self, code, list_id, station="Door A", nonce=None, **extra):
        body = {"code": code, "list_id": list_id, "station": station, "nonce": nonce or new_nonce()}
        body.update(extra)
        return self.post("redeem", json=body)


@pytest.fixture
def setup(make_event, make_category, make_guest, make_list, make_token):
    """An event with a category, a list, a confirmed guest and a device token."""

    class Setup:
        event = make_event()
        category = make_category(event)
        checkin_list = make_list(event)
        guest = make_guest(event, category)
        secret = make_token(event)

    return Setup


@pytest.fixture
def api(client, setup):
    return CheckinApi(client, setup.event.slug, setup.secret)
