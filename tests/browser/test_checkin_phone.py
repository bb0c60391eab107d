"""The check-in scanner as staff meet it on a phone and a tablet: the camera first, controls a
finger can hit, a chooser that never stops at the browser's own warning, a search that offers
check-in only to those who may come in, and a service worker that does not download the page
a second time."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pytest

from app.extensions import db
from app.registration.models import RegistrationState
from app.translated import Translated
from tests.browser.checkin_support import add_guest, add_list, log_in, staff_user
from tests.browser.conftest import (
    LAUNCH_ARGS,
    PHONE_VIEWPORT,
    TABLET_VIEWPORT,
    end_transaction,
    horizontal_overflow,
)

pytestmark = pytest.mark.browser

MIN_TARGET = 44  # CSS px, WCAG 2.5.5 and the platforms' own guidelines


@pytest.fixture
def venue(make_event, make_category, make_user):
    """An event with two check-in lists (the second for VIPs only), a confirmed guest, a
    pending, a waitlisted and a cancelled one, and a check-in staff account."""
    event = make_event(title=Translated(en="Technology Transfer Conference"))
    guests = make_category(event, name=Translated(en="Guest", zh="嘉宾"), color="#0969da")
    vips = make_category(event, name=Translated(en="VIP", zh="贵宾"), color="#8250df")
    hall = add_list(event, name="Main hall")
    vip_room = add_list(event, name="VIP room", category_ids=[vips.id])
    add_guest(event, guests, "王芳", "Wang Fang", organization="海尔集团")
    others = {}
    for state, native, latin in (
        (RegistrationState.PENDING, "李娜", "Li Na"),
        (RegistrationState.WAITLISTED, "李强", "Li Qiang"),
        (RegistrationState.CANCELLED, "李静", "Li Jing"),
    ):
        registration = add_guest(event, guests, native, latin, organization="青岛大学")
        registration.state = state
        others[state] = registration.id
    db.session.commit()
    values = SimpleNamespace(
        slug=event.slug,
        hall_id=hall.id,
        vip_id=vip_room.id,
        email=staff_user(make_user, event),
    )
    end_transaction()
    return values


def open_scanner(page, venue, list_id=None, lang="en") -> None:
    log_in(page, venue.email)
    page.goto(f"/manage/{venue.slug}/checkin/{list_id or venue.hall_id}/scan?station=A&lang={lang}")
    page.wait_for_selector("body[data-scanner-ready='1']")


@pytest.fixture
def fake_camera_browser(browser):
    """A Chromium with a fake camera that is allowed without asking."""
    camera = browser.browser_type.launch(
        executable_path=shutil.which("chromium"),
        args=[*LAUNCH_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"],
    )
    yield camera
    camera.close()


def loaded_scripts(page) -> list[str]:
    return page.evaluate(
        "() => performance.getEntriesByType('resource').map((e) => e.name)"
        ".filter((name) => name.endsWith('.js'))"
    )


def test_phone_scanner_shows_the_camera_at_the_top_and_loads_the_decoder_only_for_it(
    venue, fake_camera_browser, live_server, screenshot_dir
):
    context = fake_camera_browser.new_context(
        viewport=PHONE_VIEWPORT,
        is_mobile=True,
        has_touch=True,
        base_url=live_server.base_url,
        locale="zh-CN",
        permissions=["camera"],
    )
    try:
        page = context.new_page()
        open_scanner(page, venue, lang="zh_CN")
        box = page.locator("#camera-box").bounding_box()
        assert box["y"] < PHONE_VIEWPORT["height"] * 0.25, box
        assert page.locator("#camera-start").is_visible()
        # A station scanning with a handheld scanner never downloads the camera's decoder.
        assert not [url for url in loaded_scripts(page) if "zxing" in url]
        assert horizontal_overflow(page) == 0

        page.locator("#camera-start").click()
        page.wait_for_selector("body[data-camera='running']")
        video = page.locator("#camera-video").bounding_box()
        assert video["y"] < PHONE_VIEWPORT["height"] * 0.25, video
        assert video["height"] > PHONE_VIEWPORT["height"] * 0.3, video
        assert [url for url in loaded_scripts(page) if "zxing" in url]
        assert horizontal_overflow(page) == 0
        page.screenshot(path=screenshot_dir / "checkin-camera-first-390x844.png")
    finally:
        context.close()


def small_targets(page, scope: str) -> list[tuple[str, int, int]]:
    """Visible links, buttons and fields inside `scope` smaller than 44×44 CSS px."""
    return page.evaluate(
        """([scope, least]) => [...document.querySelectorAll(
                `${scope} a, ${scope} button, ${scope} input:not([type=radio]), ${scope} select`)]
            .filter((e) => e.getClientRects().length && getComputedStyle(e).visibility !== "hidden")
            .map((e) => [e.id || e.className || e.textContent.trim(), e.getBoundingClientRect()])
            .filter(([, r]) => r.width < least || r.height < least)
            .map(([name, r]) => [name, Math.round(r.width), Math.round(r.height)])""",
        [scope, MIN_TARGET],
    )


@pytest.mark.parametrize("viewport", [PHONE_VIEWPORT, TABLET_VIEWPORT], ids=["phone", "tablet"])
def test_scanner_and_chooser_controls_are_big_enough_for_a_finger(venue, page_at, viewport):
    page = page_at(viewport, is_mobile=True, has_touch=True, locale="en-US")
    open_scanner(page, venue)
    assert small_targets(page, "#checkin-app") == []
    page.locator("#search-toggle").click()
    page.locator("#search-input").fill("Wang")
    page.locator("#search-results li", has_text="王芳").wait_for()
    assert small_targets(page, "#checkin-app") == []

    page.goto(f"/manage/{venue.slug}/checkin?lang=en")
    assert small_targets(page, ".checkin-choose") == []
    # A radio button is hit through its whole row (its label).
    rows = page.locator("label.list-choice")
    for index in range(rows.count()):
        row = rows.nth(index).bounding_box()
        assert row["height"] >= MIN_TARGET and row["width"] >= viewport["width"] * 0.8, row


def no_validation_bubble_blocks(page) -> bool:
    """True when the form would submit without the browser's own "please select" warning."""
    return page.evaluate("document.getElementById('checkin-choose').checkValidity()")


