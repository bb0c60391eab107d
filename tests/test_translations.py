"""Catalogs: they compile and load, they are complete where they must be, placeholders survive
translation, and the .pot matches the strings in the code.

Completeness rule: every msgid needs Chinese (the demo's default UI language). Russian is
required for the msgids that a participant can see, decided by the msgid's source references
(the `#:` lines): a msgid needs Russian as soon as ONE of its references is a participant-facing
file (see `is_participant_facing`). Staff-only strings may fall back to English in Russian.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale, ngettext

from app.extensions import db
from app.mail.models import OutboxMessage
from app.translated import Translated
from tests.conftest import form_data

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "app" / "translations"
POT = TRANSLATIONS / "messages.pot"
LANGUAGES = ("zh", "ru", "en")
HINT = "run make messages and translate: app/translations/*/LC_MESSAGES/messages.po"

# Pages, mails and documents a participant (guest, team member, journalist) sees.
PARTICIPANT_FILES = {
    "app/__init__.py",  # the expired-form (CSRF) message on every public form
    "app/registration/forms.py",
    "app/registration/routes.py",
    "app/registration/services.py",  # the registration errors shown on the form
    "app/certificates/services.py",  # the wording printed on certificates
    "app/health/errors.py",  # the "try again in a moment" page while the database is away
    "app/privacy/forms.py",  # the deletion request form
    "app/privacy/routes.py",  # messages after a data download or deletion request
    "app/privacy/services.py",  # refusals of a deletion request
    "templates/privacy/_self_service.html",  # "Your data" on the personal page
    "templates/privacy/request_deletion.html",
    "templates/base.html",
    "templates/macros.html",  # registration state labels
    "templates/events/index.html",
    "templates/events/show.html",
    # A team's entry: the public form, the leader's pages and the refusals shown on them.
    "app/judging/submission_forms.py",
    "app/judging/submission_routes.py",
    "app/judging/submission_services.py",
    "templates/judging/submit_entry.html",
    "templates/judging/submit_closed.html",
    "templates/judging/_member_row.html",
    "templates/judging/_deck_field.html",
    "templates/judging/team_entry.html",
    "templates/judging/team_entry_edit.html",
}
PARTICIPANT_DIRECTORIES = (
    "templates/registration/",
    "templates/mail/",
    "templates/documents/",
    "templates/errors/",
)
PARTICIPANT_PREFIXES = (
    "templates/certificates/verify",
    "templates/certificates/lookup",
    "templates/certificates/_lookup_form",
)
# Staff pages that live in the participant directories above.
STAFF_FILE_PREFIXES = (
    "templates/registration/organizer_",
    "templates/registration/mailings",
    "templates/registration/badges",
    "templates/registration/badge_sheet",
    "templates/mail/outbox",
)

PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%%|\{\w*\}")


def is_participant_facing(path: str) -> bool:
    """Whether a source file (as written in a `#:` reference) is seen by participants."""
    if path.startswith(STAFF_FILE_PREFIXES):
        return False
    return (
        path in PARTICIPANT_FILES
        or path.startswith(PARTICIPANT_DIRECTORIES)
        or path.startswith(PARTICIPANT_PREFIXES)
    )


def read_catalog(path: Path):
    with path.open("rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def catalogs():
    return {
        lang: read_catalog(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po")
        for lang in LANGUAGES
    }


def label(message) -> str:
    text = message.id[0] if message.pluralizable else message.id
    return f"{message.context} | {text}" if message.context else text


def translated(message) -> bool:
    if message.fuzzy:
        return False
    if message.pluralizable:
        return all(message.string)
    return bool(message.string)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


# --- loading: compiled catalogs reach pages and mails ------------------------------------


@pytest.fixture(scope="module")
def compiled_translations(tmp_path_factory) -> Path:
    """The .po files compiled into a temporary directory, so the tests never depend on
    whether (or how recently) `make translations` ran."""
    target = tmp_path_factory.mktemp("translations")
    for lang in LANGUAGES:
        catalog = read_catalog(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po")
        mo = target / lang / "LC_MESSAGES" / "messages.mo"
        mo.parent.mkdir(parents=True)
        with mo.open("wb") as f:
            write_mo(f, catalog)
    return target


@pytest.fixture
def translated_app(app, compiled_translations):
    """The test app reading the freshly compiled catalogs (Flask-Babel caches per locale)."""
    babel_config = app.extensions["babel"]
    domain = babel_config.instance.domain_instance
    saved = babel_config.translation_directories
    babel_config.translation_directories = [str(compiled_translations)]
    domain.cache.clear()
    yield app
    babel_config.translation_directories = saved
    domain.cache.clear()


@pytest.fixture
def open_event(make_event, make_category):
    event = make_event()
    make_category(event, name=Translated(ru="Гость", zh="嘉宾", en="Guest"))
    return event


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_register_page_is_chinese_with_lang_zh_cn(translated_app, client, open_event):
    html = page(client, f"/e/{open_event.slug}/register?lang=zh_CN")
    for text in ("报名类别", "电子邮箱", "手机号码", "参会方式", "邮件和胸牌语言"):
        assert text in html
    assert "Registration category" not in html


def test_register_page_is_russian_with_lang_ru(translated_app, client, open_event):
    html = page(client, f"/e/{open_event.slug}/register?lang=ru")
    for text in (
        "Категория участия",
        "Электронная почта",
        "Мобильный телефон",
        "Зарегистрироваться",
    ):
        assert text in html
    assert "Registration category" not in html


def test_event_page_is_chinese_and_russian(translated_app, client, open_event):
    assert "剩余名额 10 个" in page(client, f"/e/{open_event.slug}/?lang=zh_CN")
    assert "Осталось мест: 10" in page(client, f"/e/{open_event.slug}/?lang=ru")


def test_wtforms_own_messages_reach_russian_participants(translated_app, client, open_event):
    response = client.post(f"/e/{open_event.slug}/register?lang=ru", data={})
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 400, 422)
    assert "Пожалуйста, исправьте отмеченные ниже поля." in html
    assert "Обязательное поле." in html  # WTForms' DataRequired, through Flask-WTF's i18n


def test_confirmation_mail_is_in_the_registrants_language(translated_app, client, open_event):
    category = open_event.categories[0]
    for language, greeting in (("ru", "Здравствуйте, "), ("zh_CN", "尊敬的")):
        data = form_data(category, language=language, email=f"mail-{language}@example.org")
        client.post(f"/e/{open_event.slug}/register?lang=en", data=data)
        message = db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.to_address == data["email"])
        ).one()
        assert message.body_text.startswith(greeting), message.body_text
        assert "Dear" not in message.body_text


def test_plural_forms_follow_each_language(translated_app):
    singular, plural = "%(num)d mail queued again.", "%(num)d mails queued again."
    expected = {
        "en": {1: "1 mail queued again.", 2: "2 mails queued again."},
        "zh_CN": {1: "1 封邮件已重新加入队列。", 2: "2 封邮件已重新加入队列。"},
        "ru": {
            1: "1 письмо снова поставлено в очередь.",
            3: "3 письма снова поставлены в очередь.",
            5: "5 писем снова поставлено в очередь.",
            21: "21 письмо снова поставлено в очередь.",
        },
    }
    with translated_app.test_request_context("/"):
        for language, cases in expected.items():
            with force_locale(language):
                for n, text in cases.items():
                    assert ngettext(singular, plural, n) == text


# --- completeness and placeholders ---------------------------------------------------------


def test_every_msgid_has_a_chinese_translation(catalogs):
    missing = [label(m) for m in catalogs["zh"] if m.id and not translated(m)]
    assert not missing, f"{len(missing)} msgids without Chinese ({HINT}):\n" + "\n".join(missing)


def test_participant_facing_msgids_have_a_russian_translation(catalogs):
    missing = [
        f"{label(m)}  ({', '.join(sorted({path for path, _ in m.locations}))})"
        for m in catalogs["ru"]
        if m.id
        and any(is_participant_facing(path) for path, _ in m.locations)
        and not translated(m)
    ]
    assert not missing, f"{len(missing)} participant-facing msgids without Russian:\n" + "\n".join(
        missing
    )


def test_participant_rule_covers_the_public_pages_and_not_the_organizer_desk():
    assert is_participant_facing("templates/registration/register.html")
    assert is_participant_facing("templates/mail/registration_confirmed.txt")
    assert is_participant_facing("templates/documents/_badge.html")
    assert is_participant_facing("templates/certificates/verify.html")
    assert not is_participant_facing("templates/registration/organizer_list.html")
    assert not is_participant_facing("templates/mail/outbox.html")
    assert not is_participant_facing("app/registration/organizer_forms.py")


@pytest.mark.parametrize("lang", ["zh", "ru", "en"])
def test_translations_keep_the_placeholders_of_the_msgid(catalogs, lang):
    wrong = []
    for message in catalogs[lang]:
        if not message.id:
            continue
        if message.pluralizable:
            expected = placeholders(message.id[0]) | placeholders(message.id[1])
            forms = [s for s in message.string if s]
        else:
            expected = placeholders(message.id)
            forms = [message.string] if message.string else []
        for form in forms:
            if placeholders(form) != expected:
                wrong.append(f"{label(message)!r} -> {form!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


@pytest.mark.parametrize("lang", ["zh", "ru", "en"])
def test_catalog_passes_babel_checks_and_has_every_plural_form(catalogs, lang):
    catalog = catalogs[lang]
    problems = [f"{label(m)}: {errors}" for m, errors in catalog.check()]
    assert not problems, "\n".join(problems)
    for message in catalog:
        if message.id and message.pluralizable:
            assert len(message.string) == catalog.num_plurals, label(message)


# --- the template is current -----------------------------------------------------------------


def extract_from_code(target: Path) -> None:
    """Run the extraction exactly as `make messages` does (flags from the Makefile)."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^BABEL_EXTRACT_FLAGS := (.+)$", makefile, re.MULTILINE)
    assert match, "BABEL_EXTRACT_FLAGS is missing from the Makefile"
    flags = shlex.split(match.group(1))
    mapping = flags.index("-F") + 1
    flags[mapping] = str(ROOT / flags[mapping])
    CommandLineInterface().run(["pybabel", "-q", "extract", *flags, "-o", str(target), str(ROOT)])


def ids(catalog) -> set[tuple[str | None, str]]:
    return {(m.context, label(m)) for m in catalog if m.id}


def test_pot_contains_exactly_the_strings_in_the_code(tmp_path):
    fresh = tmp_path / "fresh.pot"
    extract_from_code(fresh)
    in_code, in_pot = ids(read_catalog(fresh)), ids(read_catalog(POT))
    missing = sorted(text for _, text in in_code - in_pot)
    stale = sorted(text for _, text in in_pot - in_code)
    assert not missing, f"{len(missing)} strings are not in messages.pot ({HINT}):\n" + "\n".join(
        missing
    )
    assert not stale, f"{len(stale)} strings left the code ({HINT}):\n" + "\n".join(stale)


def test_every_catalog_has_the_msgids_of_the_pot(catalogs):
    in_pot = ids(read_catalog(POT))
    for lang, catalog in catalogs.items():
        assert ids(catalog) == in_pot, f"{lang} catalog differs from messages.pot ({HINT})"
