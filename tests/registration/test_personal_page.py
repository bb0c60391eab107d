"""The participant's own page is their ticket: the QR code on screen, the badge, when and
where, the calendar entry; and the confirmation mail carries the same (#15)."""

from __future__ import annotations

import base64
import io
import re
from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.registration.models import Registration, RegistrationState
from app.registration.services import registration_from_token
from app.registration.tickets import ticket_code
from app.translated import Translated
from tests.conftest import form_data, manage_token_from
from tests.pdf_support import decode_pdf_qr_codes, decode_qr_codes
from tests.registration.support import outbox_mails, plain_body

QR_SRC = re.compile(r'<img id="ticket-qr" src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


@pytest.fixture
def event(make_event):
    return make_event(
        venue=Translated(zh="青岛国际会议中心", en="Qingdao International Convention Center"),
        map_url="https://maps.example.org/qingdao-icc",
        timezone="Asia/Shanghai",
        starts_at=datetime(2027, 6, 1, 1, 0, tzinfo=UTC),  # 09:00 in Qingdao
        ends_at=datetime(2027, 6, 2, 10, 0, tzinfo=UTC),  # 18:00 the next day
    )


def register(client, event, category, lang="en", **overrides) -> tuple[str, Registration]:
    response = client.post(
        f"/e/{event.slug}/register?lang={lang}", data=form_data(category, **overrides)
    )
    assert response.status_code == 302, response.text
    token = manage_token_from(response)
    registration = db.session.scalars(select(Registration).order_by(Registration.id.desc())).first()
    return token, registration


def qr_on_page(page: str) -> list[str]:
    match = QR_SRC.search(page)
    if match is None:
        return []
    return decode_qr_codes(Image.open(io.BytesIO(base64.b64decode(match.group(1)))))


def test_a_confirmed_participant_sees_the_badges_qr_code_time_venue_and_links(
    client, event, make_category
):
    category = make_category(event)
    token, registration = register(client, event, category)
    assert registration.state == RegistrationState.CONFIRMED
    page = client.get(f"/r/{token}?lang=en").text

    assert qr_on_page(page) == [ticket_code(registration)]
    assert "brightness" in page
    assert f'href="/r/{token}/badge.pdf"' in page
    assert f'href="/r/{token}/calendar.ics"' in page
    assert "Qingdao International Convention Center" in page
    assert 'href="https://maps.example.org/qingdao-icc"' in page
    assert "9:00" in page and "Asia/Shanghai" in page  # the event's wall-clock time

    badge = client.get(f"/r/{token}/badge.pdf")
    assert badge.status_code == 200 and badge.mimetype == "application/pdf"
    assert decode_pdf_qr_codes(badge.data) == [ticket_code(registration)]


def test_the_calendar_entry_is_in_the_events_timezone_with_title_venue_and_link(
    client, event, make_category
):
    category = make_category(event)
    token, registration = register(client, event, category, lang="zh_CN", language="zh_CN")
    response = client.get(f"/r/{token}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]

    calendar = Calendar.from_ical(response.data)
    [timezone] = calendar.walk("VTIMEZONE")
    assert timezone["TZID"] == "Asia/Shanghai"
    [entry] = calendar.walk("VEVENT")
    assert entry["DTSTART"].params["TZID"] == "Asia/Shanghai"
    start = entry["DTSTART"].dt
    assert (start.year, start.month, start.day, start.hour, start.minute) == (2027, 6, 1, 9, 0)
    assert start.utcoffset().total_seconds() == 8 * 3600
    assert entry["DTEND"].dt.astimezone(UTC) == datetime(2027, 6, 2, 10, 0, tzinfo=UTC)
    assert str(entry["SUMMARY"]) == event.title["zh"]  # the registration's language
    assert str(entry["LOCATION"]) == "青岛国际会议中心"
    # A fresh signature of the same personal link (the token carries when it was signed).
    link = re.fullmatch(r"http://localhost/r/([^/]+)", str(entry["URL"]))
    assert registration_from_token(link.group(1)) == registration
    # The same UID every time, so a second download updates the entry instead of adding one.
    again = Calendar.from_ical(client.get(f"/r/{token}/calendar.ics").data)
    assert again.walk("VEVENT")[0]["UID"] == entry["UID"]


def test_a_cancelled_registration_shows_no_qr_and_has_no_badge_or_calendar(
    client, event, make_category
):
    category = make_category(event)
    token, registration = register(client, event, category)
    assert client.post(f"/r/{token}/cancel").status_code == 302
    db.session.refresh(registration)
    assert registration.state == RegistrationState.CANCELLED
    page = client.get(f"/r/{token}?lang=en").text
    assert "ticket-qr" not in page and qr_on_page(page) == []
    assert "badge.pdf" not in page and "calendar.ics" not in page
    assert client.get(f"/r/{token}/badge.pdf").status_code == 403
    assert client.get(f"/r/{token}/calendar.ics").status_code == 403


@pytest.mark.parametrize("path", ["badge.pdf", "calendar.ics"])
def test_the_badge_and_calendar_need_the_signed_token(client, event, make_category, path):
    category = make_category(event)
    token, _registration = register(client, event, category)
    assert client.get(f"/r/{token}x/{path}").status_code == 404
    assert client.get(f"/r/not-a-token/{path}").status_code == 404


def test_waitlisted_and_pending_pages_say_what_happens_next_without_a_qr(
    client, event, make_category
):
    full = make_category(event, capacity=1)
    register(client, event, full)
    token, registration = register(client, event, full)
    assert registration.state == RegistrationState.WAITLISTED
    page = client.get(f"/r/{token}?lang=en").text
    assert "You are number 1 on the waiting list." in page
    assert page.count("1 on the waiting list") == 1  # the place is said once
    assert qr_on_page(page) == [] and "badge.pdf" not in page
    assert f'href="/r/{token}/calendar.ics"' in page

    approval = make_category(event, requires_approval=True)
    token, registration = register(client, event, approval)
    assert registration.state == RegistrationState.PENDING
    page = client.get(f"/r/{token}?lang=en").text
    assert 'id="pending-next"' in page and qr_on_page(page) == []


def test_the_confirmation_mail_has_the_date_venue_link_and_the_ics(client, event, make_category):
    category = make_category(event)
    token, registration = register(client, event, category, language="en")
    [(row, mail)] = outbox_mails(registration.id)
    assert row.kind == "registration.confirmed"
    text = plain_body(mail)
    assert "Qingdao International Convention Center" in text
    assert "9:00" in text and "Asia/Shanghai" in text
    assert f"/r/{token}" in text
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "Qingdao International Convention Center" in html
    [ics] = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert ics.get_filename() == f"{event.slug}.ics"
    entry = Calendar.from_ical(ics.get_content()).walk("VEVENT")[0]
    assert entry["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert entry["DTSTART"].dt.hour == 9


def test_a_full_category_says_join_the_waiting_list_on_its_option_and_button(
    client, event, make_category
):
    full = make_category(event, capacity=1, name=Translated(en="Enterprise"))
    register(client, event, full)
    page = client.get(f"/e/{event.slug}/register?lang=en").text
    assert "Enterprise · full: join the waiting list" in page
    assert re.search(
        r'<button type="submit" id="register-submit"[^>]*>Join the waiting list<', page
    )

    open_one = make_category(event, name=Translated(en="Academia"))
    page = client.get(f"/e/{event.slug}/register?lang=en&category={open_one.id}").text
    assert re.search(r'id="register-submit"[^>]*>Register<', page)
    assert f'data-full-categories="{full.id}"' in page
    page = client.get(f"/e/{event.slug}/register?lang=en&category={full.id}").text
    assert re.search(r'id="register-submit"[^>]*>Join the waiting list<', page)