def test_chooser_with_two_lists_selects_one_and_starts_scanning(venue, page_at, screenshot_dir):
    page = page_at(PHONE_VIEWPORT, is_mobile=True, has_touch=True, locale="zh-CN")
    log_in(page, venue.email)
    page.goto(f"/manage/{venue.slug}/checkin?lang=zh_CN")
    assert page.locator("input[name=list_id]").count() == 2
    assert page.locator("input[name=list_id]:checked").count() == 1
    page.screenshot(path=screenshot_dir / "checkin-choose-two-lists-390x844.png")
    page.fill("#station", "东门")
    assert no_validation_bubble_blocks(page)
    page.locator(".start-scanning").click()
    page.wait_for_selector("body[data-scanner-ready='1']")
    assert f"/checkin/{venue.hall_id}/scan" in page.url


def test_chooser_selects_again_the_list_this_device_used_last(venue, page_at):
    page = page_at(PHONE_VIEWPORT, is_mobile=True, has_touch=True, locale="en-US")
    log_in(page, venue.email)
    page.goto(f"/manage/{venue.slug}/checkin?lang=en")
    page.locator(f"#list-{venue.vip_id}").check()
    page.fill("#station", "VIP door")
    page.locator(".start-scanning").click()
    page.wait_for_selector("body[data-scanner-ready='1']")

    page.goto(f"/manage/{venue.slug}/checkin?lang=en")
    assert page.locator("input[name=list_id]:checked").get_attribute("value") == str(venue.vip_id)
    assert page.input_value("#station") == "VIP door"


