"""Capacity, duplicate emails and waiting-list promotion under real concurrent threads.

Every thread has its own app context (so its own session and connection); a barrier releases
them together. Runs on SQLite and on the PostgreSQL of TEST_DATABASE_URL.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from sqlalchemy import func, select

from app.extensions import db
from app.registration.models import (
    Attendance,
    Category,
    Registration,
    RegistrationChange,
    RegistrationState,
)
from app.registration.services import (
    DuplicateRegistration,
    ParticipantData,
    cancel_registration,
    register_participant,
)
from tests.conftest import form_data
from tests.registration.support import assert_consistent_database

THREADS = 60
CAPACITY = 10


def participant(email: str) -> ParticipantData:
    return ParticipantData(
        native_name="陈静",
        latin_name="",
        email=email,
        country="CN",
        attendance=Attendance.ONSITE,
        language="zh_CN",
        organization="青岛市科技局",
    )


def run_in_threads(app, count: int, work: Callable[[int], object]) -> list[object]:
    """Run work(i) in `count` threads started together; return results (or exceptions)."""
    # The test's own session must not hold a connection (or SQLite's write lock) meanwhile.
    db.session.commit()
    db.session.remove()
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def target(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=60)
                results[i] = work(i)
            except Exception as exc:  # reported by the test, not swallowed
                db.session.rollback()
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def register_in_thread(event_id: int, category_id: int, email: str) -> RegistrationState:
    from app.events.models import Event

    event = db.session.get(Event, event_id)
    category = db.session.get(Category, category_id)
    registration = register_participant(event, category, participant(email))
    state = registration.state
    db.session.commit()
    return state


def states_of(category_id: int) -> Counter:
    db.session.expire_all()
    return Counter(
        db.session.scalars(
            select(Registration.state).where(Registration.category_id == category_id)
        ).all()
    )


def places_taken(category_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Category, category_id).places_taken


def test_concurrent_registrations_never_overbook(app, make_event, make_category):
    event = make_event()
    category = make_category(event, capacity=CAPACITY)
    event_id, category_id = event.id, category.id

    results = run_in_threads(
        app,
        THREADS,
        lambda i: register_in_thread(event_id, category_id, f"t{i}@example.org"),
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    assert Counter(results) == {
        RegistrationState.CONFIRMED: CAPACITY,
        RegistrationState.WAITLISTED: THREADS - CAPACITY,
    }
    assert states_of(category_id) == Counter(results)
    assert places_taken(category_id) == CAPACITY
    assert_consistent_database()


def test_concurrent_http_registrations_never_overbook(app, make_event, make_category):
    event = make_event()
    category = make_category(event, capacity=CAPACITY)
    slug, category_id = event.slug, category.id
    submissions = [form_data(category, email=f"h{i}@example.org") for i in range(THREADS)]

    def post(i: int) -> int:
        response = app.test_client().post(f"/e/{slug}/register", data=submissions[i])
        return response.status_code

    results = run_in_threads(app, THREADS, post)

    assert results == [302] * THREADS
    assert states_of(category_id) == {
        RegistrationState.CONFIRMED: CAPACITY,
        RegistrationState.WAITLISTED: THREADS - CAPACITY,
    }
    assert places_taken(category_id) == CAPACITY
    assert_consistent_database()


def test_concurrent_registrations_with_the_same_email_make_one_row(app, make_event, make_category):
    event = make_event()
    category = make_category(event, capacity=CAPACITY)
    event_id, category_id = event.id, category.id

    results = run_in_threads(
        app,
        20,
        # Half of them in capitals: the same address for the comparison.
        lambda i: register_in_thread(
            event_id, category_id, "SAME@Example.org" if i % 2 else "same@example.org"
        ),
    )

    confirmed = [r for r in results if r == RegistrationState.CONFIRMED]
    duplicates = [r for r in results if isinstance(r, DuplicateRegistration)]
    assert len(confirmed) == 1
    assert len(duplicates) == 19, results
    assert db.session.scalar(select(func.count(Registration.id))) == 1
    assert places_taken(category_id) == 1
    assert_consistent_database()


def test_concurrent_http_registrations_with_the_same_email_make_one_row(
    app, make_event, make_category
):
    event = make_event()
    category = make_category(event, capacity=CAPACITY)
    slug = event.slug
    submissions = [form_data(category, email="twice@example.org") for _ in range(20)]

    def post(i: int) -> int:
        return app.test_client().post(f"/e/{slug}/register", data=submissions[i]).status_code

    results = run_in_threads(app, 20, post)

    assert sorted(results) == [302] + [400] * 19
    assert db.session.scalar(select(func.count(Registration.id))) == 1
    assert_consistent_database()


def test_concurrent_cancellations_promote_each_waitlisted_once(app, make_event, make_category):
    event = make_event()
    category = make_category(event, capacity=5)
    confirmed = [
        register_participant(event, category, participant(f"c{i}@example.org")) for i in range(5)
    ]
    waiting = [
        register_participant(event, category, participant(f"w{i}@example.org")) for i in range(5)
    ]
    db.session.commit()
    assert {r.state for r in confirmed} == {RegistrationState.CONFIRMED}
    assert {r.state for r in waiting} == {RegistrationState.WAITLISTED}
    confirmed_ids = [r.id for r in confirmed]
    waiting_ids = [r.id for r in waiting]
    category_id = category.id

    def cancel(i: int) -> bool:
        registration = db.session.get(Registration, confirmed_ids[i])
        done = cancel_registration(registration)
        db.session.commit()
        return done

    results = run_in_threads(app, 5, cancel)

    assert results == [True] * 5
    db.session.expire_all()
    for registration_id in waiting_ids:
        registration = db.session.get(Registration, registration_id)
        assert registration.state == RegistrationState.CONFIRMED
        promotions = [c for c in registration.changes if c.actor_kind == "system"]
        assert len(promotions) == 1
    assert places_taken(category_id) == 5
    assert (
        db.session.scalar(
            select(func.count(RegistrationChange.id)).where(
                RegistrationChange.to_state == RegistrationState.CANCELLED
            )
        )
        == 5
    )
    assert_consistent_database()
