"""The team entry flow speaks the participant's language: refusals on the page in the page's
language, and the decision mail in the leader's (compiled catalogs, as `make translations`
builds them)."""

from __future__ import annotations

from flask import g
from sqlalchemy import select

from app.extensions import db
from app.judging import submission_services
from app.judging.models import Eligibility, Entry
from app.mail.models import OutboxMessage
from tests.judging.submission_support import entry_form


def test_refusals_are_in_the_language_of_the_page(client, call_for_entries):
    call = call_for_entries()
    slug = call.event.slug
    answers = {
        "ru": "Презентация должна быть PDF-файлом.",
        "zh_CN": "路演材料须为 PDF 文件。",
        "en": "The pitch deck must be a PDF file.",
    }
    for lang, message in answers.items():
        response = client.post(
            f"/e/{slug}/entry?lang={lang}", data=entry_form(deck=b"GIF89a, not a pdf")
        )
        assert response.status_code == 415
        assert message in response.get_data(as_text=True)
    data = entry_form(members=2)
    data["members-1-email"] = data["members-0-email"].upper()
    response = client.post(f"/e/{slug}/entry?lang=ru", data=data)
    assert response.status_code == 422
    assert "указан в команде дважды" in response.get_data(as_text=True)


def test_the_decision_mail_is_in_the_leaders_language(client, call_for_entries):
    call = call_for_entries()
    data = entry_form(members=1)
    data.update({"language": "ru", "native_name": "Ирина", "latin_name": "Irina Sokolova"})
    assert client.post(f"/e/{call.event.slug}/entry?lang=zh_CN", data=data).status_code == 302
    g.pop("event", None)  # the request's event; the decision mail renders outside a request
    entry = db.session.scalars(select(Entry)).one()
    submission_services.decide_entry(entry, Eligibility.INELIGIBLE, "Нет видео презентации.")
    db.session.commit()
    mails = {
        m.kind: m
        for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_address == data["email"])
        )
    }
    received = mails["judging.entry_received"]
    assert received.subject == "Ваша заявка получена: Highland solar micro-grids"
    rejected = mails["judging.entry_rejected"]
    assert rejected.language == "ru"
    assert rejected.subject == "Ваша заявка не принята: Highland solar micro-grids"
    assert "к сожалению" in rejected.body_text and "Нет видео презентации." in rejected.body_text
