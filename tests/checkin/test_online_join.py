"""Online attendance (#15): the personal join link /j/<token> of an online attendee records
each visit and redirects to the stream; refused registrations get a page in their language;
the stream's address is on no page and in no mail; the attendees-only certificate selection,
the live dashboard and the export count online attendees who joined."""

from __future__ import annotations

import csv
import io
import threading
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from app.certificates.models import Certificate
from app.checkin.models import Checkin, CheckinList, CheckinStatus, OnlineAttendance
from app.checkin.online_services import join_token, join_url, record_join
from app.extensions import db
from app.mail.models import OutboxMessage
from app.mail.services import message_bodies
from app.registration.models import Attendance, RegistrationState
from app.registration.services import (
    approve_registration,
    cancel_registration,
    manage_token,
    reject_registration,
)
from app.registration.tickets import render_registration_badge, ticket_code
from tests.pdf_support import decode_pdf_qr_codes, pdf_text
from tests.registration.organizer_support import add_registration, sign_in_organizer

STREAM = "https://live.example.org/secret-room-4711"


@pytest.fixture
def online_event(make_event, make_category):
    """An event with a stream, one category, and a confirmed online registration."""
    event = make_event(online_url=STREAM, contact_email="ittc@example.org")
    category = make_category(event, capacity=None)
    attendee = add_registration(
        event, category, attendance=Attendance.ONLINE, email="online@example.org"
    )
    return event, category, attendee


def join_path(registration) -> str:
    return f"/j/{join_token(registration)}"


def attendance_of(registration) -> OnlineAttendance | None:
    db.session.expire_all()
    return db.session.get(OnlineAttendance, registration.id)


def test_join_link_records_each_visit_and_redirects_to_the_stream(client, online_event):
    _event, _category, attendee = online_event
    response = client.get(join_path(attendee))
    assert response.status_code == 302
    assert response.headers["Location"] == STREAM
    assert response.headers["Cache-Control"] == "no-store"
    # The personal link never reaches the stream's host as a Referer.
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer")
    first = attendance_of(attendee)
    assert (first.join_count, first.first_joined_at) == (1, first.last_joined_at)
    first_at = first.first_joined_at

    # A reload is one more visit: the count grows, the first time stays.
    assert client.get(join_path(attendee)).status_code == 302
    assert client.get(join_path(attendee)).status_code == 302
    again = attendance_of(attendee)
    assert again.join_count == 3
    assert again.first_joined_at == first_at
    assert again.last_joined_at >= first_at
    assert db.session.scalar(select(func.count()).select_from(OnlineAttendance)) == 1


def test_the_same_link_is_given_everywhere(app, online_event):
    _event, _category, attendee = online_event
    assert join_token(attendee) == join_token(attendee)
    assert urlsplit(join_url(attendee)).path == join_path(attendee)


def test_a_head_request_records_nothing(client, online_event):
    _event, _category, attendee = online_event
    assert client.head(join_path(attendee)).status_code == 302
    assert attendance_of(attendee) is None


