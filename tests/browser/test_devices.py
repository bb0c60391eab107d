"""The device suite: every page each kind of user reaches, on the devices they use, looked at
in Chromium the way a person would meet it.

On every page × device: no horizontal overflow and no control outside the viewport; screens fit
the projector without scrolling; touch targets of at least 44×44 CSS px on phones and tablets;
no attribute whose value is the text `None`; inputs with the type and autocomplete that bring up
the right keyboard; on Chinese pages no English enum value (the words come from the app's enums).
Once per page: axe-core finds nothing critical or serious. Russian pages are checked for English
enum values through their HTML (cheaper than a second browser pass).

The pages are found by crawling the demo (tests/browser/devices.py), so a new page is covered as
soon as it is linked; test_every_page_is_reached fails for a page no one reaches. A failing page
is saved as a screenshot under test-artifacts/devices/ (or $HUIWU_SCREENSHOT_DIR) for the reader
of the CI log.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from html import unescape as html_unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.demo import DEMO_PASSWORD, DEMO_SLUG, load_demo
from app.extensions import db
from tests.browser.conftest import LiveServer
from tests.browser.devices import (
    AXE_RUN,
    AXE_SOURCE,
    DESKTOP,
    MEASURE,
    PHONE,
    PROJECTOR,
    REACHED_ELSEWHERE,
    SAMPLE_ROWS,
    SCREEN_ENDPOINTS,
    SMALL_LAPTOP,
    SMALL_PROJECTOR,
    SPLIT_SCREEN,
    TABLET_LANDSCAPE,
    TABLET_PORTRAIT,
    Audience,
    Crawl,
    Device,
    crawl,
    english_enum_values,
    is_page_rule,
    organizer_texts_in_english,
    strip_quoted,
)
from tests.conftest import empty_database
from tests.security.world import instance_files, remove_files_added_since

pytestmark = [pytest.mark.browser, pytest.mark.devices]

# Without Playwright the browser fixture skips (or fails on CI); so must this module's import.
sync_api = pytest.importorskip("playwright.sync_api")
PlaywrightError, PlaywrightTimeout = sync_api.Error, sync_api.TimeoutError

ARTIFACTS = Path(os.environ.get("HUIWU_SCREENSHOT_DIR") or "test-artifacts") / "devices"


def audiences(site: dict) -> list[Audience]:
    slug = DEMO_SLUG
    return [
        Audience(
            "participant",
            None,
            (
                "/",
                f"/e/{slug}/",
                f"/e/{slug}/register",
                f"/e/{slug}/entry",
                "/c/",
                "/login",
                *site["participant_starts"],
            ),
            (PHONE, TABLET_PORTRAIT, DESKTOP),
        ),
        Audience(
            "staff",
            "staff@huiwu.local",
            ("/staff", f"/manage/{slug}/checkin", site["scanner"]),
            (PHONE, TABLET_PORTRAIT, TABLET_LANDSCAPE),
        ),
        Audience(
            "judge",
            site["judge"],
            tuple(site["judge_starts"]),
            (TABLET_PORTRAIT, TABLET_LANDSCAPE, SPLIT_SCREEN, PHONE),
        ),
        Audience(
            "organizer",
            "organizer@huiwu.local",
            ("/staff", f"/manage/{slug}/", site["badge_sheet"]),
            (DESKTOP, SMALL_LAPTOP),
        ),
        Audience(
            "admin",
            "admin@huiwu.local",
            ("/admin/events", "/admin/users", "/admin/audit", "/account/two-step"),
            (DESKTOP,),
            within=("/admin", "/account"),
        ),
        Audience(
            "screens",
            "organizer@huiwu.local",
            tuple(site["screens"]),
            (PROJECTOR, SMALL_PROJECTOR),
            screens=True,
        ),
    ]


AUDIENCE_DEVICES = [
    ("participant", PHONE),
    ("participant", TABLET_PORTRAIT),
    ("participant", DESKTOP),
    ("staff", PHONE),
    ("staff", TABLET_PORTRAIT),
    ("staff", TABLET_LANDSCAPE),
    ("judge", TABLET_PORTRAIT),
    ("judge", TABLET_LANDSCAPE),
    ("judge", SPLIT_SCREEN),
    ("judge", PHONE),
    ("organizer", DESKTOP),
    ("organizer", SMALL_LAPTOP),
    ("admin", DESKTOP),
    ("screens", PROJECTOR),
    ("screens", SMALL_PROJECTOR),
]


def sign_in_client(app, email: str | None):
    client = app.test_client()
    if email:
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
    return client


@dataclass
class Site:
    audiences: dict[str, Audience]
    crawls: dict[str, Crawl]
    organizer_texts: list[str]


@pytest.fixture(scope="module")
def site(_app) -> Site:
    """The demo, and what each audience reaches in it (crawled once per module)."""
    from app.accounts.models import User
    from app.certificates.models import CertificateKind
    from app.certificates.services import issue_certificate
    from app.checkin.models import CheckinList
    from app.events.models import Event
    from app.judging.models import Assignment, Eligibility, Entry, Round, TeamMember
    from app.registration.badge_services import BADGE_SIZES, request_badge_sheet
    from app.registration.models import Registration, RegistrationState
    from app.registration.services import manage_token, reissue_badge

    files_before = instance_files(_app)
    with _app.app_context():
        load_demo()
        event = db.session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
        confirmed = db.session.scalar(
            select(Registration)
            .where(Registration.state == RegistrationState.CONFIRMED)
            .order_by(Registration.id)
            .limit(1)
        )
        leader = db.session.scalar(
            select(Registration)
            .join(TeamMember, TeamMember.registration_id == Registration.id)
            .join(Entry, Entry.id == TeamMember.entry_id)
            .where(TeamMember.is_leader, Entry.eligibility != Eligibility.ELIGIBLE)
            .order_by(Registration.id)
            .limit(1)
        )
        starts = [f"/r/{manage_token(r)}" for r in (confirmed, leader) if r is not None]
        reissue_badge(confirmed)  # a mail in the outbox, for its pages
        certificate = issue_certificate(confirmed, CertificateKind.PARTICIPATION).certificate
        organizer = db.session.scalar(select(User).where(User.email == "organizer@huiwu.local"))
        sheet = request_badge_sheet(
            event,
            organizer,
            size=next(iter(BADGE_SIZES)),
            language="zh",
            registration_ids=[confirmed.id],
        )
        starts.append(f"/c/{certificate.verification_token}")
        list_id = db.session.scalar(select(CheckinList.id).order_by(CheckinList.id).limit(1))
        round_ids = db.session.scalars(select(Round.id).order_by(Round.id)).all()
        assignment = db.session.scalars(
            select(Assignment).join(User, User.id == Assignment.judge_user_id).order_by(User.email)
        ).first()
        judge = db.session.get(User, assignment.judge_user_id).email
        judge_round = assignment.round_id
        judge_entry = f"/judge/{DEMO_SLUG}/rounds/{judge_round}/entries/{assignment.entry_id}"
        sheet_id = sheet.id
        db.session.commit()
        written = organizer_texts_in_english()
    screens = []
    for round_id in [*round_ids[:1], judge_round]:
        base = f"/manage/{DEMO_SLUG}/judging/rounds/{round_id}"
        screens += [f"{base}/screen", f"{base}/stage"]
    values = {
        "participant_starts": starts,
        "scanner": f"/manage/{DEMO_SLUG}/checkin/{list_id}/scan?station=A",
        "judge": judge,
        "badge_sheet": f"/manage/{DEMO_SLUG}/badges/sheets/{sheet_id}",
        "judge_starts": [f"/judge/{DEMO_SLUG}/", judge_entry],
        "screens": list(dict.fromkeys(screens)),
    }
    by_name = {audience.name: audience for audience in audiences(values)}
    crawls = {}
    for audience in by_name.values():
        client = sign_in_client(_app, audience.email)
        found = crawl(_app, client, audience.starts, audience.within)
        if audience.screens:
            found.pages = {u: e for u, e in found.pages.items() if e in SCREEN_ENDPOINTS}
        else:
            found.pages = {u: e for u, e in found.pages.items() if e not in SCREEN_ENDPOINTS}
        found.endpoints = set(found.pages.values())
        crawls[audience.name] = found
    yield Site(by_name, crawls, written)
    with _app.app_context():
        empty_database()
    remove_files_added_since(_app, files_before)


def test_every_page_is_reached(_app, site):
    """Every GET route that renders a page is reached by some audience, or says where it is
    tested instead: a new page cannot slip past the device checks."""
    reached = set().union(*(found.endpoints for found in site.crawls.values()))
    pages = {rule.endpoint for rule in _app.url_map.iter_rules() if is_page_rule(rule)}
    missing = sorted(pages - reached - set(REACHED_ELSEWHERE))
    assert missing == [], f"pages no audience reaches in the demo: {missing}"


def _save_screenshot(page, audience: str, device: Device, endpoint: str) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{audience}-{device.name}-{endpoint.replace('.', '-')}.png"
    try:
        page.screenshot(path=str(path))
    except PlaywrightError as error:  # the screenshot is a courtesy to the reader
        return f"(no screenshot: {error})"
    return str(path)


def _settle(page) -> None:
    """Wait until the page's own scripts have drawn it (pages that fetch their content)."""
    scripted = page.evaluate(
        "() => [...document.scripts].some((s) => OWN_SCRIPT.test(s.src))".replace(
            "OWN_SCRIPT", r"/\/static\/js\/(?!confirm-submit)/"
        )
    )
    if scripted:
        # A page that polls is never idle; after 3 s it has drawn what it fetched.
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_load_state("networkidle", timeout=3000)
    # page.evaluate has no timeout of its own: a promise that never settles would hang the run.
    page.evaluate(
        """() => Promise.race([
             document.fonts.ready.then(() => new Promise(requestAnimationFrame)),
             new Promise((resolve) => setTimeout(resolve, 2000))])"""
    )


