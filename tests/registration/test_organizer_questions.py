"""Custom-question management by organizers, with choices entered one per line."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.registration.models import Question, QuestionKind
from tests.registration.organizer_support import sign_in_organizer
from tests.registration.support import field_error


@pytest.fixture
def desk(client, auth, make_event, make_user):
    return sign_in_organizer(client, auth, make_event, make_user)


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
        {"value": "halal", "zh": "清真", "en": "Halal", "ru": ""},
    ]


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
        "veg | 素食",  # too few parts
        "veg | 素食 | Vegetarian | Вег | extra",  # too many parts
        " | 素食 | Vegetarian",  # empty value
        "v e g | 素食 | Vegetarian",  # value with spaces
        "veg | | Vegetarian",  # missing Chinese label
        "veg | 素食 | ",  # missing English label
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
        data=question_form(choices="veg | 素食 | Vegetarian\nhalal | 清真"),
    )
    assert "Line 2" in field_error(response.text, "choices")


def test_choices_on_a_text_question_are_refused(desk):
    response = desk.client.post(f"{desk.base}/questions/new", data=question_form(kind="text"))
    assert response.status_code == 400
    assert field_error(response.text, "choices")


@pytest.mark.parametrize(
    ("field", "value"), [("kind", "essay"), ("label_en", ""), ("position", "-3")]
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
    assert question.label_en == "Meals"
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
    foreign = Question(event_id=other.id, kind=QuestionKind.TEXT, label_zh="问", label_en="Q")
    db.session.add(foreign)
    db.session.commit()
    assert desk.client.get(f"{desk.base}/questions/{foreign.id}/edit").status_code == 404
    assert desk.client.post(f"{desk.base}/questions/{foreign.id}/delete").status_code == 404
    assert len(questions()) == 1
