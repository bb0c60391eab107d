"""CSRF: with protection on (as in production) every POST route refuses a request without a
valid token, and the real forms carry one that works."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import csrf, db
from app.registration.models import Registration
from tests.conftest import form_data, signed_in_id
from tests.route_support import iter_routes


@pytest.fixture(scope="session")
def csrf_app(config_class):
    class CsrfConfig(config_class):
        WTF_CSRF_ENABLED = True

    return create_app(CsrfConfig)


@pytest.fixture
def csrf_client(app, csrf_app):
    # `app` empties the shared database afterwards.
    return csrf_app.test_client()


def release_database() -> None:
    """End the test's own transaction: on SQLite it holds the write lock that the other app's
    requests (their own sessions) would wait for."""
    db.session.commit()


@pytest.fixture
def open_event(make_event, make_category):
    """(slug, a valid registration submission) of an open event."""
    event = make_event()
    category = make_category(event)
    slug, data = event.slug, form_data(category)
    release_database()
    return slug, data


def registered_emails() -> list[str]:
    emails = db.session.scalars(select(Registration.email)).all()
    release_database()
    return emails


def post_routes(csrf_app, slug: str):
    return [(rule, url) for rule, url in iter_routes(csrf_app, slug) if "POST" in rule.methods]


def is_exempt(csrf_app, rule) -> bool:
    """Views that check CSRF themselves (JSON APIs that also take device tokens)."""
    view = csrf_app.view_functions[rule.endpoint]
    return f"{view.__module__}.{view.__name__}" in csrf._exempt_views


def sign_in(client, user) -> None:
    user_id = signed_in_id(user)
    release_database()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True


def csrf_token_in(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_there_are_post_routes_to_check(csrf_app, open_event):
    slug, _data = open_event
    assert len(post_routes(csrf_app, slug)) >= 5


def test_every_post_route_refuses_a_signed_in_user_without_a_token(
    csrf_app, csrf_client, open_event, make_user
):
    slug, _data = open_event
    sign_in(csrf_client, make_user(admin=True))
    answers = {}
    for rule, url in post_routes(csrf_app, slug):
        response = csrf_client.post(url, data={}, headers={"Accept": "application/json"})
        answers[rule.rule] = (response.status_code, (response.get_json(silent=True) or {}))
    refused = {
        rule: (status, body.get("error"))
        for rule, (status, body) in answers.items()
        if (status, body.get("error")) != (400, "csrf")
    }
    assert refused == {}


def test_every_post_route_refuses_an_anonymous_post_without_a_token(
    csrf_app, csrf_client, open_event
):
    slug, _data = open_event
    wrong = {}
    for rule, url in post_routes(csrf_app, slug):
        response = csrf_client.post(url, data={}, headers={"Accept": "application/json"})
        error = (response.get_json(silent=True) or {}).get("error")
        # Exempt JSON APIs need no CSRF token from a client without a session cookie: they
        # refuse it for lack of credentials instead.
        expected = (401, "login_required") if is_exempt(csrf_app, rule) else (400, "csrf")
        if (response.status_code, error) != expected:
            wrong[rule.rule] = (response.status_code, error)
    assert wrong == {}


def test_missing_token_on_the_registration_form_gets_a_clear_page(csrf_client, open_event):
    slug, data = open_event
    response = csrf_client.post(f"/e/{slug}/register?lang=en", data=data)
    assert response.status_code == 400
    assert "The form has expired or was sent from another page." in response.text
    assert registered_emails() == []


def test_wrong_token_is_refused(csrf_client, open_event):
    slug, data = open_event
    csrf_client.get(f"/e/{slug}/register")
    response = csrf_client.post(f"/e/{slug}/register", data={**data, "csrf_token": "forged"})
    assert response.status_code == 400
    assert registered_emails() == []


def test_registration_form_with_its_token_works(csrf_client, open_event):
    slug, data = open_event
    page = csrf_client.get(f"/e/{slug}/register")
    data["csrf_token"] = csrf_token_in(page.text)
    response = csrf_client.post(f"/e/{slug}/register", data=data)
    assert response.status_code == 302
    assert registered_emails() == [data["email"]]


def test_cancel_form_on_the_self_service_page_works_with_its_token(csrf_client, open_event):
    slug, data = open_event
    page = csrf_client.get(f"/e/{slug}/register")
    data["csrf_token"] = csrf_token_in(page.text)
    location = csrf_client.post(f"/e/{slug}/register", data=data).headers["Location"]
    manage_url = location.split("?")[0]
    manage_page = csrf_client.get(manage_url)
    assert csrf_client.post(f"{manage_url}/cancel").status_code == 400
    token = csrf_token_in(manage_page.text)
    assert csrf_client.post(f"{manage_url}/cancel", data={"csrf_token": token}).status_code == 302
