"""The scanner pages: who may open them, choosing a list and a station, the page's settings."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.accounts.models import Role
from app.checkin.services import ListData, create_list
from app.extensions import db
from app.translated import Translated

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def setup(make_event, make_category, make_user):
    event = make_event()
    make_category(event, name=Translated(en="Guest"))
    checkin_list = create_list(event, ListData(name="Main hall"))
    db.session.commit()
    staff = make_user(Role.CHECKIN_STAFF, event=event)
    return event, checkin_list, staff


def page_config(response) -> dict:
    match = re.search(
        r'<script type="application/json" id="checkin-config">(.*?)</script>',
        response.get_data(as_text=True),
        re.S,
    )
    assert match, "no scanner config on the page"
    return json.loads(match.group(1))


def test_chooser_sends_anonymous_visitors_to_the_login_page(client, setup):
    event, _, _ = setup
    response = client.get(f"/manage/{event.slug}/checkin")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_chooser_and_scanner_refuse_a_user_without_a_role_on_the_event(
    client, auth, setup, make_user, make_event
):
    event, checkin_list, _ = setup
    judge_elsewhere = make_user(Role.CHECKIN_STAFF, event=make_event())
    auth.login(judge_elsewhere)
    assert client.get(f"/manage/{event.slug}/checkin").status_code == 403
    assert client.get(f"/manage/{event.slug}/checkin/{checkin_list.id}/scan").status_code == 403


def test_chooser_lists_the_event_lists_for_staff_and_organizers(client, auth, setup, make_user):
    event, _, staff = setup
    auth.login(staff)
    page = client.get(f"/manage/{event.slug}/checkin?lang=en")
    assert page.status_code == 200
    assert "Main hall" in page.get_data(as_text=True)
    auth.logout()
    auth.login(make_user(Role.ORGANIZER, event=event))
    assert client.get(f"/manage/{event.slug}/checkin").status_code == 200


def test_chooser_with_list_and_station_goes_to_the_scanner(client, auth, setup):
    event, checkin_list, staff = setup
    auth.login(staff)
    response = client.get(
        f"/manage/{event.slug}/checkin",
        query_string={"list_id": checkin_list.id, "station": " 东门 "},
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith(
        f"/manage/{event.slug}/checkin/{checkin_list.id}/scan?station="
    )
    assert "%E4%B8%9C%E9%97%A8" in response.headers["Location"]


@pytest.mark.parametrize(
    "query",
    [{"list_id": "", "station": "A"}, {"list_id": "999999", "station": "A"}, {"station": "A"}],
)
def test_chooser_refuses_a_missing_or_foreign_list(client, auth, setup, query):
    event, _, staff = setup
    auth.login(staff)
    response = client.get(f"/manage/{event.slug}/checkin", query_string={**query, "lang": "en"})
    assert response.status_code == 400
    assert "Choose a check-in list." in response.get_data(as_text=True)


def test_chooser_refuses_an_empty_station_name(client, auth, setup):
    event, checkin_list, staff = setup
    auth.login(staff)
    response = client.get(
        f"/manage/{event.slug}/checkin",
        query_string={"list_id": checkin_list.id, "station": "   ", "lang": "en"},
    )
    assert response.status_code == 400
    assert "Enter a name for this station" in html.unescape(response.get_data(as_text=True))


def test_scanner_of_another_events_list_is_not_found(client, auth, setup, make_event):
    event, _, staff = setup
    other = make_event()
    foreign = create_list(other, ListData(name="Elsewhere"))
    db.session.commit()
    auth.login(staff)
    assert client.get(f"/manage/{event.slug}/checkin/{foreign.id}/scan").status_code == 404


def test_scanner_page_carries_its_settings_and_translated_strings(client, auth, setup):
    event, checkin_list, staff = setup
    auth.login(staff)
    response = client.get(
        f"/manage/{event.slug}/checkin/{checkin_list.id}/scan?station=Door%20A&lang=en"
    )
    assert response.status_code == 200
    config = page_config(response)
    assert config["listId"] == checkin_list.id
    assert config["station"] == "Door A"
    assert config["apiBase"] == f"/api/events/{event.slug}/checkin/"
    assert config["timezone"] == event.timezone
    assert config["csrfToken"]
    assert config["strings"]["Welcome, %(name)s"] == "Welcome, %(name)s"
    assert config["strings"]["status:no_offline_data"]
    assert "vendor/zxing-browser/zxing-browser.min.js" in response.get_data(as_text=True)


def test_scanner_page_escapes_a_list_name_that_looks_like_markup(client, auth, setup):
    event, checkin_list, staff = setup
    checkin_list.name = "</script><script>alert(1)</script>"
    db.session.commit()
    auth.login(staff)
    body = client.get(f"/manage/{event.slug}/checkin/{checkin_list.id}/scan").get_data(as_text=True)
    assert "<script>alert(1)" not in body


def test_vendored_scanner_library_ships_with_its_licences():
    folder = ROOT / "static" / "vendor" / "zxing-browser"
    assert (folder / "zxing-browser.min.js").stat().st_size > 100_000
    assert "MIT License" in (folder / "LICENSE").read_text()
    assert "Apache License" in (folder / "LICENSE-zxing-library").read_text()
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned["@zxing/browser"])


def _scanner_page(client, event, checkin_list) -> str:
    return client.get(f"/manage/{event.slug}/checkin/{checkin_list.id}/scan?station=A").get_data(
        as_text=True
    )


def _worker_settings(script: str) -> dict:
    first_line, _, _rest = script.partition("\n")
    match = re.fullmatch(r"self\.SCANNER_CACHE = (\{.*\});", first_line)
    assert match, first_line
    return json.loads(match.group(1))


def test_service_worker_is_scoped_to_the_events_checkin_pages_and_never_cached(client, auth, setup):
    event, checkin_list, staff = setup
    auth.login(staff)
    config = page_config(
        client.get(f"/manage/{event.slug}/checkin/{checkin_list.id}/scan?station=A")
    )
    assert config["serviceWorkerUrl"] == f"/manage/{event.slug}/checkin/service-worker.js"
    assert config["serviceWorkerScope"] == f"/manage/{event.slug}/checkin/"
    response = client.get(config["serviceWorkerUrl"])
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-store"
    source = (ROOT / "static/js/checkin/service-worker.js").read_text("utf-8")
    assert response.get_data(as_text=True).endswith(source)


def _imported_modules(entry: Path) -> set[str]:
    """The URLs of the modules `entry` imports, directly or through other modules."""
    found: set[str] = set()
    todo = [entry]
    while todo:
        module = todo.pop()
        for path in re.findall(r'from "(\.\.?/[\w./-]+\.js)"', module.read_text("utf-8")):
            target = (module.parent / path).resolve()
            url = "/" + target.relative_to(ROOT).as_posix()
            if url not in found:
                found.add(url)
                todo.append(target)
    return found


def test_service_worker_keeps_every_file_the_scanner_page_loads(client, auth, setup):
    event, checkin_list, staff = setup
    auth.login(staff)
    page = _scanner_page(client, event, checkin_list)
    loaded = set(re.findall(r'<script[^>]* src="([^"]+)"', page))
    loaded |= set(re.findall(r'<link rel="stylesheet" href="([^"]+)"', page))
    # What the page's ES modules import, and what those import (static/js/lib/ among them).
    imported = set().union(
        *(_imported_modules(ROOT / url[1:]) for url in loaded if url.startswith("/static/js/"))
    )
    settings = _worker_settings(
        client.get(f"/manage/{event.slug}/checkin/service-worker.js").get_data(as_text=True)
    )
    assert loaded and imported
    assert loaded | imported <= set(settings["assets"])
    assert not any("/api/" in url or "service-worker" in url for url in settings["assets"])
    for url in settings["assets"]:
        assert client.get(url).status_code == 200, url


def test_service_worker_version_follows_the_files_it_keeps(client, auth, setup, monkeypatch):
    event, _checkin_list, staff = setup
    auth.login(staff)
    url = f"/manage/{event.slug}/checkin/service-worker.js"
    first = _worker_settings(client.get(url).get_data(as_text=True))
    assert first == _worker_settings(client.get(url).get_data(as_text=True))
    from app.checkin import scanner_routes

    monkeypatch.setattr(
        scanner_routes, "SCANNER_STATIC_FILES", scanner_routes.SCANNER_STATIC_FILES[1:]
    )
    assert _worker_settings(client.get(url).get_data(as_text=True))["version"] != first["version"]


def test_service_worker_is_for_staff_only(client, auth, setup, make_user, make_event):
    event, _checkin_list, _staff = setup
    url = f"/manage/{event.slug}/checkin/service-worker.js"
    assert client.get(url).status_code == 302
    auth.login(make_user(Role.CHECKIN_STAFF, event=make_event()))
    assert client.get(url).status_code == 403


def test_scanner_page_says_signed_out_in_the_staff_members_language(client, auth, setup):
    event, checkin_list, staff = setup
    auth.login(staff)
    url = f"/manage/{event.slug}/checkin/{checkin_list.id}/scan?station=A"
    english = client.get(url + "&lang=en")
    assert "Signed out — sign in again" in english.get_data(as_text=True)
    assert page_config(english)["strings"]["status:signed_out"] == "Signed out — sign in again"
    assert page_config(english)["loginUrl"].startswith("/login?next=")
    for lang, words in (("zh_CN", "重新登录"), ("ru", "войдите снова")):
        translated = client.get(f"{url}&lang={lang}")
        assert words in page_config(translated)["strings"]["status:signed_out"], lang
        assert words in translated.get_data(as_text=True), lang


def _checked_list_ids(page: str) -> list[str]:
    return re.findall(r'<input type="radio" id="list-(\d+)"[^>]*\bchecked\b', page)


def test_chooser_selects_the_list_open_now_else_the_first(client, auth, setup):
    event, first, staff = setup
    now = datetime.now(UTC)
    first.ends_at = now - timedelta(hours=1)  # this morning's list, closed
    later = create_list(event, ListData(name="Afternoon", starts_at=now - timedelta(minutes=5)))
    db.session.commit()
    auth.login(staff)
    url = f"/manage/{event.slug}/checkin"
    assert _checked_list_ids(client.get(url).get_data(as_text=True)) == [str(later.id)]
    # Asked for one (a refused form comes back with it): that one.
    refused = client.get(f"{url}?list_id={first.id}&station=")
    assert refused.status_code == 400
    assert _checked_list_ids(refused.get_data(as_text=True)) == [str(first.id)]
    later.starts_at = now + timedelta(hours=1)
    db.session.commit()
    assert _checked_list_ids(client.get(url).get_data(as_text=True)) == [str(first.id)]


def test_chooser_form_leaves_the_warnings_to_the_server_in_the_pages_language(client, auth, setup):
    event, checkin_list, staff = setup
    auth.login(staff)
    page = client.get(
        f"/manage/{event.slug}/checkin?lang=zh_CN&list_id={checkin_list.id}&station="
    ).get_data(as_text=True)
    assert re.search(r'<form id="checkin-choose"[^>]*\bnovalidate\b', page)
    assert "请输入签到点名称" in page
    assert re.search(r'id="station"[^>]*aria-invalid="true"', page)


def test_scanner_page_leaves_the_camera_library_until_the_camera_starts(client, auth, setup):
    event, checkin_list, staff = setup
    auth.login(staff)
    response = client.get(f"/manage/{event.slug}/checkin/{checkin_list.id}/scan?station=A")
    assert "zxing" not in "".join(re.findall(r"<script[^>]*>", response.get_data(as_text=True)))
    library = page_config(response)["cameraLibraryUrl"]
    assert library.endswith("/zxing-browser.min.js")
    assert client.get(library).status_code == 200
    settings = _worker_settings(
        client.get(f"/manage/{event.slug}/checkin/service-worker.js").get_data(as_text=True)
    )
    assert library in settings["assets"]  # kept for the camera offline


def test_service_worker_knows_the_checksum_of_every_file_it_keeps(client, auth, setup):
    event, _checkin_list, staff = setup
    auth.login(staff)
    settings = _worker_settings(
        client.get(f"/manage/{event.slug}/checkin/service-worker.js").get_data(as_text=True)
    )
    assert set(settings["integrity"]) == set(settings["assets"])
    for url in settings["assets"]:
        digest = hashlib.sha256(client.get(url).get_data()).digest()
        assert settings["integrity"][url] == "sha256-" + base64.b64encode(digest).decode(), url
