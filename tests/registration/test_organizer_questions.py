"""Custom-question management by organizers, with choices entered one per line."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.registration.models import Question, QuestionKind
from app.translated import Translated
from tests.registration.organizer_support import sign_in_organizer
from tests.registration.support import field_error


@pytest.fixture
def desk(client, auth, make_event, make_user):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    desk.event.content_languages = ["zh", "en", "ru"]
    db.session.commit()
    return desk


MEAL_CHOICES = "veg | 素食 | Vegetarian | Вегетарианское\nhalal | 清真 | Halal\n\n"


def question_form(**overrides) -> dict:
    data = {
        "kind": "single_choice",
        "label_zh": "餐饮",
        "label_en": "Meal",
        "label_ru": "Питание",
        "position": "1",
        "required": "y",
        "choices": MEAL_CHOICES,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def questions() -> list[Question]:
    db.session.expire_all()
    return list(db.session.scalars(select(Question).order_by(Question.id)).all())


def test_choice_question_is_created_with_parsed_choices(desk):
    response = desk.client.post(f"{desk.base}/questions/new", data=question_form())
    assert response.status_code == 302
    (question,) = questions()
    assert question.event_id == desk.event.id
    assert question.kind == QuestionKind.SINGLE_CHOICE
    assert question.required
    assert question.choices == [
        {"value": "veg", "zh": "素食", "en": "Vegetarian", "ru": "Вегетарианское"},
        {"value": "halal", "zh": "清真", "en": "Halal"},
    ]
    assert question.label == Translated(zh="餐饮", en="Meal", ru="Питание")


def test_text_question_needs_no_choices(desk):
    response = desk.client.post(
        f"{desk.base}/questions/new", data=question_form(kind="text", choices="")
    )
    assert response.status_code == 302
    assert questions()[0].choices == []


def test_new_question_appears_on_the_public_form(desk, make_category):
    make_category(desk.event)
    desk.client.post(f"{desk.base}/questions/new?lang=en", data=question_form())
    page = desk.client.get(f"/e/{desk.event.slug}/register?lang=en").text
    assert "Meal" in page and "Vegetarian" in page


@pytest.mark.parametrize(
    "choices",
    [
        "veg 素食 Vegetarian",  # no separators
        "veg",  # no label
        "veg | 素食 | Vegetarian | Вег | extra",  # more labels than content languages
        " | 素食 | Vegetarian",  # empty value
        "v e g | 素食 | Vegetarian",  # value with spaces
        "veg | | | ",  # a label in no language
        "veg | " + "素" * 201,  # too long
        "veg | 素食 | Vegetarian\nveg | 素食2 | Vegetarian 2",  # duplicate value
        "",  # a choice question without choices
    ],
)
def test_malformed_choices_are_refused(desk, choices):
    response = desk.client.post(
        f"{desk.base}/questions/new?lang=en", data=question_form(choices=choices)
    )
    assert response.status_code == 400
    assert field_error(response.text, "choices")
    assert questions() == []


def test_error_names_the_bad_line(desk):
    response = desk.client.post(
        f"{desk.base}/questions/new?lang=en",
        data=question_form(choices="veg | 素食 | Vegetarian\nhalal | | "),
    )
    assert "Line 2" in field_error(response.text, "choices")


def test_choices_on_a_text_question_are_refused(desk):
    response = desk.client.post(f"{desk.base}/questions/new", data=question_form(kind="text"))
    assert response.status_code == 400
    assert field_error(response.text, "choices")


@pytest.mark.parametrize(
    ("field", "value"), [("kind", "essay"), ("label_en", "x" * 301), ("position", "-3")]
)
def test_bad_question_fields_are_refused(desk, field, value):
    response = desk.client.post(f"{desk.base}/questions/new", data=question_form(**{field: value}))
    assert response.status_code == 400
    assert field_error(response.text, field)
    assert questions() == []


def test_edit_form_shows_choices_one_per_line(desk):
    desk.client.post(f"{desk.base}/questions/new", data=question_form())
    (question,) = questions()
    page = desk.client.get(f"{desk.base}/questions/{question.id}/edit").text
    assert "veg | 素食 | Vegetarian | Вегетарианское\nhalal | 清真 | Halal" in page


def test_edit_changes_a_question(desk):
    desk.client.post(f"{desk.base}/questions/new", data=question_form())
    (question,) = questions()
    response = desk.client.post(
        f"{desk.base}/questions/{question.id}/edit",
        data=question_form(kind="multiple_choice", label_en="Meals", required=None),
    )
    assert response.status_code == 302
    (question,) = questions()
    assert question.kind == QuestionKind.MULTIPLE_CHOICE
    assert question.label == Translated(zh="餐饮", en="Meals", ru="Питание")
    assert not question.required


def test_delete_removes_a_question(desk):
    desk.client.post(f"{desk.base}/questions/new", data=question_form())
    (question,) = questions()
    response = desk.client.post(f"{desk.base}/questions/{question.id}/delete")
    assert response.status_code == 302
    assert questions() == []


def test_delete_by_get_is_not_allowed(desk):
    desk.client.post(f"{desk.base}/questions/new", data=question_form())
    (question,) = questions()
    assert desk.client.get(f"{desk.base}/questions/{question.id}/delete").status_code == 405
    assert len(questions()) == 1


def test_question_list_shows_labels_and_choices(desk):
    desk.client.post(f"{desk.base}/questions/new?lang=en", data=question_form())
    page = desk.client.get(f"{desk.base}/questions?lang=en").text
    assert "Meal" in page and "Vegetarian; Halal" in page


def test_question_of_another_event_is_404(desk, make_event):
    other = make_event()
    foreign = Question(event_id=other.id, kind=QuestionKind.TEXT, label=Translated(zh="问", en="Q"))
    db.session.add(foreign)
    db.session.commit()
    assert desk.client.get(f"{desk.base}/questions/{foreign.id}/edit").status_code == 404
    assert desk.client.post(f"{desk.base}/questions/{foreign.id}/delete").status_code == 404
    assert len(questions()) == 1


def test_a_question_in_no_language_is_refused(desk):
    response = desk.client.post(
        f"{desk.base}/questions/new?lang=en",
        data=question_form(label_zh="", label_en="", label_ru=""),
    )
    assert response.status_code == 400
    assert "at least one language" in field_error(response.text, "label_zh")
    assert questions() == []


def test_choices_follow_the_events_content_languages(desk):
    desk.event.content_languages = ["ru", "zh", "kk"]
    db.session.commit()
    form = desk.client.get(f"{desk.base}/questions/new?lang=en").text
    assert "value | Russian | Chinese | Kazakh" in form
    assert (
        form.index('name="label_ru"')
        < form.index('name="label_zh"')
        < form.index('name="label_kk"')
    )
    response = desk.client.post(
        f"{desk.base}/questions/new",
        data={
            "kind": "single_choice",
            "label_ru": "Питание",
            "label_kk": "Тамақ",
            "position": "0",
            "choices": "veg | Вегетарианское | 素食 | Вегетариандық\nhalal | Халяль",
        },
    )
    assert response.status_code == 302
    (question,) = questions()
    assert question.label == Translated(ru="Питание", kk="Тамақ")
    assert question.choices == [
        {"value": "veg", "ru": "Вегетарианское", "zh": "素食", "kk": "Вегетариандық"},
        {"value": "halal", "ru": "Халяль"},
    ]
    page = desk.client.get(f"{desk.base}/questions/{question.id}/edit?lang=en").text
    assert "veg | Вегетарианское | 素食 | Вегетариандық\nhalal | Халяль" in page
    assert "Missing in: Chinese, Kazakh" in page
