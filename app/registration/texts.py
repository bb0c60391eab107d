"""The texts organizers write for registration (category names and descriptions, questions and
their choices) in the event's content languages: what is missing, shown to whom."""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import lazy_gettext as _l

from app.contributions import ContentGap, content_gap
from app.events.models import Event
from app.registration.models import Category, Question
from app.translated import Translated


def category_texts(category: Category) -> list[Translated]:
    return [category.name, category.description]


def question_texts(question: Question) -> list[Translated]:
    return [question.label, *(text for _value, text in question.choice_texts())]


def missing_languages(texts: list[Translated], languages: list[str]) -> list[str]:
    """The content languages some written text lacks (an optional text nobody wrote lacks
    nothing)."""
    gap = content_gap("", texts, languages)
    return list(gap.missing) if gap else []


def registration_content_gaps(event: Event) -> Iterator[ContentGap | None]:
    """The event's categories and questions whose texts lack a content language."""
    from flask import url_for
    from flask_babel import get_locale

    languages = event.languages
    for category in event.categories:
        yield content_gap(
            _l(
                "Category “%(name)s”: name and description",
                name=event.text(category.name, get_locale()),
            ),
            category_texts(category),
            languages,
            url_for("registration.edit_category", slug=event.slug, category_id=category.id),
        )
    for question in event.questions:
        yield content_gap(
            _l(
                "Question “%(label)s”: question and choices",
                label=event.text(question.label, get_locale()),
            ),
            question_texts(question),
            languages,
            url_for("registration.edit_question", slug=event.slug, question_id=question.id),
        )
