"""The check-in scanner page in Chromium: keyboard wedge, search, undo, offline queue and sync,
conflicts across two stations, layout on a phone and a tablet."""

from __future__ import annotations

from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.checkin.models import Checkin, CheckinStatus
from app.extensions import db
from app.translated import Translated
from tests.browser.checkin_support import add_guest, add_list, code_of, log_in, staff_user
from tests.browser.conftest import (
    PHONE_VIEWPORT,
    TABLET_LANDSCAPE_VIEWPORT,
    end_transaction,
    horizontal_overflow,
)
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def door(make_event, make_category, make_user):
    """An event with one check-in list, two confirmed guests and a check-in staff account."""
    event = make_event(title=Translated(en="Technology Transfer Conference"))
    guests = make_category(event, name=Translated(en="Guest", zh="嘉宾"), color="#0969da")
    checkin_list = add_list(event, name="Main hall")
    wang = add_guest(event, guests, "王芳", "Wang Fang", organization="海尔集团")
    ivanov = add_guest(event, guests, "Иван Петров", "Ivan Petrov", organization="МГУ")
    door = SimpleNamespace(
        slug=event.slug,
        list_id=checkin_list.id,
        wang_id=wang.id,
        wang_code=code_of(wang),
        ivanov_code=code_of(ivanov),
        email=staff_user(make_user, event),
    )
    end_transaction()
    return door


def open_scanner(page, door, station: str = "A") -> None:
    """Sign in and open the scanner of the door's list as `station`, ready to scan.

    A script error on the page fails the test (`page.script_errors`)."""
    page.script_errors = []
    page.on("pageerror", lambda error: page.script_errors.append(str(error)))
    log_in(page, door.email)
    page.goto(f"/manage/{door.slug}/checkin/{door.list_id}/scan?station={station}")
    page.wait_for_selector("body[data-scanner-ready='1']")
    page.wait_for_selector("body[data-offline-ready='1']", state="attached")


def wedge_scan(page, code: str, enter: bool = True) -> None:
    """What a handheld scanner does: type the code into the focused field (+ Enter)."""
    page.wait_for_function("document.activeElement && document.activeElement.id === 'wedge-input'")
    page.keyboard.type(code)
    if enter:
        page.keyboard.press("Enter")


def answer(page) -> dict:
    """The answer overlay once it shows: colour, headline and the rest of its text."""
    overlay = page.locator("#answer")
    overlay.wait_for(state="visible")
    return {
        "colour": overlay.get_attribute("data-colour"),
        "headline": overlay.locator("[data-answer-headline]").inner_text(),
        "details": overlay.locator("[data-answer-details]").inner_text(),
        "offline": overlay.locator("[data-answer-offline]").is_visible(),
        "marker": overlay.locator("[data-answer-offline]").inner_text(),
    }


def dismiss(page) -> None:
    page.locator("#answer").click()
    page.locator("#answer").wait_for(state="hidden")


def checkins_of(registration_id: int) -> list[SimpleNamespace]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(Checkin).where(Checkin.registration_id == registration_id).order_by(Checkin.id)
    ).all()
    found = [
        SimpleNamespace(
            status=r.status,
            station=r.station,
            scanned_at=r.scanned_at,
            offline=r.offline,
            conflict=r.conflict,
            active=r.active_registration_id is not None,
            undone=r.undone_at is not None,
        )
        for r in rows
    ]
    end_transaction()
    return found


def test_wedge_code_with_enter_welcomes_then_says_already_checked_in(door, page_at):
    page = page_at(PHONE_VIEWPORT, is_mobile=True, has_touch=True, locale="en-US")
    open_scanner(page, door, station="B")

    wedge_scan(page, door.wang_code)
    first = answer(page)
    assert first["colour"] == "green"
    assert first["headline"] == "Welcome, 王芳"
    assert "Guest" in first["details"] and "海尔集团" in first["details"]
    assert not first["offline"]
    dismiss(page)

    wedge_scan(page, door.wang_code)
    second = answer(page)
    [entry, repeat] = checkins_of(door.wang_id)
    local = entry.scanned_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M")
    assert second["colour"] == "yellow"
    assert second["headline"] == f"Already checked in at {local} by station B"
    assert entry.status == CheckinStatus.OK and entry.active
    assert repeat.status == CheckinStatus.ALREADY_CHECKED_IN
    assert page.script_errors == []


