"""Walk the URL map: every rule with plausible values for its URL arguments."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Flask
from werkzeug.routing import Rule
from werkzeug.routing.converters import AnyConverter, IntegerConverter


def plausible_value(rule: Rule, argument: str, slug: str) -> object:
    """A value for one URL argument: the given event slug, 1 for ids, a choice, else text."""
    converter = rule._converters[argument]
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    if argument == "slug":
        return slug
    return "not-a-real-value"


def iter_routes(app: Flask, slug: str) -> Iterator[tuple[Rule, str]]:
    """(rule, URL) for every rule except static files, URL arguments filled in."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        values = {arg: plausible_value(rule, arg, slug) for arg in rule.arguments}
        url = rule.build(values, append_unknown=False)[1]
        yield rule, url
