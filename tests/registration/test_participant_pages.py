"""What the participant's pages show: choices as checkboxes, countries in the reader's order,
times to the minute. (How they render on a phone: tests/browser/test_registration_*.py.)"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
from pypinyin import Style, lazy_pinyin

from app.extensions import db
from app.registration.models import Question, QuestionKind
from app.templating import event_time
from app.translated import Translated
from tests.conftest import form_data, manage_token_from

RUSSIAN_ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
SECONDS = re.compile(r"\d:\d\d:\d\d")


@pytest.fixture
def conference(make_event, make_category):
    """An open event with a multiple-choice question, as the demo's "Sessions of interest"."""
    event = make_event()
    category = make_category(event, capacity=50)
    sessions = Question(
        event_id=event.id,
        kind=QuestionKind.MULTIPLE_CHOICE,
        label=Translated(zh="感兴趣的环节", en="Sessions of interest", ru="Интересующие секции"),
        choices=[
            {"value": "opening", "zh": "开幕式", "en": "Opening", "ru": "Открытие"},
            {"value": "matchmaking", "zh": "对接会", "en": "Matchmaking", "ru": "Встречи"},
            {"value": "final", "zh": "决赛", "en": "Final", "ru": "Финал"},
        ],
    )
    db.session.add(sessions)
    db.session.commit()
    return event, category, sessions


def country_names(page: str) -> list[str]:
    """The country options of the registration form, in page order, without the blank one."""
    select = re.search(r'<select[^>]*id="country"[^>]*>(.*?)</select>', page, re.S).group(1)
    names = [html.unescape(n) for n in re.findall(r"<option[^>]*>([^<]*)</option>", select)]
    return [n for n in names if n != "—"]


# --- sessions of interest as checkboxes ---------------------------------------------------


def test_a_multiple_choice_question_is_a_list_of_checkboxes_not_a_list_box(client, conference):
    event, _, sessions = conference
    page = client.get(f"/e/{event.slug}/register?lang=en").text
    name = f"q_{sessions.id}"
    assert not re.search(rf'<select[^>]*name="{name}"', page)
    boxes = re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert len(boxes) == 3
    assert all('type="checkbox"' in box for box in boxes)
    # `required` on each box would tell the browser every box must be ticked.
    assert not any(re.search(r"\brequired\b", box) for box in boxes)
    for label in ("Opening", "Matchmaking", "Final"):
        assert re.search(
            rf'<label for="{name}-\d" class="choice"><input[^>]*> {label}</label>', page
        )


def test_ticked_sessions_are_stored_and_shown_ticked_on_the_edit_page(client, conference):
    event, category, sessions = conference
    name = f"q_{sessions.id}"
    response = client.post(
        f"/e/{event.slug}/register?lang=en",
        data={**form_data(category), name: ["opening", "final"]},
    )
    assert response.status_code == 302
    token = manage_token_from(response)
    page = client.get(f"/r/{token}/edit?lang=en").text
    ticked = re.findall(rf'<input checked[^>]*name="{name}"[^>]*value="(\w+)"', page)
    assert ticked == ["opening", "final"]


# --- countries in the reader's order ------------------------------------------------------


def test_countries_are_in_pinyin_order_on_a_chinese_page(client, conference):
    event, _, _ = conference
    names = country_names(client.get(f"/e/{event.slug}/register?lang=zh_CN").text)
    assert len(names) > 200
    initials = [lazy_pinyin(name, style=Style.FIRST_LETTER)[0].lower() for name in names]
    assert initials == sorted(initials)
    assert names[0].startswith("阿")  # a: 阿尔巴尼亚, 阿富汗 … (by code point 中国 came first)
    assert names.index("澳大利亚") < names.index("巴西") < names.index("英国") < names.index("中国")


def test_countries_are_alphabetical_on_a_russian_page(client, conference):
    event, _, _ = conference
    names = country_names(client.get(f"/e/{event.slug}/register?lang=ru").text)
    letters = [name[0].casefold() for name in names]
    assert all(letter in RUSSIAN_ALPHABET for letter in letters), set(letters)
    assert letters == sorted(letters, key=RUSSIAN_ALPHABET.index)
    # Lowercase names (о-ва …) sorted after Я by code point.
    assert names.index("Норвегия") < names.index("о-ва Кука") < names.index("Япония")


def test_countries_are_alphabetical_ignoring_accents_on_an_english_page(client, conference):
    event, _, _ = conference
    names = country_names(client.get(f"/e/{event.slug}/register?lang=en").text)
    assert names.index("Afghanistan") < names.index("Åland Islands") < names.index("Albania")
    assert names.index("Costa Rica") < names.index("Côte d’Ivoire") < names.index("Croatia")
    assert names[-1] == "Zimbabwe"


# --- times to the minute ------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh_CN", "ru", "en"])
@pytest.mark.parametrize("fmt", ["medium", "long", "full"])
def test_named_time_formats_show_hours_and_minutes_without_seconds(app, lang, fmt):
    nine_in_shanghai = datetime(2026, 5, 20, 1, 0, 5, tzinfo=UTC)
    with app.test_request_context(f"/?lang={lang}"):
        shown = event_time(nine_in_shanghai, "Asia/Shanghai", fmt)
    assert not SECONDS.search(shown), shown
    assert "9:00" in shown and "20" in shown and "2026" in shown


def test_the_event_page_shows_its_times_without_seconds(client, make_event):
    event = make_event(
        starts_at=datetime(2030, 5, 20, 1, 0, tzinfo=UTC),
        ends_at=datetime(2030, 5, 21, 10, 0, tzinfo=UTC),
    )
    for lang in ("zh_CN", "ru", "en"):
        page = client.get(f"/e/{event.slug}/?lang={lang}").text
        assert "09:00" in page or "9:00" in page
        assert not SECONDS.search(page), lang
