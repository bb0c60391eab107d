"""Fuzz every JSON API endpoint from the one OpenAPI document (schemathesis, bounded and
derandomized examples).

The app is called directly through WSGI with a check-in device token and a judge's session
cookie. Generated ids are pointed at real ones half of the time (the check-in list and codes;
the round, an assigned entry and the round's criteria) so the generated bodies reach the
services, not only the 404. Every answer must be a documented status with a body matching the
document, and never a 500.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app
from app.extensions import db
from app.judging import assignment_services
from app.openapi import openapi_document
from config import TestConfig
from tests.checkin import conftest as checkin_fixtures
from tests.checkin.conftest import code_of
from tests.conftest import TEST_PASSWORD
from tests.judging import conftest as judging_fixtures

# Fixtures of the two APIs' own tests.
_fresh_token_cache = checkin_fixtures._fresh_token_cache
make_guest = checkin_fixtures.make_guest
make_list = checkin_fixtures.make_list
make_token = checkin_fixtures.make_token
setup = checkin_fixtures.setup
competition = judging_fixtures.competition
make_registration = judging_fixtures.make_registration

MAX_EXAMPLES = 40
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def fuzz_target(app, setup, make_guest, competition):
    """The events, ids and credentials every generated request is sent with."""
    checked_in = make_guest(setup.event, setup.category)
    comp = competition(entries=2, judges=1, k=1)
    assignment_services.assign_automatically(comp.round)
    db.session.commit()
    judge = comp.judges[0]
    client = app.test_client()
    login = client.post("/login", data={"email": judge.email, "password": TEST_PASSWORD})
    assert login.status_code == 302
    target = {
        "checkin_slug": setup.event.slug,
        "list_id": setup.checkin_list.id,
        "secret": setup.secret,
        "codes": [code_of(setup.guest), code_of(checked_in)],
        "judging_slug": comp.event.slug,
        "round_id": comp.round.id,
        "entry_id": assignment_services.assignments_of(comp.round)[0].entry_id,
        "criteria": [str(c.id) for c in comp.round.criteria],
        "session": client.get_cookie("session").value,
    }
    # The test's own session must hold no transaction (SQLite's write lock) while the
    # generated requests run in their own app contexts.
    db.session.commit()
    return target


# The document the app serves (test_openapi checks that /api/openapi.json returns it). Loaded
# at import, not from a fixture: schemathesis' lazy fixture loader does not run on pytest 9.
# The domains register their parts when an app is built.
create_app(TestConfig)
schema = schemathesis.openapi.from_dict(openapi_document())
schema.config.generation.update(allow_x00=True)
# The same document, asked for what it forbids: numbers beyond its bounds (ids past 2^31 - 1),
# wrong types, missing and extra fields, strings with NUL; on PostgreSQL such values used to
# reach SQL.
negative_schema = schemathesis.openapi.from_dict(openapi_document())
negative_schema.config.generation.update(modes=[GenerationMode.NEGATIVE], allow_x00=True)


def _aim_checkin(case, target, aim: bool) -> None:
    case.path_parameters = {**(case.path_parameters or {}), "slug": target["checkin_slug"]}
    if not aim:
        return
    if isinstance(case.query, dict) and "list_id" in case.query:
        case.query["list_id"] = target["list_id"]
    body = case.body
    if isinstance(body, dict):
        if "list_id" in body:
            body["list_id"] = target["list_id"]
        if "code" in body:
            body["code"] = target["codes"][len(str(body.get("nonce", ""))) % 2]
        scans = body.get("scans")
        for scan in scans if isinstance(scans, list) else []:
            if isinstance(scan, dict) and "list_id" in scan:
                scan["list_id"] = target["list_id"]


def _aim_judging(case, target, aim: bool) -> None:
    parameters = {**(case.path_parameters or {}), "slug": target["judging_slug"]}
    if aim:
        parameters["round_id"] = target["round_id"]
        if "entry_id" in parameters:
            parameters["entry_id"] = target["entry_id"]
    case.path_parameters = parameters
    body = case.body
    if aim and isinstance(body, dict) and isinstance(body.get("values"), dict):
        # Generated numbers on the round's real criteria: in range or not, on step or not.
        numbers = [v for v in body["values"].values() if isinstance(v, int | float)]
        body["values"] = {
            criterion: numbers[i % len(numbers)] if numbers else 7.5
            for i, criterion in enumerate(target["criteria"])
        }


def _aim(case, target) -> None:
    """Send the case to the fixture's events, and half the time to their real ids."""
    aim = hash(repr(case.body) + repr(case.path_parameters)) % 2 == 0
    # The judge's real session (schemathesis would otherwise make up the cookie scheme's value).
    case.cookies = {**(case.cookies or {}), "session": target["session"]}
    if "/judging/" in case.path:
        _aim_judging(case, target, aim)
    else:
        _aim_checkin(case, target, aim)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_never_fails_and_matches_its_document(case, app, fuzz_target):
    _aim(case, fuzz_target)
    case.call_and_validate(
        app=app,
        headers={"Authorization": f"Bearer {fuzz_target['secret']}"},
        checks=CHECKS,
    )


@negative_schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_refuses_what_its_document_forbids_without_failing(case, app, fuzz_target):
    _aim(case, fuzz_target)
    case.call_and_validate(
        app=app,
        headers={"Authorization": f"Bearer {fuzz_target['secret']}"},
        checks=[not_a_server_error, content_type_conformance],
    )


def test_the_document_describes_every_api_route(app, client):
    document = client.get("/api/openapi.json").get_json()
    assert document == openapi_document()
    described = set(document["paths"])
    routed = {
        rule.rule.replace("<", "{").replace(">", "}").replace("{int:", "{")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/events/")
    }
    assert routed == described
    judging_paths = {p for p in described if "/judging/" in p}
    assert judging_paths == {
        "/api/events/{slug}/judging/rounds/{round_id}/",
        "/api/events/{slug}/judging/rounds/{round_id}/sheets/{entry_id}",
    }
    assert set(document["components"]["securitySchemes"]) == {
        "deviceToken",
        "staffSession",
        "judgeSession",
    }


def test_anonymous_judging_calls_get_401_json(client, competition):
    comp = competition(entries=1, judges=1, k=1)
    url = f"/api/events/{comp.event.slug}/judging/rounds/{comp.round.id}/"
    response = client.get(url)
    assert response.status_code == 401 and response.is_json
    assert response.get_json()["error"] == "not_signed_in"
    response = client.post(f"{url}sheets/{comp.entries[0].id}", json={"client_id": "x" * 8})
    assert response.status_code == 401
