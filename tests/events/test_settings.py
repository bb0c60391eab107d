"""Organizer event settings: /manage/<slug>/settings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.accounts.models import Role
from app.clock import local_to_utc
from app.events.models import EventKind, EventStatus
from app.extensions import db
from app.translated import Translated


def settings_form(**overrides) -> dict:
    data = {
        "title_zh": "新标题",
        "title_en": "New title",
        "description_zh": "",
        "description_en": "",
        "venue_zh": "青岛国际会议中心",
        "venue_en": "Qingdao International Conference Center",
        "starts_local": "2026-12-16T09:00",
        "ends_local": "2026-12-17T18:00",
        "timezone": "Asia/Shanghai",
        "status": "open",
        "kind": "competition",
        "privacy_text_zh": "隐私",
        "privacy_text_en": "Privacy",
        "contact_email": "office@example.org",
        "content_languages": "zh, ru, en",
    }
    data.update(overrides)
    return data


@pytest.fixture
def organizer_on(client, auth, make_user):
    def login(event):
        auth.login(make_user(Role.ORGANIZER, event=event))
        return client

    return login


def test_settings_page_shows_times_in_the_event_timezone(organizer_on, make_event):
    event = make_event(
        starts_at=local_to_utc(datetime(2026, 12, 16, 9, 30), "Asia/Shanghai"),
        ends_at=local_to_utc(datetime(2026, 12, 17, 18, 0), "Asia/Shanghai"),
        timezone="Asia/Shanghai",
    )
    page = organizer_on(event).get(f"/manage/{event.slug}/settings").get_data(as_text=True)
    assert 'value="2026-12-16T09:30"' in page
    assert 'value="2026-12-17T18:00"' in page


def test_organizer_saves_the_settings(organizer_on, make_event):
    event = make_event(slug="keep-me")
    response = organizer_on(event).post(f"/manage/{event.slug}/settings", data=settings_form())
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.slug == "keep-me"
    assert event.title == {"zh": "新标题", "en": "New title"}
    assert event.kind == EventKind.COMPETITION
    assert event.status == EventStatus.OPEN
    assert event.starts_at == datetime(2026, 12, 16, 1, 0, tzinfo=UTC)
    assert event.contact_email == "office@example.org"
    assert event.languages == ["zh", "ru", "en"]


def test_settings_ignore_a_submitted_slug(organizer_on, make_event):
    event = make_event(slug="stays")
    organizer_on(event).post(f"/manage/{event.slug}/settings", data=settings_form(slug="moved"))
    db.session.refresh(event)
    assert event.slug == "stays"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_local": "2026-12-15T09:00"}, "end must be after the start"),
        ({"timezone": "Asia/Atlantis"}, "Unknown timezone"),
        ({"contact_email": "not-an-email"}, "Invalid email address"),
        ({"content_languages": "zh, Russian"}, "List language codes"),
        ({"content_languages": "zh, ru, zh"}, "List language codes"),
        ({"kind": "party"}, "Not a valid choice"),
    ],
)
def test_invalid_settings_are_refused_and_nothing_changes(
    organizer_on, make_event, overrides, message
):
    event = make_event(title=Translated(zh="旧标题", en="Old title"))
    response = organizer_on(event).post(
        f"/manage/{event.slug}/settings",
        data=settings_form(**overrides),
        query_string={"lang": "en"},
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert event.title["en"] == "Old title"


@pytest.mark.parametrize("role", [Role.CHECKIN_STAFF, Role.JUDGE])
def test_settings_are_forbidden_to_other_roles(client, auth, make_event, make_user, role):
    event = make_event(title=Translated(zh="旧标题", en="Old title"))
    auth.login(make_user(role, event=event))
    assert client.get(f"/manage/{event.slug}/settings").status_code == 403
    response = client.post(f"/manage/{event.slug}/settings", data=settings_form())
    assert response.status_code == 403
    db.session.expire_all()
    assert event.title["en"] == "Old title"


def test_organizer_of_another_event_cannot_edit_settings(organizer_on, make_event):
    own, other = make_event(), make_event()
    client = organizer_on(own)
    assert client.get(f"/manage/{other.slug}/settings").status_code == 403


def test_settings_need_login(client, make_event):
    event = make_event()
    response = client.get(f"/manage/{event.slug}/settings")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_settings_of_an_unknown_event_are_404(organizer_on, make_event):
    client = organizer_on(make_event())
    assert client.get("/manage/no-such-event/settings").status_code == 404


def test_the_map_link_is_saved_and_only_a_web_address_is_taken(organizer_on, make_event):
    event = make_event()
    client = organizer_on(event)
    url = f"/manage/{event.slug}/settings"
    map_url = "https://maps.example.org/qingdao-icc"
    assert client.post(url, data=settings_form(map_url=map_url)).status_code == 302
    db.session.refresh(event)
    assert event.map_url == map_url
    assert f'value="{map_url}"' in client.get(url).get_data(as_text=True)
    for bad in ("javascript:alert(1)", "maps.example.org/x", "ftp://example.org/map", "//x.org"):
        response = client.post(url, data=settings_form(map_url=bad))
        assert response.status_code == 400, bad
        db.session.refresh(event)
        assert event.map_url == map_url
    assert client.post(url, data=settings_form(map_url="")).status_code == 302
    db.session.refresh(event)
    assert event.map_url == ""


@pytest.mark.parametrize("days", ["0", "61", "-3", "abc", "2.5", "99999999999999999999", "1e3"])
def test_a_bad_reminder_day_count_is_a_message_on_its_field(organizer_on, make_event, days):
    from tests.registration.support import field_error

    event = make_event(reminder_days_before=5)
    response = organizer_on(event).post(
        f"/manage/{event.slug}/settings",
        data=settings_form(reminder_days_before=days),
        query_string={"lang": "zh_CN"},
    )
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "reminder_days_before") == (
        "请输入 1 到 60 之间的天数，或留空。"
    )
    db.session.expire_all()
    assert event.reminder_days_before == 5


def test_the_reminder_days_are_saved_shown_and_cleared(organizer_on, make_event):
    event = make_event()
    client = organizer_on(event)
    url = f"/manage/{event.slug}/settings"
    assert client.post(url, data=settings_form(reminder_days_before=" 7 ")).status_code == 302
    db.session.refresh(event)
    assert event.reminder_days_before == 7
    assert 'name="reminder_days_before"' in client.get(url).get_data(as_text=True)
    assert 'value="7"' in client.get(url).get_data(as_text=True)
    assert client.post(url, data=settings_form(reminder_days_before="")).status_code == 302
    db.session.refresh(event)
    assert event.reminder_days_before is None