ONLINE = "!document.body.classList.contains('is-offline')"


def test_page_of_an_ended_session_says_signed_out_when_its_csrf_token_is_stale(app, door, page_at):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = page_at(PHONE_VIEWPORT, is_mobile=True, has_touch=True, locale="en-US")
        open_scanner(page, door)
        # Signed out and in again in another tab: the new session does not know the page's token.
        page.context.clear_cookies()
        other = page.context.new_page()
        log_in(other, door.email)
        other.close()

        # Online, so that the answer is the server's (a slow background poll on a loaded machine
        # can leave the page offline for a moment, and then it decides scans itself).
        page.wait_for_function(ONLINE)
        wedge_scan(page, door.wang_code)
        refused = answer(page)
        assert refused["colour"] == "red"
        assert refused["headline"] == "Signed out — sign in again"
        assert checkins_of(door.wang_id) == []
        dismiss(page)

        # Reloaded (as after signing in again), the page has the session's token and scans.
        page.reload()
        # Ready once the offline data, the stats and the queue have been fetched again: on a
        # loaded CI machine that took over the default 10 s once.
        page.wait_for_selector("body[data-scanner-ready='1']", timeout=30_000)
        page.wait_for_function(ONLINE)
        wedge_scan(page, door.wang_code)
        assert answer(page)["headline"] == "Welcome, 王芳"
        assert [entry.status for entry in checkins_of(door.wang_id)] == [CheckinStatus.OK]
        assert page.script_errors == []
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_wedge_without_enter_submits_after_a_short_pause(door, page_at):
    page = page_at(PHONE_VIEWPORT, locale="en-US")
    open_scanner(page, door)
    wedge_scan(page, door.ivanov_code, enter=False)
    assert answer(page)["headline"] == "Welcome, Иван Петров"


def test_answer_resets_by_itself_and_the_wedge_field_takes_the_focus_back(door, page_at):
    page = page_at(PHONE_VIEWPORT, locale="en-US")
    open_scanner(page, door)
    page.locator("#counter-checked").click()  # a stray tap elsewhere on the page
    wedge_scan(page, "garbage-that-is-no-ticket")
    refused = answer(page)
    assert refused["colour"] == "red"
    assert refused["headline"]  # the server's reason, localized
    page.locator("#answer").wait_for(state="hidden", timeout=5000)
    page.wait_for_function("document.activeElement.id === 'wedge-input'")


def test_manual_search_checks_in_the_found_guest_and_undo_takes_it_back(door, page_at):
    page = page_at(TABLET_LANDSCAPE_VIEWPORT, has_touch=True, locale="en-US")
    open_scanner(page, door, station="Desk")
    page.locator("#search-toggle").click()
    page.locator("#search-input").fill("Wang")
    hit = page.locator("#search-results li", has_text="王芳")
    hit.wait_for()
    # The wedge field must not steal the focus while the search is used.
    assert page.evaluate("document.activeElement.id") == "search-input"
    hit.locator("button").click()
    assert answer(page)["headline"] == "Welcome, 王芳"
    dismiss(page)
    assert page.locator("#counter-checked").inner_text() == "1"

    undo = page.locator("#undo-button")
    assert "王芳" in undo.inner_text()
    undo.click()
    page.locator("#notice", has_text="Check-in undone").wait_for()
    [entry] = checkins_of(door.wang_id)
    assert entry.undone and not entry.active
    # Undone means the device forgets it too: even offline the guest can come in again.
    page.context.set_offline(True)
    wedge_scan(page, door.wang_code)
    again = answer(page)
    assert again["colour"] == "green" and again["offline"]
    assert page.script_errors == []