@pytest.mark.parametrize(
    ("audience_name", "device"),
    AUDIENCE_DEVICES,
    ids=[f"{name}-{device.name}" for name, device in AUDIENCE_DEVICES],
)
def test_pages_fit_the_device(browser, _live_server: LiveServer, site, audience_name, device):
    audience = site.audiences[audience_name]
    found = site.crawls[audience_name]
    assert found.pages, f"{audience_name} reaches no page"
    first_device = device == audience.devices[0]
    context = browser.new_context(
        viewport=device.viewport,
        is_mobile=device.touch,
        has_touch=device.touch,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        base_url=_live_server.base_url,
        service_workers="block",
    )
    context.set_default_timeout(15_000)
    axe = AXE_SOURCE.read_text(encoding="utf-8") if first_device else None
    enum_words = sorted(english_enum_values()) if first_device else []
    problems: list[str] = []
    try:
        page = context.new_page()
        if audience.email:
            page.goto("/login?lang=zh_CN")
            page.fill("#email", audience.email)
            page.fill("#password", DEMO_PASSWORD)
            page.locator("form button[type=submit]").last.click()
            page.wait_for_load_state()
        for url, endpoint in found.pages.items():
            if os.environ.get("HUIWU_DEVICES_VERBOSE"):
                print(f"{audience_name} {device.name} {url}", flush=True)
            response = page.goto(url, wait_until="load")
            if response is None or response.status != 200:
                problems.append(f"{endpoint} {url}: status {response and response.status}")
                continue
            _settle(page)
            measured = page.evaluate(
                MEASURE,
                {
                    "touch": device.touch,
                    "checkTargets": device.touch,
                    "screen": audience.screens,
                    "enumWords": enum_words,
                    "organizerTexts": site.organizer_texts if first_device else [],
                    "setWidth": device.width,
                    "setHeight": device.height,
                    "skip": SAMPLE_ROWS,
                },
            )
            found_here = [f"{kind}: {item}" for kind, items in measured.items() for item in items]
            if axe:
                page.evaluate(axe)
                found_here += page.evaluate(AXE_RUN)
            if found_here:
                shot = _save_screenshot(page, audience_name, device, endpoint)
                problems.append(f"{endpoint} {url} [{shot}]\n    " + "\n    ".join(found_here))
    finally:
        context.close()
    assert not problems, f"{len(problems)} pages at {device.name}:\n" + "\n".join(problems)


