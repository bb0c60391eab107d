"""Registering on a phone: the demo-like event, in Chinese and in English, then cancelling."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.events.models import Event
from app.extensions import db
from app.registration.models import Question, QuestionKind, Registration, RegistrationState
from app.translated import Translated
from tests.browser.conftest import PHONE_VIEWPORT, end_transaction, horizontal_overflow

pytestmark = pytest.mark.browser

MIN_TAP_TARGET = 44  # CSS px; Apple's and Google's guidance for touch targets


@pytest.fixture
def conference(make_event, make_category):
    """An open conference like the demo's, with two categories and a required question."""
    event = make_event(
        slug="tech-transfer-2020",
        title=Translated(
            zh="2020 国际技术转移大会", en="2020 International Technology Transfer Conference"
        ),
    )
    guests = make_category(
        event, name=Translated(zh="嘉宾", en="Guest", ru="Гость"), capacity=50, position=1
    )
    make_category(event, name=Translated(zh="媒体", en="Media", ru="СМИ"), capacity=20, position=2)
    db.session.add(
        Question(
            event_id=event.id,
            kind=QuestionKind.TEXT,
            label=Translated(zh="饮食要求", en="Dietary requirements", ru="Особенности питания"),
            required=True,
        )
    )
    db.session.commit()
    question = db.session.scalar(select(Question).where(Question.event_id == event.id))
    snapshot = (
        SimpleNamespace(slug=event.slug),
        SimpleNamespace(id=guests.id),
        SimpleNamespace(id=question.id),
    )
    end_transaction()
    return snapshot


def registrations_by_email(email: str) -> list[SimpleNamespace]:
    """What the database holds for an email, read in a transaction that is closed again."""
    rows = db.session.scalars(select(Registration).where(Registration.email == email)).all()
    found = [
        SimpleNamespace(
            state=r.state,
            latin_name=r.latin_name,
            language=r.language,
            country=r.country,
            answers=r.answers,
        )
        for r in rows
    ]
    end_transaction()
    return found


def open_registration_form(page, event) -> None:
    """From the event page, tap the first category's Register button."""
    page.goto(f"/e/{event.slug}/")
    page.locator(f'a[href*="/e/{event.slug}/register"]').first.tap()
    page.wait_for_selector("#registration-form")


def fill_form(page, category, question, *, native_name, email, latin_name=None, answer="无"):
    """Fill the registration form the way a person on a phone does, field by field."""
    page.locator(f"input[name=category_id][value='{category.id}']").check()
    page.locator("#native_name").tap()
    page.locator("#native_name").fill(native_name)
    page.locator("#email").tap()  # leaving the name field fires its change event
    if latin_name is not None:
        page.locator("#latin_name").fill(latin_name)
    page.locator("#email").fill(email)
    page.locator("#phone").fill("+86 138 0013 8000")
    page.locator("#organization").fill("青岛大学" if latin_name is None else "Example Labs")
    page.locator("#job_title").fill("教授" if latin_name is None else "Engineer")
    page.locator("#country").select_option("CN" if latin_name is None else "GB")
    page.locator(f"#q_{question.id}").fill(answer)
    page.locator("#consent").check()


def assert_fits_phone(page) -> None:
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], f"page is {width}px wide on a 390px phone"
    assert horizontal_overflow(page) == 0


def small_tap_targets(page) -> list[str]:
    """Visible buttons, text inputs and selects of the form shorter than MIN_TAP_TARGET."""
    return page.evaluate(
        """(minimum) => Array.from(document.querySelectorAll(
               '#registration-form button, #registration-form select, '
               + '#registration-form input:not([type=hidden]):not([type=radio])'
               + ':not([type=checkbox])'))
           .filter(el => el.offsetParent !== null)
           .filter(el => el.getBoundingClientRect().height < minimum)
           .map(el => `${el.id || el.tagName}: ${el.getBoundingClientRect().height}px`)""",
        MIN_TAP_TARGET,
    )


