"""Deletion requests: the participant asks, an organizer decides; anonymization keeps figures."""

from __future__ import annotations

import smtplib

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.certificates.models import Certificate, CertificateKind
from app.certificates.services import issue_certificate
from app.checkin.models import Checkin
from app.extensions import db
from app.mail import services as mail_services
from app.mail.models import MailState, OutboxMessage
from app.mail.services import outbox_path, queue_mail, sweep_outbox
from app.privacy.models import DeletionRequest, DeletionState
from app.privacy.services import (
    ANONYMIZED_NATIVE_NAME,
    anonymize_registration,
    anonymized_email,
)
from app.registration.models import (
    Attendance,
    Category,
    Question,
    QuestionKind,
    Registration,
    RegistrationChange,
    RegistrationState,
    TicketRevocation,
)
from app.registration.queries import category_counts
from app.registration.services import ParticipantData, register_participant
from app.translated import Translated
from tests.privacy.conftest import check_in, end_event


def ask_for_deletion(client, token):
    return client.post(f"/r/{token}/delete?lang=en", data={"confirm": "y"})


def open_requests():
    return db.session.scalars(
        select(DeletionRequest).where(DeletionRequest.state == DeletionState.OPEN)
    ).all()


def test_participant_asks_and_sees_the_request_pending(client, privacy_event, register):
    event, category = privacy_event
    _me, token = register(event, category)
    page = client.get(f"/r/{token}/delete?lang=en").get_data(as_text=True)
    assert "Your registration will be cancelled" in page

    response = ask_for_deletion(client, token)
    assert response.status_code == 302
    assert ask_for_deletion(client, token).status_code == 302  # twice: still one request
    assert len(open_requests()) == 1
    page = client.get(f"/r/{token}?lang=en").get_data(as_text=True)
    assert 'id="deletion-pending"' in page
    assert (
        db.session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.action == "privacy.deletion_requested"
            )
        )
        == 1
    )


def test_request_without_the_confirmation_tick_is_refused(client, privacy_event, register):
    event, category = privacy_event
    _me, token = register(event, category)
    response = client.post(f"/r/{token}/delete?lang=en", data={})
    assert response.status_code == 400
    assert "Please tick the box to confirm." in response.get_data(as_text=True)
    assert open_requests() == []


def test_organizer_confirms_before_the_event_the_registration_is_cancelled_and_anonymized(
    client, app, privacy_event, register, organizer
):
    event, category = privacy_event
    category.capacity = 1
    db.session.commit()
    question = Question(
        event_id=event.id, kind=QuestionKind.TEXT, label=Translated(zh="备注", en="Note")
    )
    db.session.add(question)
    db.session.commit()
    me, token = register(
        event,
        category,
        native_name="李娜",
        email="LiNa@Example.org",
        phone="+86 139 0000 1111",
        **{f"q_{question.id}": "我的秘密"},
    )
    waiting, _ = register(event, category)
    assert waiting.state == RegistrationState.WAITLISTED
    ask_for_deletion(client, token)
    mails_before = db.session.scalar(select(func.count(OutboxMessage.id)))
    copies = [
        outbox_path(m.id)
        for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.registration_id == me.id)
        )
    ]
    assert copies and all(path.exists() for path in copies)

    organizer(event)
    page = client.get(f"/manage/{event.slug}/privacy?lang=en").get_data(as_text=True)
    (request,) = open_requests()
    assert f'id="deletion-request-{request.id}"' in page
    response = client.post(f"/manage/{event.slug}/privacy/requests/{request.id}/confirm")
    assert response.status_code == 302

    db.session.expire_all()
    me = db.session.get(Registration, me.id)
    assert me.state == RegistrationState.CANCELLED
    assert (me.native_name, me.latin_name) == (ANONYMIZED_NATIVE_NAME, "Anonymized")
    assert me.email == anonymized_email(me.id) and me.active_email is None
    assert (me.phone, me.organization, me.job_title, me.answers) == ("", "", "", {})
    assert me.anonymized_at is not None
    assert me.country == "CN" and me.category_id == category.id  # kept for the statistics
    # The place went to the waiting list, the ticket is revoked, the link is dead.
    assert db.session.get(Registration, waiting.id).state == RegistrationState.CONFIRMED
    assert db.session.scalar(
        select(TicketRevocation.id).where(TicketRevocation.registration_id == me.id)
    )
    assert client.get(f"/r/{token}").status_code == 404
    # Mails: still counted, but nothing personal left, the local copies deleted.
    assert db.session.scalar(select(func.count(OutboxMessage.id))) >= mails_before
    for mail in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.registration_id == me.id)
    ):
        assert (mail.to_address, mail.to_name, mail.body_text, mail.body_html) == (
            anonymized_email(me.id),
            "",
            "",
            "",
        )
    assert not any(path.exists() for path in copies)
    assert db.session.get(DeletionRequest, request.id).state == DeletionState.DONE
    # Nothing of the person anywhere in the registration tables.
    dump = repr(
        [
            (r.native_name, r.email, r.phone, r.answers)
            for r in db.session.scalars(select(Registration))
        ]
    ) + repr([c.note for c in db.session.scalars(select(RegistrationChange))])
    assert "李娜" not in dump and "lina@example.org" not in dump.lower() and "我的秘密" not in dump


