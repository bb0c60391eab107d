"""An online attendee on a 390×844 phone (#15): their page offers the join link as a button
they can tap, tapping it records the visit and lands on the stream; a cancelled
registration's link shows a page in their language that fits the screen."""

from __future__ import annotations

import pytest

from app.checkin.models import OnlineAttendance
from app.checkin.online_services import join_token
from app.extensions import db
from app.registration.models import Attendance
from app.registration.services import cancel_registration, manage_token
from tests.browser.conftest import PHONE_VIEWPORT, end_transaction, horizontal_overflow
from tests.registration.organizer_support import add_registration

pytestmark = pytest.mark.browser

STREAM = "https://live.example.org/ittc-hall-a"


def test_tapping_the_join_button_records_the_visit_and_opens_the_stream(
    make_event, make_category, phone_page, screenshot_dir, live_server
):
    # The "stream" is a page of the live server: Chromium does not let a test answer for a
    # request a redirect made, and the test must not go on the network.
    stream_url = live_server.url("/?stream=hall-a")
    event = make_event(online_url=stream_url)
    category = make_category(event, capacity=None)
    attendee = add_registration(event, category, attendance=Attendance.ONLINE)
    token, registration_id = manage_token(attendee), attendee.id
    end_transaction()

    phone_page.goto(f"/r/{token}?lang=zh_CN")
    button = phone_page.locator("#join-link")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    assert box["y"] + box["height"] <= PHONE_VIEWPORT["height"], "join button below the fold"
    assert horizontal_overflow(phone_page) == 0
    assert "stream=hall-a" not in phone_page.content()
    (screenshot_dir / "online-personal-page-zh.png").write_bytes(
        phone_page.screenshot(full_page=True)
    )

    with phone_page.context.expect_page() as opened:
        button.click()
    stream = opened.value
    stream.wait_for_load_state()
    assert stream.url == stream_url
    assert db.session.get(OnlineAttendance, registration_id).join_count == 1
    end_transaction()


def test_a_cancelled_registrations_join_link_explains_itself_on_a_phone(
    make_event, make_category, phone_page, screenshot_dir
):
    event = make_event(online_url=STREAM, contact_email="ittc@example.org")
    category = make_category(event, capacity=None)
    attendee = add_registration(event, category, attendance=Attendance.ONLINE)
    link = f"/j/{join_token(attendee)}"
    cancel_registration(attendee, notify=False)
    db.session.commit()
    end_transaction()

    response = phone_page.goto(f"{link}?lang=ru")
    assert response.status == 410
    assert phone_page.locator("h1").inner_text() == "Регистрация больше не действует"
    assert horizontal_overflow(phone_page) == 0
    assert "live.example.org" not in phone_page.content()
    (screenshot_dir / "online-join-cancelled-ru.png").write_bytes(
        phone_page.screenshot(full_page=True)
    )
