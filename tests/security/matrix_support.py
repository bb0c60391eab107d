"""Walk the URL map as one role: URL arguments filled from a furnished event, one request each.

An answer is reduced to one word so the matrix reads like a table:
  ok     the view handled the request (GET: 200; POST: any answer of the view itself —
         200, a redirect that is not to the login page, 400/409/422 for the empty form)
  login  302 to the login page
  401, 403, 404, 405, 500  that status
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flask import Flask
from werkzeug.routing import Rule
from werkzeug.routing.converters import AnyConverter

from tests.security.world import EventWorld

ROLES = (
    "anonymous",
    "participant",
    "checkin_staff",
    "judge",
    "other_organizer",
    "organizer",
    "site_admin",
)

INVALID_TOKEN = "not-a-valid-token"
# POSTs that destroy what later requests need run last, leaves before their parents.
DESTRUCTIVE_WORDS = ("delete", "remove", "revoke", "cancel", "deactivate", "unlink")


@dataclass(frozen=True)
class Walker:
    """What a role walks: its event's objects, and whose link/user ids fill the URL."""

    role: str
    world: EventWorld
    spare_user_id: int


def url_value(rule: Rule, argument: str, walker: Walker) -> object:
    """The value of one URL argument of `rule` for this walker."""
    values = walker.world.values
    blueprint = rule.endpoint.partition(".")[0]
    if argument == "slug":
        return walker.world.slug
    converter = rule._converters[argument]
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    if argument == "token":
        if blueprint == "media":
            return values["import_token"]
        # Self-service and verification links are bearer credentials: only the participant
        # column holds real ones; everyone else tries a made-up link.
        if walker.role != "participant":
            return INVALID_TOKEN
        if blueprint == "checkin":
            return values["join_token"]  # an online guest's personal join link
        return values["certificate_token" if blueprint == "certificates" else "manage_token"]
    if argument == "item_id":
        return values["coverage_item_id" if blueprint == "media" else "ceremony_item_id"]
    if argument == "user_id":
        return values["judge_id"] if blueprint == "judging" else walker.spare_user_id
    return values[argument]


def request_order(rule: Rule) -> tuple:
    """GETs first, then POSTs; destructive POSTs last (deepest URLs first), signing out at the
    end."""
    if rule.endpoint in ("accounts.logout", "accounts.sign_out_everywhere"):
        return (3, 0, rule.rule)
    if "GET" in rule.methods:
        return (0, 0, rule.rule)
    destructive = any(word in rule.rule for word in DESTRUCTIVE_WORDS)
    return (2 if destructive else 1, -len(rule.arguments), rule.rule)


def query_string(rule: Rule, walker: Walker) -> str:
    """The query a route needs to do its work (a list to scan, a name to transliterate)."""
    if rule.endpoint in {"checkin.api_offline", "checkin.api_search", "checkin.api_stats"}:
        return f"?list_id={walker.world.values['list_id']}&q=Guest"
    if rule.endpoint == "registration.transliterate":
        return "?name=%E5%BC%A0%E4%BC%9F"
    return ""


def walk(app: Flask, walker: Walker) -> Iterator[tuple[Rule, str, str]]:
    """(rule, method, URL) for every route, in request order."""
    rules = sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"), key=request_order
    )
    for rule in rules:
        values = {arg: url_value(rule, arg, walker) for arg in rule.arguments}
        url = rule.build(values, append_unknown=False)[1] + query_string(rule, walker)
        yield rule, ("GET" if "GET" in rule.methods else "POST"), url


def answer_word(method: str, response) -> str:
    """Reduce a response to the matrix's vocabulary."""
    status = response.status_code
    location = response.headers.get("Location", "")
    if status == 302 and location.split("?")[0].endswith("/login"):
        return "login"
    if method == "GET":
        return "ok" if status == 200 else str(status)
    if status in (200, 201, 202, 204, 302, 303, 400, 409, 413, 415, 422):
        return "ok"
    return str(status)
