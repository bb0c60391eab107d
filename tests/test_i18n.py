"""The page language: ?lang=, remembered choice, browser language, and the language switcher."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

SWITCHER_LABELS = {"zh_CN": "中文", "en": "EN", "ru": "RU"}


def html_lang(page: str) -> str:
    match = re.search(r"<html[^>]*\slang=\"([^\"]+)\"", page)
    assert match, "no <html lang>"
    return match.group(1)


def switcher(page: str) -> str:
    match = re.search(r'<li class="lang-switch">(.*?)</li>', page, re.S)
    assert match, "no language switcher"
    return match.group(1)


def switcher_links(page: str) -> dict[str, str]:
    """hreflang → href of the switcher's links."""
    return {
        hreflang: html.unescape(href)
        for href, hreflang in re.findall(r'<a href="([^"]+)" hreflang="([^"]+)"', switcher(page))
    }


@pytest.fixture
def register_url(make_event, make_category):
    event = make_event()
    make_category(event)
    return f"/e/{event.slug}/register"


@pytest.mark.parametrize(
    ("lang", "expected"), [("zh_CN", "zh-CN"), ("en", "en"), ("ru", "ru"), ("zh", "zh-CN")]
)
def test_lang_parameter_sets_the_html_lang(client, register_url, lang, expected):
    page = client.get(f"{register_url}?lang={lang}")
    assert page.status_code == 200
    assert html_lang(page.text) == expected


@pytest.mark.parametrize("lang", ["zh_CN", "en", "ru"])
def test_switcher_marks_the_current_language_and_links_the_others(client, register_url, lang):
    page = client.get(f"{register_url}?lang={lang}").text
    current = re.findall(r'<strong aria-current="true"[^>]*>([^<]+)</strong>', switcher(page))
    assert current == [SWITCHER_LABELS[lang]]
    links = switcher_links(page)
    others = {code.replace("_", "-") for code in SWITCHER_LABELS if code != lang}
    assert set(links) == others
    for hreflang, href in links.items():
        parts = urlsplit(href)
        assert parts.path == register_url
        assert parse_qs(parts.query)["lang"] == [hreflang.replace("-", "_")]


def test_switcher_link_switches_the_page_language(client, register_url):
    page = client.get(f"{register_url}?lang=en").text
    russian = client.get(switcher_links(page)["ru"])
    assert html_lang(russian.text) == "ru"


def test_switcher_keeps_other_query_arguments(client, register_url):
    page = client.get(f"{register_url}?lang=en&category=7").text
    query = parse_qs(urlsplit(switcher_links(page)["zh-CN"]).query)
    assert query == {"lang": ["zh_CN"], "category": ["7"]}


def test_chosen_language_is_remembered_for_the_next_page(client, register_url):
    client.get(f"{register_url}?lang=ru")
    assert html_lang(client.get(register_url).text) == "ru"
    assert html_lang(client.get("/").text) == "ru"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("ru-RU,ru;q=0.9", "ru"), ("en-US,en;q=0.8", "en"), ("zh-CN,zh;q=0.9", "zh-CN")],
)
def test_browser_language_is_used_without_a_choice(client, register_url, accept, expected):
    page = client.get(register_url, headers={"Accept-Language": accept})
    assert html_lang(page.text) == expected


def test_default_language_is_chinese(client, register_url):
    assert html_lang(client.get(register_url).text) == "zh-CN"


def test_unknown_lang_parameter_falls_back_without_error(client, register_url):
    page = client.get(f"{register_url}?lang=xx", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert html_lang(page.text) == "en"


def test_registration_form_defaults_the_mail_language_to_the_page_language(client, register_url):
    page = client.get(f"{register_url}?lang=ru").text
    assert re.search(r'<option selected value="ru">|<option value="ru" selected>', page), page


def test_every_registered_enum_value_has_a_name_in_each_language(app):
    """The |label filter's registry: each registered enum names every member, and the Chinese
    and Russian names are translations, not the stored English value."""
    from flask_babel import force_locale

    from app.i18n import label, registered_enum_labels

    registry = registered_enum_labels()
    assert len(registry) >= 6
    for locale in ("zh_CN", "ru"):
        with app.test_request_context(), force_locale(locale):
            for kind, labels in registry.items():
                assert set(labels) == set(kind), kind
                for member in kind:
                    shown = label(member)
                    assert shown and shown != member.value, (locale, kind, member)
                    assert label(member.value, kind) == shown


def test_a_stored_value_without_a_registered_enum_shows_as_it_is(app):
    from app.i18n import label

    with app.test_request_context():
        assert label("something else") == "something else"
        assert label(None) == ""
        assert label(3) == "3"
