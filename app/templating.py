"""Jinja helpers shared by every page: localized fields, dates in the event's timezone."""

from __future__ import annotations

from datetime import datetime

from flask import request, url_for
from flask_babel import format_datetime, get_locale

from app.clock import to_local


def localized(obj, field: str) -> str:
    """obj.<field>(locale) for the current UI locale."""
    return getattr(obj, field)(str(get_locale()))


def event_time(value: datetime | None, timezone: str, fmt: str = "medium") -> str:
    """A UTC datetime formatted for the current locale in the event's timezone."""
    if value is None:
        return ""
    local = to_local(value, timezone)
    return format_datetime(local.replace(tzinfo=None), fmt)


def url_with_lang(lang: str) -> str:
    """The current page's URL with ?lang= switched."""
    args = dict(request.args)
    args["lang"] = lang
    return url_for(request.endpoint or "events.index", **(request.view_args or {}), **args)


def template_globals() -> dict:
    """Functions available in every template."""
    return {"localized": localized, "event_time": event_time, "url_with_lang": url_with_lang}