def test_offline_scan_is_accepted_queued_and_synced_once(door, page_at):
    page = page_at(PHONE_VIEWPORT, is_mobile=True, has_touch=True, locale="en-US")
    open_scanner(page, door, station="A")
    page.context.set_offline(True)

    wedge_scan(page, door.wang_code)
    offline = answer(page)
    assert offline["colour"] == "green"
    assert offline["offline"] and offline["marker"] == "Accepted offline"
    assert page.locator("#offline-banner").is_visible()
    assert page.locator("#queue-count").inner_text() == "1"
    dismiss(page)

    # The same badge again on the same device: refused locally, not queued twice.
    wedge_scan(page, door.wang_code)
    again = answer(page)
    assert again["colour"] == "yellow"
    assert again["headline"].startswith("Already checked in at ")
    assert again["headline"].endswith("by station A")
    assert page.locator("#queue-count").inner_text() == "1"
    assert checkins_of(door.wang_id) == []

    page.context.set_offline(False)
    page.locator("#queue-status").wait_for(state="hidden", timeout=15_000)
    assert page.locator("#offline-banner").is_hidden()
    [entry] = checkins_of(door.wang_id)
    assert entry.status == CheckinStatus.OK and entry.offline and entry.station == "A"
    assert page.script_errors == []


def test_same_code_offline_at_two_stations_records_one_entry_and_a_conflict(door, page_at):
    first = page_at(PHONE_VIEWPORT, locale="en-US")
    second = page_at(TABLET_LANDSCAPE_VIEWPORT, locale="en-US")
    open_scanner(first, door, station="North")
    open_scanner(second, door, station="South")
    first.context.set_offline(True)
    second.context.set_offline(True)
    wedge_scan(first, door.wang_code)
    wedge_scan(second, door.wang_code)
    assert answer(first)["colour"] == answer(second)["colour"] == "green"

    first.context.set_offline(False)
    first.locator("#queue-status").wait_for(state="hidden", timeout=15_000)
    second.context.set_offline(False)
    second.locator("#queue-status").wait_for(state="hidden", timeout=15_000)
    second.locator("#notice", has_text="conflict").wait_for()

    rows = checkins_of(door.wang_id)
    assert [r.active for r in rows].count(True) == 1
    assert [r.conflict for r in rows] == [False, True]
    dashboard = first.request.get(f"/manage/{door.slug}/checkin/dashboard.json").json()
    [conflict] = dashboard["conflicts"]
    assert conflict["station"] == "South" and conflict["first_station"] == "North"


@pytest.mark.parametrize(
    "viewport", [PHONE_VIEWPORT, TABLET_LANDSCAPE_VIEWPORT], ids=["phone", "tablet"]
)
def test_scanner_and_chooser_fit_the_screen(door, page_at, viewport, screenshot_dir):
    page = page_at(viewport, has_touch=True, locale="zh-CN")
    log_in(page, door.email)
    page.goto(f"/manage/{door.slug}/checkin?lang=zh_CN")
    assert horizontal_overflow(page) == 0
    name = f"{viewport['width']}x{viewport['height']}"
    page.screenshot(path=screenshot_dir / f"checkin-choose-{name}.png", full_page=True)
    page.fill("#station", "东门")
    page.locator(".start-scanning").click()
    page.wait_for_selector("body[data-scanner-ready='1']")
    assert "station=" in page.url
    assert horizontal_overflow(page) == 0
    page.screenshot(path=screenshot_dir / f"checkin-scan-{name}.png", full_page=True)
    wedge_scan(page, door.wang_code)
    answer(page)
    assert horizontal_overflow(page) == 0
    page.screenshot(path=screenshot_dir / f"checkin-answer-{name}.png")


