"""Certificates in the event's content languages (#17): the PDF in the recipient's language
with the event's fallback, the issuer and award forms with one input per language, the
verification page in the visitor's language, and the texts missing a language."""

from __future__ import annotations

import re

from app.certificates.models import CertificateKind
from app.certificates.services import (
    certificate_context,
    get_settings,
    render_certificate_pdf,
    update_settings,
)
from app.extensions import db
from app.translated import Translated
from tests.certificates.support import add_registration, issued, sign_in_organizer, text_of
from tests.pdf_support import pdf_text

ISSUER = {
    "zh": "青岛市科学技术局",
    "ru": "Управление науки и технологий г. Циндао",
    "en": "Qingdao Science and Technology Bureau",
}
GOLD = {"zh": "金奖", "ru": "Золотая награда", "en": "Gold Award"}


def _trilingual(event):
    event.content_languages = ["zh", "ru", "en"]
    db.session.commit()
    return event


def _russian(event, category, **overrides):
    return add_registration(
        event,
        category,
        native_name="Анна Петрова",
        latin_name="Anna Petrova",
        language="ru",
        **overrides,
    )


def test_a_russian_participants_award_certificate_is_in_russian(make_event, make_category):
    event = _trilingual(make_event())
    update_settings(event, "SCO2020", ISSUER)
    registration = _russian(event, make_category(event))
    certificate = issued(registration, CertificateKind.AWARD, award_name=GOLD, team_name="Аврора")

    text = pdf_text(render_certificate_pdf(certificate))
    folded = " ".join(text.split())

    # Russian first: heading, statement, award, issuer and the small print from the ru catalog.
    for russian in (
        "Наградной сертификат",
        "награждён(-а) «Золотая награда»",
        "Управление науки и технологий г. Циндао",
        "Дата выдачи:",
        "Проверить сертификат / 证书核验网址:",
        "Команда",
    ):
        assert russian in folded, russian
    # Then the event's first other content language (Chinese); no English anywhere.
    assert folded.index("Наградной сертификат") < folded.index("获奖证书")
    assert "金奖" in folded and "青岛市科学技术局" in folded
    for english in ("Certificate of Award", "Gold Award", "Qingdao Science", "Issued on"):
        assert english not in folded, english


def test_the_pdf_marks_texts_the_fallback_took_from_another_language(make_event, make_category):
    event = _trilingual(make_event())
    update_settings(event, "SCO2020", {"zh": ISSUER["zh"]})
    registration = _russian(event, make_category(event))
    certificate = issued(
        registration, CertificateKind.AWARD, award_name={"zh": "金奖", "en": "Gold Award"}
    )

    context = certificate_context(certificate)

    primary, secondary = context["primary"], context["secondary"]
    assert (primary["lang"], secondary["lang"]) == ("ru", "zh")
    assert primary["heading"] == "Наградной сертификат"
    # No Russian award name: the event's order (zh, ru, en) gives the Chinese one, once.
    assert (primary["award"], primary["award_lang"]) == ("金奖", "zh")
    assert context["second_award"] is False
    assert [(i["text"], i["lang"]) for i in context["issuers"]] == [(ISSUER["zh"], "zh")]
    text = " ".join(pdf_text(render_certificate_pdf(certificate)).split())
    # The award line (once: both languages fell back to it) and the two statements.
    assert text.count("金奖") == 3
    assert "Gold Award" not in text


def test_a_certificate_keeps_the_award_names_it_was_issued_with(make_event, make_category):
    event = _trilingual(make_event())
    registration = _russian(event, make_category(event))
    certificate = issued(registration, CertificateKind.AWARD, award_name=GOLD)
    again = issued(registration, CertificateKind.AWARD, award_name=dict(GOLD))
    assert again.id == certificate.id  # the same award is the same certificate
    other = issued(registration, CertificateKind.AWARD, award_name={**GOLD, "ru": "Гран-при"})
    assert other.id != certificate.id
    db.session.expire_all()
    assert certificate.award_name == Translated(GOLD)


