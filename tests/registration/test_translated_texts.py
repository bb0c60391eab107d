"""Category and question texts in the reader's language (#17): the registration form, the
fallback marked with `lang`, the badge, the scanner, the export and the dashboard's gaps."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.registration.models import Attendance, Question, QuestionKind, Registration
from app.registration.services import ParticipantData, register_participant
from app.registration.tickets import badge_data, render_registration_badge
from app.translated import Translated
from tests.conftest import form_data
from tests.pdf_support import pdf_text
from tests.registration.organizer_support import sign_in_organizer


@pytest.fixture
def event(make_event, make_category):
    event = make_event()
    event.content_languages = ["zh", "ru", "en"]
    db.session.commit()
    make_category(
        event,
        code="guest",
        position=1,
        name=Translated(zh="政府嘉宾", ru="Представитель органов власти", en="Government guest"),
        description=Translated(
            zh="须经组委会审核", ru="После одобрения оргкомитетом", en="After approval"
        ),
    )
    # No Russian (nor English) yet: Russian readers get the Chinese, marked as such.
    make_category(event, code="media", position=2, name=Translated(zh="媒体记者"), capacity=0)
    db.session.add(
        Question(
            event_id=event.id,
            kind=QuestionKind.SINGLE_CHOICE,
            label=Translated(zh="餐饮需求", ru="Особенности питания", en="Dietary requirements"),
            choices=[
                {"value": "veg", "zh": "素食", "ru": "Вегетарианское питание", "en": "Vegetarian"},
                {"value": "halal", "zh": "清真"},
            ],
        )
    )
    db.session.commit()
    return event


def _tags_around(page: str, text: str) -> str:
    """The markup just before `text` on the page."""
    index = page.index(text)
    return page[max(0, index - 80) : index]


def test_russian_registration_page_shows_russian_category_and_question_texts(client, event):
    page = client.get(f"/e/{event.slug}/register?lang=ru").text
    assert "Представитель органов власти" in page
    assert "Особенности питания" in page
    assert "Вегетарианское питание" in page
    assert "Government guest" not in page and "政府嘉宾" not in page
    # Russian texts are in the page's language: no lang attribute on them.
    assert 'lang="zh"' not in _tags_around(page, "Особенности питания")


def test_missing_russian_text_falls_back_with_its_lang_attribute(client, event):
    page = client.get(f"/e/{event.slug}/register?lang=ru").text
    # The full category's option keeps our wording around the organizer's Chinese name.
    assert re.search(r'<span lang="zh">媒体记者</span> · [^<]*лист ожидания', page), page
    assert '<span lang="zh">清真</span>' in page
    # The event page lists the categories with their descriptions, fallback marked too.
    event_page = client.get(f"/e/{event.slug}/?lang=ru").text
    assert "После одобрения оргкомитетом" in event_page
    assert '<span lang="zh">媒体记者</span>' in event_page


def test_english_reader_falls_back_in_the_events_order(client, event):
    page = client.get(f"/e/{event.slug}/register?lang=en").text
    assert "Government guest" in page
    # English missing: the event's order is zh, ru, en, so the Chinese comes first.
    assert '<span lang="zh">媒体记者</span>' in page


def test_a_russian_registration_is_stored_and_its_badge_names_the_category_in_russian(
    client, event
):
    guest = next(c for c in event.categories if c.code == "guest")
    (question,) = event.questions
    response = client.post(
        f"/e/{event.slug}/register?lang=ru",
        data=form_data(guest, language="ru", **{f"q_{question.id}": "veg"}),
    )
    assert response.status_code == 302
    registration = db.session.scalars(select(Registration)).one()
    assert registration.answers == {str(question.id): "veg"}
    assert badge_data(registration).category_label == "Представитель органов власти"
    text = pdf_text(render_registration_badge(registration))
    assert "Представитель органов власти" in text.replace("\n", " ")


def test_a_russian_registrants_mail_and_the_fallback_badge(event, app):
    media = next(c for c in event.categories if c.code == "media")
    media.capacity = None
    db.session.commit()
    data = ParticipantData(
        native_name="Иван Петров",
        latin_name="Ivan Petrov",
        email="ivan@example.org",
        country="RU",
        attendance=Attendance.ONSITE,
        language="ru",
    )
    registration = register_participant(event, media, data, notify=False)
    db.session.commit()
    assert badge_data(registration).category_label == "媒体记者"  # the only text there is


def test_the_dashboard_lists_missing_category_and_question_texts(
    client, auth, make_event, make_user, make_category
):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    desk.event.content_languages = ["zh", "ru", "en"]
    category = make_category(
        desk.event, code="media", name=Translated(zh="媒体", en="Media"), description=Translated()
    )
    question = Question(
        event_id=desk.event.id,
        kind=QuestionKind.SINGLE_CHOICE,
        label=Translated(zh="餐饮", ru="Питание", en="Meal"),
        choices=[{"value": "veg", "zh": "素食", "ru": "Вегетарианское", "en": "Vegetarian"}],
    )
    complete = Question(
        event_id=desk.event.id,
        kind=QuestionKind.TEXT,
        label=Translated(zh="备注", ru="Примечание", en="Remark"),
    )
    db.session.add_all([question, complete])
    db.session.commit()
    page = client.get(f"{desk.base}/?lang=en").text
    edit = f"{desk.base}/categories/{category.id}/edit"
    assert f'href="{edit}"' in page
    assert "Category “Media”: name and description" in page
    assert "Remark" not in page  # complete in every language
    assert "Meal" not in page
    # A choice missing a language makes its question a gap.
    question.choices = [{"value": "veg", "zh": "素食", "en": "Vegetarian"}]
    db.session.commit()
    page = client.get(f"{desk.base}/?lang=en").text
    assert "Question “Meal”: question and choices" in page
    assert f'href="{desk.base}/questions/{question.id}/edit"' in page
