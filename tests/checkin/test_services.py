"""Check-in rules: every status, nonces, undo, exits, offline sync and conflicts, numbers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.checkin import services
from app.checkin.models import Checkin, CheckinStatus, ScanKind
from app.checkin.services import (
    ExitsNotTracked,
    NonceReused,
    OfflineScan,
    UndoRefused,
    dashboard_data,
    list_stats,
    offline_data,
    redeem_code,
    search_for_checkin,
    sync_scans,
    undo_checkin,
)
from app.clock import utcnow
from app.extensions import db
from app.registration.models import Attendance, RegistrationState
from app.registration.services import cancel_registration
from app.registration.tickets import reissue_ticket
from tests.checkin.conftest import code_of, new_nonce


def redeem(event, checkin_list, code, station="Door A", nonce=None, **kwargs):
    result = redeem_code(
        event.id,
        checkin_list.id,
        code,
        station,
        nonce or new_nonce(),
        kwargs.pop("scanned_at", None),
        kwargs.pop("kind", ScanKind.ENTRY),
        **kwargs,
    )
    db.session.commit()
    return result


def checkin_rows() -> int:
    return db.session.scalar(select(func.count(Checkin.id)))


def test_first_scan_of_a_confirmed_guest_is_ok(setup):
    result = redeem(setup.event, setup.checkin_list, code_of(setup.guest))
    assert result.status == CheckinStatus.OK
    assert result.person.id == setup.guest.id
    assert result.checkin_id is not None


def test_second_scan_is_already_checked_in_with_first_time_and_station(setup):
    first = redeem(setup.event, setup.checkin_list, code_of(setup.guest), station="Door A")
    second = redeem(setup.event, setup.checkin_list, code_of(setup.guest), station="Door B")
    assert second.status == CheckinStatus.ALREADY_CHECKED_IN
    assert second.first_checkin.station == "Door A"
    row = db.session.get(Checkin, first.checkin_id)
    assert second.first_checkin.at == row.scanned_at


@pytest.mark.parametrize("code", ["", "garbage", "HW1" + "A" * 32, "x" * 10_000, "\x00\ud800"])
def test_garbage_codes_are_invalid_and_not_recorded(setup, code):
    result = redeem(setup.event, setup.checkin_list, code)
    assert result.status == CheckinStatus.INVALID
    assert result.person is None
    assert checkin_rows() == 0


def test_a_forged_code_is_invalid(setup):
    code = code_of(setup.guest)
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert redeem(setup.event, setup.checkin_list, forged).status == CheckinStatus.INVALID


def test_code_of_another_event_is_wrong_event(setup, make_event, make_category, make_guest):
    other = make_event()
    stranger = make_guest(other, make_category(other))
    result = redeem(setup.event, setup.checkin_list, code_of(stranger))
    assert result.status == CheckinStatus.WRONG_EVENT


def test_code_of_a_reissued_badge_is_revoked(setup):
    old_code = code_of(setup.guest)
    reissue_ticket(setup.guest)
    db.session.commit()
    assert redeem(setup.event, setup.checkin_list, old_code).status == CheckinStatus.REVOKED
    assert redeem(setup.event, setup.checkin_list, code_of(setup.guest)).status == "ok"


def test_cancelled_registration_is_revoked(setup):
    code = code_of(setup.guest)
    cancel_registration(setup.guest, notify=False)
    db.session.commit()
    assert redeem(setup.event, setup.checkin_list, code).status == CheckinStatus.REVOKED


@pytest.mark.parametrize("state", [RegistrationState.PENDING, RegistrationState.WAITLISTED])
def test_unconfirmed_registration_is_not_confirmed(setup, make_guest, state):
    guest = make_guest(setup.event, setup.category, state=state)
    result = redeem(setup.event, setup.checkin_list, code_of(guest))
    assert result.status == CheckinStatus.NOT_CONFIRMED
    assert result.person.id == guest.id


def test_category_not_on_the_list_is_wrong_list(setup, make_category, make_guest, make_list):
    vip = make_category(setup.event)
    vip_only = make_list(setup.event, name="VIP lounge", categories=[vip])
    result = redeem(setup.event, vip_only, code_of(setup.guest))
    assert result.status == CheckinStatus.WRONG_LIST
    vip_guest = make_guest(setup.event, vip)
    assert redeem(setup.event, vip_only, code_of(vip_guest)).status == CheckinStatus.OK


def test_online_scan_outside_the_window_by_server_time(setup, make_list):
    closed = make_list(
        setup.event,
        name="Yesterday",
        starts_at=utcnow() - timedelta(days=1, hours=2),
        ends_at=utcnow() - timedelta(days=1),
    )
    inside = utcnow() - timedelta(days=1, hours=1)
    # A client clock claiming a time inside the window does not open the door online.
    result = redeem(setup.event, closed, code_of(setup.guest), scanned_at=inside)
    assert result.status == CheckinStatus.OUTSIDE_WINDOW


def test_offline_scan_is_judged_by_its_own_scan_time(setup, make_list):
    closed = make_list(
        setup.event,
        name="Yesterday",
        starts_at=utcnow() - timedelta(days=1, hours=2),
        ends_at=utcnow() - timedelta(days=1),
    )
    inside = utcnow() - timedelta(days=1, hours=1)
    result = redeem(setup.event, closed, code_of(setup.guest), scanned_at=inside, offline=True)
    assert result.status == CheckinStatus.OK
    assert db.session.get(Checkin, result.checkin_id).scanned_at == inside
    later = redeem(setup.event, closed, code_of(setup.guest), scanned_at=utcnow(), offline=True)
    assert later.status == CheckinStatus.OUTSIDE_WINDOW


def test_same_nonce_twice_gives_the_same_answer_and_one_row(setup):
    nonce = new_nonce()
    first = redeem(setup.event, setup.checkin_list, code_of(setup.guest), nonce=nonce)
    again = redeem(setup.event, setup.checkin_list, code_of(setup.guest), nonce=nonce)
    assert again.status == first.status == CheckinStatus.OK
    assert again.checkin_id == first.checkin_id
    assert checkin_rows() == 1


def test_replayed_already_checked_in_nonce_keeps_its_answer(setup):
    redeem(setup.event, setup.checkin_list, code_of(setup.guest), station="Door A")
    nonce = new_nonce()
    first = redeem(setup.event, setup.checkin_list, code_of(setup.guest), "Door B", nonce)
    again = redeem(setup.event, setup.checkin_list, code_of(setup.guest), "Door B", nonce)
    assert again.status == first.status == CheckinStatus.ALREADY_CHECKED_IN
    assert again.first_checkin == first.first_checkin
    assert checkin_rows() == 2


def test_nonce_reused_with_another_code_is_refused(setup, make_guest):
    nonce = new_nonce()
    redeem(setup.event, setup.checkin_list, code_of(setup.guest), nonce=nonce)
    other = make_guest(setup.event, setup.category)
    with pytest.raises(NonceReused):
        redeem(setup.event, setup.checkin_list, code_of(other), nonce=nonce)
    db.session.rollback()
    assert checkin_rows() == 1


def test_nonce_reused_on_another_list_is_refused(setup, make_list):
    nonce = new_nonce()
    redeem(setup.event, setup.checkin_list, code_of(setup.guest), nonce=nonce)
    with pytest.raises(NonceReused):
        redeem(
            setup.event, make_list(setup.event, name="Hall B"), code_of(setup.guest), nonce=nonce
        )


def test_undo_from_the_same_station_lets_the_guest_in_again(setup):
    first = redeem(setup.event, setup.checkin_list, code_of(setup.guest), station="Door A")
    undo_checkin(setup.event, first.checkin_id, "Door A")
    db.session.commit()
    row = db.session.get(Checkin, first.checkin_id)
    assert row.undone_at is not None and row.active_registration_id is None
    assert row.undone_by_station == "Door A"
    again = redeem(setup.event, setup.checkin_list, code_of(setup.guest), station="Door A")
    assert again.status == CheckinStatus.OK


def test_undo_from_another_station_is_refused(setup):
    first = redeem(setup.event, setup.checkin_list, code_of(setup.guest), station="Door A")
    with pytest.raises(UndoRefused) as refused:
        undo_checkin(setup.event, first.checkin_id, "Door B")
    assert refused.value.code == "other_station"


def test_undo_after_five_minutes_is_too_late(setup, monkeypatch):
    first = redeem(setup.event, setup.checkin_list, code_of(setup.guest), station="Door A")
    later = utcnow() + timedelta(minutes=5, seconds=1)
    monkeypatch.setattr(services, "utcnow", lambda: later)
    with pytest.raises(UndoRefused) as refused:
        undo_checkin(setup.event, first.checkin_id, "Door A")
    assert refused.value.code == "too_late"


def test_undo_twice_is_already_undone(setup):
    first = redeem(setup.event, setup.checkin_list, code_of(setup.guest), station="Door A")
    undo_checkin(setup.event, first.checkin_id, "Door A")
    db.session.commit()
    with pytest.raises(UndoRefused) as refused:
        undo_checkin(setup.event, first.checkin_id, "Door A")
    assert refused.value.code == "already_undone"


def test_only_a_successful_entry_can_be_undone(setup):
    redeem(setup.event, setup.checkin_list, code_of(setup.guest), station="Door A")
    repeat = redeem(setup.event, setup.checkin_list, code_of(setup.guest), station="Door A")
    with pytest.raises(UndoRefused) as refused:
        undo_checkin(setup.event, repeat.checkin_id, "Door A")
    assert refused.value.code == "not_undoable"


def test_undo_of_another_events_checkin_is_not_found(setup, make_event):
    first = redeem(setup.event, setup.checkin_list, code_of(setup.guest), station="Door A")
    with pytest.raises(services.CheckinNotFound):
        undo_checkin(make_event(), first.checkin_id, "Door A")


def test_exit_then_entry_again_on_a_list_tracking_exits(setup, make_list):
    door = make_list(setup.event, name="Hall with exits", track_exits=True)
    code = code_of(setup.guest)
    assert redeem(setup.event, door, code).status == CheckinStatus.OK
    out = redeem(setup.event, door, code, kind=ScanKind.EXIT)
    assert out.status == CheckinStatus.OK
    assert list_stats(setup.event, door)["checked_in"] == 0
    assert redeem(setup.event, door, code, kind=ScanKind.EXIT).status == "not_checked_in"
    assert redeem(setup.event, door, code).status == CheckinStatus.OK
    assert list_stats(setup.event, door)["checked_in"] == 1


def test_exit_on_a_list_without_exit_tracking_is_refused(setup):
    with pytest.raises(ExitsNotTracked):
        redeem(setup.event, setup.checkin_list, code_of(setup.guest), kind=ScanKind.EXIT)


def test_offline_scans_of_one_code_on_two_devices_are_both_recorded_as_a_conflict(setup):
    code = code_of(setup.guest)
    at_a = utcnow() - timedelta(minutes=10)
    at_b = utcnow() - timedelta(minutes=9)
    scan_a = OfflineScan(code, setup.checkin_list.id, new_nonce(), at_a)
    scan_b = OfflineScan(code, setup.checkin_list.id, new_nonce(), at_b)
    [outcome_a] = sync_scans(setup.event.id, "Door A", [scan_a])
    db.session.commit()
    [outcome_b] = sync_scans(setup.event.id, "Door B", [scan_b])
    db.session.commit()
    assert outcome_a.result.status == CheckinStatus.OK
    assert outcome_b.result.status == CheckinStatus.ALREADY_CHECKED_IN
    assert outcome_b.result.conflict
    rows = db.session.scalars(select(Checkin).order_by(Checkin.id)).all()
    assert [(r.station, r.scanned_at, r.offline, r.conflict) for r in rows] == [
        ("Door A", at_a, True, False),
        ("Door B", at_b, True, True),
    ]
    conflicts = dashboard_data(setup.event)["conflicts"]
    assert [(row.station, first.station) for row, first in conflicts] == [("Door B", "Door A")]


def test_sync_reports_a_reused_nonce_per_scan_and_goes_on(setup, make_guest):
    other = make_guest(setup.event, setup.category)
    nonce = new_nonce()
    scans = [
        OfflineScan(code_of(setup.guest), setup.checkin_list.id, nonce, utcnow()),
        OfflineScan(code_of(other), setup.checkin_list.id, nonce, utcnow()),
        OfflineScan(code_of(other), 999_999, new_nonce(), utcnow()),
        OfflineScan(code_of(other), setup.checkin_list.id, new_nonce(), utcnow()),
    ]
    outcomes = sync_scans(setup.event.id, "Door A", scans)
    db.session.commit()
    assert outcomes[0].result.status == CheckinStatus.OK
    assert outcomes[1].error.code == "nonce_reused"
    assert outcomes[2].error.code == "list_not_found"
    assert outcomes[3].result.status == CheckinStatus.OK


def test_search_finds_guests_by_name_organization_phone_and_email(setup, make_guest):
    guest = make_guest(
        setup.event,
        setup.category,
        native_name="欧阳娜娜",
        latin_name="Ouyang Nana",
        organization="Qingdao Tech Transfer Center",
        phone="+8613912345678",
        email="nana@example.org",
    )
    for q in ["欧阳", "ouyang", "tech transfer", "13912345678", "nana@example"]:
        hits = search_for_checkin(setup.event, setup.checkin_list, q)
        assert [h.registration.id for h in hits] == [guest.id], q
    assert hits[0].ticket_code == code_of(guest)
    assert hits[0].checked_in_at is None
    redeem(setup.event, setup.checkin_list, code_of(guest))
    assert search_for_checkin(setup.event, setup.checkin_list, "Ouyang")[0].checked_in_at


def test_search_is_limited_to_the_lists_categories(setup, make_category, make_guest, make_list):
    vip = make_category(setup.event)
    vip_only = make_list(setup.event, name="VIP", categories=[vip])
    make_guest(setup.event, setup.category, latin_name="Findme One")
    found = make_guest(setup.event, vip, latin_name="Findme Two")
    hits = search_for_checkin(setup.event, vip_only, "findme")
    assert [h.registration.id for h in hits] == [found.id]


def test_stats_count_checked_in_against_confirmed_onsite(setup, make_guest):
    make_guest(setup.event, setup.category)
    make_guest(setup.event, setup.category, attendance=Attendance.ONLINE)
    make_guest(setup.event, setup.category, state=RegistrationState.PENDING)
    redeem(setup.event, setup.checkin_list, code_of(setup.guest))
    stats = list_stats(setup.event, setup.checkin_list)
    assert (stats["checked_in"], stats["expected"]) == (1, 2)
    [row] = stats["per_category"]
    assert (row["checked_in"], row["expected"]) == (1, 2)


def test_offline_data_has_key_revocations_people_and_checked_in(setup):
    old = code_of(setup.guest)
    reissue_ticket(setup.guest)
    db.session.commit()
    redeem(setup.event, setup.checkin_list, code_of(setup.guest))
    data = offline_data(setup.event, setup.checkin_list)
    assert data["revocations"] == [[setup.guest.id, 1]]
    assert data["people"][str(setup.guest.id)]["serial"] == 2
    assert data["checked_in"] == [setup.guest.id]
    assert old != code_of(setup.guest)


def test_arrivals_are_counted_per_five_minutes(setup, make_guest):
    base = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    guests = [setup.guest, make_guest(setup.event, setup.category)]
    guests.append(make_guest(setup.event, setup.category))
    for guest, offset in zip(guests, [1, 3, 7], strict=True):
        redeem(
            setup.event,
            setup.checkin_list,
            code_of(guest),
            scanned_at=base + timedelta(minutes=offset),
            offline=True,
        )
    arrivals = services.arrivals_per_bucket(setup.event)
    assert [(a["at"], a["count"]) for a in arrivals] == [
        (base, 2),
        (base + timedelta(minutes=5), 1),
    ]
