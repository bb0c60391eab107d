"""Security headers on every response, and pages a Content-Security-Policy without
'unsafe-inline' can run: the demo is crawled as an organizer, a judge, check-in staff and a
visitor, and every page is checked for the headers and for inline scripts or on*= handlers."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from app import create_app
from app.checkin.models import CheckinList
from app.demo import DEMO_SLUG, load_demo
from app.extensions import db
from app.registration.models import Registration, RegistrationState
from app.registration.services import manage_token, reissue_badge
from app.security.headers import DOWNLOAD_POLICY
from config import ProdConfig
from tests.conftest import empty_database
from tests.security.world import instance_files, remove_files_added_since

PER_ENDPOINT = 2  # URLs visited per route (the demo has 300 registrations, one page each)
NEVER_FOLLOW = ("/logout", "/static/")


class InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline <script> code, on*= attributes and
    javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")
        if tag == "script" and not attributes.get("src"):
            kind = (attributes.get("type") or "text/javascript").lower()
            if kind not in ("application/json", "application/ld+json"):
                self.found.append(f"<script type={kind}> without src")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])


@pytest.fixture(scope="module")
def demo_site(_app):
    """The demo loaded once for the module; emptied afterwards."""
    files_before = instance_files(_app)
    with _app.app_context():
        load_demo()
        registration = db.session.scalar(
            select(Registration).where(Registration.state == RegistrationState.CONFIRMED).limit(1)
        )
        token = manage_token(registration)
        reissue_badge(registration)  # one mail in the outbox, for its preview
        list_id = db.session.scalar(select(CheckinList.id).order_by(CheckinList.id).limit(1))
        db.session.commit()
    yield {"manage_token": token, "list_id": list_id}
    with _app.app_context():
        empty_database()
    remove_files_added_since(_app, files_before)


def sign_in(app, email: str | None):
    client = app.test_client()
    if email:
        response = client.post("/login", data={"email": email, "password": "huiwu-demo-2020"})
        assert response.status_code == 302, email
    return client


def endpoint_of(app, path: str) -> str | None:
    try:
        return app.url_map.bind("localhost").match(path, method="GET")[0]
    except HTTPException:
        return None


def crawl(app, client, starts: list[str]) -> dict[str, object]:
    """GET every same-site page reachable by links from `starts` (at most PER_ENDPOINT URLs per
    route); returns URL → response."""
    queue, seen, per_endpoint, pages = deque(starts), set(), {}, {}
    while queue:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc or parts.path in seen or parts.path.startswith(NEVER_FOLLOW):
            continue
        seen.add(parts.path)
        endpoint = endpoint_of(app, parts.path)
        if endpoint is None or per_endpoint.get(endpoint, 0) >= PER_ENDPOINT:
            continue
        per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + 1
        response = client.get(url)
        response.close()
        pages[url] = response
        if response.status_code == 200 and response.mimetype == "text/html":
            parser = InlineCode()
            parser.feed(response.text)
            queue.extend(
                urljoin(url, link).replace("http://localhost", "") for link in parser.links
            )
    return pages


def header_problems(url: str, response) -> list[str]:
    problems = []
    policy = response.headers.get("Content-Security-Policy", "")
    if response.headers.get("Content-Disposition", "").startswith("attachment"):
        # Downloads: never rendered in our origin, sandboxed if a browser opens one anyway.
        if policy != DOWNLOAD_POLICY:
            problems.append(f"download policy: {policy!r}")
        if response.headers.get("X-Content-Type-Options") != "nosniff":
            problems.append("nosniff")
        return problems
    script_src = re.search(r"script-src ([^;]*)", policy)
    if (
        not script_src
        or "'unsafe-inline'" in script_src.group(1)
        or "'unsafe-eval'" in (script_src.group(1))
    ):
        problems.append(f"script-src: {policy!r}")
    if "frame-ancestors 'none'" not in policy:
        problems.append("frame-ancestors")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("nosniff")
    if response.headers.get("Referrer-Policy") != "same-origin":
        problems.append("referrer")
    if response.headers.get("X-Frame-Options") != "DENY":
        problems.append("x-frame-options")
    return problems


def check_pages(pages) -> dict[str, list[str]]:
    wrong = {}
    for url, response in pages.items():
        problems = header_problems(url, response)
        if response.status_code == 200 and response.mimetype == "text/html":
            parser = InlineCode()
            parser.feed(response.text)
            problems += parser.found
        if response.status_code >= 500:
            problems.append(f"status {response.status_code}")
        if problems:
            wrong[url] = problems
    return wrong


def test_every_page_an_organizer_reaches_has_the_headers_and_no_inline_code(_app, demo_site):
    client = sign_in(_app, "organizer@huiwu.local")
    pages = crawl(_app, client, ["/staff", f"/manage/{DEMO_SLUG}/"])
    organizer_pages = {endpoint_of(_app, urlsplit(url).path) for url in pages}
    assert len(organizer_pages) >= 60, sorted(organizer_pages)
    assert check_pages(pages) == {}


def test_judge_staff_and_public_pages_have_the_headers_and_no_inline_code(_app, demo_site):
    pages = {}
    pages.update(crawl(_app, sign_in(_app, "judge1@huiwu.local"), [f"/judge/{DEMO_SLUG}/"]))
    scanner = f"/manage/{DEMO_SLUG}/checkin/{demo_site['list_id']}/scan?station=A"
    staff_starts = [f"/manage/{DEMO_SLUG}/checkin", scanner]
    pages.update(crawl(_app, sign_in(_app, "staff@huiwu.local"), staff_starts))
    token = demo_site["manage_token"]
    public_starts = ["/", f"/e/{DEMO_SLUG}/", f"/e/{DEMO_SLUG}/register", "/c/", "/login"]
    pages.update(crawl(_app, sign_in(_app, None), [*public_starts, f"/r/{token}"]))
    visited = {endpoint_of(_app, urlsplit(url).path) for url in pages}
    assert {
        "judging.judge_round",  # the tablet
        "checkin.scanner",
        "registration.register",
        "registration.manage",
        "events.show",
    } <= visited
    assert check_pages(pages) == {}


def test_error_pages_and_json_answers_carry_the_headers_too(_app, demo_site):
    client = sign_in(_app, None)
    for response in (
        client.get("/no-such-page"),
        client.get(f"/manage/{DEMO_SLUG}/"),
        client.get("/api/openapi.json"),
        client.get("/static/css/app.css"),
    ):
        response.close()
        assert header_problems(response.request.path, response) == []


def test_the_mail_preview_may_be_framed_by_our_own_page_only(_app, demo_site):
    client = sign_in(_app, "organizer@huiwu.local")
    outbox = client.get(f"/manage/{DEMO_SLUG}/outbox").text
    message_path = re.search(rf'href="(/manage/{DEMO_SLUG}/outbox/\d+)"', outbox).group(1)
    response = client.get(f"{message_path}/preview")
    policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("sandbox;")  # the view's own policy, kept
    assert "frame-ancestors 'self'" in policy
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


@pytest.fixture(scope="module")
def production_app(config_class):
    class Production(ProdConfig):
        SECRET_KEY = "a-production-secret-key-that-is-long-enough"
        SQLALCHEMY_DATABASE_URI = config_class.SQLALCHEMY_DATABASE_URI
        INSTANCE_DIR = config_class.INSTANCE_DIR
        OUTBOX_DIR = config_class.OUTBOX_DIR
        REDIS_URL = ""
        RATELIMIT_STORAGE_URI = "memory://"  # one test process (ProdConfig wants it said)
        RATELIMIT_ENABLED = False
        SECURITY_HSTS = True

    return create_app(Production)


def test_production_sends_hsts_on_https(production_app):
    response = production_app.test_client().get("/login", base_url="https://huiwu.example.org")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_no_hsts_over_plain_http_or_in_development(_app, production_app):
    assert "Strict-Transport-Security" not in production_app.test_client().get("/login").headers
    response = _app.test_client().get("/login", base_url="https://localhost")
    assert "Strict-Transport-Security" not in response.headers


def test_headers_worked_out_once_per_view_still_follow_the_scheme(production_app):
    client = production_app.test_client()
    secure = client.get("/login", base_url="https://huiwu.example.org").headers
    plain = client.get("/login").headers
    again = client.get("/login", base_url="https://huiwu.example.org").headers
    assert "Strict-Transport-Security" in secure and "Strict-Transport-Security" in again
    assert "Strict-Transport-Security" not in plain
    assert plain["Content-Security-Policy"] == secure["Content-Security-Policy"]


def test_the_scanner_may_use_the_camera_and_nothing_else_may_use_devices(_app):
    policy = _app.test_client().get("/login").headers["Permissions-Policy"]
    assert "camera=(self)" in policy
    assert "microphone=()" in policy and "geolocation=()" in policy