def test_phone_registration_in_chinese_then_english_then_cancel(
    live_server, phone_page, conference, screenshot_dir
):
    event, guests, question = conference
    page = phone_page

    open_registration_form(page, event)
    assert_fits_phone(page)
    fill_form(page, guests, question, native_name="张伟", email="zhang.wei@example.cn")
    # static/js/registration-form.js pre-fills the Latin name from the Chinese one.
    page.wait_for_function("() => document.getElementById('latin_name').value !== ''")
    assert page.locator("#latin_name").input_value() == "Zhang Wei"
    assert_fits_phone(page)
    assert small_tap_targets(page) == []
    page.screenshot(path=str(screenshot_dir / "registration-form-phone-zh.png"), full_page=True)

    page.locator("#registration-form button[type=submit]").tap()
    page.wait_for_selector("#registration-done")
    assert re.search(r"/r/[^/?]+\?created=1$", page.url)
    assert page.locator("#registration-summary").inner_text().count("张伟 (Zhang Wei)") == 1
    assert_fits_phone(page)
    page.screenshot(path=str(screenshot_dir / "registration-done-phone-zh.png"), full_page=True)
    [zhang] = registrations_by_email("zhang.wei@example.cn")
    assert zhang.state == RegistrationState.CONFIRMED
    assert zhang.latin_name == "Zhang Wei"
    assert zhang.answers == {str(question.id): "无"}

    # The language switch is remembered for the rest of the visit.
    page.locator(".lang-switch a[hreflang=en]").tap()
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    open_registration_form(page, event)
    assert page.locator("html").get_attribute("lang") == "en"
    fill_form(
        page,
        guests,
        question,
        native_name="Emily Clark",
        latin_name="",
        email="emily.clark@example.org",
        answer="Vegetarian",
    )
    assert page.locator("#latin_name").input_value() == ""  # not a Chinese name: left alone
    page.locator("#registration-form button[type=submit]").tap()
    page.wait_for_selector("#registration-done")
    manage_link = page.url.split("?")[0]
    [emily] = registrations_by_email("emily.clark@example.org")
    assert emily.state == RegistrationState.CONFIRMED
    assert emily.latin_name == "Emily Clark"
    assert emily.language == "en"
    assert emily.country == "GB"

    # Later, from the link in the email: open the self-service page and cancel.
    page.goto(manage_link)
    assert_fits_phone(page)
    page.locator("#cancel-form").locator("xpath=..").locator("summary").tap()
    page.locator("#cancel-form button[type=submit]").tap()
    page.wait_for_selector("#registration-summary .state-cancelled")
    assert page.locator("#edit-link").count() == 0
    [emily] = registrations_by_email("emily.clark@example.org")
    assert emily.state == RegistrationState.CANCELLED
    [zhang] = registrations_by_email("zhang.wei@example.cn")
    assert zhang.state == RegistrationState.CONFIRMED


def test_phone_registration_with_invalid_email_shows_the_field_error(
    live_server, phone_page, conference
):
    event, guests, question = conference
    page = phone_page

    open_registration_form(page, event)
    fill_form(page, guests, question, native_name="李娜", email="li.na-at-example.cn")
    page.locator("#registration-form button[type=submit]").tap()
    page.wait_for_selector("#form-errors")

    error = page.locator("#email-help.field-error")
    assert error.is_visible()
    assert error.inner_text().strip() != ""
    assert page.locator("#email").get_attribute("aria-invalid") == "true"
    assert page.locator("#email").input_value() == "li.na-at-example.cn"  # kept for correcting
    assert page.locator("#latin_name").input_value() == "Li Na"
    assert_fits_phone(page)
    assert registrations_by_email("li.na-at-example.cn") == []


def test_chinese_phone_browser_gets_chinese_mail_language_by_default(
    live_server, phone_page, conference
):
    event, _, _ = conference
    open_registration_form(phone_page, event)
    assert phone_page.locator(".lang-switch [aria-current=true]").inner_text() == "中文"
    assert phone_page.locator("#language").input_value() == "zh_CN"


# --- errors go once corrected; touch targets; checkboxes ------------------------------------


@pytest.fixture
def conference_with_sessions(conference):
    """The conference, plus the demo's "Sessions of interest" as a multiple-choice question."""
    event, guests, question = conference
    sessions = Question(
        event_id=db.session.scalar(select(Event.id).where(Event.slug == event.slug)),
        kind=QuestionKind.MULTIPLE_CHOICE,
        label=Translated(zh="感兴趣的环节", en="Sessions of interest", ru="Интересующие секции"),
        choices=[
            {"value": "opening", "zh": "开幕式及签约仪式", "en": "Opening", "ru": "Открытие"},
            {"value": "matchmaking", "zh": "技术成果对接会", "en": "Matchmaking", "ru": "Встречи"},
            {"value": "final", "zh": "青年创新创业大赛决赛", "en": "Final", "ru": "Финал"},
        ],
        position=5,
    )
    db.session.add(sessions)
    db.session.commit()
    snapshot = SimpleNamespace(id=sessions.id)
    end_transaction()
    return event, guests, question, snapshot


def field_state(page, field_id: str) -> tuple[str | None, str | None, str | None]:
    """(aria-invalid, class of the help line, its text) of a field."""
    return tuple(
        page.evaluate(
            """(id) => { const help = document.getElementById(id + '-help');
                     return [document.getElementById(id).getAttribute('aria-invalid'),
                             help && help.className, help && help.textContent.trim()]; }""",
            field_id,
        )
    )


