"""The personal page at the door without a network (#15): its service worker, its manifest, and
what the page tells the worker to keep. The worker itself runs in Chromium in
tests/browser/test_personal_page_offline.py."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.registration.offline_routes import PERSONAL_PAGE_STATIC_FILES
from app.translated import Translated
from tests.registration.test_personal_page import register

STATIC_REFERENCE = re.compile(r'(?:href|src)="(/static/[^"?]+)')
CONFIG = re.compile(
    r'<script type="application/json" id="personal-page-config">(.*?)</script>', re.S
)


@pytest.fixture
def event(make_event):
    return make_event(
        title=Translated(en="Qingdao Expo 2027", zh="2027 青岛博览会"),
        timezone="Asia/Shanghai",
        starts_at=datetime(2027, 6, 1, 1, 0, tzinfo=UTC),
        ends_at=datetime(2027, 6, 2, 10, 0, tzinfo=UTC),
    )


def test_the_page_tells_its_worker_to_keep_it_and_stays_out_of_http_caches(
    client, event, make_category
):
    token, _registration = register(client, event, make_category(event))
    response = client.get(f"/r/{token}?lang=en")
    assert response.status_code == 200
    assert response.headers["Huiwu-Offline-Copy"] == "keep"
    assert response.headers["Cache-Control"] == "no-store"
    page = response.text
    assert f'<link rel="manifest" href="/r/{token}/manifest.webmanifest">' in page
    config = json.loads(CONFIG.search(page).group(1))
    assert config == {"offlineCopy": "keep", "worker": f"/r/{token}/sw.js", "scope": f"/r/{token}"}


def test_a_one_time_rendering_asks_the_worker_for_a_clean_copy(client, event, make_category):
    token, _registration = register(client, event, make_category(event))
    # Right after registering: the "you are registered" note is for this visit only.
    assert client.get(f"/r/{token}?created=1").headers["Huiwu-Offline-Copy"] == "refetch"
    # After a change: the flash message is shown once, and the next rendering is clean.
    assert client.get(f"/r/{token}/edit").status_code == 200
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Your changes have been saved.")]
    assert client.get(f"/r/{token}").headers["Huiwu-Offline-Copy"] == "refetch"
    assert client.get(f"/r/{token}").headers["Huiwu-Offline-Copy"] == "keep"


def test_a_cancelled_registration_tells_the_worker_to_drop_its_copy(client, event, make_category):
    token, _registration = register(client, event, make_category(event))
    assert client.post(f"/r/{token}/cancel").status_code == 302
    response = client.get(f"/r/{token}")
    assert response.headers["Huiwu-Offline-Copy"] == "drop"
    assert "manifest.webmanifest" not in response.text
    assert json.loads(CONFIG.search(response.text).group(1))["offlineCopy"] == "drop"


def test_the_worker_is_scoped_to_the_page_and_keeps_only_its_static_files(
    client, event, make_category
):
    token, _registration = register(client, event, make_category(event))
    response = client.get(f"/r/{token}/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == f"/r/{token}"
    assert response.headers["Cache-Control"] == "no-store"
    first_line = response.text.split("\n", 1)[0]
    settings = json.loads(first_line.removeprefix("self.PERSONAL_PAGE = ").removesuffix(";"))
    assert settings["page"] == f"/r/{token}"
    assert settings["header"] == "Huiwu-Offline-Copy"
    assert settings["assets"] == [f"/static/{name}" for name in PERSONAL_PAGE_STATIC_FILES]
    assert 'addEventListener("fetch"' in response.text


@pytest.mark.parametrize("attendance", ["onsite", "online"])
def test_the_worker_keeps_every_static_file_the_page_loads(
    client, event, make_category, attendance
):
    token, _registration = register(client, event, make_category(event), attendance=attendance)
    page = client.get(f"/r/{token}?lang=en").text
    loaded = set(STATIC_REFERENCE.findall(page))
    kept = {f"/static/{name}" for name in PERSONAL_PAGE_STATIC_FILES}
    assert loaded <= kept, "the page loads a file its worker does not keep"
    manifest = client.get(f"/r/{token}/manifest.webmanifest").json
    assert kept == loaded | {icon["src"] for icon in manifest["icons"]}, "a file kept for nothing"


def test_the_manifest_names_the_event_and_opens_the_page_standalone(client, event, make_category):
    token, _registration = register(client, event, make_category(event))
    response = client.get(f"/r/{token}/manifest.webmanifest?lang=en")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.json
    assert manifest["name"] == "Qingdao Expo 2027"
    assert manifest["start_url"] == manifest["scope"] == f"/r/{token}"
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200
    chinese = client.get(f"/r/{token}/manifest.webmanifest?lang=zh_CN").json
    assert chinese["name"] == "2027 青岛博览会"


@pytest.mark.parametrize("path", ["sw.js", "manifest.webmanifest"])
def test_a_revoked_or_made_up_link_has_no_worker_or_manifest(client, event, make_category, path):
    token, registration = register(client, event, make_category(event))
    assert client.get(f"/r/not-a-token/{path}").status_code == 404
    assert client.get(f"/r/{token}x/{path}").status_code == 404
    registration.link_version += 1  # what anonymization does to the link
    db.session.commit()
    assert client.get(f"/r/{token}/{path}").status_code == 404
    # The page itself says 404 too: the worker then drops its copy and itself.
    assert client.get(f"/r/{token}").status_code == 404


def test_the_policy_allows_our_own_workers_and_manifest_only(client, event, make_category):
    token, _registration = register(client, event, make_category(event))
    policy = client.get(f"/r/{token}").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["worker-src"] == "'self'"
    assert directives["manifest-src"] == "'self'"
    assert directives["script-src"] == "'self'"
