"""Certificate numbers: per event and kind, unique and consecutive also under concurrency;
issuing is idempotent."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.certificates.models import Certificate, CertificateKind
from app.certificates.services import CertificateError, issue_certificate, revoke_certificate
from app.extensions import db
from tests.certificates.support import add_registration, issued


def test_numbers_count_per_event_and_kind_with_the_event_prefix(make_event, make_category):
    event = make_event(slug="ittc2020")
    category = make_category(event)
    first, second = add_registration(event, category), add_registration(event, category)
    assert issued(first).number == "ITTC2020-P-0001"
    assert issued(second).number == "ITTC2020-P-0002"
    award = issued(first, CertificateKind.AWARD, award_name={"zh": "金奖", "en": "Gold award"})
    assert award.number == "ITTC2020-A-0001"
    other = make_event(slug="sco-youth-2")
    assert issued(add_registration(other, make_category(other))).number == "SCO-YOUTH-2-P-0001"


def test_twenty_concurrent_issuers_get_unique_consecutive_numbers(app, make_event, make_category):
    event = make_event()
    category = make_category(event, capacity=None)
    ids = [add_registration(event, category).id for _ in range(20)]
    db.session.commit()  # end our read transaction (on SQLite it holds the write lock)
    barrier = threading.Barrier(len(ids))
    errors: list[BaseException] = []

    def issue(registration_id: int) -> None:
        with app.app_context():
            try:
                from app.registration.models import Registration

                barrier.wait(timeout=30)
                # Fetched after the barrier: no thread holds a pooled connection while waiting.
                registration = db.session.get(Registration, registration_id)
                issue_certificate(registration, CertificateKind.PARTICIPATION, send_mail=False)
                db.session.commit()
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    db.session.expire_all()
    sequences = sorted(db.session.scalars(select(Certificate.sequence)).all())
    numbers = db.session.scalars(select(Certificate.number)).all()
    assert sequences == list(range(1, 21))
    assert len(set(numbers)) == 20


def test_concurrent_issues_of_the_same_certificate_create_one(app, make_event, make_category):
    event = make_event()
    registration_id = add_registration(event, make_category(event)).id
    db.session.commit()  # end our read transaction (on SQLite it holds the write lock)
    barrier = threading.Barrier(8)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def issue() -> None:
        with app.app_context():
            try:
                from app.registration.models import Registration

                barrier.wait(timeout=30)
                # Fetched after the barrier: no thread holds a pooled connection while waiting.
                registration = db.session.get(Registration, registration_id)
                result = issue_certificate(
                    registration, CertificateKind.PARTICIPATION, send_mail=False
                )
                numbers.append(result.certificate.number)
                db.session.commit()
            except BaseException as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Certificate.id))) == 1
    assert set(numbers) == {f"{event.slug.upper()}-P-0001"}


def test_issuing_the_same_certificate_twice_returns_the_first(make_event, make_category):
    event = make_event()
    registration = add_registration(event, make_category(event))
    first = issue_certificate(registration, CertificateKind.PARTICIPATION, send_mail=False)
    again = issue_certificate(registration, CertificateKind.PARTICIPATION, send_mail=False)
    db.session.commit()
    assert first.created and not again.created
    assert again.certificate.id == first.certificate.id
    gold = dict(award_name={"zh": "金奖", "en": "Gold award"}, send_mail=False)
    assert issue_certificate(registration, CertificateKind.AWARD, **gold).created
    assert not issue_certificate(registration, CertificateKind.AWARD, **gold).created
    silver = dict(award_name={"zh": "银奖", "en": "Silver award"}, send_mail=False)
    assert issue_certificate(registration, CertificateKind.AWARD, **silver).created
    db.session.commit()
    assert db.session.scalar(select(func.count(Certificate.id))) == 3


def test_a_revoked_certificate_can_be_issued_afresh_with_a_new_number(make_event, make_category):
    event = make_event()
    registration = add_registration(event, make_category(event))
    old = issued(registration)
    revoke_certificate(old, "name misspelt", None)
    db.session.commit()
    new = issued(registration)
    assert new.id != old.id
    assert new.sequence == old.sequence + 1


def test_unconfirmed_registrations_get_no_certificate(make_event, make_category):
    event = make_event()
    category = make_category(event, requires_approval=True)
    pending = add_registration(event, category)
    with pytest.raises(CertificateError):
        issue_certificate(pending, CertificateKind.PARTICIPATION, send_mail=False)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Certificate.id))) == 0


def test_an_award_needs_a_name_in_some_language(make_event, make_category):
    event = make_event()
    registration = add_registration(event, make_category(event))
    for nameless in (None, {}, {"zh": "  ", "en": ""}):
        with pytest.raises(CertificateError):
            issue_certificate(registration, CertificateKind.AWARD, award_name=nameless)
    # One language is enough: the others fall back along the event's content languages.
    only_russian = issue_certificate(
        registration, CertificateKind.AWARD, award_name={"ru": "Золотая награда"}, send_mail=False
    )
    assert only_russian.certificate.award_name == {"ru": "Золотая награда"}