def test_join_link_of_a_cancelled_registration_refuses_in_the_visitors_language(
    client, online_event
):
    _event, _category, attendee = online_event
    path = join_path(attendee)
    assert cancel_registration(attendee, notify=False)
    db.session.commit()
    response = client.get(path, headers={"Accept-Language": "ru"})
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert 'data-refusal="inactive"' in page
    assert "Регистрация больше не действует" in page
    assert "live.example.org" not in page
    assert "Location" not in response.headers
    assert attendance_of(attendee) is None

    chinese = client.get(path, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "报名已失效" in chinese


def test_join_link_of_a_pending_or_rejected_registration_is_refused(
    client, make_event, make_category
):
    event = make_event(online_url=STREAM)
    category = make_category(event, capacity=None, requires_approval=True)
    pending = add_registration(event, category, attendance=Attendance.ONLINE)
    rejected = add_registration(event, category, attendance=Attendance.ONLINE)
    assert reject_registration(rejected, actor=None)
    db.session.commit()

    response = client.get(join_path(pending))
    assert response.status_code == 403
    assert 'data-refusal="not_confirmed"' in response.get_data(as_text=True)
    response = client.get(join_path(rejected))
    assert response.status_code == 410
    assert 'data-refusal="inactive"' in response.get_data(as_text=True)
    assert STREAM not in response.get_data(as_text=True)
    assert attendance_of(pending) is None and attendance_of(rejected) is None


def test_join_link_works_once_a_pending_registration_is_approved(
    client, make_event, make_category, make_user
):
    event = make_event(online_url=STREAM)
    category = make_category(event, capacity=None, requires_approval=True)
    attendee = add_registration(event, category, attendance=Attendance.ONLINE)
    assert client.get(join_path(attendee)).status_code == 403
    from app.accounts.models import Role

    assert approve_registration(attendee, make_user(Role.ORGANIZER, event=event), notify=False)
    db.session.commit()
    assert client.get(join_path(attendee)).status_code == 302
    assert attendance_of(attendee).join_count == 1


def test_a_waitlisted_online_registration_cannot_join(client, make_event, make_category):
    event = make_event(online_url=STREAM)
    category = make_category(event, capacity=1)
    add_registration(event, category, attendance=Attendance.ONLINE)
    waiting = add_registration(event, category, attendance=Attendance.ONLINE)
    assert waiting.state == RegistrationState.WAITLISTED
    response = client.get(join_path(waiting))
    assert response.status_code == 403
    assert STREAM not in response.get_data(as_text=True)


def test_an_on_site_registration_has_no_way_to_the_stream(client, online_event):
    event, category, _attendee = online_event
    guest = add_registration(event, category, attendance=Attendance.ONSITE)
    response = client.get(join_path(guest))
    assert response.status_code == 403
    assert 'data-refusal="onsite"' in response.get_data(as_text=True)
    assert STREAM not in response.get_data(as_text=True)


def test_a_superseded_or_anonymized_link_is_invalid(client, online_event):
    _event, _category, attendee = online_event
    path = join_path(attendee)
    attendee.link_version += 1  # a new self-service link was sent; anonymizing does the same
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 404
    assert "live.example.org" not in response.get_data(as_text=True)
    assert client.get(join_path(attendee)).status_code == 302


@pytest.mark.parametrize(
    "token",
    ["x", "not.a.token", "W10.abc", "a" * 5000, "%E4%BD%A0%E5%A5%BD", "..", "[1,1]"],
)
def test_made_up_join_links_get_the_invalid_page(client, online_event, token):
    response = client.get(f"/j/{token}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert 'data-refusal="invalid"' in page
    assert "live.example.org" not in page


def test_the_self_service_token_is_no_join_link(client, online_event):
    _event, _category, attendee = online_event
    assert client.get(f"/j/{manage_token(attendee)}").status_code == 404
    assert client.get(f"/r/{join_token(attendee)}").status_code == 404


def test_before_the_stream_is_set_the_link_says_so_and_records_nothing(client, online_event):
    event, _category, attendee = online_event
    event.online_url = ""
    db.session.commit()
    response = client.get(join_path(attendee), headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert 'id="join-not-yet"' in response.get_data(as_text=True)
    assert attendance_of(attendee) is None
    event.online_url = STREAM
    db.session.commit()
    assert client.get(join_path(attendee)).headers["Location"] == STREAM


def test_simultaneous_visits_lose_no_count(app, online_event):
    """Twenty threads open the same link at once: one row, twenty visits (PostgreSQL: the
    upsert's ON CONFLICT under real concurrency; SQLite: serialized writers)."""
    event, _category, attendee = online_event
    registration_id, event_id = attendee.id, event.id
    db.session.commit()
    threads = 20
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def visit() -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=60)
                record_join(registration_id, event_id)
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # reported in the main thread
            errors.append(error)

    workers = [threading.Thread(target=visit) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not errors, errors
    row = attendance_of(attendee)
    assert row.join_count == threads
    assert db.session.scalar(select(func.count()).select_from(OnlineAttendance)) == 1


# --------------------------------------------------------------------------- where the link is


def test_personal_page_shows_the_join_link_for_online_and_not_for_on_site(client, online_event):
    event, category, attendee = online_event
    page = client.get(f"/r/{manage_token(attendee)}").get_data(as_text=True)
    assert f'href="{join_url(attendee)}"' in page
    assert 'id="join-link"' in page
    assert STREAM not in page
    assert 'id="joined-online"' not in page

    client.get(join_path(attendee))
    page = client.get(f"/r/{manage_token(attendee)}", headers={"Accept-Language": "en"})
    assert "You joined online on" in page.get_data(as_text=True)

    guest = add_registration(event, category, attendance=Attendance.ONSITE)
    page = client.get(f"/r/{manage_token(guest)}").get_data(as_text=True)
    assert 'id="join-link"' not in page
    assert "/j/" not in page
    assert 'id="ticket-qr"' in page


def test_a_cancelled_online_registrations_page_has_no_join_link(client, online_event):
    _event, _category, attendee = online_event
    cancel_registration(attendee, notify=False)
    db.session.commit()
    page = client.get(f"/r/{manage_token(attendee)}").get_data(as_text=True)
    assert 'id="join-link"' not in page


def test_the_stream_address_is_on_no_public_page(client, online_event):
    event, _category, _attendee = online_event
    for path in (f"/e/{event.slug}/", f"/e/{event.slug}/register", "/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "live.example.org" not in response.get_data(as_text=True), path


def test_confirmation_mail_carries_the_join_link_not_the_stream(app, make_event, make_category):
    event = make_event(online_url=STREAM)
    category = make_category(event, capacity=None)
    attendee = add_registration(event, category, attendance=Attendance.ONLINE, notify=True)
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.registration_id == attendee.id)
    )
    text, html = message_bodies(message)
    link = join_url(attendee)
    assert link in text and f'href="{link}"' in html
    assert "live.example.org" not in text + html


def test_online_badge_prints_the_join_link_not_the_stream(app, online_event):
    _event, _category, attendee = online_event
    pdf = render_registration_badge(attendee)
    assert decode_pdf_qr_codes(pdf) == []
    printed = "".join(pdf_text(pdf).split())
    assert join_token(attendee) in printed
    assert "live.example.org" not in printed


def test_mailing_placeholder_fills_the_join_link_for_online_attendees(app, online_event):
    from app.registration.mailing_services import fill_placeholders

    event, category, attendee = online_event
    guest = add_registration(event, category, attendance=Attendance.ONSITE)
    assert fill_placeholders("Join: {join_url}", attendee) == f"Join: {join_url(attendee)}"
    assert fill_placeholders("Join: {join_url}", guest) == "Join: "


# --------------------------------------------------------------------------- organizers


def test_certificates_for_attendees_only_include_online_attendees_who_joined(
    client, auth, make_event, make_category, make_user
):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    desk.event.online_url = STREAM
    category = make_category(desk.event, capacity=None)
    joined = add_registration(desk.event, category, attendance=Attendance.ONLINE)
    stayed_away = add_registration(desk.event, category, attendance=Attendance.ONLINE)
    came = add_registration(desk.event, category, attendance=Attendance.ONSITE)
    absent = add_registration(desk.event, category, attendance=Attendance.ONSITE)
    door = CheckinList(event_id=desk.event.id, name="Main hall")
    db.session.add(door)
    db.session.flush()
    db.session.add(
        Checkin(
            list_id=door.id,
            registration_id=came.id,
            code=ticket_code(came),
            status=CheckinStatus.OK,
            station="Door 1",
            nonce="n-came",
            scanned_at=came.created_at,
            active_registration_id=came.id,
        )
    )
    db.session.commit()
    assert client.get(join_path(joined)).status_code == 302

    response = client.post(
        f"{desk.base}/certificates/participation",
        data={"categories": [str(category.id)], "checked_in_only": "y"},
    )
    assert response.status_code == 302, response.text
    db.session.expire_all()
    holders = set(db.session.scalars(select(Certificate.registration_id)))
    assert holders == {joined.id, came.id}
    assert not holders & {stayed_away.id, absent.id}


def test_live_dashboard_shows_online_joins_beside_on_site_arrivals(
    client, auth, make_event, make_category, make_user
):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    desk.event.online_url = STREAM
    category = make_category(desk.event, capacity=None)
    joined = add_registration(desk.event, category, attendance=Attendance.ONLINE)
    add_registration(desk.event, category, attendance=Attendance.ONLINE)
    db.session.commit()
    client.get(join_path(joined))
    client.get(join_path(joined))  # a reload: still one attendee

    data = client.get(f"{desk.base}/checkin/dashboard.json").get_json()
    assert (data["online"]["joined"], data["online"]["expected"]) == (1, 2)
    assert [row["joined"] for row in data["online"]["per_category"]] == [1]
    online_arrivals = [row for row in data["arrivals"] if row["list_id"] is None]
    assert sum(row["count"] for row in online_arrivals) == 1
    page = client.get(f"{desk.base}/checkin/dashboard").get_data(as_text=True)
    assert 'id="online-numbers"' in page
    assert "live.example.org" not in page


def test_export_has_the_online_and_on_site_attendance_columns(
    client, auth, make_event, make_category, make_user
):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    desk.event.online_url = STREAM
    category = make_category(desk.event, capacity=None)
    joined = add_registration(desk.event, category, attendance=Attendance.ONLINE)
    absent = add_registration(desk.event, category, attendance=Attendance.ONLINE)
    db.session.commit()
    for _ in range(3):
        client.get(join_path(joined))

    text = client.get(
        f"{desk.base}/registrations/export.csv", headers={"Accept-Language": "en"}
    ).data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    by_reference = {row[0]: row for row in rows[1:]}
    first = header.index("Joined online (first)")
    visits = header.index("Online visits")
    assert "Checked in on site" in header
    assert by_reference[joined.reference][visits] == "3"
    assert by_reference[joined.reference][first]  # a local time
    assert by_reference[absent.reference][visits] == ""
    assert by_reference[absent.reference][first] == ""


def test_organizer_sets_the_stream_address_in_the_event_settings(
    client, auth, make_event, make_user
):
    from tests.events.test_settings import settings_form

    desk = sign_in_organizer(client, auth, make_event, make_user)
    url = f"{desk.base}/settings"
    response = client.post(url, data=settings_form(online_url="https://meet.example.org/abc"))
    assert response.status_code == 302
    db.session.expire_all()
    assert desk.event.online_url == "https://meet.example.org/abc"
    for bad in ("javascript:alert(1)", "ftp://x.example.org", "meet.example.org"):
        assert client.post(url, data=settings_form(online_url=bad)).status_code == 400
    db.session.expire_all()
    assert desk.event.online_url == "https://meet.example.org/abc"


def test_a_persons_data_export_holds_their_online_visits(client, online_event):
    from app.privacy.services import participant_data

    _event, _category, attendee = online_event
    assert participant_data(attendee)["online_attendance"] is None
    client.get(join_path(attendee))
    client.get(join_path(attendee))
    db.session.expire_all()
    assert participant_data(attendee)["online_attendance"]["visits"] == 2
