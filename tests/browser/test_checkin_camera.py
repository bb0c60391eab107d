"""Camera scanning: Chromium's fake camera plays a video of a real badge QR code."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pytest

from app.translated import Translated
from tests.browser.checkin_support import (
    add_guest,
    add_list,
    code_of,
    log_in,
    staff_user,
    write_qr_video,
)
from tests.browser.conftest import LAUNCH_ARGS, PHONE_VIEWPORT, end_transaction

pytestmark = pytest.mark.browser


@pytest.fixture
def badge(make_event, make_category, make_user):
    event = make_event()
    category = make_category(event, name=Translated(en="Guest"))
    checkin_list = add_list(event)
    guest = add_guest(event, category, "刘洋", "Liu Yang", organization="中国海洋大学")
    values = SimpleNamespace(
        slug=event.slug,
        list_id=checkin_list.id,
        code=code_of(guest),
        email=staff_user(make_user, event),
    )
    end_transaction()
    return values


@pytest.fixture
def camera_browser(browser, badge, tmp_path):
    """A separate Chromium whose camera is a video of the badge's QR code."""
    video = write_qr_video(tmp_path / "badge.y4m", badge.code)
    camera = browser.browser_type.launch(
        executable_path=shutil.which("chromium"),
        args=[
            *LAUNCH_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    yield camera
    camera.close()


def test_camera_reads_the_badge_qr_and_welcomes_the_guest(camera_browser, badge, live_server):
    context = camera_browser.new_context(
        viewport=PHONE_VIEWPORT,
        base_url=live_server.base_url,
        permissions=["camera"],
        locale="en-US",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        log_in(page, badge.email)
        page.goto(f"/manage/{badge.slug}/checkin/{badge.list_id}/scan?station=Gate")
        page.wait_for_selector("body[data-scanner-ready='1']")
        page.locator("#camera-start").click()
        page.wait_for_selector("body[data-camera='running']")
        overlay = page.locator("#answer")
        overlay.wait_for(state="visible")
        assert overlay.get_attribute("data-colour") == "green"
        assert overlay.locator("[data-answer-headline]").inner_text() == "Welcome, 刘洋"
    finally:
        context.close()
