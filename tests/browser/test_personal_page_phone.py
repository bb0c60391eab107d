"""The participant's personal page on a 390×844 phone is their ticket: the QR code fits the
screen, reads from a screenshot, and nothing overflows sideways (#15)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.registration.models import Registration
from app.registration.tickets import ticket_code
from app.translated import Translated
from tests.browser.conftest import PHONE_VIEWPORT, end_transaction, horizontal_overflow
from tests.conftest import form_data, manage_token_from
from tests.pdf_support import decode_qr_codes

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["zh_CN", "ru"])
def test_the_qr_code_is_on_screen_and_reads_from_a_screenshot(
    client, make_event, make_category, phone_page, screenshot_dir, lang
):
    event = make_event(
        title=Translated(
            zh="2021 上海合作组织国际投资贸易博览会",
            en="2021 SCO International Investment and Trade Expo",
        ),
        venue=Translated(zh="青岛国际会议中心", en="Qingdao International Convention Center"),
        map_url="https://maps.example.org/qingdao-icc",
        starts_at=datetime(2027, 6, 1, 1, 0, tzinfo=UTC),
        ends_at=datetime(2027, 6, 2, 10, 0, tzinfo=UTC),
    )
    category = make_category(event, name=Translated(zh="普通参会者", en="General attendee"))
    response = client.post(
        f"/e/{event.slug}/register?lang={lang}",
        data=form_data(category, language=lang),
    )
    assert response.status_code == 302, response.text
    token = manage_token_from(response)
    expected = ticket_code(db.session.scalar(select(Registration)))
    end_transaction()

    phone_page.goto(f"/r/{token}?lang={lang}")
    qr = phone_page.locator("#ticket-qr")
    box = qr.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_VIEWPORT["width"]
    assert box["y"] + box["height"] <= PHONE_VIEWPORT["height"], "QR not on the first screen"
    assert box["width"] >= 250  # large enough for a door scanner at arm's length
    assert horizontal_overflow(phone_page) == 0
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]

    shot = phone_page.screenshot()
    (screenshot_dir / f"personal-page-{lang}.png").write_bytes(
        phone_page.screenshot(full_page=True)
    )
    assert decode_qr_codes(Image.open(io.BytesIO(shot))) == [expected]