RUSSIAN_TEXT = re.compile(r">([^<]+)<")
PROSE_WORDS = 4  # a text of this many English words is prose an organizer wrote, not a value


def latin_words(text: str) -> set[str]:
    words = [w for w in re.split(r"[^A-Za-z_]+", text) if w]
    return set() if len(words) >= PROSE_WORDS else set(words)


def test_no_english_enum_values_on_russian_pages(_app, site):
    """Server-rendered text and tooltips of every crawled page in Russian (the Chinese pages are
    checked in the browser above)."""
    words = english_enum_values()
    problems, seen = [], set()
    for name, found in site.crawls.items():
        client = sign_in_client(_app, site.audiences[name].email)
        for url, endpoint in found.pages.items():
            if url in seen:
                continue
            seen.add(url)
            separator = "&" if "?" in url else "?"
            html = client.get(f"{url}{separator}lang=ru").get_data(as_text=True)
            body = re.sub(r"(?s)<(script|style|code|pre)\b.*?</\1>", "", html)
            texts = RUSSIAN_TEXT.findall(body)
            texts += re.findall(r'(?:title|aria-label|placeholder)="([^"]*)"', body)
            texts = [strip_quoted(html_unescape(t), site.organizer_texts) for t in texts]
            hits = sorted(
                {f"{w!r} in {t.strip()[:60]!r}" for t in texts for w in latin_words(t) & words}
            )
            if hits:
                problems.append(f"{endpoint} {urlsplit(url).path}: {hits}")
    assert not problems, "\n".join(problems)
