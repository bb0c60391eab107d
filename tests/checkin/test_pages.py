"""Organizer check-in pages: lists CRUD, device tokens, the live dashboard, permissions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.checkin.models import CheckinList, DeviceToken
from app.checkin.services import hash_device_secret
from app.extensions import db
from tests.checkin.conftest import CheckinApi, code_of


@pytest.fixture
def organizer(auth, setup, make_user):
    user = make_user(Role.ORGANIZER, event=setup.event)
    auth.login(user)
    return user


def test_every_checkin_view_declares_a_permission(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("checkin."):
            view = app.view_functions[rule.endpoint]
            assert getattr(view, "permission", None) is not None, rule.rule


def test_organizer_creates_a_list_with_categories_and_a_local_window(
    client, organizer, setup, make_category
):
    vip = make_category(setup.event)
    response = client.post(
        f"/manage/{setup.event.slug}/checkin/lists/new",
        data={
            "name": "VIP lounge, day 1",
            "categories": [str(vip.id)],
            "starts_at": "2026-06-01T08:00",
            "ends_at": "2026-06-01T12:00",
            "track_exits": "y",
        },
    )
    assert response.status_code == 302
    created = db.session.scalar(select(CheckinList).where(CheckinList.name == "VIP lounge, day 1"))
    assert [c.id for c in created.categories] == [vip.id]
    # Asia/Shanghai is UTC+8.
    assert created.starts_at == datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
    assert created.track_exits
    page = client.get(f"/manage/{setup.event.slug}/checkin/lists").get_data(as_text=True)
    assert "VIP lounge, day 1" in page


def test_list_window_ending_before_it_starts_is_refused(client, organizer, setup):
    response = client.post(
        f"/manage/{setup.event.slug}/checkin/lists/new",
        data={"name": "Backwards", "starts_at": "2026-06-01T12:00", "ends_at": "2026-06-01T08:00"},
    )
    assert response.status_code == 400
    assert db.session.scalar(select(CheckinList).where(CheckinList.name == "Backwards")) is None


def test_organizer_edits_and_deletes_an_unused_list(client, organizer, setup, make_list):
    spare = make_list(setup.event, name="Spare")
    slug = setup.event.slug
    edited = client.post(
        f"/manage/{slug}/checkin/lists/{spare.id}/edit", data={"name": "Side door"}
    )
    assert edited.status_code == 302
    db.session.refresh(spare)
    assert spare.name == "Side door"
    assert client.post(f"/manage/{slug}/checkin/lists/{spare.id}/delete").status_code == 302
    assert db.session.get(CheckinList, spare.id) is None


def test_a_list_with_checkins_cannot_be_deleted(client, organizer, setup, api):
    api.redeem(code_of(setup.guest), setup.checkin_list.id)
    client.post(f"/manage/{setup.event.slug}/checkin/lists/{setup.checkin_list.id}/delete")
    assert db.session.get(CheckinList, setup.checkin_list.id) is not None


def test_device_token_is_shown_once_and_only_its_hash_is_stored(client, organizer, setup):
    response = client.post(f"/manage/{setup.event.slug}/checkin/devices", data={"name": "iPad 3"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    secret = page.split('<code id="token-secret">')[1].split("</code>")[0]
    token = db.session.scalar(select(DeviceToken).where(DeviceToken.name == "iPad 3"))
    assert token.token_hash == hash_device_secret(secret)
    assert secret not in client.get(f"/manage/{setup.event.slug}/checkin/devices").get_data(
        as_text=True
    )
    assert CheckinApi(client, setup.event.slug, secret).get("lists").status_code == 200


def test_staff_sees_the_dashboard_but_not_the_list_settings(client, auth, setup, make_user):
    auth.login(make_user(Role.CHECKIN_STAFF, event=setup.event))
    assert client.get(f"/manage/{setup.event.slug}/checkin/dashboard").status_code == 200
    assert client.get(f"/manage/{setup.event.slug}/checkin/lists").status_code == 403
    assert client.get(f"/manage/{setup.event.slug}/checkin/devices").status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, setup):
    response = client.get(f"/manage/{setup.event.slug}/checkin/dashboard")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_dashboard_shows_numbers_recent_scans_and_conflicts(client, organizer, setup, api):
    from datetime import timedelta

    from app.clock import utcnow

    at = (utcnow() - timedelta(minutes=2)).isoformat()
    scan = {"code": code_of(setup.guest), "list_id": setup.checkin_list.id, "scanned_at": at}
    api.post("sync", json={"station": "Door A", "scans": [{**scan, "nonce": "a"}]})
    api.post("sync", json={"station": "Door B", "scans": [{**scan, "nonce": "b"}]})
    data = client.get(f"/manage/{setup.event.slug}/checkin/dashboard.json").get_json()
    [numbers] = data["lists"]
    assert (numbers["checked_in"], numbers["expected"]) == (1, 1)
    assert sum(a["count"] for a in data["arrivals"]) == 1
    assert [s["station"] for s in data["recent"]] == ["Door B", "Door A"]
    [conflict] = data["conflicts"]
    assert (conflict["station"], conflict["first_station"]) == ("Door B", "Door A")
    page = client.get(f"/manage/{setup.event.slug}/checkin/dashboard").get_data(as_text=True)
    assert "chart.umd.min.js" in page
    assert setup.guest.native_name in page