def test_a_fourth_content_language_is_configuration(client, auth, make_event, make_user):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    desk.event.content_languages = ["zh", "kk", "en"]
    db.session.commit()

    page = client.get(f"{desk.base}/certificates/settings?lang=en")
    assert re.search(
        r'<input[^>]*name="issuer_kk"[^>]*lang="kk"|lang="kk"[^>]*name="issuer_kk"', page.text
    )
    response = client.post(
        f"{desk.base}/certificates/settings?lang=en",
        data={"number_prefix": "SCO2020", "issuer_zh": "主办方", "issuer_kk": "Ұйымдастырушы"},
    )
    assert response.status_code == 302, response.text
    db.session.expire_all()
    assert get_settings(desk.event).issuer == {"zh": "主办方", "kk": "Ұйымдастырушы"}
    page = client.get(f"{desk.base}/certificates/settings?lang=en")
    assert "Missing in: English" in text_of(page.text)

    dashboard = text_of(client.get(f"/manage/{desk.event.slug}/?lang=en").text)
    assert re.search(r"Certificates: issuer\s+English\s+Write it", dashboard)


def test_settings_and_award_forms_have_one_input_per_content_language(
    client, auth, make_event, make_category, make_user
):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    _trilingual(desk.event)
    registration = add_registration(desk.event, make_category(desk.event))

    page = client.get(f"{desk.base}/certificates?lang=en").text
    for language in ("zh", "ru", "en"):
        assert f'name="award_name_{language}"' in page
    assert "Award (Russian)" in page

    response = client.post(
        f"{desk.base}/certificates/award?lang=en",
        data={"reference": registration.reference},
    )
    assert response.status_code == 400
    assert "Please give the award's name." in text_of(response.text)

    response = client.post(
        f"{desk.base}/certificates/award",
        data={"reference": registration.reference, "award_name_ru": "Гран-при"},
    )
    assert response.status_code == 302, response.text
    listing = client.get(f"{desk.base}/certificates?lang=en").text
    # Shown in its only language, marked as such for an English reader.
    assert '<span lang="ru">Гран-при</span>' in listing

    response = client.post(
        f"{desk.base}/certificates/settings",
        data={"number_prefix": "SCO2020", **{f"issuer_{k}": v for k, v in ISSUER.items()}},
    )
    assert response.status_code == 302
    page = client.get(f"{desk.base}/certificates/settings?lang=ru").text
    assert "completeness-done" in page
    dashboard = text_of(client.get(f"/manage/{desk.event.slug}/?lang=en").text)
    assert "Certificates: issuer" not in dashboard  # complete
    # The award was written in Russian only; issued certificates keep their names.
    assert re.search(r"Award certificates “Гран-при”\s+Chinese, English", dashboard)


def test_the_verification_page_speaks_the_visitors_language(client, make_event, make_category):
    event = _trilingual(make_event())
    certificate = issued(
        _russian(event, make_category(event)),
        CertificateKind.AWARD,
        award_name={"ru": "Золотая награда", "en": "Gold Award"},
    )
    url = f"/c/{certificate.verification_token}"
    assert "Gold Award" in client.get(f"{url}?lang=en").text
    russian = client.get(f"{url}?lang=ru").text
    assert "Золотая награда" in russian and "Gold Award" not in russian
    # No Chinese name: a Chinese visitor reads the Russian one (the event's next language),
    # marked as Russian.
    assert '<span lang="ru">Золотая награда</span>' in client.get(f"{url}?lang=zh_CN").text


def test_a_russian_participants_certificate_mail_names_the_award_in_russian(
    client, auth, make_event, make_category, make_user, smtp_server
):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    _trilingual(desk.event)
    registration = _russian(desk.event, make_category(desk.event), email="anna@example.org")
    response = client.post(
        f"{desk.base}/certificates/award",
        data={
            "reference": registration.reference,
            **{f"award_name_{k}": v for k, v in GOLD.items()},
            "send_mail": "y",
        },
    )
    assert response.status_code == 302, response.text
    [received] = smtp_server.wait_for(1)
    body = received.get_body(preferencelist=("plain",)).get_content()
    assert "Золотая награда" in body and "Gold Award" not in body and "金奖" not in body
    [attachment] = [
        p for p in received.iter_attachments() if p.get_content_type() == "application/pdf"
    ]
    assert "Наградной сертификат" in pdf_text(attachment.get_content())