def test_after_the_event_anonymization_keeps_state_checkins_and_dashboard_numbers(
    client, privacy_event, register, organizer
):
    event, category = privacy_event
    me, token = register(event, category)
    other, _ = register(event, category)
    check_in(event, me)
    issue_certificate(me, CertificateKind.PARTICIPATION)
    db.session.commit()
    end_event(event)
    counts_before = [row["states"] for row in category_counts(event)]
    places_before = db.session.get(Category, category.id).places_taken

    ask_for_deletion(client, token)
    organizer(event)
    (request,) = open_requests()
    client.post(f"/manage/{event.slug}/privacy/requests/{request.id}/confirm")

    db.session.expire_all()
    me = db.session.get(Registration, me.id)
    assert me.state == RegistrationState.CONFIRMED and me.anonymized_at is not None
    assert [row["states"] for row in category_counts(event)] == counts_before
    assert db.session.get(Category, category.id).places_taken == places_before
    assert db.session.scalar(select(func.count(Checkin.id))) == 1
    certificate = db.session.scalars(select(Certificate)).one()
    assert certificate.native_name == ANONYMIZED_NATIVE_NAME
    assert certificate.revoked_at is not None
    assert db.session.get(Registration, other.id).anonymized_at is None


def test_organizer_declines_with_a_reason_the_participant_reads(
    client, privacy_event, register, organizer
):
    event, category = privacy_event
    _me, token = register(event, category)
    ask_for_deletion(client, token)
    organizer(event)
    (request,) = open_requests()
    url = f"/manage/{event.slug}/privacy/requests/{request.id}/decline"
    client.post(url, data={"note": "  "})
    assert db.session.get(DeletionRequest, request.id).state == DeletionState.OPEN
    client.post(url, data={"note": "政府外事活动记录须保存三年。"})
    assert db.session.get(DeletionRequest, request.id).state == DeletionState.DECLINED
    client.post("/logout")
    page = client.get(f"/r/{token}?lang=en").get_data(as_text=True)
    assert "政府外事活动记录须保存三年。" in page
    assert 'id="deletion-link"' in page  # may ask again


