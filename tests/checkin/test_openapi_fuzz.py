"""Fuzz the check-in API from its own OpenAPI document (schemathesis, bounded examples).

The app is called directly through WSGI with a valid device token. Generated list ids are
pointed at a real list half of the time so the generated bodies reach the services, not
only the 404. Every answer must be a documented status with a body matching the document,
and never a 500.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from app.checkin.openapi import openapi_document
from app.extensions import db
from tests.checkin.conftest import code_of

MAX_EXAMPLES = 40
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def fuzz_target(setup, make_guest):
    """The event, list and token every generated request is sent with."""
    checked_in = make_guest(setup.event, setup.category)
    target = {
        "slug": setup.event.slug,
        "list_id": setup.checkin_list.id,
        "secret": setup.secret,
        "codes": [code_of(setup.guest), code_of(checked_in)],
    }
    # The test's own session must hold no transaction (SQLite's write lock) while the
    # generated requests run in their own app contexts.
    db.session.commit()
    return target


# The document the app serves (test_api checks that /api/openapi.json returns it). Loaded
# at import, not from a fixture: schemathesis' lazy fixture loader does not run on pytest 9.
schema = schemathesis.openapi.from_dict(openapi_document())


def _aim(case, target) -> None:
    """Send the case to the fixture's event, and half the time to its real list and codes."""
    case.path_parameters = {**(case.path_parameters or {}), "slug": target["slug"]}
    aim = hash(repr(case.body)) % 2 == 0
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
        for scan in body.get("scans") or []:
            if isinstance(scan, dict) and "list_id" in scan:
                scan["list_id"] = target["list_id"]


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
        app=app, headers={"Authorization": f"Bearer {fuzz_target['secret']}"}, checks=CHECKS
    )
