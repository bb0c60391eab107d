"""The password policy (≥ 12 characters, not a well-known password, not the email) wherever a
password is set, and sessions ending when it changes."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask_babel import force_locale
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.passwords import common_passwords, password_problem
from app.extensions import db
from tests.conftest import TEST_PASSWORD, AuthActions


def problem(password: str, email: str = "li.ming@example.org") -> str | None:
    with force_locale("en"):
        found = password_problem(password, email)
        return None if found is None else str(found)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pw-11", "at least 12 characters"),
        ("password1234", "too common"),
        ("PASSWORD1234", "too common"),
        ("1q2w3e4r5t6y", "too common"),
        ("aaaaaaaaaaaaaaaa", "too common"),
        ("abababababababab", "too common"),
        ("Li.Ming@example.org", "must not be your email"),
        ("x" * 201, "at most 200 characters"),
    ],
)
def test_refused_passwords(app, password, message):
    assert message in (problem(password) or "")


@pytest.mark.parametrize(
    "password", ["correct-horse-battery", "青岛国际技术转移大会2020年", "Lm 2020 kz4%q"]
)
def test_accepted_passwords(app, password):
    assert problem(password) is None


def test_the_common_list_is_loaded_and_long_enough_to_matter(app):
    passwords = common_passwords()
    assert len(passwords) >= 50
    assert all(len(p) >= 12 for p in passwords)


@pytest.fixture
def admin_client(app, make_user):
    client = app.test_client()
    AuthActions(client).login(make_user(admin=True))
    client.get("/?lang=en")
    return client


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_admin_cannot_create_an_account_with_a_common_password(admin_client):
    before = user_count()
    response = admin_client.post(
        "/admin/users",
        data={"email": "new.staff@example.org", "name": "王喆", "password": "Password1234"},
    )
    assert response.status_code == 400
    assert "This password is too common." in response.text
    assert user_count() == before


def test_admin_cannot_create_an_account_whose_password_is_its_email(admin_client):
    response = admin_client.post(
        "/admin/users",
        data={
            "email": "new.staff@example.org",
            "name": "王喆",
            "password": "new.staff@example.org",
        },
    )
    assert response.status_code == 400
    assert "must not be your email address" in response.text


def test_changing_to_a_policy_breaking_password_changes_nothing(client, auth, make_user):
    user = make_user()
    auth.login(user)
    client.get("/?lang=en")
    response = client.post(
        "/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "qwerty123456",
            "confirm_password": "qwerty123456",
        },
    )
    assert response.status_code == 400
    assert "This password is too common." in response.text
    db.session.refresh(user)
    assert user.check_password(TEST_PASSWORD)


def test_command_line_refuses_a_short_password(app):
    result = CliRunner().invoke(
        app.cli,
        ["users", "create", "cli@example.org", "CLI", "--password", "too-short"],
        obj=None,
    )
    assert result.exit_code != 0
    assert user_count() == 0


def test_a_remembered_device_is_signed_out_by_a_password_change(app, make_user):
    user = make_user()
    remembered, this_device = app.test_client(), app.test_client()
    remembered.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"}
    )
    AuthActions(this_device).login(user)
    # The browser restarts: its session cookie is gone, the remember-me cookie stays.
    remembered.delete_cookie("session")
    assert remembered.get("/staff").status_code == 200
    remembered.delete_cookie("session")
    this_device.post(
        "/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "a-brand-new-password",
            "confirm_password": "a-brand-new-password",
        },
    )
    response = remembered.get("/staff")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
