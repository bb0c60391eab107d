"""Jinja helpers shared by every page: localized fields, dates in the event's timezone."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from babel.dates import format_date, format_time, get_datetime_format
from flask import g, has_request_context, request, url_for
from flask_babel import format_datetime, get_locale
from markupsafe import Markup, escape

from app.clock import to_local
from app.i18n import label, language_name
from app.translated import DEFAULT_CONTENT_LANGUAGES, Translated, content_language, translated


def content_fallback() -> list[str]:
    """The current event's content languages in fallback order (the default without one)."""
    event = g.get("event") if has_request_context() else None
    languages = getattr(event, "languages", None)
    return list(languages) if languages else list(DEFAULT_CONTENT_LANGUAGES)


def localized(obj, field: str) -> str:
    """obj.<field> for the current UI locale: a translated text read with the event's fallback
    order, or a method taking the locale."""
    value = getattr(obj, field)
    if isinstance(value, Translated):
        # An event's own texts follow its own fallback order (a list of events on the home
        # page has no current event); anything else the current event's.
        languages = getattr(obj, "languages", None)
        fallback = list(languages) if isinstance(languages, list) else content_fallback()
        return value.text(get_locale(), fallback)
    return value(str(get_locale()))


def translate(value: Translated | None) -> str:
    """A translated text for the current reader (Jinja: `{{ criterion.name|tr }}`)."""
    return translated(value).text(get_locale(), content_fallback())


def translate_marked(value: Translated | None) -> Markup:
    """A translated text for the current reader as HTML: a text in another language than the
    reader's (the event's fallback) is wrapped in a span with its `lang`, for screen readers
    and hyphenation (Jinja: `{{ category.name|tr_lang }}`)."""
    return marked(translated(value), get_locale(), content_fallback())


def marked(value: Translated, locale: object, fallback: list[str]) -> Markup:
    """`value` for a reader of `locale` as HTML, a fallback marked with its `lang`."""
    text, language = value.pick(locale, fallback)
    if language is None or language == content_language(locale):
        return escape(text)
    return Markup('<span lang="%s">%s</span>') % (language, text)


def event_time(value: datetime | None, timezone: str, fmt: str = "medium") -> str:
    """A UTC datetime formatted for the current locale in the event's timezone."""
    if value is None:
        return ""
    local = to_local(value, timezone)
    if fmt in ("medium", "long", "full"):
        # Babel's medium and longer patterns show seconds ("09:00:00"); nobody plans to the
        # second. The locale's own date pattern and way of joining date and time, short time.
        locale = get_locale()
        return (
            get_datetime_format(fmt, locale=locale)
            .replace("'", "")
            .replace("{0}", format_time(local, "short", locale=locale))
            .replace("{1}", format_date(local, fmt, locale=locale))
        )
    return format_datetime(local.replace(tzinfo=None), fmt)


def url_with_lang(lang: str) -> str:
    """The current page's URL with ?lang= switched."""
    # The query is appended, not passed to url_for: a parameter named like a URL argument
    # (?slug=…) or one of url_for's own (?_external=…) would clash with them.
    args = request.args.copy()
    args["lang"] = lang
    if request.endpoint and request.url_rule is not None:
        path = url_for(request.endpoint, **(request.view_args or {}))
    else:
        path = url_for("events.index")
    return f"{path}?{urlencode(list(args.items(multi=True)))}"


def attributes(**values: object) -> dict:
    """HTML attributes for a WTForms field, without those that are None: WTForms renders None
    as the text "None" (inputmode="None" hides the phone keyboard, aria-invalid="None" reads as
    invalid)."""
    return {
        name.replace("_", "-") if name.startswith("aria_") else name: value
        for name, value in values.items()
        if value is not None
    }


def template_globals() -> dict:
    """Functions available in every template."""
    return {
        "attributes": attributes,
        "label": label,
        "localized": localized,
        "translate": translate,
        "translate_marked": translate_marked,
        "language_name": language_name,
        "event_time": event_time,
        "url_with_lang": url_with_lang,
    }
