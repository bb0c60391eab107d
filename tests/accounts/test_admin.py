"""Site administration: events, users, roles, password change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.accounts.models import EventRole, Role, User
from app.events.models import Event, EventKind, EventStatus
from app.extensions import db
from app.translated import Translated
from tests.conftest import TEST_PASSWORD, AuthActions

ADMIN_PAGES = ["/admin/events", "/admin/events/new", "/admin/users"]


def event_form(**overrides) -> dict:
    data = {
        "slug": "qingdao-2021",
        "title_zh": "2021青岛国际技术转移大会",
        "title_en": "2021 Qingdao International Technology Transfer Conference",
        "description_zh": "大会介绍",
        "description_en": "About the conference",
        "venue_zh": "青岛",
        "venue_en": "Qingdao",
        "starts_local": "2021-10-20T09:00",
        "ends_local": "2021-10-21T18:00",
        "timezone": "Asia/Shanghai",
        "status": "draft",
        "kind": "both",
        "privacy_text_zh": "隐私说明",
        "privacy_text_en": "Privacy notice",
        "contact_email": "contact@example.org",
        "content_languages": "zh, en",
    }
    data.update(overrides)
    return data


def event_count() -> int:
    return db.session.scalar(select(func.count(Event.id)))


@pytest.fixture
def admin_client(app, make_user):
    client = app.test_client()
    AuthActions(client).login(make_user(admin=True))
    return client


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_send_anonymous_visitors_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.CHECKIN_STAFF, Role.JUDGE])
def test_admin_pages_are_forbidden_to_event_staff(client, auth, make_event, make_user, path, role):
    event = make_event()
    auth.login(make_user(role, event=event))
    assert client.get(path).status_code == 403


def test_admin_sees_every_event_with_its_status(admin_client, make_event):
    make_event(slug="visible-open", status=EventStatus.OPEN)
    make_event(slug="hidden-draft", status=EventStatus.DRAFT)
    page = admin_client.get("/admin/events", query_string={"lang": "en"}).get_data(as_text=True)
    assert "visible-open" in page and "hidden-draft" in page
    assert "event-status-draft" in page and "event-status-open" in page


def test_admin_creates_an_event_with_times_converted_to_utc(admin_client):
    response = admin_client.post("/admin/events/new", data=event_form())
    assert response.status_code == 302
    event = db.session.scalar(select(Event).where(Event.slug == "qingdao-2021"))
    assert event.starts_at == datetime(2021, 10, 20, 1, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2021, 10, 21, 10, 0, tzinfo=UTC)
    assert event.kind == EventKind.BOTH
    assert event.status == EventStatus.DRAFT
    assert event.contact_email == "contact@example.org"
    assert db.session.scalar(select(func.count(EventRole.id))) == 0


def test_event_times_are_read_in_the_chosen_timezone(admin_client):
    admin_client.post("/admin/events/new", data=event_form(slug="moscow", timezone="Europe/Moscow"))
    event = db.session.scalar(select(Event).where(Event.slug == "moscow"))
    assert event.starts_at == datetime(2021, 10, 20, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slug": "Qingdao 2021"}, "lowercase letters"),
        ({"slug": "bad_slug!"}, "lowercase letters"),
        ({"slug": ""}, "This field is required"),
        ({"ends_local": "2021-10-20T08:00"}, "end must be after the start"),
        ({"ends_local": "2021-10-20T09:00"}, "end must be after the start"),
        ({"timezone": "Mars/Olympus"}, "Unknown timezone"),
        ({"timezone": "Asia"}, "Unknown timezone"),
        ({"starts_local": "not a date"}, "Not a valid datetime value"),
        ({"status": "published"}, "Not a valid choice"),
        ({"title_zh": "", "title_en": ""}, "Enter the title in at least one language"),
    ],
)
def test_invalid_event_input_is_refused_with_a_form_error(admin_client, overrides, message):
    response = admin_client.post(
        "/admin/events/new", data=event_form(**overrides), query_string={"lang": "en"}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert event_count() == 0


def test_duplicate_slug_is_refused_and_nothing_is_written(admin_client, make_event):
    make_event(slug="qingdao-2021", title=Translated(en="The first one"))
    response = admin_client.post(
        "/admin/events/new",
        data=event_form(title_en="The second one"),
        query_string={"lang": "en"},
    )
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)
    assert event_count() == 1
    assert db.session.scalar(select(Event.title))["en"] == "The first one"


def test_admin_creates_a_user_who_can_then_sign_in(admin_client, app):
    response = admin_client.post(
        "/admin/users",
        data={"email": "new.staff@example.org", "name": "王喆", "password": "long-enough-pw"},
    )
    assert response.status_code == 302
    client = app.test_client()
    AuthActions(client).login(
        db.session.scalar(select(User).where(User.email == "new.staff@example.org")),
        password="long-enough-pw",
    )
    assert client.get("/staff").status_code == 200


def test_creating_a_user_with_a_taken_email_is_a_form_error(admin_client, make_user):
    make_user(email="taken@example.org")
    response = admin_client.post(
        "/admin/users",
        data={"email": "Taken@example.org", "name": "X", "password": "long-enough-pw"},
        query_string={"lang": "en"},
    )
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 2


def test_creating_a_user_with_a_short_password_is_a_form_error(admin_client):
    response = admin_client.post(
        "/admin/users",
        data={"email": "short@example.org", "name": "X", "password": "short"},
        query_string={"lang": "en"},
    )
    assert response.status_code == 400
    assert "at least 12 characters" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "short@example.org")) is None


def test_deactivated_user_cannot_sign_in(admin_client, app, make_user):
    user = make_user()
    assert admin_client.post(f"/admin/users/{user.id}/deactivate").status_code == 302
    client = app.test_client()
    AuthActions(client).login(user)
    assert client.get("/staff").status_code == 302


def test_deactivation_ends_the_users_open_sessions(admin_client, app, make_user):
    user = make_user()
    client = app.test_client()
    AuthActions(client).login(user)
    assert client.get("/staff").status_code == 200
    admin_client.post(f"/admin/users/{user.id}/deactivate")
    assert client.get("/staff").status_code == 302


def test_reactivated_user_can_sign_in_again(admin_client, app, make_user):
    user = make_user()
    admin_client.post(f"/admin/users/{user.id}/deactivate")
    admin_client.post(f"/admin/users/{user.id}/reactivate")
    client = app.test_client()
    AuthActions(client).login(user)
    assert client.get("/staff").status_code == 200


def test_admin_cannot_deactivate_themselves(app, client, auth, make_user):
    admin = make_user(admin=True)
    auth.login(admin)
    client.post(f"/admin/users/{admin.id}/deactivate")
    db.session.refresh(admin)
    assert admin.active


def test_deactivating_is_post_only(admin_client, make_user):
    user = make_user()
    assert admin_client.get(f"/admin/users/{user.id}/deactivate").status_code == 405
    db.session.refresh(user)
    assert user.active


def test_granted_organizer_can_open_the_dashboard_until_revoked(
    admin_client, app, make_event, make_user
):
    event = make_event()
    user = make_user()
    client = app.test_client()
    AuthActions(client).login(user)
    assert client.get(f"/manage/{event.slug}/").status_code == 403

    response = admin_client.post(
        f"/admin/events/{event.slug}/roles", data={"email": user.email, "role": "organizer"}
    )
    assert response.status_code == 302
    assert client.get(f"/manage/{event.slug}/").status_code == 200

    response = admin_client.post(
        f"/admin/events/{event.slug}/roles/revoke",
        data={"user_id": str(user.id), "role": "organizer"},
    )
    assert response.status_code == 302
    assert client.get(f"/manage/{event.slug}/").status_code == 403


def test_organizer_grants_roles_on_their_own_event(client, auth, make_event, make_user):
    event = make_event()
    auth.login(make_user(Role.ORGANIZER, event=event))
    judge = make_user()
    response = client.post(
        f"/admin/events/{event.slug}/roles", data={"email": judge.email, "role": "judge"}
    )
    assert response.status_code == 302
    page = client.get(f"/admin/events/{event.slug}/roles").get_data(as_text=True)
    assert judge.email in page


def test_organizer_cannot_manage_roles_of_another_event(client, auth, make_event, make_user):
    own, other = make_event(), make_event()
    auth.login(make_user(Role.ORGANIZER, event=own))
    target = make_user()
    assert client.get(f"/admin/events/{other.slug}/roles").status_code == 403
    response = client.post(
        f"/admin/events/{other.slug}/roles", data={"email": target.email, "role": "organizer"}
    )
    assert response.status_code == 403
    assert (
        db.session.scalar(select(func.count(EventRole.id)).where(EventRole.user_id == target.id))
        == 0
    )


def test_staff_cannot_open_the_roles_page(client, auth, make_event, make_user):
    event = make_event()
    auth.login(make_user(Role.CHECKIN_STAFF, event=event))
    assert client.get(f"/admin/events/{event.slug}/roles").status_code == 403


def test_granting_a_role_to_an_unknown_email_is_a_form_error(admin_client, make_event):
    event = make_event()
    response = admin_client.post(
        f"/admin/events/{event.slug}/roles",
        data={"email": "nobody@example.org", "role": "judge"},
        query_string={"lang": "en"},
    )
    assert response.status_code == 400
    assert "No account with this email" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(EventRole.id))) == 0


def test_revoking_with_a_bad_role_is_a_400(admin_client, make_event, make_user):
    event = make_event()
    user = make_user(Role.JUDGE, event=event)
    response = admin_client.post(
        f"/admin/events/{event.slug}/roles/revoke", data={"user_id": str(user.id), "role": "king"}
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(EventRole.id))) == 1


def test_password_change_signs_out_other_sessions_but_keeps_this_one(app, make_user):
    user = make_user()
    this_device, other_device = app.test_client(), app.test_client()
    AuthActions(this_device).login(user)
    AuthActions(other_device).login(user)
    assert other_device.get("/staff").status_code == 200

    response = this_device.post(
        "/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "a-brand-new-password",
            "confirm_password": "a-brand-new-password",
        },
    )
    assert response.status_code == 302
    assert this_device.get("/staff").status_code == 200
    assert other_device.get("/staff").status_code == 302
    db.session.refresh(user)
    assert user.check_password("a-brand-new-password")


def test_password_change_with_a_wrong_current_password_changes_nothing(client, auth, make_user):
    user = make_user()
    auth.login(user)
    response = client.post(
        "/account/password",
        data={
            "current_password": "not-my-password",
            "new_password": "a-brand-new-password",
            "confirm_password": "a-brand-new-password",
        },
        query_string={"lang": "en"},
    )
    assert response.status_code == 400
    assert "current password is wrong" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password(TEST_PASSWORD)


def test_password_change_needs_the_new_password_twice(client, auth, make_user):
    user = make_user()
    auth.login(user)
    response = client.post(
        "/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "a-brand-new-password",
            "confirm_password": "a-different-password",
        },
        query_string={"lang": "en"},
    )
    assert response.status_code == 400
    assert "differ" in response.get_data(as_text=True)


def test_password_page_needs_login(client):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
