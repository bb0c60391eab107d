"""Signing out ends the session on the server: a session or remember-me cookie copied before
`POST /logout` opens nothing afterwards, other browsers of the account stay signed in, and
"Sign out everywhere" ends them all (app/accounts/sessions.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.accounts.models import Role, User
from app.clock import utcnow
from app.extensions import db
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def organizer_of(make_user, make_event):
    """(organizer, the URL of their event's registration list)."""
    event = make_event()
    user = make_user(Role.ORGANIZER, event=event)
    url = f"/manage/{event.slug}/registrations"
    db.session.commit()
    return user, url


def browser(app, user, remember: bool = False):
    """A client signed in through the sign-in page."""
    client = app.test_client()
    data = {"email": user.email, "password": TEST_PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 302
    return client


def copy_of(app, client, *names: str):
    """Another client holding copies of `client`'s cookies `names` (a stolen or leftover copy)."""
    thief = app.test_client()
    for name in names:
        thief.set_cookie(name, client.get_cookie(name).value)
    return thief


def opens(client, url: str) -> bool:
    return client.get(url).status_code == 200


def test_a_session_cookie_copied_before_sign_out_opens_nothing_after(app, organizer_of):
    user, url = organizer_of
    laptop = browser(app, user)
    copy = copy_of(app, laptop, "session")
    assert opens(copy, url)
    laptop.post("/logout")
    response = copy.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_remember_me_cookie_copied_before_sign_out_opens_nothing_after(app, organizer_of):
    user, url = organizer_of
    laptop = browser(app, user, remember=True)
    copy = copy_of(app, laptop, "remember_token")
    assert opens(copy, url)  # the remember-me cookie alone signs in …
    laptop.post("/logout")
    assert not opens(copy, url)  # … but not once its session has been signed out


def test_signing_out_on_one_browser_keeps_the_others_signed_in(app, organizer_of):
    user, url = organizer_of
    laptop, tablet = browser(app, user), browser(app, user, remember=True)
    laptop.post("/logout")
    assert not opens(laptop, url)
    assert opens(tablet, url)
    assert opens(copy_of(app, tablet, "remember_token"), url)


def test_sign_out_everywhere_ends_every_session_and_remember_me_cookie(app, organizer_of):
    user, url = organizer_of
    laptop, tablet = browser(app, user), browser(app, user, remember=True)
    remembered = copy_of(app, tablet, "remember_token")
    response = laptop.post("/account/sign-out-everywhere")
    assert response.status_code == 302
    assert not opens(laptop, url)
    assert not opens(tablet, url)
    assert not opens(remembered, url)
    from app.accounts.models import UserSession

    assert db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all() == []
    # The password still works: signing in again begins a new session.
    assert opens(browser(app, user), url)


def test_the_account_page_offers_sign_out_everywhere_as_a_post_form(app, organizer_of):
    # (tests/test_csrf.py checks that the route refuses a POST without the form's CSRF token)
    user, _url = organizer_of
    page = browser(app, user).get("/staff?lang=en").text
    action = 'action="/account/sign-out-everywhere"'
    form = re.search(rf'<form method="post" {action}>(.*?)</form>', page, re.S)
    assert form and "Sign out everywhere" in form.group(1)


def test_a_sign_in_older_than_the_remember_me_cookie_lifetime_ends(app, organizer_of):
    user, url = organizer_of
    tablet = browser(app, user, remember=True)
    from app.accounts.models import UserSession

    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id)
        .values(created_at=utcnow() - timedelta(days=366))
    )
    db.session.commit()
    assert not opens(tablet, url)


def test_only_a_hash_of_the_session_key_is_stored(app, organizer_of):
    user, _url = organizer_of
    laptop = browser(app, user)
    with laptop.session_transaction() as session:
        user_id, token, key = session["_user_id"].split(":")
    assert user_id == str(user.id) and token == db.session.get(User, user.id).session_token
    from app.accounts.models import UserSession

    (row,) = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id))
    assert key and key not in row.key_hash


def test_a_login_id_of_the_old_two_part_form_signs_nobody_in(app, organizer_of):
    user, url = organizer_of
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:{user.session_token}"
        session["_fresh"] = True
    assert not opens(client, url)


def test_sign_out_everywhere_is_in_the_audit_log_by_its_name(app, organizer_of):
    from flask_babel import force_locale

    from app.audit.labels import action_label
    from app.audit.models import AuditEntry

    user, _url = organizer_of
    browser(app, user).post("/account/sign-out-everywhere")
    (entry,) = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "accounts.sign_out_everywhere")
    )
    assert entry.target == f"user:{user.id}"
    with force_locale("en"):
        assert action_label(entry.action) == "Signed out on every device"
