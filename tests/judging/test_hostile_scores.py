"""The judge's sheet against what a tampered tablet could send: numbers beyond the database's
range, keys that are no criterion, non-JSON numbers. Refused with 422/400, nothing stored, no 500
(on PostgreSQL too)."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.judging import assignment_services
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def judge_sheet(app, competition):
    """A signed-in judge's client and the URL of an entry assigned to them, not yet scored."""
    comp = competition(entries=1, judges=1, k=1)
    assignment_services.assign_automatically(comp.round)
    db.session.commit()
    client = app.test_client()
    login = client.post("/login", data={"email": comp.judges[0].email, "password": TEST_PASSWORD})
    assert login.status_code == 302
    url = (
        f"/api/events/{comp.event.slug}/judging/rounds/{comp.round.id}/sheets/{comp.entries[0].id}"
    )
    criterion = str(comp.round.criteria[0].id)
    db.session.commit()
    return client, url, criterion


@pytest.mark.parametrize(
    "values",
    [
        {"CRITERION": 1e308},
        {"CRITERION": -1e308},
        {"CRITERION": 10**30},
        {str(2**31): 5},
        {str(10**30): 5},
        {"-1": 5},
        {"CRITERION": "7"},
        {"CRITERION": [1]},
    ],
)
@pytest.mark.parametrize("action", ["draft", "submit"])
def test_hostile_scores_are_refused_with_422_and_not_stored(judge_sheet, values, action):
    client, url, criterion = judge_sheet
    body = {
        "client_id": f"hostile-{action}-0001",
        "action": action,
        "values": {k.replace("CRITERION", criterion): v for k, v in values.items()},
    }
    response = client.post(url, json=body)
    assert response.status_code == 422, (values, response.status_code, response.text)
    assert client.get(url).get_json()["version"] == 0


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_json_numbers_in_a_body_are_malformed_json(judge_sheet, literal):
    client, url, criterion = judge_sheet
    raw = (
        f'{{"client_id": "nan-test-1", "action": "draft", "values": {{"{criterion}": {literal}}}}}'
    )
    response = client.post(url, data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"] == "malformed_json"
