"""Simultaneous redeems of one code from real threads: exactly one ok, the rest
already_checked_in naming the winner. Each thread has its own app context, hence its own
session and database connection (PostgreSQL in CI, SQLite file by default)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.checkin.models import Checkin, CheckinStatus
from app.checkin.services import redeem_code
from app.extensions import db
from tests.checkin.conftest import code_of, new_nonce


def redeem_together(app, event_id: int, list_id: int, codes: list[str]) -> list:
    """Redeem `codes[i]` in thread i, all released at the same moment; returns the answers."""
    # The test's own session must not hold SQLite's write lock while the threads run.
    db.session.commit()
    barrier = threading.Barrier(len(codes))
    answers: list = [None] * len(codes)
    errors: list[BaseException] = []

    def worker(index: int, code: str) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=60)
                result = redeem_code(event_id, list_id, code, f"Station {index}", new_nonce(), None)
                db.session.commit()
                first = result.first_checkin
                answers[index] = (result.status, None if first is None else first.station)
                db.session.remove()
        except BaseException as error:  # reported in the main thread
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(codes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return answers


def active_entries(list_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count(Checkin.id)).where(
            Checkin.list_id == list_id, Checkin.active_registration_id.is_not(None)
        )
    )


@pytest.mark.parametrize("threads", [2, 20])
def test_simultaneous_redeems_of_one_code_give_exactly_one_ok(app, setup, threads):
    code = code_of(setup.guest)
    answers = redeem_together(app, setup.event.id, setup.checkin_list.id, [code] * threads)
    statuses = [status for status, _station in answers]
    assert statuses.count(CheckinStatus.OK) == 1
    assert statuses.count(CheckinStatus.ALREADY_CHECKED_IN) == threads - 1
    winner = f"Station {statuses.index(CheckinStatus.OK)}"
    assert {station for status, station in answers if status != "ok"} == {winner}
    assert active_entries(setup.checkin_list.id) == 1
    recorded = db.session.scalar(
        select(func.count(Checkin.id)).where(Checkin.list_id == setup.checkin_list.id)
    )
    assert recorded == threads


def test_simultaneous_redeems_of_different_codes_all_succeed(app, setup, make_guest):
    guests = [make_guest(setup.event, setup.category) for _ in range(10)]
    answers = redeem_together(
        app, setup.event.id, setup.checkin_list.id, [code_of(g) for g in guests]
    )
    assert [status for status, _ in answers] == [CheckinStatus.OK] * 10
    assert active_entries(setup.checkin_list.id) == 10
