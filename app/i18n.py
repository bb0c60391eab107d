"""Languages: which UI language a request gets, and our three language codes.

Our codes are zh_CN, en and ru (stored on registrations, used in URLs). Babel expands zh_CN
to zh_Hans_CN, so the Chinese catalog lives in translations/zh (gettext finds it from
zh_Hans_CN) and `current_language()` maps any Chinese locale back to zh_CN.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel import get_locale

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
    remembered = normalize_language(session.get("lang"))
    if remembered:
        return remembered
    if current_user and current_user.is_authenticated:
        chosen = normalize_language(current_user.locale)
        if chosen:
            return chosen
    best = request.accept_languages.best_match(["zh-CN", "zh", "en", "ru"])
    return normalize_language(best) or default


def current_language() -> str:
    """The current request's language as one of our codes (zh_CN, en, ru)."""
    locale = get_locale()
    if locale is None:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return normalize_language(locale.language) or "en"
