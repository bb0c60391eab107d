"""The certificate PDF, its QR code and the public verification page."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pypdfium2 as pdfium
from PIL import Image

from app.accounts.models import Role
from app.certificates.models import CertificateKind
from app.certificates.services import (
    get_settings,
    render_certificate_pdf,
    verification_url,
)
from app.extensions import db
from app.translated import Translated
from tests.certificates.support import (
    add_registration,
    issued,
    page_status,
    sign_in_organizer,
    text_of,
)
from tests.pdf_support import decode_pdf_qr_codes, pdf_text


def png_bytes(size=(120, 120), color=(200, 30, 30, 255)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def test_pdf_with_a_rare_character_carries_a_qr_to_a_page_saying_genuine(
    client, make_event, make_category
):
    event = make_event(title=Translated(zh="2020青岛国际技术转移大会", en="2020 Qingdao ITTC"))
    registration = add_registration(
        event, make_category(event), native_name="王堃", latin_name="Wang Kun"
    )
    certificate = issued(registration)

    pdf = render_certificate_pdf(certificate)

    document = pdfium.PdfDocument(pdf)
    width, height = document[0].get_size()
    assert width > height  # A4 landscape
    assert "王堃" in pdf_text(pdf)
    assert certificate.number in pdf_text(pdf)
    assert decode_pdf_qr_codes(pdf) == [verification_url(certificate)]
    page = client.get(urlsplit(verification_url(certificate)).path)
    assert page.status_code == 200
    assert page_status(page.text) == "genuine"
    assert "王堃" in page.text and certificate.number in page.text


def test_award_pdf_shows_the_award_in_both_languages_recipients_first(make_event, make_category):
    event = make_event(content_languages=["zh", "en"])
    registration = add_registration(
        event,
        make_category(event),
        native_name="Анна Петрова",
        latin_name="Anna Petrova",
        language="en",
    )
    certificate = issued(
        registration,
        CertificateKind.AWARD,
        award_name={"zh": "金奖", "en": "Gold award"},
        team_name="Team Aurora",
    )
    text = pdf_text(render_certificate_pdf(certificate))
    assert text.index("Gold award") < text.index("金奖")
    assert "Анна Петрова" in text and "Team Aurora" in text


def test_revoked_certificate_page_says_revoked_with_the_reason(
    client, auth, make_event, make_category, make_user
):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    certificate = issued(add_registration(desk.event, make_category(desk.event)))
    response = client.post(
        f"{desk.base}/certificates/{certificate.id}/revoke", data={"reason": "issued in error"}
    )
    assert response.status_code == 302
    page = client.get(f"/c/{certificate.verification_token}")
    assert page.status_code == 200
    assert page_status(page.text) == "revoked"
    assert "issued in error" in page.text


def test_a_revoke_without_reason_changes_nothing(
    client, auth, make_event, make_category, make_user
):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    certificate = issued(add_registration(desk.event, make_category(desk.event)))
    client.post(f"{desk.base}/certificates/{certificate.id}/revoke", data={"reason": "  "})
    db.session.expire_all()
    assert certificate.revoked_at is None


def test_an_unknown_token_is_a_404_saying_it_could_not_be_verified(client, app):
    page = client.get("/c/not-a-real-token", headers={"Accept-Language": "en"})
    assert page.status_code == 404
    assert page_status(page.text) == "not_found"
    assert "could not be verified" in page.text


def test_lookup_by_number_and_name_ignores_case_and_spacing(client, make_event, make_category):
    event = make_event(slug="ittc2020")
    certificate = issued(
        add_registration(event, make_category(event), native_name="王堃", latin_name="Wang Kun")
    )
    found = client.post("/c/", data={"number": "ittc2020-p-0001 ", "name": "wang  KUN"})
    assert found.status_code == 200
    assert page_status(found.text) == "genuine"
    assert certificate.verification_token not in found.text
    wrong = client.post("/c/", data={"number": "ITTC2020-P-0001", "name": "Wang Wei"})
    assert wrong.status_code == 404
    assert page_status(wrong.text) == "not_found"
    assert "王堃" not in wrong.text


def test_the_verification_page_shows_no_contact_details(client, make_event, make_category):
    event = make_event()
    registration = add_registration(event, make_category(event), email="secret@example.org")
    certificate = issued(registration)
    page = client.get(f"/c/{certificate.verification_token}")
    assert "secret@example.org" not in page.text
    assert registration.phone not in page.text
    assert registration.organization not in text_of(page.text)


def test_uploaded_seal_appears_on_the_pdf(client, auth, make_event, make_category, make_user):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    certificate = issued(add_registration(desk.event, make_category(desk.event)))
    without = pdfium.PdfDocument(render_certificate_pdf(certificate))
    response = client.post(
        f"{desk.base}/certificates/settings",
        data={
            "number_prefix": "ITTC2020",
            "issuer_zh": "青岛市科学技术局",
            "issuer_en": "Qingdao Science and Technology Bureau",
            "seal": (io.BytesIO(png_bytes()), "seal.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.text
    db.session.expire_all()
    settings = get_settings(desk.event)
    assert settings.seal_file and settings.number_prefix == "ITTC2020"
    with_seal = pdfium.PdfDocument(render_certificate_pdf(certificate))

    def images(document) -> int:
        return sum(1 for obj in document[0].get_objects() if obj.type == 3)  # FPDF_PAGEOBJ_IMAGE

    assert images(with_seal) == images(without) + 1
    assert "青岛市科学技术局" in pdf_text(bytes(render_certificate_pdf(certificate)))


def test_a_non_png_upload_is_refused_with_a_message(client, auth, make_event, make_user):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    buffer = io.BytesIO()
    Image.new("RGB", (50, 50)).save(buffer, format="JPEG")
    for payload in (buffer.getvalue(), b"\x89PNG\r\n\x1a\n not really", b"<svg onload=alert(1)>"):
        response = client.post(
            f"{desk.base}/certificates/settings?lang=en",
            data={"number_prefix": "ABC", "logo": (io.BytesIO(payload), "logo.png")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 400
        assert "PNG" in response.text
    db.session.expire_all()
    assert get_settings(desk.event).logo_file is None


def test_a_prefix_of_another_event_is_refused(client, auth, make_event, make_category, make_user):
    other = make_event(slug="ittc2020")
    issued(add_registration(other, make_category(other)))
    desk = sign_in_organizer(client, auth, make_event, make_user)
    response = client.post(
        f"{desk.base}/certificates/settings?lang=en", data={"number_prefix": "ittc2020"}
    )
    assert response.status_code == 400
    assert "already uses this prefix" in response.text


def test_certificate_pages_are_for_organizers_only(
    client, auth, make_event, make_category, make_user
):
    event = make_event()
    certificate = issued(add_registration(event, make_category(event)))
    base = f"/manage/{event.slug}/certificates"
    assert client.get(base).status_code == 302  # to the login page
    auth.login(make_user(Role.CHECKIN_STAFF, event=event))
    assert client.get(base).status_code == 403
    assert client.get(f"{base}/{certificate.id}.pdf").status_code == 403
    assert client.post(f"{base}/{certificate.id}/revoke", data={"reason": "x"}).status_code == 403
    assert client.post(f"{base}/award", data={}).status_code == 403
    other_event = make_event()
    auth.logout()
    auth.login(make_user(Role.ORGANIZER, event=other_event))
    assert client.get(base).status_code == 403
