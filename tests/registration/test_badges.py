"""Badges for organizers and participants: sheet jobs with progress, downloads, logo, re-issue."""

from __future__ import annotations

import io
import re
import sys
import threading
from types import SimpleNamespace

import pytest
from PIL import Image
from sqlalchemy import select

from app.accounts.models import Role
from app.documents.badges import BadgeData
from app.events.models import BackgroundJob, JobState
from app.extensions import db
from app.registration import tickets
from app.registration.models import Attendance, Registration, RegistrationState
from app.registration.services import ParticipantData, manage_token, register_participant
from app.registration.tickets import ticket_code
from tests.pdf_support import decode_pdf_qr_codes, pdf_text

NAMES = ["王伟", "李娜", "张敏", "刘静", "陈丽", "杨强", "黄磊", "赵军", "吴洋", "周勇", "喆堃"]


def register_many(event, category, count: int, **overrides) -> list[Registration]:
    """Confirmed registrations (no mails) with varied Chinese names."""
    registrations = []
    for index in range(count):
        data = ParticipantData(
            native_name=NAMES[index % len(NAMES)] + str(index),
            latin_name=f"Guest {index}",
            email=f"guest{index}@example.org",
            country="CN",
            attendance=Attendance.ONSITE,
            language="zh_CN",
            organization="青岛大学",
        )
        registrations.append(register_participant(event, category, data, notify=False))
    db.session.commit()
    for registration in registrations:
        for key, value in overrides.items():
            setattr(registration, key, value)
    db.session.commit()
    return registrations


@pytest.fixture
def organizer_event(client, make_event, make_category, make_user, auth):
    client.get("/?lang=en")  # messages below are asserted in English
    event = make_event()
    category = make_category(event, capacity=100)
    organizer = make_user(Role.ORGANIZER, event=event)
    auth.login(organizer)
    return event, category


