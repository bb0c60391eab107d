"""The participant's signed self-service link: view, edit, cancel, bad and expired links."""

from __future__ import annotations

import time
import types

import pytest
from sqlalchemy import select

from app.extensions import db
from app.registration.models import Registration, RegistrationState
from app.registration.services import manage_token
from tests.conftest import form_data, manage_token_from
from tests.registration.support import (
    assert_consistent_database,
    field_error,
    outbox_mails,
    registration_count,
)


def register(client, event, category, **overrides) -> str:
    """Register over HTTP and return the self-service token."""
    response = client.post(
        f"/e/{event.slug}/register?lang=en", data=form_data(category, **overrides)
    )
    assert response.status_code == 302, response.text
    return manage_token_from(response)


def by_email(email: str) -> Registration:
    db.session.expire_all()
    return db.session.scalars(select(Registration).where(Registration.email == email)).one()


def edit_data(**overrides) -> dict:
    data = {
        "native_name": "王芳",
        "latin_name": "",
        "phone": "+86 139 1234 5678",
        "organization": "山东大学",
        "job_title": "研究员",
        "country": "CN",
        "attendance": "online",
        "language": "en",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def registered(client, make_event, make_category):
    event = make_event()
    category = make_category(event, capacity=1)
    token = register(client, event, category, email="me@example.org")
    return event, category, token


def test_link_shows_the_registration(client, registered):
    _event, category, token = registered
    page = client.get(f"/r/{token}?lang=en")
    assert page.status_code == 200
    registration = by_email("me@example.org")
    assert registration.reference in page.text
    assert "me@example.org" in page.text
    assert category.name["en"] in page.text
    assert 'id="cancel-form"' in page.text


def test_edit_form_is_prefilled(client, registered):
    _event, _category, token = registered
    page = client.get(f"/r/{token}/edit?lang=en")
    assert page.status_code == 200
    assert 'value="张伟"' in page.text
    assert 'value="Zhang Wei"' in page.text


def test_edit_changes_the_details_and_keeps_email_and_category(client, registered, make_category):
    event, category, token = registered
    other = make_category(event)
    response = client.post(
        f"/r/{token}/edit",
        data=edit_data(email="evil@example.org", category_id=str(other.id)),
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/r/{token}")
    registration = by_email("me@example.org")
    assert registration.native_name == "王芳"
    assert registration.latin_name == "Wang Fang"
    assert registration.organization == "山东大学"
    assert registration.phone == "+8613912345678"
    assert registration.attendance.value == "online"
    assert registration.language == "en"
    assert registration.category_id == category.id
    assert registration.active_email == "me@example.org"
    assert registration_count() == 1
    assert "Your changes have been saved." in client.get(response.headers["Location"]).text


@pytest.mark.parametrize(
    ("overrides", "error_field"),
    [
        ({"native_name": ""}, "native_name"),
        ({"native_name": "Пётр", "latin_name": ""}, "latin_name"),
        ({"phone": "123"}, "phone"),
        ({"country": "XX"}, "country"),
    ],
)
def test_bad_edit_is_refused_and_changes_nothing(client, registered, overrides, error_field):
    _event, _category, token = registered
    response = client.post(f"/r/{token}/edit?lang=en", data=edit_data(**overrides))
    assert response.status_code == 400
    assert field_error(response.text, error_field)
    registration = by_email("me@example.org")
    assert registration.native_name == "张伟"
    assert registration.latin_name == "Zhang Wei"


@pytest.mark.parametrize("url_suffix", ["%00", "/edit"])
def test_nul_in_the_link_or_an_edit_is_refused_for_the_whole_request(
    client, registered, url_suffix
):
    """PostgreSQL cannot store NUL: app/security/input.py refuses it before any view runs."""
    _event, _category, token = registered
    response = client.post(f"/r/{token}{url_suffix}?lang=en", data=edit_data(organization="a\x00b"))
    assert response.status_code == 400
    assert "characters that are not allowed" in response.text
    assert by_email("me@example.org").organization != "a\x00b"


def test_cancel_frees_the_place_and_promotes_the_waiting_list(client, registered):
    event, category, token = registered
    register(client, event, category, email="next@example.org")
    assert by_email("next@example.org").state == RegistrationState.WAITLISTED

    response = client.post(f"/r/{token}/cancel?lang=en")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "Your registration has been cancelled." in page.text
    assert 'id="cancel-form"' not in page.text

    assert by_email("me@example.org").state == RegistrationState.CANCELLED
    promoted = by_email("next@example.org")
    assert promoted.state == RegistrationState.CONFIRMED
    assert [row.kind for row, _mail in outbox_mails(promoted.id)] == [
        "registration.waitlisted",
        "registration.confirmed.promoted",
    ]
    db.session.refresh(category)
    assert category.places_taken == 1
    assert_consistent_database()


def test_second_cancel_says_the_registration_is_no_longer_active(client, registered):
    _event, category, token = registered
    client.post(f"/r/{token}/cancel")
    response = client.post(f"/r/{token}/cancel?lang=en")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "This registration is no longer active." in page.text
    changes = by_email("me@example.org").changes
    assert [c.to_state for c in changes] == [
        RegistrationState.CONFIRMED,
        RegistrationState.CANCELLED,
    ]
    db.session.refresh(category)
    assert category.places_taken == 0


def test_cancelled_registration_cannot_be_edited(client, registered):
    _event, _category, token = registered
    client.post(f"/r/{token}/cancel")
    response = client.post(f"/r/{token}/edit?lang=en", data=edit_data())
    assert response.status_code == 400
    assert "This registration is no longer active." in response.text
    assert by_email("me@example.org").native_name == "张伟"


def test_get_on_cancel_is_not_allowed_and_changes_nothing(client, registered):
    _event, _category, token = registered
    response = client.get(f"/r/{token}/cancel")
    assert response.status_code == 405
    assert by_email("me@example.org").state == RegistrationState.CONFIRMED


def _tampered(token: str) -> str:
    return token[:-2] + ("AA" if token[-2:] != "AA" else "BB")


@pytest.mark.parametrize("suffix", ["", "/edit"])
@pytest.mark.parametrize(
    "make_bad",
    [_tampered, lambda t: "garbage", lambda t: t + "x", lambda t: "x." + t, lambda t: "x%01"],
)
def test_tampered_or_garbage_token_shows_the_invalid_link_page(
    client, registered, suffix, make_bad
):
    _event, _category, token = registered
    response = client.get(f"/r/{make_bad(token)}{suffix}?lang=en")
    assert response.status_code == 404
    assert 'id="link-invalid"' in response.text
    assert "This link is not valid" in response.text


def test_cancel_with_a_tampered_token_changes_nothing(client, registered):
    _event, _category, token = registered
    response = client.post(f"/r/{_tampered(token)}/cancel")
    assert response.status_code == 404
    assert by_email("me@example.org").state == RegistrationState.CONFIRMED


def test_token_of_a_deleted_registration_is_invalid(client, registered):
    _event, _category, token = registered
    registration = by_email("me@example.org")
    db.session.delete(registration)
    db.session.commit()
    assert client.get(f"/r/{token}").status_code == 404


def test_token_signed_with_another_key_is_invalid(client, app, registered):
    _event, _category, _token = registered
    registration = by_email("me@example.org")
    original = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "another-key"
    try:
        forged = manage_token(registration)
    finally:
        app.config["SECRET_KEY"] = original
    assert client.get(f"/r/{forged}").status_code == 404


@pytest.fixture
def expired_token(registered, app, monkeypatch):
    """A link signed longer ago than MANAGE_LINK_MAX_AGE_DAYS."""
    registration = by_email("me@example.org")
    max_age = app.config["MANAGE_LINK_MAX_AGE_DAYS"] * 86400
    past = time.time() - max_age - 3600
    monkeypatch.setattr("itsdangerous.timed.time", types.SimpleNamespace(time=lambda: past))
    token = manage_token(registration)
    monkeypatch.undo()
    return token


@pytest.mark.parametrize("suffix", ["", "/edit"])
def test_expired_link_shows_the_expired_page(client, expired_token, suffix):
    response = client.get(f"/r/{expired_token}{suffix}?lang=en")
    assert response.status_code == 410
    assert "This link has expired" in response.text


def test_expired_link_cannot_cancel(client, expired_token):
    response = client.post(f"/r/{expired_token}/cancel")
    assert response.status_code == 410
    assert by_email("me@example.org").state == RegistrationState.CONFIRMED


def test_shorter_max_age_expires_existing_links(client, app, registered, monkeypatch):
    _event, _category, token = registered
    monkeypatch.setitem(app.config, "MANAGE_LINK_MAX_AGE_DAYS", -1)
    assert client.get(f"/r/{token}").status_code == 410
