"""Tablet scoring through the JSON API: access, drafts, submit/lock, resends, bad input,
reopening with the audit trail, and the cached ranking's invalidation."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.extensions import db
from app.judging import assignment_services, entry_services, judge_services, ranking_services
from app.judging.models import ConflictSource, ScoreSheet, ScoreVersion
from tests.judging.conftest import full_values, new_client_id


def _api(comp, entry_id):
    return f"/api/events/{comp.event.slug}/judging/rounds/{comp.round.id}/sheets/{entry_id}"


def _pair(comp):
    assignment_services.assign_automatically(comp.round)
    db.session.commit()
    assignment = assignment_services.assignments_of(comp.round)[0]
    judge = db.session.get(User, assignment.judge_user_id)
    return judge, assignment.entry_id


def _unassigned_entry(comp, judge):
    assigned = {
        a.entry_id
        for a in assignment_services.assignments_of(comp.round)
        if a.judge_user_id == judge.id
    }
    return next(e.id for e in comp.entries if e.id not in assigned)


def _counts():
    return (
        db.session.scalar(select(func.count(ScoreSheet.id))),
        db.session.scalar(select(func.count(ScoreVersion.id))),
    )


def test_draft_saves_and_submit_locks(competition, client, auth):
    comp = competition()
    judge, entry_id = _pair(comp)
    auth.login(judge)
    first = next(iter(full_values(comp.round)))
    draft = client.post(
        _api(comp, entry_id),
        json={"client_id": new_client_id(), "action": "draft", "values": {first: 6.5}},
    )
    assert draft.status_code == 200, draft.json
    assert draft.json["status"] == "draft" and draft.json["values"] == {first: 6.5}
    submit = client.post(
        _api(comp, entry_id),
        json={
            "client_id": new_client_id(),
            "action": "submit",
            "values": full_values(comp.round, 8),
            "comment": "strong team",
        },
    )
    assert submit.status_code == 200 and submit.json["status"] == "submitted"
    assert submit.json["total"] == pytest.approx(80)
    again = client.post(
        _api(comp, entry_id),
        json={"client_id": new_client_id(), "action": "draft", "values": {first: 1}},
    )
    assert again.status_code == 409 and again.json["error"] == "locked"
    assert client.get(_api(comp, entry_id)).json["values"][first] == 8


def test_a_resent_submission_is_stored_once(competition, client, auth):
    comp = competition()
    judge, entry_id = _pair(comp)
    auth.login(judge)
    body = {"client_id": new_client_id(), "action": "submit", "values": full_values(comp.round, 7)}
    first = client.post(_api(comp, entry_id), json=body)
    second = client.post(_api(comp, entry_id), json=body)
    assert first.status_code == second.status_code == 200
    assert first.json["duplicate"] is False and second.json["duplicate"] is True
    assert (
        db.session.scalar(
            select(func.count(ScoreVersion.id)).where(ScoreVersion.action == "submit")
        )
        == 1
    )


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"CRIT": 11}, "out_of_range"),
        ({"CRIT": -0.5}, "out_of_range"),
        ({"CRIT": "7"}, "not_a_number"),
        ({"CRIT": True}, "not_a_number"),
        ({"CRIT": 7.25}, "off_step"),
        ({"999999": 5}, "invalid"),
    ],
)
def test_bad_scores_are_refused_with_422_and_nothing_stored(
    competition, client, auth, values, code
):
    comp = competition()
    judge, entry_id = _pair(comp)
    auth.login(judge)
    first = str(comp.round.criteria[0].id)
    values = {first if k == "CRIT" else k: v for k, v in values.items()}
    before = _counts()
    response = client.post(
        _api(comp, entry_id),
        json={"client_id": new_client_id(), "action": "draft", "values": values},
    )
    assert response.status_code == 422
    assert response.json["error"] == code
    assert response.json["message"]
    assert _counts() == before


def test_nan_and_infinity_are_not_numbers(competition, client, auth):
    comp = competition()
    judge, entry_id = _pair(comp)
    auth.login(judge)
    first = comp.round.criteria[0].id
    body = '{"client_id": "abcdefgh1234", "action": "draft", "values": {"FIRST": NaN}}'
    body = body.replace("FIRST", str(first))
    response = client.post(_api(comp, entry_id), data=body, content_type="application/json")
    # NaN is not JSON: refused when the body is read (app/security/input.py), before scoring.
    assert response.status_code == 400
    assert response.get_json()["error"] == "malformed_json"
    assert _counts() == (0, 0)


def test_incomplete_submission_is_refused(competition, client, auth):
    comp = competition()
    judge, entry_id = _pair(comp)
    auth.login(judge)
    values = full_values(comp.round)
    values.popitem()
    response = client.post(
        _api(comp, entry_id),
        json={"client_id": new_client_id(), "action": "submit", "values": values},
    )
    assert response.status_code == 422 and response.json["error"] == "incomplete"
    assert _counts() == (0, 0)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("not json", 400),
        ("[1, 2]", 400),
        ('{"action": "draft", "values": {}}', 422),
        ('{"client_id": "short", "action": "draft", "values": {}}', 422),
        ('{"client_id": "abcdefgh1234", "action": "delete", "values": {}}', 422),
        ('{"client_id": "abcdefgh1234", "action": "draft", "values": [1]}', 422),
        ('{"client_id": "abcdefgh1234", "action": "draft", "values": {}, "comment": 5}', 422),
    ],
)
def test_malformed_requests_get_4xx_and_nothing_is_stored(competition, client, auth, body, status):
    comp = competition()
    judge, entry_id = _pair(comp)
    auth.login(judge)
    response = client.post(_api(comp, entry_id), data=body, content_type="application/json")
    assert response.status_code == status
    assert _counts() == (0, 0)


def test_unassigned_entry_is_403_in_api_and_page(competition, client, auth):
    comp = competition(entries=4, judges=4, k=1)
    judge, _ = _pair(comp)
    other = _unassigned_entry(comp, judge)
    auth.login(judge)
    response = client.post(
        _api(comp, other), json={"client_id": new_client_id(), "action": "draft", "values": {}}
    )
    assert response.status_code == 403 and response.json["error"] == "not_assigned"
    assert client.get(_api(comp, other)).status_code == 403
    page = client.get(f"/judge/{comp.event.slug}/rounds/{comp.round.id}/entries/{other}")
    assert page.status_code == 403
    assert _counts() == (0, 0)


def test_conflicted_entry_is_403_even_when_assigned(competition, client, auth):
    comp = competition()
    judge, entry_id = _pair(comp)
    # A conflict found after the assignment (same organization as a team member).
    member = comp.members[entry_id][0]
    judge_services.set_judge_organization(comp.event, judge, f"  {member.organization.lower()} ")
    db.session.commit()
    auth.login(judge)
    assert (
        client.get(
            f"/judge/{comp.event.slug}/rounds/{comp.round.id}/entries/{entry_id}"
        ).status_code
        == 403
    )
    response = client.post(
        _api(comp, entry_id),
        json={"client_id": new_client_id(), "action": "submit", "values": full_values(comp.round)},
    )
    assert response.status_code == 403
    assert _counts() == (0, 0)


def test_non_judge_gets_403_from_the_api(competition, client, auth):
    comp = competition()
    _, entry_id = _pair(comp)
    auth.login(comp.organizer)
    response = client.post(
        _api(comp, entry_id), json={"client_id": new_client_id(), "action": "draft", "values": {}}
    )
    assert response.status_code == 403


def test_tablet_page_lists_only_assigned_entries_with_progress(competition, client, auth):
    comp = competition(entries=6, judges=3, k=1)
    judge, _ = _pair(comp)
    mine = [
        a.entry_id
        for a in assignment_services.assignments_of(comp.round)
        if a.judge_user_id == judge.id
    ]
    judge_services.record_conflict(
        comp.event, judge, entry_services.get_entry(comp.event, mine[-1]), ConflictSource.DECLARED
    )
    db.session.commit()
    auth.login(judge)
    page = client.get(f"/judge/{comp.event.slug}/rounds/{comp.round.id}/").get_data(as_text=True)
    titles = {e.id: e.title_en for e in comp.entries}
    for entry in comp.entries:
        expected = entry.id in mine[:-1]
        assert (
            f'"id": {entry.id}, "members"' in page or f'"title": "{titles[entry.id]}"' in page
        ) == expected
    progress = client.get(f"/api/events/{comp.event.slug}/judging/rounds/{comp.round.id}/").json
    assert progress == {"round_id": comp.round.id, "assigned": len(mine) - 1, "submitted": 0}
    home = client.get(f"/judge/{comp.event.slug}/?lang=en").get_data(as_text=True)
    assert f"0 of {len(mine) - 1} scored" in home


def test_reopen_unlocks_and_the_audit_trail_keeps_every_version(competition, client, auth):
    comp = competition()
    judge, entry_id = _pair(comp)
    auth.login(judge)
    first = str(comp.round.criteria[0].id)
    client.post(_api(comp, entry_id), json={"client_id": new_client_id(), "values": {first: 5}})
    client.post(
        _api(comp, entry_id),
        json={
            "client_id": new_client_id(),
            "action": "submit",
            "values": full_values(comp.round, 6),
        },
    )
    sheet = db.session.scalars(select(ScoreSheet)).one()
    auth.logout()
    auth.login(comp.organizer)
    reopened = client.post(
        f"/manage/{comp.event.slug}/judging/rounds/{comp.round.id}/sheets/{sheet.id}/reopen",
        data={"note": "typo"},
    )
    assert reopened.status_code == 302
    db.session.refresh(sheet)
    assert sheet.status == "draft"
    trail = client.get(f"/manage/{comp.event.slug}/judging/rounds/{comp.round.id}/audit").get_data(
        as_text=True
    )
    assert "5.0 → 6.0" in trail and "typo" in trail
    auth.logout()
    auth.login(judge)
    fixed = client.post(
        _api(comp, entry_id),
        json={
            "client_id": new_client_id(),
            "action": "submit",
            "values": full_values(comp.round, 9),
        },
    )
    assert fixed.status_code == 200 and fixed.json["version"] == 4
    actions = db.session.scalars(select(ScoreVersion.action).order_by(ScoreVersion.version)).all()
    assert actions == ["draft", "submit", "reopen", "submit"]


def test_ranking_is_cached_and_invalidated_by_every_submission(competition, client, auth):
    comp = competition(entries=2, judges=2, k=2)
    assignment_services.assign_automatically(comp.round)
    db.session.commit()
    first = ranking_services.round_ranking(comp.round)
    assert ranking_services.round_ranking(comp.round) is first
    assert all(line.score is None for line in first.entries)
    auth.login(comp.judges[0])
    client.post(
        _api(comp, comp.entries[1].id),
        json={
            "client_id": new_client_id(),
            "action": "submit",
            "values": full_values(comp.round, 9),
        },
    )
    db.session.expire_all()
    second = ranking_services.round_ranking(comp.round)
    assert second is not first
    assert second.entries[0].entry_id == comp.entries[1].id and second.entries[
        0
    ].score == pytest.approx(90)
