"""Participation certificates for the attendees who actually came."""

from __future__ import annotations

from app.certificates.services import select_participation_recipients
from app.checkin.models import Checkin, CheckinList, CheckinStatus, ScanKind
from app.clock import utcnow
from app.extensions import db
from app.registration.models import Attendance
from app.registration.services import ParticipantData, register_participant
from app.registration.tickets import ticket_code


def _register(event, category, email):
    registration = register_participant(
        event,
        category,
        ParticipantData(
            native_name="周杰",
            latin_name="",
            email=email,
            country="CN",
            attendance=Attendance.ONSITE,
            language="zh_CN",
            organization="海大",
        ),
    )
    db.session.flush()
    return registration


def _scan(checkin_list, registration, nonce, **extra):
    values = dict(
        list_id=checkin_list.id,
        registration_id=registration.id,
        code=ticket_code(registration),
        status=CheckinStatus.OK,
        station="A",
        nonce=nonce,
        scanned_at=utcnow(),
        kind=ScanKind.ENTRY,
        active_registration_id=registration.id,
    )
    values.update(extra)
    db.session.add(Checkin(**values))


def test_checked_in_only_selects_attendees_with_a_valid_entry(make_event, make_category):
    event = make_event()
    category = make_category(event, capacity=None)
    came, undone, absent = (
        _register(event, category, f"{n}@example.org") for n in ("came", "undone", "absent")
    )
    door = CheckinList(event_id=event.id, name="Main hall")
    db.session.add(door)
    db.session.flush()
    _scan(door, came, "n1")
    _scan(door, undone, "n2", undone_at=utcnow(), active_registration_id=None)
    db.session.commit()

    everyone = select_participation_recipients(event, category_ids=[category.id])
    attended = select_participation_recipients(
        event, category_ids=[category.id], checked_in_only=True
    )
    assert set(everyone) == {came.id, undone.id, absent.id}
    assert attended == [came.id]