def test_a_corrected_field_loses_its_error_at_once_and_only_then(
    live_server, phone_page, conference
):
    event, guests, question = conference
    page = phone_page
    open_registration_form(page, event)
    fill_form(page, guests, question, native_name="李娜", email="li.na-at-example.cn")
    page.locator("#latin_name").fill("Ли На")  # not Latin letters
    page.locator(f"#q_{question.id}").fill("")
    page.locator("#consent").uncheck()
    page.locator("#registration-form button[type=submit]").tap()
    page.wait_for_selector("#form-errors")
    description = "根据中文姓名自动填写"
    for field_id in ("email", "latin_name", f"q_{question.id}", "consent"):
        invalid, help_class, _ = field_state(page, field_id)
        assert (invalid, help_class) == ("true", "field-error"), field_id

    # Still wrong: the error stays.
    page.locator("#email").fill("li.na-at-example")
    assert field_state(page, "email")[:2] == ("true", "field-error")
    # Corrected: the error goes while typing, before any submit.
    page.locator("#email").fill("li.na@example.cn")
    assert field_state(page, "email") == (None, None, None)
    assert page.locator("#email").get_attribute("aria-describedby") is None
    # A field with a help text gets it back in place of the error.
    page.locator("#latin_name").fill("Li Na")
    invalid, help_class, text = field_state(page, "latin_name")
    assert (invalid, help_class) == (None, "field-help") and description in text
    page.locator(f"#q_{question.id}").fill("无")
    assert field_state(page, f"q_{question.id}")[0] is None
    assert page.locator("#form-errors").is_visible()  # the consent is still missing
    page.locator("label[for=consent]").tap()
    assert field_state(page, "consent")[0] is None
    assert not page.locator("#form-errors").is_visible()
    assert page.locator(".field-error").count() == 0

    page.locator("#registration-form button[type=submit]").tap()
    page.wait_for_selector("#registration-done")
    [li] = registrations_by_email("li.na@example.cn")
    assert li.latin_name == "Li Na"


def small_controls(page) -> list[str]:
    """Buttons, links, summaries and choice labels in the page's main part under 44×44 px
    (checkboxes and radios count by their label, which is what a finger taps)."""
    return page.evaluate(
        """(minimum) => Array.from(document.querySelector('main').querySelectorAll(
               'a, button, summary, select, label:has(input[type=radio]), '
               + 'label:has(input[type=checkbox]), '
               + 'input:not([type=hidden]):not([type=radio]):not([type=checkbox])'))
           .filter(el => el.offsetParent !== null)
           .map(el => [el, el.getBoundingClientRect()])
           .filter(([el, r]) => r.width < minimum || r.height < minimum)
           .map(([el, r]) => `${el.tagName}#${el.id} "${el.textContent.trim().slice(0, 24)}"`
                             + ` ${Math.round(r.width)}×${Math.round(r.height)}`)""",
        MIN_TAP_TARGET,
    )


@pytest.mark.parametrize("lang", ["zh_CN", "ru"])
def test_participant_pages_fit_a_phone_with_44px_touch_targets(
    live_server, phone_page, conference_with_sessions, lang, screenshot_dir
):
    event, guests, question, sessions = conference_with_sessions
    page = phone_page
    page.goto(f"/e/{event.slug}/register?lang={lang}&category={guests.id}")
    assert_fits_phone(page)
    assert small_controls(page) == []
    # Sessions of interest: checkboxes, ticked by tapping their labels.
    assert page.locator(f"select[name=q_{sessions.id}]").count() == 0
    page.locator(f"label[for=q_{sessions.id}-0]").tap()
    page.locator(f"label[for=q_{sessions.id}-2]").tap()
    page.screenshot(path=str(screenshot_dir / f"register-phone-{lang}.png"), full_page=True)

    page.locator("#native_name").fill("Анна Смирнова")
    page.locator("#latin_name").fill("Anna Smirnova")
    page.locator("#email").fill(f"anna.{lang}@example.org")
    page.locator("#organization").fill("ТПУ")
    page.locator("#country").select_option("RU")
    page.locator(f"#q_{question.id}").fill("—")
    page.locator("label[for=consent]").tap()
    page.locator("#registration-form button[type=submit]").tap()
    page.wait_for_selector("#registration-done")
    [anna] = registrations_by_email(f"anna.{lang}@example.org")
    assert anna.answers[str(sessions.id)] == ["opening", "final"]

    assert_fits_phone(page)
    assert small_controls(page) == []
    page.screenshot(path=str(screenshot_dir / f"manage-phone-{lang}.png"), full_page=True)
    page.locator("#edit-link").tap()
    page.wait_for_selector("#edit-form")
    assert_fits_phone(page)
    assert small_controls(page) == []
    assert page.locator(f"#q_{sessions.id}-0").is_checked()
    assert not page.locator(f"#q_{sessions.id}-1").is_checked()
    page.screenshot(path=str(screenshot_dir / f"edit-phone-{lang}.png"), full_page=True)
