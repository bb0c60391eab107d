"""Reordering signing items in Chromium — by drag and drop and with the keyboard buttons —
and the host script following the new order. The page runs with CSRF on, like production."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from tests.browser.checkin_support import log_in
from tests.browser.conftest import end_transaction
from tests.ceremonies.conftest import item_data, make_ceremony, party  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1280, "height": 900}
FIRST = "中挪未来创新科技平台"
SECOND = "北欧（青岛）跨境产业创新合作中心"


@pytest.fixture
def ceremony_page(app, make_user, page_at, request):
    """(page signed in as organizer on the ceremony page, ceremony URL), CSRF enabled."""
    ceremony = request.getfixturevalue("make_ceremony")(
        items=[
            item_data(
                FIRST,
                [
                    party("技术转移中心", name="王海峰"),
                    party("Norway Future Innovation Alliance", "NO", name="Ingrid Solberg"),
                ],
            ),
            item_data(
                SECOND,
                [
                    party("Nordic Innovation Chamber", "FI", name="Mikko Laine"),
                    party("Danish Cleantech Cluster", "DK", name="Sofie Jensen"),
                ],
            ),
        ]
    )
    user = make_user(Role.ORGANIZER, event=ceremony.event)
    url = f"/manage/{ceremony.event.slug}/ceremonies/{ceremony.id}/"
    email = user.email
    app.config["WTF_CSRF_ENABLED"] = True
    end_transaction()
    page = page_at(VIEWPORT, locale="en-US")
    log_in(page, email)
    page.goto(url + "?lang=en")
    yield page, url
    app.config["WTF_CSRF_ENABLED"] = False


def item_titles(page) -> list[str]:
    return page.locator("#signing-items .item-title").all_inner_texts()


def host_script_order(page, url) -> list[str]:
    page.goto(url + "host-script")
    text = page.locator("body").inner_text()
    assert FIRST in text and SECOND in text
    return sorted([FIRST, SECOND], key=text.index) + (
        ["Mikko Laine"] if text.index("Mikko Laine") < text.index("Ingrid Solberg") else []
    )


def test_drag_and_drop_reorders_and_the_host_script_follows(ceremony_page):
    page, url = ceremony_page
    assert item_titles(page) == [FIRST, SECOND]
    source = page.locator("#signing-items .sortable-row").nth(1)
    target = page.locator("#signing-items .sortable-row").nth(0)
    with page.expect_navigation():
        source.drag_to(target, target_position={"x": 20, "y": 5})
    assert item_titles(page) == [SECOND, FIRST]
    assert host_script_order(page, url) == [SECOND, FIRST, "Mikko Laine"]


def test_keyboard_move_button_reorders_and_the_host_script_follows(ceremony_page):
    page, url = ceremony_page
    button = page.locator("#signing-items .sortable-row").nth(0).locator("button.move-down")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert item_titles(page) == [SECOND, FIRST]
    assert host_script_order(page, url) == [SECOND, FIRST, "Mikko Laine"]