def test_chooser_without_a_station_name_says_so_in_the_pages_language(venue, page_at):
    page = page_at(PHONE_VIEWPORT, is_mobile=True, has_touch=True, locale="ru-RU")
    log_in(page, venue.email)
    page.goto(f"/manage/{venue.slug}/checkin?lang=zh_CN")
    page.fill("#station", "")
    page.locator(".start-scanning").click()
    # The page's own message in Chinese, not the browser's bubble in the browser's language.
    page.locator(".flash-error", has_text="请输入签到点名称").wait_for()
    assert page.locator("#station").get_attribute("aria-invalid") == "true"
    assert page.locator("input[name=list_id]:checked").count() == 1


@pytest.mark.parametrize("offline", [False, True], ids=["online", "offline"])
def test_search_offers_no_check_in_to_a_guest_who_cannot_come_in_and_says_why(
    venue, page_at, offline, screenshot_dir
):
    page = page_at(PHONE_VIEWPORT, is_mobile=True, has_touch=True, locale="en-US")
    open_scanner(page, venue)
    page.wait_for_selector("body[data-offline-ready='1']", state="attached")
    if offline:
        page.context.set_offline(True)
    page.locator("#search-toggle").click()
    page.locator("#search-input").fill("青岛大学")
    results = page.locator("#search-results li")
    results.nth(2).wait_for()
    assert results.count() == 3
    expected = {
        "李娜": ("Awaiting approval", "Not confirmed yet"),
        "李强": ("Waiting list", "On the waiting list"),
        "李静": ("Cancelled", "cancelled"),
    }
    for name, (state, reason) in expected.items():
        item = page.locator("#search-results li", has_text=name)
        assert item.locator("button").count() == 0, name
        assert state in item.inner_text() and reason in item.inner_text(), item.inner_text()
    page.screenshot(path=screenshot_dir / f"checkin-search-states-{offline}-390x844.png")

    page.locator("#search-input").fill("王芳")
    page.locator("#search-results li", has_text="王芳").locator("button").wait_for()


def test_offline_search_finds_only_guests_the_list_admits(venue, page_at):
    page = page_at(PHONE_VIEWPORT, is_mobile=True, has_touch=True, locale="en-US")
    open_scanner(page, venue, list_id=venue.vip_id)
    page.wait_for_selector("body[data-offline-ready='1']", state="attached")
    page.context.set_offline(True)
    page.locator("#search-toggle").click()
    page.locator("#search-input").fill("王芳")
    page.locator("#search-results .search-empty").wait_for()


def test_service_worker_keeps_the_files_the_page_loaded_without_downloading_them_again(
    venue, page_at
):
    page = page_at(PHONE_VIEWPORT, is_mobile=True, has_touch=True, locale="en-US")
    open_scanner(page, venue)
    page.wait_for_selector("body[data-offline-shell='1']", state="attached", timeout=30_000)
    loaded = page.evaluate(
        """() => performance.getEntriesByType('resource')
            .filter((e) => new URL(e.name).pathname.startsWith('/static/'))
            .map((e) => e.name)"""
    )
    [worker] = page.context.service_workers
    # What the worker itself fetched while installing, and how many bytes came over the network
    # for each (transferSize is 0 for an answer from the HTTP cache).
    fetched = dict(
        worker.evaluate(
            "() => performance.getEntriesByType('resource').map((e) => [e.name, e.transferSize])"
        )
    )
    assert len(loaded) >= 10 and set(loaded) <= set(fetched)
    downloaded_again = {url: fetched[url] for url in loaded if fetched[url] > 0}
    assert downloaded_again == {}
    # ...and it does keep them: the page opens offline.
    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-scanner-ready='1']", state="attached")
    assert page.locator("#camera-start").is_visible()
