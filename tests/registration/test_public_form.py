"""The public registration form over HTTP: languages, confirmation mail, and every bad input."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.events.models import EventStatus
from app.extensions import db
from app.registration.models import (
    Question,
    QuestionKind,
    Registration,
    RegistrationState,
)
from app.registration.services import registration_from_token
from app.translated import Translated
from tests.conftest import form_data, manage_token_from
from tests.registration.support import (
    field_error,
    manage_link_in,
    outbox_mails,
    plain_body,
    registration_count,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


def register_url(event, lang: str | None = None) -> str:
    return f"/e/{event.slug}/register" + (f"?lang={lang}" if lang else "")


def only_registration() -> Registration:
    db.session.expire_all()
    return db.session.scalars(select(Registration)).one()


@pytest.fixture
def open_event(make_event, make_category):
    event = make_event()
    category = make_category(event, capacity=5)
    return event, category


# --- happy paths in three languages -------------------------------------------------------


def test_chinese_registration_redirects_to_the_self_service_page(client, open_event):
    event, category = open_event
    response = client.post(register_url(event, "zh_CN"), data=form_data(category))
    assert response.status_code == 302
    assert "/r/" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert 'id="registration-done"' in page.text
    assert "张伟" in page.text


def test_chinese_registration_stores_the_row_with_pinyin_latin_name(client, open_event):
    event, category = open_event
    client.post(
        register_url(event, "zh_CN"), data=form_data(category, email="Zhang.Wei@Example.org")
    )
    registration = only_registration()
    assert registration.state == RegistrationState.CONFIRMED
    assert registration.native_name == "张伟"
    assert registration.latin_name == "Zhang Wei"
    assert registration.email == "Zhang.Wei@Example.org"
    assert registration.active_email == "zhang.wei@example.org"
    assert registration.phone == "+8613800138000"
    assert registration.language == "zh_CN"
    assert registration.consent_at is not None
    assert [c.to_state for c in registration.changes] == [RegistrationState.CONFIRMED]


def test_chinese_registrant_gets_a_chinese_confirmation_mail_with_a_working_link(
    client, open_event
):
    event, category = open_event
    response = client.post(register_url(event, "zh_CN"), data=form_data(category))
    registration = only_registration()
    [(row, mail)] = outbox_mails(registration.id)
    assert row.kind == "registration.confirmed"
    assert row.language == "zh_CN"
    assert event.title["zh"] in mail["Subject"]
    assert CJK.search(mail["Subject"])
    assert registration.reference in plain_body(mail)
    link = manage_link_in(mail)
    # Both tokens name the same registration (they may be signed a second apart).
    mailed = registration_from_token(link.removeprefix("/r/"))
    redirected = registration_from_token(manage_token_from(response))
    assert mailed.id == redirected.id == registration.id
    page = client.get(link)
    assert page.status_code == 200
    assert registration.reference in page.text


def test_english_registrant_gets_an_english_confirmation_mail(client, open_event):
    event, category = open_event
    data = form_data(category, native_name="John Smith", language="en", country="GB")
    data["phone"] = "+44 20 7946 0958"
    response = client.post(register_url(event, "en"), data=data)
    assert response.status_code == 302
    registration = only_registration()
    assert registration.latin_name == "John Smith"
    [(row, mail)] = outbox_mails(registration.id)
    assert row.language == "en"
    subject = mail["Subject"]
    assert event.title["en"] in subject
    assert not CJK.search(subject)
    assert subject.isascii()
    assert client.get(manage_link_in(mail)).status_code == 200


def test_russian_registrant_with_latin_name_is_registered_and_mailed_in_russian(client, open_event):
    event, category = open_event
    data = form_data(
        category,
        native_name="Иван Петров",
        latin_name="Ivan Petrov",
        language="ru",
        country="RU",
        phone="+7 912 345 67 89",
        organization="Новосибирский университет",
        job_title="",
    )
    response = client.post(register_url(event, "ru"), data=data)
    assert response.status_code == 302
    registration = only_registration()
    assert (registration.native_name, registration.latin_name) == ("Иван Петров", "Ivan Petrov")
    assert registration.phone == "+79123456789"
    [(row, mail)] = outbox_mails(registration.id)
    assert row.language == "ru"
    assert event.text(event.title, "ru") in mail["Subject"]
    assert client.get(manage_link_in(mail)).status_code == 200


def test_cyrillic_name_without_latin_name_is_refused_with_a_field_error(client, open_event):
    event, category = open_event
    data = form_data(category, native_name="Иван Петров", latin_name="", language="ru")
    response = client.post(register_url(event, "ru"), data=data)
    assert response.status_code == 400
    assert field_error(response.text, "latin_name")
    assert registration_count() == 0


def test_full_category_waitlists_instead_of_refusing(client, make_event, make_category):
    event = make_event()
    category = make_category(event, capacity=1)
    client.post(register_url(event, "en"), data=form_data(category))
    response = client.post(register_url(event, "en"), data=form_data(category))
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "waiting list" in page.text
    db.session.expire_all()
    states = sorted(r.state.value for r in db.session.scalars(select(Registration)))
    assert states == ["confirmed", "waitlisted"]


# --- bad input: 400, a field error, no row ------------------------------------------------


BAD_FIELD_VALUES = [
    ("native_name", "", "native_name"),
    ("native_name", "   ", "native_name"),
    ("native_name", "张" * 101, "native_name"),
    ("organization", "", "organization"),
    ("organization", "x" * 201, "organization"),
    ("job_title", "x" * 201, "job_title"),
    ("latin_name", "x" * 101, "latin_name"),
    ("latin_name", "Zhang 伟", "latin_name"),
    ("email", "", "email"),
    ("email", "not-an-email", "email"),
    ("email", "a@b", "email"),
    ("email", "x" * 250 + "@example.org", "email"),
    ("phone", "12345", "phone"),
    ("phone", "call me maybe", "phone"),
    ("phone", "+86 " + "1" * 40, "phone"),
    ("country", "", "country"),
    ("country", "XX", "country"),
    ("country", "EU", "country"),
    ("attendance", "teleport", "attendance"),
    ("language", "fr", "language"),
    ("organization", "Evil\x1bCorp", "organization"),
    ("native_name", "张伟\nBcc: x@example.org", "native_name"),
    ("native_name", "张" * 100, "latin_name"),  # its pinyin is too long to be a name
]


@pytest.mark.parametrize(("name", "value", "error_field"), BAD_FIELD_VALUES)
def test_bad_value_gets_400_with_field_error_and_no_row(
    client, open_event, name, value, error_field
):
    event, category = open_event
    response = client.post(register_url(event, "en"), data=form_data(category, **{name: value}))
    assert response.status_code == 400
    assert field_error(response.text, error_field), response.text
    assert 'id="form-errors"' in response.text
    assert registration_count() == 0


def test_nul_in_a_field_is_refused_with_a_message_and_no_row(client, open_event):
    event, category = open_event
    response = client.post(
        register_url(event, "en"), data=form_data(category, native_name="张\x00伟")
    )
    assert response.status_code == 400
    assert "characters that are not allowed" in response.text
    assert registration_count() == 0


@pytest.mark.parametrize("missing", ["native_name", "email", "country", "attendance", "consent"])
def test_missing_field_gets_400_with_field_error_and_no_row(client, open_event, missing):
    event, category = open_event
    data = form_data(category)
    del data[missing]
    response = client.post(register_url(event, "en"), data=data)
    assert response.status_code == 400
    assert field_error(response.text, missing)
    assert registration_count() == 0


def test_missing_language_defaults_to_the_page_language(client, open_event):
    event, category = open_event
    data = form_data(category, native_name="John Smith")
    del data["language"]
    assert client.post(register_url(event, "ru"), data=data).status_code == 302
    assert only_registration().language == "ru"


def test_missing_consent_is_refused_with_a_clear_message(client, open_event):
    event, category = open_event
    response = client.post(register_url(event, "en"), data=form_data(category, consent=None))
    assert response.status_code == 400
    assert field_error(response.text, "consent") == "Your consent is needed to register."
    assert registration_count() == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"closes_at": utcnow() - timedelta(minutes=1)}, "has closed"),
        ({"opens_at": utcnow() + timedelta(days=1)}, "has not opened yet"),
    ],
)
def test_category_outside_its_window_is_refused_with_a_clear_message(
    client, make_event, make_category, change, message
):
    event = make_event()
    make_category(event)  # another category stays open so the form is shown
    closed = make_category(event, **change)
    response = client.post(register_url(event, "en"), data=form_data(closed))
    assert response.status_code == 400
    assert message in field_error(response.text, "category_id")
    assert registration_count() == 0


def test_closed_category_is_not_offered_on_the_form(client, make_event, make_category):
    event = make_event()
    open_category = make_category(event)
    closed = make_category(event, closes_at=utcnow() - timedelta(minutes=1))
    page = client.get(register_url(event, "en"))
    assert page.status_code == 200
    assert f'value="{open_category.id}"' in page.text
    assert f'value="{closed.id}"' not in page.text


def test_hidden_category_is_refused(client, make_event, make_category):
    event = make_event()
    make_category(event)
    hidden = make_category(event, is_public=False)
    response = client.post(register_url(event, "en"), data=form_data(hidden))
    assert response.status_code == 400
    assert field_error(response.text, "category_id")
    assert registration_count() == 0


def test_registration_to_an_event_that_is_not_open_is_refused(client, make_event, make_category):
    event = make_event(status=EventStatus.CLOSED)
    category = make_category(event)
    response = client.post(register_url(event, "en"), data=form_data(category))
    assert response.status_code == 400
    assert "Registration for this event is not open." in response.text
    assert registration_count() == 0


def test_registration_to_a_draft_event_is_not_found(client, make_event, make_category):
    """A draft event is hidden from the public altogether (see tests/security)."""
    event = make_event(status=EventStatus.DRAFT)
    category = make_category(event)
    response = client.post(register_url(event, "en"), data=form_data(category))
    assert response.status_code == 404
    assert registration_count() == 0


def test_closed_event_shows_the_not_open_page_on_get(client, make_event, make_category):
    event = make_event(status=EventStatus.CLOSED)
    make_category(event)
    response = client.get(register_url(event, "en"))
    assert response.status_code == 200
    assert "Registration for this event is not open." in response.text
    assert 'id="registration-form"' not in response.text


def test_duplicate_email_is_refused_with_a_notice_and_no_second_row(client, open_event):
    event, category = open_event
    client.post(register_url(event, "en"), data=form_data(category, email="dup@example.org"))
    response = client.post(
        register_url(event, "en"), data=form_data(category, email="  DUP@example.ORG ")
    )
    assert response.status_code == 400
    assert "already registered" in field_error(response.text, "email")
    assert 'id="duplicate-notice"' in response.text
    assert registration_count() == 1


@pytest.mark.parametrize("tampered", ["other-event", "abc", "-1", "0", "1.5", "", "99999999999"])
def test_tampered_category_id_is_refused(client, open_event, make_event, make_category, tampered):
    event, category = open_event
    if tampered == "other-event":
        tampered = str(make_category(make_event()).id)
    response = client.post(
        register_url(event, "en"), data=form_data(category, category_id=tampered)
    )
    assert response.status_code == 400
    assert field_error(response.text, "category_id")
    assert registration_count() == 0


def test_garbage_category_in_the_query_string_still_shows_the_form(client, open_event):
    event, _category = open_event
    for value in ("²", "abc", "-3", "9" * 40):
        response = client.get(f"/e/{event.slug}/register", query_string={"category": value})
        assert response.status_code == 200, value


def test_category_in_the_query_string_preselects_it(client, open_event):
    event, category = open_event
    page = client.get(f"/e/{event.slug}/register?category={category.id}")
    assert re.search(
        rf'value="{category.id}"[^>]*checked|checked[^>]*value="{category.id}"', page.text
    )


@pytest.fixture
def event_with_questions(make_event, make_category):
    event = make_event()
    category = make_category(event)
    diet = Question(
        event_id=event.id,
        kind=QuestionKind.SINGLE_CHOICE,
        label=Translated(zh="饮食", en="Diet"),
        required=True,
        choices=[
            {"value": "any", "zh": "不限", "en": "Anything"},
            {"value": "veg", "zh": "素食", "en": "Vegetarian"},
        ],
    )
    topics = Question(
        event_id=event.id,
        kind=QuestionKind.MULTIPLE_CHOICE,
        label=Translated(zh="议题", en="Topics"),
        choices=[{"value": "ai", "en": "AI"}, {"value": "bio", "en": "Biotech"}],
    )
    note = Question(
        event_id=event.id,
        kind=QuestionKind.TEXT,
        label=Translated(zh="备注", en="Note"),
        required=True,
    )
    db.session.add_all([diet, topics, note])
    db.session.commit()
    return event, category, diet, topics, note


def test_custom_answers_are_stored(client, event_with_questions):
    event, category, diet, topics, note = event_with_questions
    data = form_data(category)
    data.update({f"q_{diet.id}": "veg", f"q_{topics.id}": ["ai", "bio"], f"q_{note.id}": "hi"})
    response = client.post(register_url(event, "en"), data=data)
    assert response.status_code == 302
    assert only_registration().answers == {
        str(diet.id): "veg",
        str(topics.id): ["ai", "bio"],
        str(note.id): "hi",
    }


@pytest.mark.parametrize("which", ["diet", "note"])
def test_missing_required_custom_answer_is_refused(client, event_with_questions, which):
    event, category, diet, _topics, note = event_with_questions
    data = form_data(category)
    data.update({f"q_{diet.id}": "veg", f"q_{note.id}": "hi"})
    question = diet if which == "diet" else note
    del data[f"q_{question.id}"]
    response = client.post(register_url(event, "en"), data=data)
    assert response.status_code == 400
    assert field_error(response.text, f"q_{question.id}")
    assert registration_count() == 0


@pytest.mark.parametrize("which", ["diet", "topics"])
def test_invalid_choice_value_is_refused(client, event_with_questions, which):
    event, category, diet, topics, note = event_with_questions
    data = form_data(category)
    data.update({f"q_{diet.id}": "veg", f"q_{note.id}": "hi"})
    question = diet if which == "diet" else topics
    data[f"q_{question.id}"] = "meat-only"
    response = client.post(register_url(event, "en"), data=data)
    assert response.status_code == 400
    assert field_error(response.text, f"q_{question.id}")
    assert registration_count() == 0


def test_latin_name_is_refused_for_a_cyrillic_name_in_a_chinese_ui(client, open_event):
    event, category = open_event
    data = form_data(category, native_name="Пётр", latin_name="")
    response = client.post(register_url(event, "zh_CN"), data=data)
    assert response.status_code == 400
    assert field_error(response.text, "latin_name")
    assert registration_count() == 0