def test_a_queued_mail_of_an_anonymized_registration_is_never_sent(
    client, privacy_event, register, organizer
):
    event, category = privacy_event
    me, _token = register(event, category)
    queued = queue_mail(
        kind="test",
        to_address=me.email,
        to_name=me.native_name,
        language="zh_CN",
        template="registration_cancelled",
        context={"registration": me, "event": event, "category": category},
        event_id=event.id,
        registration_id=me.id,
    )
    db.session.info.pop("pending_jobs", None)  # keep it queued: nothing delivers it yet
    db.session.commit()
    organizer(event)
    client.post(
        f"/manage/{event.slug}/privacy/registrations/{me.id}/anonymize", data={"confirm": "y"}
    )
    sweep_outbox()
    message = db.session.get(OutboxMessage, queued.id)
    assert message.state == MailState.FAILED
    assert message.last_error == "recipient anonymized"
    assert not outbox_path(queued.id).exists()


@pytest.mark.parametrize("server_answers", ["accepted", "disconnected"])
def test_a_mail_being_sent_while_its_registration_is_anonymized_keeps_nothing_personal(
    app, privacy_event, monkeypatch, server_answers
):
    event, category = privacy_event
    data = ParticipantData(
        native_name="王堃",
        latin_name="Wang Kun",
        email="wang.kun@example.org",
        country="CN",
        attendance=Attendance.ONSITE,
        language="en",
        phone="+86 138 0013 8000",
    )
    registration = register_participant(event, category, data)
    db.session.info.pop("pending_jobs", None)  # delivered below, by hand
    db.session.commit()
    message_id = db.session.scalar(select(OutboxMessage.id))
    send = mail_services._send

    def send_while_anonymized(mail, outbox_id):
        # The organizer anonymizes while the worker waits for the mail server's answer.
        anonymize_registration(db.session.get(Registration, registration.id), None, "asked")
        db.session.commit()
        if server_answers == "disconnected":
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        send(mail, outbox_id)

    monkeypatch.setattr(mail_services, "_send", send_while_anonymized)
    mail_services.deliver_message(message_id)

    db.session.expire_all()
    message = db.session.get(OutboxMessage, message_id)
    assert (message.body_text, message.body_html) == ("", "")
    assert message.to_address == anonymized_email(registration.id)
    if server_answers == "disconnected":
        # Not tried again: it would go to the placeholder address.
        assert message.state == MailState.FAILED
    else:
        assert message.state == MailState.SENT


def test_organizer_anonymizes_one_registration_only_with_the_tick(
    client, privacy_event, register, organizer
):
    event, category = privacy_event
    me, _token = register(event, category)
    organizer(event)
    url = f"/manage/{event.slug}/privacy/registrations/{me.id}/anonymize"
    client.post(url, data={})
    assert db.session.get(Registration, me.id).anonymized_at is None
    client.post(url, data={"confirm": "y"})
    client.post(url, data={"confirm": "y"})  # idempotent
    db.session.expire_all()
    assert db.session.get(Registration, me.id).anonymized_at is not None
    assert (
        db.session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.action == "privacy.anonymize_registration"
            )
        )
        == 1
    )


def test_organizer_of_another_event_cannot_decide_a_request(
    client, privacy_event, register, organizer, make_event
):
    event, category = privacy_event
    _me, token = register(event, category)
    ask_for_deletion(client, token)
    (request,) = open_requests()
    other = make_event()
    organizer(other)
    response = client.post(f"/manage/{other.slug}/privacy/requests/{request.id}/confirm")
    assert response.status_code == 404
    assert open_requests() != []


def test_the_event_contact_address_is_told_of_a_request_without_personal_data(
    client, privacy_event, register
):
    event, category = privacy_event
    event.contact_email = "office@example.org"
    db.session.commit()
    me, token = register(event, category, native_name="李娜", email="lina@example.org")
    ask_for_deletion(client, token)
    ask_for_deletion(client, token)  # the same open request: one mail
    (mail,) = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "privacy.deletion_requested")
    ).all()
    assert mail.to_address == "office@example.org"
    assert me.reference in mail.subject
    assert f"/manage/{event.slug}/privacy" in mail.body_text
    everything = mail.subject + mail.body_text + mail.body_html
    assert "李娜" not in everything and "lina@example.org" not in everything
