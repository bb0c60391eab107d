"""End to end: register on the web form, receive the mail over SMTP, scan the badge's QR."""

from __future__ import annotations

from sqlalchemy import select

from app.documents.tickets import verify_ticket_code
from app.extensions import db
from app.registration.models import Registration
from app.registration.tickets import ticket_code
from tests.conftest import form_data
from tests.pdf_support import decode_pdf_qr_codes, pdf_text


def test_registration_mail_carries_a_badge_whose_qr_is_the_ticket_code(
    app, client, make_event, make_category, smtp_server
):
    event = make_event()
    category = make_category(event, name_zh="企业代表")
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
