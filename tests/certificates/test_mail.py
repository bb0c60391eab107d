"""Certificate mails: the PDF attached at delivery time, over a real SMTP server."""

from __future__ import annotations

from sqlalchemy import func, select, update

from app.certificates.models import Certificate, CertificateBatch
from app.certificates.services import verification_url
from app.extensions import db
from app.mail.models import MailState, OutboxMessage
from app.mail.services import deliver_message
from tests.certificates.support import add_registration, sign_in_organizer
from tests.pdf_support import decode_pdf_qr_codes


def pdf_attachment(message) -> bytes:
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    return part.get_content()


def test_award_certificate_mail_arrives_with_the_pdf_attached(
    client, auth, make_event, make_category, make_user, smtp_server
):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    registration = add_registration(
        desk.event, make_category(desk.event), native_name="王堃", email="kun@example.org"
    )
    response = client.post(
        f"{desk.base}/certificates/award",
        data={
            "reference": registration.reference,
            "award_name_zh": "金奖",
            "award_name_en": "Gold award",
            "team_name": "极光",
            "send_mail": "y",
        },
    )
    assert response.status_code == 302, response.text
    [received] = smtp_server.wait_for(1)
    certificate = db.session.scalar(select(Certificate))
    assert received["To"].addresses[0].addr_spec == "kun@example.org"
    pdf = pdf_attachment(received)
    assert decode_pdf_qr_codes(pdf) == [verification_url(certificate)]
    assert certificate.number in received.get_body(preferencelist=("plain",)).get_content()


def test_issuing_the_same_award_twice_sends_one_mail(
    client, auth, make_event, make_category, make_user, smtp_server
):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    registration = add_registration(desk.event, make_category(desk.event))
    data = {
        "reference": registration.reference,
        "award_name_zh": "金奖",
        "award_name_en": "Gold award",
        "send_mail": "y",
    }
    assert client.post(f"{desk.base}/certificates/award", data=data).status_code == 302
    assert client.post(f"{desk.base}/certificates/award", data=data).status_code == 302
    smtp_server.wait_for(1)
    assert db.session.scalar(select(func.count(Certificate.id))) == 1
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1


def test_participation_batch_issues_to_confirmed_registrations_of_a_category_and_mails_each(
    client, auth, make_event, make_category, make_user, smtp_server
):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    guests = make_category(desk.event, capacity=2)
    media = make_category(desk.event)
    confirmed = [add_registration(desk.event, guests) for _ in range(2)]
    add_registration(desk.event, guests)  # waitlisted: no certificate
    add_registration(desk.event, media)  # other category: no certificate
    db.session.commit()

    response = client.post(
        f"{desk.base}/certificates/participation",
        data={"categories": [str(guests.id)], "send_mail": "y"},
    )
    assert response.status_code == 302, response.text
    received = smtp_server.wait_for(2)
    db.session.expire_all()
    batch = db.session.scalar(select(CertificateBatch))
    assert (batch.state, batch.issued, batch.skipped) == ("done", 2, 0)
    holders = set(db.session.scalars(select(Certificate.registration_id)))
    assert holders == {r.id for r in confirmed}
    assert len(received) == 2
    assert all(pdf_attachment(m)[:5] == b"%PDF-" for m in received)

    # Running the same selection again issues nothing new and sends nothing new.
    client.post(
        f"{desk.base}/certificates/participation",
        data={"categories": [str(guests.id)], "send_mail": "y"},
    )
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Certificate.id))) == 2
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2


def test_a_certificate_revoked_before_delivery_is_not_sent(
    client, auth, make_event, make_category, make_user, smtp_server
):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    registration = add_registration(desk.event, make_category(desk.event))
    smtp_server.stop()  # keep the mail queued
    client.post(
        f"{desk.base}/certificates/participation",
        data={"references": registration.reference, "send_mail": "y"},
    )
    certificate = db.session.scalar(select(Certificate))
    client.post(f"{desk.base}/certificates/{certificate.id}/revoke", data={"reason": "duplicate"})
    smtp_server.start()
    db.session.execute(update(OutboxMessage).values(next_attempt_at=None))
    db.session.commit()
    message = db.session.scalar(select(OutboxMessage))
    deliver_message(message.id)
    db.session.expire_all()
    assert message.state == MailState.FAILED
    assert "revoked" in message.last_error
    assert smtp_server.messages == []


def test_resend_queues_another_mail_and_revoked_ones_cannot_be_sent(
    client, auth, make_event, make_category, make_user, smtp_server
):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    registration = add_registration(desk.event, make_category(desk.event))
    client.post(
        f"{desk.base}/certificates/participation",
        data={"references": f"{registration.id}", "send_mail": ""},
    )
    certificate = db.session.scalar(select(Certificate))
    assert client.post(f"{desk.base}/certificates/{certificate.id}/send").status_code == 302
    assert len(smtp_server.wait_for(1)) == 1
    client.post(f"{desk.base}/certificates/{certificate.id}/revoke", data={"reason": "wrong"})
    client.post(f"{desk.base}/certificates/{certificate.id}/send")
    db.session.expire_all()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1


def test_download_gives_the_pdf(client, auth, make_event, make_category, make_user):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    registration = add_registration(desk.event, make_category(desk.event))
    client.post(
        f"{desk.base}/certificates/participation",
        data={"references": registration.reference, "send_mail": ""},
    )
    certificate = db.session.scalar(select(Certificate))
    response = client.get(f"{desk.base}/certificates/{certificate.id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data[:5] == b"%PDF-"
    page = client.get(f"{desk.base}/certificates?status=valid&q={certificate.number}")
    assert certificate.number in page.text
