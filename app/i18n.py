"""Languages: which UI language a request gets, and our three language codes.

Our codes are zh_CN, en and ru (stored on registrations, used in URLs). Babel expands zh_CN
to zh_Hans_CN, so the Chinese catalog lives in translations/zh (gettext finds it from
zh_Hans_CN) and `current_language()` maps any Chinese locale back to zh_CN.
"""

from __future__ import annotations

import enum
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

LANGUAGE_ALIASES = {
    "zh": "zh_CN",
    "zh_cn": "zh_CN",
    "zh-cn": "zh_CN",
    "zh_hans_cn": "zh_CN",
    "zh-hans": "zh_CN",
    "zh_hans": "zh_CN",
    "en": "en",
    "ru": "ru",
}


def normalize_language(value: str | None) -> str | None:
    """One of our language codes for a locale string such as "zh-CN" or "ru_RU", or None."""
    if not value:
        return None
    lowered = value.strip().lower()
    if lowered in LANGUAGE_ALIASES:
        return LANGUAGE_ALIASES[lowered]
    primary = lowered.replace("-", "_").split("_")[0]
    return LANGUAGE_ALIASES.get(primary)


def select_locale() -> str:
    """UI language: ?lang= (remembered in the session), the user's choice, the browser, zh_CN."""
    from flask_login import current_user

    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    asked = normalize_language(request.args.get("lang"))
    if asked:
        session["lang"] = asked
        return asked
    # Without a cookie there is neither a remembered choice nor a signed-in user: a scanner
    # with a device token sends none, and loading an anonymous user costs as much as a query.
    if request.cookies:
        remembered = normalize_language(session.get("lang"))
        if remembered:
            return remembered
        if current_user and current_user.is_authenticated:
            chosen = normalize_language(current_user.locale)
            if chosen:
                return chosen
    return language_for_header(request.headers.get("Accept-Language", "")) or default


@lru_cache(maxsize=256)
def language_for_header(header: str) -> str | None:
    """Our language code for an Accept-Language header value, or None. Cached: a device
    sends the same header with every request."""
    best = parse_accept_header(header, LanguageAccept).best_match(["zh-CN", "zh", "en", "ru"])
    return normalize_language(best)


def current_language() -> str:
    """The current request's language as one of our codes (zh_CN, en, ru)."""
    locale = get_locale()
    if locale is None:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return normalize_language(locale.language) or "en"


# Readable names of enum values. Each domain registers the names of the enums it shows next to
# the enum (`enum_labels(Role, {...})`); templates write `{{ value|label }}`, so no page shows
# a stored value such as "submitted" or "top_n" to a reader of another language.
_ENUM_LABELS: dict[type[enum.Enum], dict[enum.Enum, object]] = {}


def enum_labels(kind: type[enum.Enum], labels: dict) -> dict:
    """Register the readable names of every member of `kind` (lazy strings); returns them."""
    missing = [member for member in kind if member not in labels]
    if missing:
        raise ValueError(f"{kind.__name__}: no label for {missing}")
    _ENUM_LABELS[kind] = labels
    return labels


def registered_enum_labels() -> dict[type[enum.Enum], dict[enum.Enum, object]]:
    return dict(_ENUM_LABELS)


def label(value: object, kind: type[enum.Enum] | None = None) -> str:
    """The readable name of an enum member, or of a stored value of `kind`; other values as
    they are. A string without a kind is looked up in every registered enum that has it."""
    if isinstance(value, enum.Enum):
        labels = _ENUM_LABELS.get(type(value))
        return str(labels[value]) if labels else str(value.value)
    if isinstance(value, str):
        kinds = [kind] if kind is not None else list(_ENUM_LABELS)
        for candidate in kinds:
            try:
                member = candidate(value)
            except ValueError:
                continue
            labels = _ENUM_LABELS.get(candidate)
            if labels:
                return str(labels[member])
    return "" if value is None else str(value)


def enum_choices(kind: type[enum.Enum]) -> list[tuple[str, object]]:
    """A select field's choices for a registered enum: (stored value, readable name)."""
    return [(member.value, name) for member, name in _ENUM_LABELS[kind].items()]


# Content languages (app/translated.py) are named in the reader's language: "俄语", "Russian",
# "русский"; a code babel does not know is shown as it is.
@lru_cache(maxsize=256)
def _language_name(code: str, reader: str) -> str:
    try:
        return Locale.parse(code).get_display_name(Locale.parse(reader)) or code
    except (ValueError, TypeError, UnknownLocaleError):
        return code


def language_name(code: str) -> str:
    """The name of a content language (a code such as "ru") in the current UI language."""
    locale = get_locale() if has_request_context() else None
    return _language_name(code, str(locale or "en"))


def translated_label(text: object, code: str) -> LazyString:
    """A field label naming its language, e.g. "Name (Russian)", translated when shown."""
    return LazyString(
        lambda: _("%(label)s (%(language)s)", label=text, language=language_name(code))
    )
