"""The judge's way in: after signing in a judge lands on their scoring page, on the first entry
they have not submitted; and the organizer's assignment matrix tells conflict reasons without
a hover."""

from __future__ import annotations

import re

from app.accounts.models import EventRole, Role
from app.extensions import db
from app.judging import assignment_services, judge_services, scoring_services
from app.judging.models import ConflictSource
from tests.conftest import TEST_PASSWORD
from tests.judging.conftest import full_values, new_client_id


def submit(comp, judge, entry_id):
    scoring_services.save_sheet(
        comp.round,
        entry_id,
        judge,
        values=full_values(comp.round),
        comment="",
        submit=True,
        client_id=new_client_id(),
    )
    db.session.commit()


def focus_of(html: str) -> int:
    return int(re.search(r'data-focus="(\d+)"', html).group(1))


def test_a_judge_lands_on_the_first_entry_they_have_not_submitted(competition, auth, client):
    comp = competition(entries=3, judges=1, k=1)
    assignment_services.assign_automatically(comp.round)
    db.session.commit()
    judge = comp.judges[0]
    order = [entry.id for entry, _ in scoring_services.judge_entries(comp.round, judge)]
    submit(comp, judge, order[0])

    response = auth.login(judge)
    round_url = f"/judge/{comp.event.slug}/rounds/{comp.round.id}/"
    assert response.status_code == 302
    assert response.headers["Location"] == round_url
    html = client.get(round_url).get_data(as_text=True)
    assert focus_of(html) == order[1]
    assert 'data-explicit="false"' in html


def test_a_judge_who_has_submitted_everything_lands_on_their_judging_page(
    competition, auth, client
):
    comp = competition(entries=2, judges=1, k=1)
    assignment_services.assign_automatically(comp.round)
    db.session.commit()
    judge = comp.judges[0]
    for entry, _ in scoring_services.judge_entries(comp.round, judge):
        submit(comp, judge, entry.id)
    response = auth.login(judge)
    assert response.headers["Location"] == f"/judge/{comp.event.slug}/"
    # The round page itself still opens (on the first entry; the sheet shows "all submitted").
    html = client.get(f"/judge/{comp.event.slug}/rounds/{comp.round.id}/").get_data(as_text=True)
    assert 'id="all-done"' in html


def test_staff_with_other_roles_and_a_next_address_keep_their_way(
    competition, auth, client, make_user
):
    comp = competition(entries=2, judges=1, k=1)
    assignment_services.assign_automatically(comp.round)
    judge = comp.judges[0]
    db.session.add(EventRole(user_id=judge.id, event_id=comp.event.id, role=Role.ORGANIZER))
    db.session.commit()
    assert auth.login(judge).headers["Location"] == "/staff"
    auth.logout()
    only_judge = make_user(Role.JUDGE, event=comp.event)
    response = client.post(
        "/login?next=/staff", data={"email": only_judge.email, "password": TEST_PASSWORD}
    )
    assert response.headers["Location"] == "/staff"  # an asked-for page wins
    # A judge with no entries anywhere lands on their judging page.
    auth.logout()
    assert auth.login(only_judge).headers["Location"] == f"/judge/{comp.event.slug}/"


def test_conflict_reasons_are_on_the_page_not_in_a_hover(competition, auth, client):
    comp = competition(entries=2, judges=2, k=1)
    judge, entry = comp.judges[0], comp.entries[1]
    judge_services.record_conflict(
        comp.event, judge, entry, ConflictSource.ORGANIZER, "co-founded the team's startup"
    )
    assignment_services.assign_automatically(comp.round)
    db.session.commit()
    auth.login(comp.organizer)
    html = client.get(
        f"/manage/{comp.event.slug}/judging/rounds/{comp.round.id}/?lang=en"
    ).get_data(as_text=True)
    matrix = html[html.index('class="compact matrix"') : html.index('id="calibration"')]
    assert ' title="' not in matrix  # nothing is said only on hover
    assert 'href="#conflict-1"' in matrix
    reasons = re.search(r'<li id="conflict-1"[^>]*>(.*?)</li>', matrix, re.S).group(1)
    assert judge.name in reasons
    assert "Project 2" in reasons
    assert "co-founded the team&#39;s startup" in reasons
    assert "conflict of interest (reason below)" in matrix  # the legend