def test_offline_search_finds_a_guest_and_checks_them_in_on_the_device(
    door, page_at, screenshot_dir
):
    page = page_at(PHONE_VIEWPORT, is_mobile=True, has_touch=True, locale="en-US")
    open_scanner(page, door, station="A")
    page.context.set_offline(True)
    page.locator("#search-toggle").click()
    page.locator("#search-input").fill("петров")
    hit = page.locator("#search-results li", has_text="Иван Петров")
    hit.wait_for()
    page.screenshot(path=screenshot_dir / "checkin-search-offline-390x844.png")
    hit.locator("button").click()
    found = answer(page)
    assert found["colour"] == "green" and found["offline"]
    assert found["headline"] == "Welcome, Иван Петров"
    assert page.locator("#queue-count").inner_text() == "1"
    assert page.script_errors == []


def cached_urls(page) -> list[str]:
    """Every URL in the page's Cache Storage (what the service worker keeps)."""
    return page.evaluate(
        """async () => {
            const urls = [];
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) urls.push(request.url);
            }
            return urls;
        }"""
    )


def test_scanner_reloaded_offline_accepts_a_wedge_scan_and_syncs_it_once(door, page_at):
    page = page_at(PHONE_VIEWPORT, is_mobile=True, has_touch=True, locale="en-US")
    open_scanner(page, door, station="A")
    page.wait_for_selector("body[data-offline-shell='1']", state="attached", timeout=30_000)
    wedge_scan(page, door.ivanov_code)  # an online scan: its answer must not be kept
    assert answer(page)["colour"] == "green"
    dismiss(page)

    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-scanner-ready='1']", state="attached")
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    assert page.locator("#offline-banner").is_visible()
    wedge_scan(page, door.wang_code)
    offline = answer(page)
    assert offline["colour"] == "green" and offline["headline"] == "Welcome, 王芳"
    assert offline["offline"] and offline["marker"] == "Accepted offline"
    assert page.locator("#queue-count").inner_text() == "1"
    assert checkins_of(door.wang_id) == []
    dismiss(page)

    page.context.set_offline(False)
    page.locator("#queue-status").wait_for(state="hidden", timeout=15_000)
    [entry] = checkins_of(door.wang_id)
    assert entry.status == CheckinStatus.OK and entry.offline and entry.station == "A"
    # Online again, a reload comes from the server and uploads nothing twice.
    page.reload()
    page.wait_for_selector("body[data-scanner-ready='1']", state="attached")
    assert len(checkins_of(door.wang_id)) == 1
    urls = cached_urls(page)
    assert any(url.endswith("/static/js/checkin/scanner.js") for url in urls)
    assert any("/scan?station=A" in url for url in urls)
    assert not [url for url in urls if "/api/" in url]
    assert page.script_errors == []


def test_ended_session_says_signed_out_not_offline_and_keeps_the_queue(door, page_at):
    page = page_at(PHONE_VIEWPORT, is_mobile=True, has_touch=True, locale="en-US")
    open_scanner(page, door, station="A")
    page.context.set_offline(True)
    wedge_scan(page, door.wang_code)
    assert answer(page)["offline"]
    dismiss(page)

    # The session ends while the device is offline (expired, or signed out elsewhere).
    page.context.clear_cookies()
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("body[data-signed-out='1']", state="attached")
    banner = page.locator("#signed-out-banner")
    assert banner.is_visible() and "Signed out — sign in again" in banner.inner_text()
    assert page.locator("#offline-banner").is_hidden()
    assert page.locator("#queue-count").inner_text() == "1"

    wedge_scan(page, door.ivanov_code)
    refused = answer(page)
    assert refused["colour"] == "red"
    assert refused["headline"] == "Signed out — sign in again"
    assert not refused["offline"]
    assert page.locator("#queue-count").inner_text() == "1"
    assert checkins_of(door.wang_id) == []
    dismiss(page)

    page.locator("#sign-in-again").click()
    page.fill("#email", door.email)
    page.fill("#password", TEST_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_selector("body[data-scanner-ready='1']", state="attached")
    assert "/scan" in page.url
    page.locator("#queue-status").wait_for(state="hidden", timeout=15_000)
    assert page.locator("#signed-out-banner").is_hidden()
    [entry] = checkins_of(door.wang_id)
    assert entry.status == CheckinStatus.OK and entry.offline
    assert page.script_errors == []
