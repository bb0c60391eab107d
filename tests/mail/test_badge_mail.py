"""End to end: register on the web form, receive the mail over SMTP, scan the badge's QR."""

from __future__ import annotations

from sqlalchemy import select

from app.documents.tickets import verify_ticket_code
from app.extensions import db
from app.registration.models import Registration
from app.registration.tickets import ticket_code
from app.translated import Translated
from tests.conftest import form_data
from tests.pdf_support import decode_pdf_qr_codes, pdf_text


def test_registration_mail_carries_a_badge_whose_qr_is_the_ticket_code(
    app, client, make_event, make_category, smtp_server
):
    event = make_event()
    category = make_category(event, name=Translated(zh="企业代表"))
    response = client.post(
        f"/e/{event.slug}/register?lang=zh_CN",
        data=form_data(category, native_name="李玥", email="li.yue@example.org"),
    )
    assert response.status_code == 302

    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == "李玥 <li.yue@example.org>"
    attachments = {part.get_filename(): part for part in mail.iter_attachments()}
    [badge_name] = [name for name in attachments if name.endswith(".pdf")]
    pdf = attachments[badge_name].get_content()

    registration = db.session.scalar(select(Registration))
    [scanned] = decode_pdf_qr_codes(pdf)
    assert scanned == ticket_code(registration)
    claims = verify_ticket_code(event.ticket_key, scanned)
    assert claims.registration_id == registration.id
    assert "李玥" in pdf_text(pdf)

    html = mail.get_body(preferencelist=("html",))
    assert "cid:" in html.get_content()
    inline = [part for part in mail.walk() if part.get("Content-ID")]
    assert inline and inline[0].get_content_type() == "image/png"


def test_a_confirmation_not_sent_before_the_registration_was_cancelled_never_mails_its_code(
    app, make_event, make_category, smtp_server
):
    from app.mail.models import MailState, OutboxMessage
    from app.mail.services import deliver_message
    from app.registration.models import Attendance
    from app.registration.services import (
        ParticipantData,
        cancel_registration,
        register_participant,
    )

    event = make_event()
    category = make_category(event)
    data = ParticipantData(
        native_name="李玥",
        latin_name="Li Yue",
        email="li.yue@example.org",
        country="CN",
        attendance=Attendance.ONSITE,
        language="en",
    )
    registration = register_participant(event, category, data)
    db.session.info.pop("pending_jobs", None)  # the worker has not reached the mail yet
    db.session.commit()
    assert cancel_registration(registration)
    db.session.info.pop("pending_jobs", None)
    db.session.commit()

    confirmation, cancellation = db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id)
    ).all()
    deliver_message(confirmation.id)
    deliver_message(cancellation.id)

    # Both deliveries ran to their end: the server has answered every mail it was sent.
    assert [mail["Subject"] for mail in smtp_server.messages] == [cancellation.subject]
    assert not list(smtp_server.messages[0].iter_attachments())
    db.session.expire_all()
    failed = db.session.get(OutboxMessage, confirmation.id)
    assert failed.state == MailState.FAILED
    assert "no longer confirmed" in failed.last_error
