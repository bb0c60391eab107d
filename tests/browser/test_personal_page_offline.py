"""The personal page at the door without a network, on a 390×844 phone (#15): after one online
visit it opens offline with its QR code (read back from a screenshot), and nothing else is kept;
a revoked link takes the copy away; the event's times in the visitor's timezone."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select

from app.extensions import db
from app.registration.models import Registration
from app.registration.offline_routes import PERSONAL_PAGE_STATIC_FILES
from app.registration.tickets import ticket_code
from app.translated import Translated
from tests.browser.conftest import PHONE_VIEWPORT, end_transaction
from tests.conftest import form_data, manage_token_from
from tests.pdf_support import decode_qr_codes

pytestmark = pytest.mark.browser

CACHED = """async () => {
  const kept = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) {
      kept.push([name, new URL(request.url).pathname]);
    }
  }
  return kept;
}"""


@pytest.fixture
def event(make_event):
    return make_event(
        title=Translated(
            zh="2027 青岛国际投资贸易博览会",
            en="2027 Qingdao International Investment and Trade Expo",
        ),
        venue=Translated(zh="青岛国际会议中心"),
        timezone="Asia/Shanghai",
        starts_at=datetime(2027, 6, 1, 1, 0, tzinfo=UTC),  # 09:00 in Qingdao, 04:00 in Moscow
        ends_at=datetime(2027, 6, 2, 10, 0, tzinfo=UTC),  # 18:00 in Qingdao, 13:00 in Moscow
    )


def register(client, event, category, **overrides) -> tuple[str, str]:
    """A confirmed on-site registration: its self-service token and its ticket code."""
    response = client.post(
        f"/e/{event.slug}/register?lang=zh_CN", data=form_data(category, **overrides)
    )
    assert response.status_code == 302, response.text
    token = manage_token_from(response)
    registration = db.session.scalars(select(Registration).order_by(Registration.id.desc())).first()
    return token, ticket_code(registration)


def phone(page_at, **options):
    return page_at(PHONE_VIEWPORT, is_mobile=True, has_touch=True, device_scale_factor=2, **options)


def visit_until_kept(page, token: str) -> None:
    """The first visit, as right after registering; returns once the worker serves the page."""
    page.goto(f"/r/{token}?created=1")
    page.wait_for_selector("body[data-offline-ready='1']", state="attached", timeout=30_000)
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def test_after_one_visit_the_page_opens_offline_with_its_qr_code_and_nothing_else_is_kept(
    client, event, make_category, page_at, screenshot_dir
):
    category = make_category(event, name=Translated(zh="普通参会者"))
    token, expected = register(client, event, category)
    other_token, _other_code = register(client, event, category, native_name="李娜")
    end_transaction()

    page = phone(page_at)
    visit_until_kept(page, token)
    assert page.locator("#offline-ready").is_visible()
    assert page.locator("#saved-copy").is_hidden()
    # Another participant's page asked from this one (a link, a mistake) passes the worker by.
    assert page.evaluate(f"fetch('/r/{other_token}').then((r) => r.status)") == 200
    (screenshot_dir / "personal-page-online.png").write_bytes(page.screenshot(full_page=True))

    page.context.set_offline(True)
    page.reload()
    qr = page.locator("#ticket-qr")
    qr.wait_for()
    assert page.evaluate("navigator.onLine") is False
    # The kept copy is the clean page, without the one-time "you are registered" note; it says
    # it is the copy, and since when.
    assert page.locator("#registration-done").count() == 0
    saved = page.locator("#saved-copy")
    assert saved.is_visible()
    assert saved.inner_text().startswith("没有网络：这是本设备保存的副本")
    box = qr.bounding_box()
    assert box["width"] >= 250, "the page's stylesheet did not come from the copy"
    assert box["y"] + box["height"] <= PHONE_VIEWPORT["height"]
    assert decode_qr_codes(Image.open(io.BytesIO(page.screenshot()))) == [expected]
    (screenshot_dir / "personal-page-offline.png").write_bytes(page.screenshot(full_page=True))

    kept = page.evaluate(CACHED)
    assert {name for name, _path in kept} == {f"huiwu-personal-page:/r/{token}"}
    assert {path for _name, path in kept} == {
        f"/r/{token}",
        *(f"/static/{name}" for name in PERSONAL_PAGE_STATIC_FILES),
    }
    # The other participant's page was never kept: offline it does not open.
    other = page.context.new_page()
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        other.goto(f"/r/{other_token}")
    # Nor does a page under the scope that is not the page itself (the edit form).
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        other.goto(f"/r/{token}/edit")


def test_online_the_page_is_current_and_a_revoked_link_takes_the_copy_away(
    client, event, make_category, page_at
):
    token, _code = register(client, event, make_category(event))
    end_transaction()
    page = phone(page_at)
    visit_until_kept(page, token)

    # Network first: a change shows at the next online visit, and the copy follows it.
    registration = db.session.scalars(select(Registration)).one()
    registration.organization = "青岛海洋大学"
    db.session.commit()
    end_transaction()
    page.reload()
    assert "青岛海洋大学" in page.locator("#registration-summary").inner_text()
    page.wait_for_function(
        """async (token) => {
             const copy = await caches.match(`/r/${token}`);
             return copy !== undefined && (await copy.text()).includes("青岛海洋大学");
           }""",
        arg=token,
    )

    # The link is revoked (what anonymizing the person does): the next online visit is a 404,
    # and the worker drops its copy and itself.
    registration = db.session.scalars(select(Registration)).one()
    registration.link_version += 1
    db.session.commit()
    end_transaction()
    assert page.reload().status == 404
    page.wait_for_function(
        """async () => (await caches.keys()).length === 0
             && (await navigator.serviceWorker.getRegistrations()).length === 0"""
    )
    page.context.set_offline(True)
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        page.reload()


@pytest.mark.parametrize(
    ("lang", "words"),
    [("zh_CN", ["您的当地时间", "04:00", "13:00"]), ("ru", ["Ваше время", "04:00", "13:00"])],
)
def test_a_visitor_in_another_timezone_also_sees_their_own_time(
    client, event, make_category, page_at, lang, words
):
    token, _code = register(client, event, make_category(event))
    end_transaction()
    page = phone(page_at, timezone_id="Europe/Moscow")
    page.goto(f"/r/{token}?lang={lang}")
    line = page.locator("#visitor-time")
    line.wait_for()
    text = line.inner_text()
    assert "Europe/Moscow" in text
    for word in words:
        assert word in text
    # The event's own time is still there as the server wrote it.
    event_time = page.locator("#event-time").inner_text()
    assert "09:00" in event_time and "Asia/Shanghai" in event_time


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Asia/Chongqing"])
def test_a_visitor_in_the_events_timezone_sees_no_second_time(
    client, event, make_category, page_at, zone
):
    token, _code = register(client, event, make_category(event))
    end_transaction()
    page = phone(page_at, timezone_id=zone)
    page.goto(f"/r/{token}")
    page.wait_for_selector("body[data-offline-ready='1']", state="attached", timeout=30_000)
    assert page.locator("#visitor-time").is_hidden()
    assert page.locator("#visitor-time").inner_text() == ""


def test_without_javascript_the_events_time_is_shown(client, event, make_category, page_at):
    token, _code = register(client, event, make_category(event))
    end_transaction()
    page = phone(page_at, timezone_id="Europe/Moscow", java_script_enabled=False)
    page.goto(f"/r/{token}")
    assert "09:00" in page.locator("#event-time").inner_text()
    assert page.locator("#visitor-time").is_hidden()
    assert page.locator("#offline-ready").is_hidden()


def test_the_participant_can_remove_the_saved_copy_from_a_device(
    client, event, make_category, page_at
):
    token, _code = register(client, event, make_category(event))
    end_transaction()
    page = phone(page_at)
    visit_until_kept(page, token)
    forget = page.locator("#device-copy-forget")
    forget.scroll_into_view_if_needed()
    forget.click()
    page.locator("#device-copy-removed").wait_for()
    assert page.locator("#offline-ready").is_hidden()
    assert page.evaluate(CACHED) == []
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then((r) => r.length)") == 0
    page.context.set_offline(True)
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        page.reload()


@pytest.mark.parametrize("status", [429, 503])
def test_a_refusal_that_says_nothing_about_the_registration_shows_the_copy(
    app, client, event, make_category, page_at, monkeypatch, status
):
    token, expected = register(client, event, make_category(event))
    end_transaction()
    page = phone(page_at)
    visit_until_kept(page, token)
    # A venue's Wi-Fi is one address: its people can use up the link pages' rate limit (429).
    # (The server answers so itself: Playwright's routing does not see a worker's requests.)
    monkeypatch.setitem(app.view_functions, "registration.manage", lambda token: ("busy", status))
    assert page.evaluate(f"fetch('/r/{token}').then((r) => r.status)") == status
    page.reload()
    page.locator("#ticket-qr").wait_for()
    assert decode_qr_codes(Image.open(io.BytesIO(page.screenshot()))) == [expected]
