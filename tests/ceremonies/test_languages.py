"""Ceremony texts in the event's content languages (#17): one input per language on the forms
with the completeness mark, the reader's language with the event's fallback (marked) on the
pages, the agenda PDF in one or two chosen languages, the host script in the host's language,
a fourth language without a migration, and the gaps listed on the event dashboard."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.ceremonies.documents import agenda_context, render_host_script_html
from app.ceremonies.models import Ceremony, SigningItem
from app.ceremonies.services import PartyData, SigningItemData, WitnessData, add_signing_item
from app.contributions import content_gaps
from app.extensions import db
from app.translated import Translated
from tests.pdf_support import pdf_text

TITLE = Translated(zh="签约仪式", ru="Церемония подписания", en="Signing ceremony")


@pytest.fixture
def trilingual(app, make_event, make_user, make_ceremony, auth, client):
    """A zh/ru/en event, its ceremony (title in three languages; segments and the item in zh and
    en only), the organizer signed in."""
    event = make_event(content_languages=["zh", "ru", "en"])
    ceremony = make_ceremony(event=event)
    ceremony.title = TITLE
    ceremony.venue = Translated(zh="一楼多功能厅", ru="Многофункциональный зал")
    add_signing_item(
        ceremony,
        SigningItemData(
            Translated(zh="合作协议", ru="Соглашение о сотрудничестве", en="Agreement"),
            [
                PartyData(
                    Translated(zh="甲方", ru="Сторона А", en="Party A"),
                    "CN",
                    "王海峰",
                    Translated(zh="主任", ru="Директор", en="Director"),
                ),
                PartyData(Translated(zh="乙方", en="Party B"), "RU", "Алексей Петров"),
            ],
            [
                WitnessData(
                    "Олег Смирнов",
                    Translated(zh="顾问", ru="Советник"),
                    Translated(zh="上合组织秘书处", ru="Секретариат ШОС"),
                )
            ],
        ),
    )
    db.session.commit()
    auth.login(make_user(Role.ORGANIZER, event=event))
    return ceremony


def url(ceremony, path: str = "/") -> str:
    return f"/manage/{ceremony.event.slug}/ceremonies/{ceremony.id}{path}"


def test_the_agenda_page_reads_russian_and_marks_what_falls_back(trilingual, client):
    html = client.get(url(trilingual) + "?lang=ru").get_data(as_text=True)
    assert "<h1>Церемония подписания</h1>" in html
    assert "Многофункциональный зал" in html
    assert "Соглашение о сотрудничестве" in html
    assert "Сторона А" in html
    # Party B has no Russian name, the segments no Russian title: Chinese, marked as such.
    assert '<span lang="zh" class="fallback">乙方</span>' in html
    assert '<span lang="zh" class="fallback">开场</span>' in html
    assert "(русский)" in html or "Русский" in html or "русский" in html  # host's language


def test_the_agenda_pdf_prints_russian_alone_or_beside_chinese(trilingual, client):
    russian = client.get(url(trilingual, "/agenda.pdf?languages=ru&lang=ru"))
    assert russian.status_code == 200 and russian.mimetype == "application/pdf"
    text = re.sub(r"\s+", " ", pdf_text(russian.data))
    assert "Церемония подписания" in text
    assert "Сторона А" in text
    assert "Программа" in text or "Время" in text  # the labels are Russian too
    assert "Signing ceremony" not in text

    both = client.get(url(trilingual, "/agenda.pdf?first=ru&second=zh"))
    text = re.sub(r"\s+", " ", pdf_text(both.data))
    assert "Церемония подписания" in text and "签约仪式" in text
    assert "Signing ceremony" not in text


def test_the_agenda_marks_a_fallback_and_does_not_print_it_twice(trilingual, app):
    with app.test_request_context("/?lang=en"):
        context = agenda_context(trilingual, ["ru", "zh"])
    opening = context["rows"][0]["title"]
    # No Russian title: the Russian line shows the Chinese one, marked; the Chinese line, the
    # same text again, is left out.
    assert (opening[0].text, opening[0].lang, opening[0].fallback) == ("开场", "zh", True)
    assert opening[0].__html__() == '<span lang="zh" class="fallback">开场</span>'
    assert opening[1].text == ""
    item = context["rows"][2]["signings"][0]
    assert [str(p) for p in item["parties"]] == ["Сторона А", "乙方"]
    assert [p.fallback for p in item["parties"]] == [False, True]


def test_bad_agenda_languages_fall_back_to_the_readers_language(trilingual, client):
    for query in ("languages=xx,%3Cb%3E", "languages=" + "ru," * 50, "first=&second=", "first=kk"):
        response = client.get(url(trilingual, "/agenda.pdf?lang=ru&" + query))
        assert response.status_code == 200, query
        assert "Церемония подписания" in pdf_text(response.data)


def test_the_host_script_is_written_in_russian_for_a_russian_host(trilingual):
    trilingual.host_language = "ru"
    db.session.commit()
    html = render_host_script_html(trilingual)
    assert '<html lang="ru">' in html
    assert "Церемония подписания" in html
    assert "Сторона А" in html
    assert '<span lang="zh" class="fallback">乙方</span>' in html
    assert "Россия" in html  # the country in Russian
    assert "Директор 王海峰" in html  # the position in Russian, the name as written
    assert "Секретариат ШОС Советник Олег Смирнов" in html


def test_the_forms_have_one_input_per_content_language_and_say_what_is_missing(trilingual, client):
    html = client.get(url(trilingual, "/edit?lang=en")).get_data(as_text=True)
    for language in ("zh", "ru", "en"):
        assert re.search(rf'<input[^>]*id="title_{language}"[^>]*lang="{language}"', html) or (
            re.search(rf'<input[^>]*lang="{language}"[^>]*id="title_{language}"', html)
        )
    assert 'value="Церемония подписания"' in html
    # The venue has no English: said next to the inputs.
    assert "Missing in: English" in html
    assert '<option selected value="zh">' in html or 'value="zh" selected' in html
    assert "Russian" in html  # the host may speak any content language

    segment = trilingual.segments[0]
    html = client.get(url(trilingual, f"/segments/{segment.id}/edit?lang=en")).get_data(
        as_text=True
    )
    assert 'name="title_ru"' in html and 'name="performer_ru"' in html
    assert "Missing in: Russian" in html

    item = trilingual.items[0]
    html = client.get(url(trilingual, f"/items/{item.id}/edit?lang=en")).get_data(as_text=True)
    assert 'name="title_ru"' in html and 'name="parties-1-organization_ru"' in html
    assert 'value="Директор"' in html and 'name="parties-0-signatory_title_ru"' in html
    assert 'value="Секретариат ШОС"' in html and 'name="witnesses-0-title_en"' in html


def test_saving_the_forms_stores_three_languages(trilingual, client):
    response = client.post(
        url(trilingual, "/edit"),
        data={
            "title_zh": "签约仪式",
            "title_ru": "Торжественное подписание",
            "title_en": "Signing ceremony",
            "venue_zh": "会场",
            "venue_ru": "Зал",
            "venue_en": "Hall",
            "starts_local": "2026-12-16T09:30",
            "host_language": "ru",
            "slot_minutes": "60",
        },
    )
    assert response.status_code == 302
    segment = trilingual.segments[1]
    response = client.post(
        url(trilingual, f"/segments/{segment.id}/edit"),
        data={
            "kind": "speech",
            "duration_minutes": "10",
            "title_zh": "致辞",
            "title_ru": "Приветственное слово",
            "title_en": "Address",
            "performer_ru": "Глава района",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    ceremony = db.session.get(Ceremony, trilingual.id)
    assert ceremony.title == {
        "zh": "签约仪式",
        "ru": "Торжественное подписание",
        "en": "Signing ceremony",
    }
    assert ceremony.venue == {"zh": "会场", "ru": "Зал", "en": "Hall"}
    assert ceremony.host_language == "ru"
    assert ceremony.segments[1].title["ru"] == "Приветственное слово"
    assert ceremony.segments[1].performer == {"ru": "Глава района"}


def test_a_host_language_that_is_not_a_content_language_is_refused(trilingual, client):
    response = client.post(
        url(trilingual, "/edit?lang=en"),
        data={
            "title_zh": "签约仪式",
            "starts_local": "2026-12-16T09:30",
            "host_language": "<script>",
            "slot_minutes": "60",
        },
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Ceremony, trilingual.id).host_language == "zh"


def test_a_host_language_the_event_dropped_can_still_be_saved(trilingual, client):
    trilingual.host_language = "kk"
    db.session.commit()
    data = {
        "title_zh": "签约仪式",
        "starts_local": "2026-12-16T09:30",
        "host_language": "kk",
        "slot_minutes": "45",
    }
    assert client.post(url(trilingual, "/edit"), data=data).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Ceremony, trilingual.id)
    assert (saved.host_language, saved.slot_minutes) == ("kk", 45)
    # Texts of languages the form shows are replaced; Russian and English titles were cleared.
    assert saved.title == {"zh": "签约仪式"}


def test_a_fourth_language_is_configuration(trilingual, client):
    """Kazakh added to the event: inputs, storage, agenda and host script, no migration."""
    trilingual.event.content_languages = ["zh", "ru", "en", "kk"]
    db.session.commit()
    item = trilingual.items[0]
    form = {
        "title_zh": "合作协议",
        "title_kk": "Ынтымақтастық туралы келісім",
        "duration_minutes": "3",
        "parties-0-organization_zh": "甲方",
        "parties-0-organization_kk": "А тарапы",
        "parties-0-country": "CN",
        "parties-1-organization_en": "Party B",
        "parties-1-country": "KZ",
    }
    response = client.post(url(trilingual, f"/items/{item.id}/edit"), data=form)
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(SigningItem, item.id)
    assert saved.title["kk"] == "Ынтымақтастық туралы келісім"
    assert saved.parties[0].organization == {"zh": "甲方", "kk": "А тарапы"}

    text = pdf_text(client.get(url(trilingual, "/agenda.pdf?languages=kk,ru")).data)
    assert "Ынтымақтастық туралы келісім" in text and "А тарапы" in text

    ceremony = db.session.get(Ceremony, trilingual.id)
    ceremony.host_language = "kk"
    db.session.commit()
    html = client.get(url(trilingual, "/host-script")).get_data(as_text=True)
    assert '<html lang="kk">' in html and "Ынтымақтастық туралы келісім" in html


def test_the_event_dashboard_lists_ceremony_texts_missing_a_language(trilingual, app, client):
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        gaps = content_gaps(trilingual.event)
    ceremony_gaps = {str(gap.what): gap for gap in gaps if "Ceremony" in str(gap.what)}
    venue = ceremony_gaps["Ceremony “Signing ceremony”: title and venue"]
    assert venue.missing == ("en",)
    assert venue.url == url(trilingual, "/edit")
    segment = trilingual.segments[0]
    opening = ceremony_gaps["Ceremony “Signing ceremony”: agenda segment “开场”"]
    assert opening.missing == ("ru",)
    assert opening.url == url(trilingual, f"/segments/{segment.id}/edit")
    item = next(g for w, g in ceremony_gaps.items() if "signing item" in w)
    assert item.missing == ("ru", "en")  # Party B: no Russian name; the witness: no English
    html = client.get(f"/manage/{trilingual.event.slug}/?lang=en").get_data(as_text=True)
    assert url(trilingual, "/edit") in html


def test_the_demo_ceremony_is_written_in_russian(app):
    from app.ceremonies.demo import ITEMS, SEGMENTS, TITLE, VENUE

    texts = [TITLE, VENUE, *(t for _, t, p, _ in SEGMENTS), *(d.title for d in ITEMS)]
    texts += [t for d in ITEMS for p in d.parties for t in (p.organization, p.signatory_title)]
    texts += [t for d in ITEMS for w in d.witnesses for t in (w.title, w.organization)]
    texts += [p for _, _, p, _ in SEGMENTS if p]
    assert all(text.missing(["zh", "ru", "en"]) == [] for text in texts)
    assert all(re.search("[А-Яа-я]", text["ru"]) for text in texts)
    assert db.session.scalar(select(Ceremony)) is None
