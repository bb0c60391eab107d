"""The check-in JSON API over HTTP: answers, auth (tokens, sessions, CSRF), bad input."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.checkin.models import Checkin, DeviceToken
from app.extensions import db
from app.translated import Translated
from tests.checkin.conftest import CheckinApi, code_of, new_nonce


def rows() -> int:
    return db.session.scalar(select(func.count(Checkin.id)))


# --------------------------------------------------------------------------- answers


def test_redeem_answers_ok_with_the_person(api, setup):
    response = api.redeem(code_of(setup.guest), setup.checkin_list.id)
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["registration"]["id"] == setup.guest.id
    assert body["registration"]["native_name"] == setup.guest.native_name
    assert body["registration"]["category_color"] == setup.category.color
    assert body["first_checkin"] is None
    assert isinstance(body["checkin_id"], int)
    assert setup.guest.native_name in body["message"]


def test_the_scanner_names_the_category_in_the_staffs_language_with_the_events_fallback(api, setup):
    setup.event.content_languages = ["zh", "ru", "en"]
    setup.category.name = Translated(zh="政府嘉宾", ru="Представитель органов власти")
    db.session.commit()

    def redeem_as(language: str) -> dict:
        body = {
            "code": code_of(setup.guest),
            "list_id": setup.checkin_list.id,
            "station": "Door A",
            "nonce": new_nonce(),
        }
        return api.post("redeem", json=body, headers={"Accept-Language": language}).get_json()

    assert redeem_as("ru")["registration"]["category"] == "Представитель органов власти"
    # No English name: an English-speaking desk reads the event's first language.
    assert redeem_as("en")["registration"]["category"] == "政府嘉宾"


def test_second_redeem_answers_already_checked_in_with_time_and_station(api, setup):
    api.redeem(code_of(setup.guest), setup.checkin_list.id, station="Door A")
    body = api.redeem(code_of(setup.guest), setup.checkin_list.id, station="Door B").get_json()
    assert body["status"] == "already_checked_in"
    assert body["first_checkin"]["station"] == "Door A"
    assert body["first_checkin"]["at"].endswith("Z")
    assert "Door A" in body["message"]


def test_messages_follow_the_requested_language(api, setup):
    code = code_of(setup.guest)
    english = api.post(
        "redeem?lang=en",
        json={"code": code, "list_id": setup.checkin_list.id, "station": "A", "nonce": "n-en"},
    ).get_json()
    russian = api.post(
        "redeem?lang=ru",
        json={"code": "nope", "list_id": setup.checkin_list.id, "station": "A", "nonce": "n-ru"},
    ).get_json()
    assert english["message"].startswith("Welcome")
    assert russian["status"] == "invalid" and russian["message"]


def test_same_nonce_gives_the_same_answer_and_one_checkin(api, setup):
    nonce = new_nonce()
    first = api.redeem(code_of(setup.guest), setup.checkin_list.id, nonce=nonce).get_json()
    again = api.redeem(code_of(setup.guest), setup.checkin_list.id, nonce=nonce).get_json()
    assert first == again
    assert rows() == 1


def test_nonce_reused_with_another_code_is_409(api, setup, make_guest):
    nonce = new_nonce()
    api.redeem(code_of(setup.guest), setup.checkin_list.id, nonce=nonce)
    other = make_guest(setup.event, setup.category)
    response = api.redeem(code_of(other), setup.checkin_list.id, nonce=nonce)
    assert response.status_code == 409
    assert response.get_json()["error"] == "nonce_reused"
    assert rows() == 1


def test_unknown_list_is_404(api, setup):
    response = api.redeem(code_of(setup.guest), 987654)
    assert response.status_code == 404
    assert response.get_json()["error"] == "list_not_found"


def test_list_of_another_event_is_404(api, setup, make_event, make_list):
    foreign = make_list(make_event())
    assert api.redeem(code_of(setup.guest), foreign.id).status_code == 404


def test_undo_endpoint_and_its_refusals(api, setup):
    body = api.redeem(code_of(setup.guest), setup.checkin_list.id, station="Door A").get_json()
    other = api.post("undo", json={"checkin_id": body["checkin_id"], "station": "Door B"})
    assert other.status_code == 409 and other.get_json()["error"] == "other_station"
    done = api.post("undo", json={"checkin_id": body["checkin_id"], "station": "Door A"})
    assert done.status_code == 200 and done.get_json()["status"] == "undone"
    twice = api.post("undo", json={"checkin_id": body["checkin_id"], "station": "Door A"})
    assert twice.status_code == 409 and twice.get_json()["error"] == "already_undone"
    missing = api.post("undo", json={"checkin_id": 424242, "station": "Door A"})
    assert missing.status_code == 404


def test_lists_search_offline_and_stats(api, setup):
    lists = api.get("lists").get_json()["lists"]
    assert [item["id"] for item in lists] == [setup.checkin_list.id]
    found = api.get("search", list_id=setup.checkin_list.id, q=setup.guest.latin_name).get_json()
    assert [r["id"] for r in found["results"]] == [setup.guest.id]
    assert found["results"][0]["ticket_code"] == code_of(setup.guest)
    api.redeem(code_of(setup.guest), setup.checkin_list.id)
    offline = api.get("offline", list_id=setup.checkin_list.id).get_json()
    assert offline["checked_in"] == [setup.guest.id]
    assert str(setup.guest.id) in offline["people"]
    assert offline["key"]
    stats = api.get("stats", list_id=setup.checkin_list.id).get_json()
    assert (stats["checked_in"], stats["expected"]) == (1, 1)


def test_sync_refuses_future_times_and_reports_conflicts_across_devices(api, setup):
    code = code_of(setup.guest)
    first = api.post(
        "sync",
        json={
            "station": "Door A",
            "scans": [
                {
                    "code": code,
                    "list_id": setup.checkin_list.id,
                    "nonce": "a-1",
                    "scanned_at": "2099-01-01T00:00:00Z",
                },
            ],
        },
    )
    assert first.status_code == 200
    assert first.get_json()["results"][0]["error"] == "invalid_field"
    recent = _iso_minutes_ago(3)
    scan = {"code": code, "list_id": setup.checkin_list.id, "scanned_at": recent}
    a = api.post("sync", json={"station": "Door A", "scans": [{**scan, "nonce": "a-2"}]})
    b = api.post("sync", json={"station": "Door B", "scans": [{**scan, "nonce": "b-1"}]})
    assert a.get_json()["results"][0]["status"] == "ok"
    answer_b = b.get_json()["results"][0]
    assert answer_b["status"] == "already_checked_in"
    assert answer_b["conflict"] is True
    assert answer_b["nonce"] == "b-1"
    assert rows() == 2


def _iso_minutes_ago(minutes: int) -> str:
    from datetime import timedelta

    from app.clock import utcnow

    return (utcnow() - timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def test_sync_with_a_malformed_scan_still_processes_the_others(api, setup):
    response = api.post(
        "sync",
        json={
            "station": "Door A",
            "scans": [
                "not an object",
                {"code": code_of(setup.guest), "list_id": setup.checkin_list.id},
                {
                    "code": code_of(setup.guest),
                    "list_id": setup.checkin_list.id,
                    "nonce": "ok-1",
                    "scanned_at": _iso_minutes_ago(1),
                },
            ],
        },
    )
    results = response.get_json()["results"]
    assert [r.get("error") for r in results] == ["invalid_field", "invalid_field", None]
    assert results[2]["status"] == "ok"


# --------------------------------------------------------------------------- auth


def test_no_token_and_no_session_is_401_json(client, setup):
    response = CheckinApi(client, setup.event.slug, None).redeem("x", setup.checkin_list.id)
    assert response.status_code == 401
    assert response.get_json()["error"] == "login_required"
    assert rows() == 0


@pytest.mark.parametrize(
    "header", ["Bearer wrong-token", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 5000]
)
def test_wrong_or_malformed_token_is_401(client, setup, header):
    response = client.post(
        f"/api/events/{setup.event.slug}/checkin/redeem",
        json={"code": "x", "list_id": 1, "station": "A", "nonce": "n"},
        headers={"Authorization": header},
    )
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_token"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_401(api, setup, auth, make_user):
    assert api.get("lists").status_code == 200
    organizer = make_user(Role.ORGANIZER, event=setup.event)
    auth.login(organizer)
    token = db.session.scalar(select(DeviceToken))
    page = api.client.post(f"/manage/{setup.event.slug}/checkin/devices/{token.id}/revoke")
    assert page.status_code == 302
    auth.logout()
    response = api.get("lists")
    assert response.status_code == 401
    assert response.get_json()["error"] == "revoked_token"


def test_token_of_another_event_is_403(client, setup, make_event, make_token):
    other = make_event()
    api = CheckinApi(client, other.slug, setup.secret)
    response = api.get("lists")
    assert response.status_code == 403
    assert response.get_json()["error"] == "wrong_event"
    # And the other event's token does not open this one either.
    foreign = CheckinApi(client, setup.event.slug, make_token(other))
    assert foreign.redeem(code_of(setup.guest), setup.checkin_list.id).status_code == 403


def test_token_use_is_recorded_at_most_once_a_minute(api, setup):
    api.get("lists")
    token = db.session.scalar(select(DeviceToken))
    first = token.last_used_at
    assert first is not None
    api.get("lists")
    db.session.refresh(token)
    assert token.last_used_at == first


def test_staff_session_can_redeem(client, auth, setup, make_user):
    staff = make_user(Role.CHECKIN_STAFF, event=setup.event)
    auth.login(staff)
    response = CheckinApi(client, setup.event.slug, None).redeem(
        code_of(setup.guest), setup.checkin_list.id
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_user_without_a_role_on_the_event_is_403(client, auth, setup, make_user, make_event):
    staff_elsewhere = make_user(Role.CHECKIN_STAFF, event=make_event())
    auth.login(staff_elsewhere)
    response = CheckinApi(client, setup.event.slug, None).get("lists")
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden"


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def _csrf_token_of(client, slug) -> str:
    page = client.get(f"/manage/{slug}/checkin/dashboard").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_session_post_needs_the_csrf_header(client, auth, setup, make_user, csrf_on):
    staff = make_user(Role.CHECKIN_STAFF, event=setup.event)
    app_client = client
    app_client.application.config["WTF_CSRF_ENABLED"] = False
    auth.login(staff)
    app_client.application.config["WTF_CSRF_ENABLED"] = True
    api = CheckinApi(client, setup.event.slug, None)
    refused = api.redeem(code_of(setup.guest), setup.checkin_list.id)
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "csrf"
    assert rows() == 0
    token = _csrf_token_of(client, setup.event.slug)
    accepted = api.post(
        "redeem",
        json={
            "code": code_of(setup.guest),
            "list_id": setup.checkin_list.id,
            "station": "A",
            "nonce": new_nonce(),
        },
        headers={"X-CSRFToken": token},
    )
    assert accepted.status_code == 200


def test_token_post_needs_no_csrf_token(api, setup, csrf_on):
    assert api.redeem(code_of(setup.guest), setup.checkin_list.id).status_code == 200


# --------------------------------------------------------------------------- bad input


def _post_raw(api, data, content_type="application/json", action="redeem"):
    return api.client.post(
        api.url(action), data=data, content_type=content_type, headers=api.headers()
    )


def _assert_clean_4xx(response, status=None):
    assert 400 <= response.status_code < 500, response.status_code
    if status is not None:
        assert response.status_code == status
    body = response.get_json()
    assert isinstance(body["error"], str) and body["message"]
    assert rows() == 0


@pytest.mark.parametrize(
    "field, value",
    [
        ("code", "x" * 10_000),
        ("code", 12345),
        ("code", None),
        ("code", ["HW1"]),
        ("station", "s" * 10_000),
        ("station", "   "),
        ("nonce", "n" * 65),
        ("nonce", "has space"),
        ("nonce", "非ascii"),
        ("list_id", "1"),
        ("list_id", True),
        ("list_id", 2**63),
        ("list_id", -1),
        ("list_id", 1.5),
        ("scanned_at", "yesterday"),
        ("scanned_at", "2026-01-01T10:00:00"),
        ("scanned_at", "0001-01-01T00:00:00+14:00"),
        ("scanned_at", "9999-12-31T23:59:59-14:00"),
        ("kind", "sideways"),
        ("extra", "field"),
    ],
)
def test_invalid_fields_are_422(api, setup, field, value):
    body = {
        "code": code_of(setup.guest),
        "list_id": setup.checkin_list.id,
        "station": "Door A",
        "nonce": new_nonce(),
        field: value,
    }
    response = _post_raw(api, json.dumps(body))
    _assert_clean_4xx(response, 422)
    assert response.get_json()["error"] == "invalid_field"


@pytest.mark.parametrize(
    "data",
    [
        b"{not json",
        b"",
        b"\xff\xfe\x00binary\x00\x01",
        b"[1, 2, 3]",
        b'"just a string"',
        b"[" * 5000 + b"]" * 5000,
        b"null",
    ],
)
def test_malformed_json_is_400(api, data):
    _assert_clean_4xx(_post_raw(api, data), 400)


def test_wrong_content_type_is_415(api, setup):
    form = {"code": code_of(setup.guest), "list_id": setup.checkin_list.id}
    response = api.client.post(api.url("redeem"), data=form, headers=api.headers())
    _assert_clean_4xx(response, 415)
    _assert_clean_4xx(_post_raw(api, b"\x00\x01\x02", "application/octet-stream"), 415)


def test_oversize_body_is_413(api, setup):
    body = json.dumps({"code": "x" * 20_000, "list_id": 1, "station": "A", "nonce": "n"})
    _assert_clean_4xx(_post_raw(api, body), 413)


def test_too_many_sync_scans_is_422(api, setup):
    scan = {"code": "x", "list_id": setup.checkin_list.id, "nonce": "n", "scanned_at": "x"}
    response = api.post("sync", json={"station": "A", "scans": [scan] * 501})
    _assert_clean_4xx(response, 422)


@pytest.mark.parametrize("list_id", ["", "abc", "-1", "99999999999", "١٢"])
def test_bad_list_id_in_a_query_is_422(api, list_id):
    response = api.client.get(api.url("stats") + f"?list_id={list_id}", headers=api.headers())
    _assert_clean_4xx(response, 422)


def test_long_search_query_is_422(api, setup):
    response = api.get("search", list_id=setup.checkin_list.id, q="q" * 10_000)
    _assert_clean_4xx(response, 422)


def test_unknown_event_is_404_json(client, setup):
    response = CheckinApi(client, "no-such-event", setup.secret).get("lists")
    assert response.status_code == 404
    assert response.is_json


def test_wrong_method_is_405_json(api):
    response = api.client.get(api.url("redeem"), headers=api.headers())
    assert response.status_code == 405
    assert response.is_json


# --------------------------------------------------------------------------- openapi


def test_openapi_document_is_public_and_describes_every_endpoint(client, app):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    described = {path for path in document["paths"] if "/checkin/" in path}
    routed = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/events/") and "/checkin/" in rule.rule
    }
    assert routed == described
    assert {"deviceToken", "staffSession"} <= set(document["components"]["securitySchemes"])


def test_search_with_control_characters_is_refused_not_a_server_error(api, setup):
    """NUL cannot be sent to PostgreSQL; the API answers 400, never a 500."""
    response = api.get("search", list_id=setup.checkin_list.id, q="Wang\x00Zhe")
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_characters"


@pytest.mark.parametrize("station", ["Door\x00A", "\ud800"])
def test_text_postgresql_cannot_store_in_a_body_is_a_400(api, setup, station):
    response = api.redeem(code_of(setup.guest), setup.checkin_list.id, station=station)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_characters"
