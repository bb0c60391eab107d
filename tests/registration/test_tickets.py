"""Ticket codes of registrations: current, revoked, re-issued, foreign."""

from __future__ import annotations

from app.documents.tickets import issue_ticket_code
from app.extensions import db
from app.registration.models import Attendance, RegistrationState
from app.registration.services import (
    ParticipantData,
    cancel_registration,
    register_participant,
    reissue_badge,
)
from app.registration.tickets import (
    TicketStatus,
    check_ticket,
    render_registration_badge,
    revocation_list,
    ticket_code,
)
from tests.pdf_support import decode_pdf_qr_codes, pdf_text


def register(event, category, email, **extra):
    data = ParticipantData(
        native_name=extra.pop("native_name", "王喆"),
        latin_name="",
        email=email,
        country="CN",
        attendance=extra.pop("attendance", Attendance.ONSITE),
        language="zh_CN",
        organization="青岛科技局",
    )
    registration = register_participant(event, category, data)
    db.session.commit()
    return registration


def test_confirmed_registration_code_is_valid(make_event, make_category):
    event = make_event()
    registration = register(event, make_category(event), "a@example.org")
    code = ticket_code(registration)
    assert len(code) < 60
    check = check_ticket(event, code)
    assert check.status == TicketStatus.VALID
    assert check.registration.id == registration.id


def test_pending_and_waitlisted_codes_are_not_confirmed(make_event, make_category):
    event = make_event()
    approval = make_category(event, requires_approval=True, capacity=1)
    pending = register(event, approval, "p@example.org")
    waiting = register(event, approval, "w@example.org")
    assert waiting.state == RegistrationState.WAITLISTED
    for registration in (pending, waiting):
        assert check_ticket(event, ticket_code(registration)).status == TicketStatus.NOT_CONFIRMED


def test_cancelled_registration_code_is_revoked_and_listed(make_event, make_category):
    event = make_event()
    registration = register(event, make_category(event), "c@example.org")
    code = ticket_code(registration)
    cancel_registration(registration)
    db.session.commit()
    assert check_ticket(event, code).status == TicketStatus.REVOKED
    assert (registration.id, registration.ticket_serial) in revocation_list(event.id)


def test_reissued_badge_revokes_the_old_code_and_mails_the_new_one(app, make_event, make_category):
    event = make_event()
    registration = register(event, make_category(event), "r@example.org")
    old_code = ticket_code(registration)
    assert reissue_badge(registration)
    db.session.commit()
    new_code = ticket_code(registration)
    assert new_code != old_code
    assert check_ticket(event, old_code).status == TicketStatus.REVOKED
    assert check_ticket(event, new_code).status == TicketStatus.VALID
    assert (registration.id, 1) in revocation_list(event.id)
    mails = sorted(app.config["OUTBOX_DIR"].glob("*.eml"))
    assert len(mails) == 2  # confirmation + re-issued badge


def test_code_of_another_event_is_wrong_event(make_event, make_category):
    event, other = make_event(), make_event()
    registration = register(other, make_category(other), "o@example.org")
    assert check_ticket(event, ticket_code(registration)).status == TicketStatus.WRONG_EVENT


def test_forged_and_garbage_codes_are_invalid(make_event, make_category):
    event = make_event()
    registration = register(event, make_category(event), "f@example.org")
    forged = issue_ticket_code(b"k" * 32, event.id, registration.id, 1)
    code = ticket_code(registration)
    flipped = code[:-1] + ("A" if code[-1] != "A" else "B")
    for bad in (forged, flipped, "", "HW1", "x" * 10_000, None, 42, b"bytes"):
        assert check_ticket(event, bad).status == TicketStatus.INVALID


def test_badge_pdf_shows_the_name_and_a_qr_that_decodes_to_the_code(make_event, make_category):
    event = make_event()
    registration = register(event, make_category(event), "b@example.org", native_name="王喆")
    pdf = render_registration_badge(registration)
    assert decode_pdf_qr_codes(pdf) == [ticket_code(registration)]
    assert "王喆" in pdf_text(pdf)
    assert "Wang Zhe" in pdf_text(pdf)


def test_online_attendee_badge_has_no_qr(make_event, make_category):
    event = make_event(online_url="https://live.example.org/ittc")
    registration = register(
        event, make_category(event), "on@example.org", attendance=Attendance.ONLINE
    )
    pdf = render_registration_badge(registration)
    assert decode_pdf_qr_codes(pdf) == []
    # The personal join link is printed (it records attendance); the stream's address is not.
    printed = "".join(pdf_text(pdf).split())
    assert "/j/" in printed
    assert "live.example.org" not in printed
