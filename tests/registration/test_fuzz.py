"""Arbitrary input at every field of the registration and edit forms: never a 500, never a
half-written or inconsistent database."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import event as record_event
from hypothesis import strategies as st

from app.extensions import db
from app.registration.models import Question, QuestionKind
from app.translated import Translated
from tests.conftest import form_data, manage_token_from
from tests.registration.support import assert_consistent_database

ALLOWED_STATUSES = {200, 302, 303, 400, 404, 405, 410, 413}

FUZZ_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY_STRINGS = [
    "",
    " ",
    "\x00",
    "张\x00伟",
    "\r\nBcc: victim@example.org",
    "\u2028",
    "\ufeff",
    "\u202eevil",
    "𠮷野家",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "%s%n",
    "-1",
    "0",
    "1e309",
    "NaN",
    "9" * 40,
    "²",
    "٣",
    "null",
    "[]",
]

# Text of every kind: control characters, NUL, emoji, astral-plane CJK, and some very long.
any_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(NASTY_STRINGS),
    st.builds(lambda char, n: char * n, st.characters(codec="utf-8"), st.integers(100, 30_000)),
)


def field_value(valid):
    """A strategy for one form value: the valid one, arbitrary text, several values, or absent."""
    return st.one_of(
        st.just(valid),
        any_text,
        st.lists(any_text, min_size=2, max_size=3),
        st.none(),
    )


@pytest.fixture
def fuzz_event(make_event, make_category):
    event = make_event()
    small = make_category(event, capacity=2)
    closed_soon = make_category(event, capacity=1, requires_approval=True)
    db.session.add_all(
        [
            Question(
                event_id=event.id,
                kind=QuestionKind.SINGLE_CHOICE,
                label=Translated(zh="饮食", en="Diet"),
                required=True,
                choices=[{"value": "any", "en": "Anything"}, {"value": "veg", "en": "Veg"}],
            ),
            Question(
                event_id=event.id,
                kind=QuestionKind.MULTIPLE_CHOICE,
                label=Translated(zh="议题", en="Topics"),
                choices=[{"value": "ai", "en": "AI"}, {"value": "bio", "en": "Bio"}],
            ),
            Question(
                event_id=event.id, kind=QuestionKind.TEXT, label=Translated(zh="备注", en="Note")
            ),
            Question(
                event_id=event.id,
                kind=QuestionKind.LONG_TEXT,
                label=Translated(zh="简介", en="Bio"),
            ),
            Question(
                event_id=event.id, kind=QuestionKind.YES_NO, label=Translated(zh="住宿", en="Hotel")
            ),
            Question(
                event_id=event.id,
                kind=QuestionKind.COUNTRY,
                label=Translated(zh="国籍", en="Nationality"),
            ),
        ]
    )
    db.session.commit()
    question_ids = [q.id for q in event.questions]
    return event, [small, closed_soon], question_ids


def valid_submission(category, question_ids) -> dict:
    data = form_data(category)
    valid_answers = ["veg", "ai", "note", "long\ntext", "yes", "RU"]
    data.update({f"q_{qid}": value for qid, value in zip(question_ids, valid_answers, strict=True)})
    return data


def fuzzed_form(draw, valid: dict, extra_keys: list[str]) -> dict:
    """`valid` with a drawn subset of its fields replaced or dropped, plus stray extra fields."""
    corrupted = draw(st.sets(st.sampled_from(sorted(valid))))
    data = {}
    for key, value in valid.items():
        chosen = draw(field_value(value)) if key in corrupted else value
        if chosen is not None:
            data[key] = chosen
    for key in extra_keys:
        chosen = draw(st.one_of(st.none(), any_text))
        if chosen is not None:
            data[key] = chosen
    return data


@FUZZ_SETTINGS
@given(data=st.data(), lang=st.sampled_from(["zh_CN", "en", "ru", "xx", "", "\x00"]))
def test_registration_form_survives_arbitrary_input(client, fuzz_event, data, lang):
    event, categories, question_ids = fuzz_event
    category = data.draw(st.sampled_from(categories))
    submission = fuzzed_form(
        data.draw, valid_submission(category, question_ids), ["csrf_token", "q_999999", "id"]
    )
    response = client.post(
        f"/e/{event.slug}/register", query_string={"lang": lang}, data=submission
    )
    record_event(f"status {response.status_code}")
    assert response.status_code in ALLOWED_STATUSES, response.text[:2000]
    assert_consistent_database()


@pytest.fixture
def fuzz_token(client, fuzz_event):
    event, categories, question_ids = fuzz_event
    registered = client.post(
        f"/e/{event.slug}/register", data=valid_submission(categories[0], question_ids)
    )
    return manage_token_from(registered)


@FUZZ_SETTINGS
@given(data=st.data())
def test_edit_form_survives_arbitrary_input(client, fuzz_event, fuzz_token, data):
    _event, categories, question_ids = fuzz_event
    valid = valid_submission(categories[0], question_ids)
    for key in ("email", "category_id", "consent"):
        valid.pop(key)
    submission = fuzzed_form(data.draw, valid, ["email", "category_id"])
    response = client.post(f"/r/{fuzz_token}/edit", data=submission)
    record_event(f"status {response.status_code}")
    assert response.status_code in ALLOWED_STATUSES, response.text[:2000]
    assert_consistent_database()


@FUZZ_SETTINGS
@given(token=any_text, suffix=st.sampled_from(["", "/edit", "/cancel"]), post=st.booleans())
def test_self_service_links_survive_arbitrary_tokens(client, app, token, suffix, post):
    url = f"/r/{quote(token, safe='')}{suffix}"
    response = client.post(url) if post else client.get(url)
    # 308: the router's own redirect for an empty token ("/r//edit" → "/r/edit").
    assert response.status_code in ALLOWED_STATUSES | {308}


@FUZZ_SETTINGS
@given(category=any_text, lang=any_text)
def test_register_page_survives_arbitrary_query_strings(client, fuzz_event, category, lang):
    event, _categories, _question_ids = fuzz_event
    response = client.get(
        f"/e/{event.slug}/register", query_string={"category": category, "lang": lang}
    )
    # Text PostgreSQL cannot store is refused for the whole request (app/security/input.py).
    unstorable = any(ch == "\x00" or "\ud800" <= ch <= "\udfff" for ch in category + lang)
    assert response.status_code == (400 if unstorable else 200)


@FUZZ_SETTINGS
@given(name=any_text)
def test_transliteration_api_survives_arbitrary_names(client, app, name):
    response = client.get("/api/transliterate", query_string={"name": name})
    assert response.status_code in {200, 400}
    if response.status_code == 200:
        assert isinstance(response.get_json()["latin_name"], str)


def test_oversized_request_is_refused_with_413(client, fuzz_event):
    event, categories, question_ids = fuzz_event
    data = valid_submission(categories[0], question_ids)
    data["organization"] = "x" * (21 * 1024 * 1024)
    response = client.post(f"/e/{event.slug}/register", data=data)
    assert response.status_code == 413
    assert_consistent_database()