def png_bytes(size=(40, 20), color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def test_sheet_job_renders_every_confirmed_badge_and_reports_full_progress(client, organizer_event):
    event, category = organizer_event
    registrations = register_many(event, category, 30)
    response = client.post(
        f"/manage/{event.slug}/badges/sheets", data={"selection": "all", "size": "90x130"}
    )
    assert response.status_code == 302
    job_id = int(re.search(r"/badges/sheets/(\d+)$", response.headers["Location"]).group(1))
    job = db.session.get(BackgroundJob, job_id)
    db.session.refresh(job)
    assert job.state == JobState.DONE
    assert (job.progress_done, job.progress_total) == (30, 30)
    status = client.get(f"/manage/{event.slug}/badges/sheets/{job_id}.json").get_json()
    assert status["state"] == "done" and status["percent"] == 100
    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    codes = decode_pdf_qr_codes(download.data)
    assert sorted(codes) == sorted(ticket_code(r) for r in registrations)
    page = client.get(f"/manage/{event.slug}/badges/sheets/{job_id}")
    assert page.status_code == 200 and b"badge-sheet-progress.js" in page.data


def test_sheet_of_selected_ids_prints_only_those(client, organizer_event):
    event, category = organizer_event
    registrations = register_many(event, category, 5)
    chosen = registrations[1:3]
    response = client.post(
        f"/manage/{event.slug}/badges/sheets",
        data={"selection": "selected", "ids": [str(r.id) for r in chosen]},
    )
    job = db.session.scalars(select(BackgroundJob)).one()
    assert response.status_code == 302 and job.state == JobState.DONE
    pdf = client.get(f"/manage/{event.slug}/badges/sheets/{job.id}/download").data
    assert sorted(decode_pdf_qr_codes(pdf)) == sorted(ticket_code(r) for r in chosen)


def test_sheet_of_a_category_without_confirmed_registrations_is_refused(
    client, organizer_event, make_category
):
    event, category = organizer_event
    register_many(event, category, 2)
    empty = make_category(event)
    response = client.post(
        f"/manage/{event.slug}/badges/sheets",
        data={"selection": "category", "category_id": str(empty.id)},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert db.session.scalars(select(BackgroundJob)).all() == []


def test_sheet_job_is_queued_in_redis_with_a_long_timeout(redis_app, client, organizer_event):
    from redis import Redis
    from rq import Queue

    event, category = organizer_event
    register_many(event, category, 1)
    client.post(f"/manage/{event.slug}/badges/sheets", data={"selection": "all"})
    job = db.session.scalars(select(BackgroundJob)).one()
    assert job.state == JobState.QUEUED
    queued = Queue("documents", connection=Redis.from_url(redis_app.config["REDIS_URL"])).jobs
    assert [j.func_name for j in queued] == ["app.registration.tasks.render_badge_sheet"]
    assert queued[0].timeout >= 3600


@pytest.mark.parametrize("role", [Role.CHECKIN_STAFF, Role.JUDGE])
def test_badge_pages_refuse_other_roles(client, make_event, make_category, make_user, auth, role):
    event = make_event()
    category = make_category(event)
    registration = register_many(event, category, 1)[0]
    auth.login(make_user(role, event=event))
    for url in (
        f"/manage/{event.slug}/badges",
        f"/manage/{event.slug}/registrations/{registration.id}/badge.pdf",
    ):
        assert client.get(url).status_code == 403
    assert client.post(f"/manage/{event.slug}/badges/sheets").status_code == 403
    assert (
        client.post(
            f"/manage/{event.slug}/registrations/{registration.id}/reissue-badge"
        ).status_code
        == 403
    )


def test_organizer_of_another_event_cannot_see_or_download_sheets(
    client, organizer_event, make_event, make_user, auth
):
    event, category = organizer_event
    register_many(event, category, 1)
    client.post(f"/manage/{event.slug}/badges/sheets", data={"selection": "all"})
    job = db.session.scalars(select(BackgroundJob)).one()
    other = make_event()
    auth.logout()
    auth.login(make_user(Role.ORGANIZER, event=other))
    base = f"/manage/{event.slug}/badges/sheets/{job.id}"
    for url in (base, base + ".json", base + "/download"):
        assert client.get(url).status_code == 403
    # Through their own event's URL the job does not exist.
    assert client.get(f"/manage/{other.slug}/badges/sheets/{job.id}/download").status_code == 404


def test_participant_downloads_own_badge_only_when_confirmed(client, make_event, make_category):
    event = make_event()
    category = make_category(event)
    registration = register_many(event, category, 1)[0]
    token = manage_token(registration)
    response = client.get(f"/r/{token}/badge.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert decode_pdf_qr_codes(response.data) == [ticket_code(registration)]
    registration.state = RegistrationState.PENDING
    db.session.commit()
    assert client.get(f"/r/{token}/badge.pdf").status_code == 403
    assert client.get("/r/not-a-token/badge.pdf").status_code == 404


def test_a_badge_downloaded_again_after_an_edit_shows_the_edit(client, make_event, make_category):
    event = make_event()
    category = make_category(event)
    registration = register_many(event, category, 1)[0]
    token = manage_token(registration)
    first = client.get(f"/r/{token}/badge.pdf").data
    assert client.get(f"/r/{token}/badge.pdf").data == first  # the same badge, same PDF
    assert "青岛大学" in pdf_text(first)
    registration.organization = "山东大学"
    db.session.commit()
    edited = pdf_text(client.get(f"/r/{token}/badge.pdf").data)
    assert "山东大学" in edited and "青岛大学" not in edited


def test_badges_rendered_in_many_threads_at_once_never_fail_on_the_shared_cache(app, monkeypatch):
    # Web threads (and mails delivered inline) render badges concurrently; the cache of
    # recent badges is shared by them. Its bookkeeping is what is tested: the layout itself
    # is replaced by a stand-in, and thread switches are made as frequent as possible.
    badges = [BadgeData(name=f"嘉宾{index}", ticket_code=f"code-{index}") for index in range(16)]
    monkeypatch.setattr(tickets, "_RECENT_BADGES", {})
    monkeypatch.setattr(tickets, "RECENT_BADGES", 4)
    monkeypatch.setattr(tickets, "badge_data", lambda registration: badges[registration.index])
    monkeypatch.setattr(tickets, "render_badge_pdf", lambda data, translations: data.name.encode())
    errors: list[BaseException] = []

    def download_badges(offset: int) -> None:
        with app.app_context():
            for step in range(2000):
                index = (offset + step * 5) % len(badges)
                try:
                    pdf = tickets.render_registration_badge(
                        SimpleNamespace(index=index, language="en")
                    )
                    assert pdf == badges[index].name.encode()
                except BaseException as exc:
                    errors.append(exc)
                    return

    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=download_badges, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch_interval)
    assert errors == []
    assert len(tickets._RECENT_BADGES) <= tickets.RECENT_BADGES


def test_png_logo_is_stored_re_encoded_and_printed(client, organizer_event):
    event, category = organizer_event
    response = client.post(
        f"/manage/{event.slug}/badges",
        data={
            "badge_size": "90x130",
            "accent_color": "#aa0000",
            "logo": (io.BytesIO(png_bytes()), "logo.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.badge_size == "90x130" and event.badge_accent_color == "#AA0000"
    stored = client.get(f"/manage/{event.slug}/badges/logo")
    assert Image.open(io.BytesIO(stored.data)).format == "PNG"
    registration = register_many(event, category, 1)[0]
    pdf = client.get(f"/manage/{event.slug}/registrations/{registration.id}/badge.pdf").data
    assert decode_pdf_qr_codes(pdf) == [ticket_code(registration)]
    assert b"/Subtype /Image" in pdf


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"not really" * 20, "logo.png", b"not a readable PNG / JPEG"),
        (b"\x89PNG" + b"0" * (2 * 1024 * 1024 + 1), "big.png", b"smaller than 2 MB"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "logo.svg",
            b"SVG images are not accepted",
        ),
        (b"GIF89a" + b"\x00" * 40, "logo.gif", b"not a readable PNG / JPEG"),
    ],
)
def test_bad_logo_is_refused_with_a_message(client, organizer_event, content, filename, message):
    event, _ = organizer_event
    response = client.post(
        f"/manage/{event.slug}/badges",
        data={
            "badge_size": "A6",
            "accent_color": "#1F4E9C",
            "logo": (io.BytesIO(content), filename),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert message in response.data
    db.session.refresh(event)
    assert event.badge_logo == ""


def test_bad_accent_colour_is_refused(client, organizer_event):
    event, _ = organizer_event
    response = client.post(
        f"/manage/{event.slug}/badges",
        data={"badge_size": "A6", "accent_color": "red;background:url(x)"},
    )
    assert response.status_code == 400
    db.session.refresh(event)
    assert event.badge_accent_color == "#1F4E9C"


def test_reissue_changes_the_qr_in_the_downloaded_badge(client, organizer_event):
    event, category = organizer_event
    registration = register_many(event, category, 1)[0]
    url = f"/manage/{event.slug}/registrations/{registration.id}/badge.pdf"
    before = decode_pdf_qr_codes(client.get(url).data)
    assert before == [ticket_code(registration)]
    response = client.post(f"/manage/{event.slug}/registrations/{registration.id}/reissue-badge")
    assert response.status_code == 302
    after = decode_pdf_qr_codes(client.get(url).data)
    db.session.refresh(registration)
    assert after == [ticket_code(registration)] and after != before


def test_dashboard_links_to_the_badge_page(client, organizer_event):
    event, _ = organizer_event
    page = client.get(f"/manage/{event.slug}/")
    assert f"/manage/{event.slug}/badges".encode() in page.data
    assert client.get(f"/manage/{event.slug}/badges").status_code == 200
