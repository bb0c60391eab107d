"""Entries, eligibility, rounds and criteria, conflicts: services and organizer pages."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role, User
from app.extensions import db
from app.judging import (
    assignment_services,
    entry_services,
    judge_services,
    round_services,
    scoring_services,
)
from app.judging.entry_services import EntryData
from app.judging.errors import JudgingError
from app.judging.models import ConflictSource, Criterion, Eligibility, Entry, Round, RoundKind
from app.judging.round_services import RoundData
from app.translated import Translated
from tests.judging.conftest import criteria_rows
from tests.judging.submission_support import tiny_pdf


def test_round_weights_not_adding_up_to_100_are_refused_with_the_sum(competition):
    comp = competition()
    data = RoundData(
        Translated(zh="复赛", en="Semifinal"),
        RoundKind.SEMIFINAL,
        criteria=criteria_rows([30, 25, 20, 15, 5]),
    )
    with pytest.raises(JudgingError) as refused:
        round_services.create_round(comp.event, data)
    assert "95" in str(refused.value.message)
    assert "100" in str(refused.value.message)


def test_round_form_with_bad_weights_answers_400_and_stores_nothing(competition, client, auth):
    comp = competition()
    auth.login(comp.organizer)
    before = db.session.scalar(select(func.count(Round.id)))
    form = {
        "name_zh": "决赛",
        "name_en": "Final",
        "kind": "final",
        "judges_per_entry": "5",
        "aggregation": "trimmed_mean",
        "advancement_rule": "top_n",
        "advancement_value": "3",
        "pitch_minutes": "8",
        "qa_minutes": "7",
    }
    for i, weight in enumerate([30, 30, 30]):
        form[f"criteria-{i}-name_en"] = f"C{i}"
        form[f"criteria-{i}-weight"] = str(weight)
        form[f"criteria-{i}-min_score"] = "0"
        form[f"criteria-{i}-max_score"] = "10"
        form[f"criteria-{i}-step"] = "1"
    response = client.post(f"/manage/{comp.event.slug}/judging/rounds/new", data=form)
    assert response.status_code == 400
    assert "90" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Round.id))) == before
    form["criteria-2-weight"] = "40"
    response = client.post(f"/manage/{comp.event.slug}/judging/rounds/new", data=form)
    assert response.status_code == 302
    final = next(r for r in db.session.scalars(select(Round)) if r.name.get("en") == "Final")
    assert [c.weight for c in final.criteria] == [30, 30, 40]
    assert final.pitch_seconds == 480 and final.qa_seconds == 420


def test_criterion_with_max_below_min_is_refused(competition):
    comp = competition()
    rows = criteria_rows()
    rows[0].max_score = -1
    with pytest.raises(JudgingError):
        round_services.create_round(
            comp.event, RoundData(Translated(zh="x", en="x"), RoundKind.FINAL, criteria=rows)
        )


def test_criteria_shape_is_fixed_once_scoring_started(competition):
    comp = competition()
    assignment_services.assign_automatically(comp.round)
    pair = assignment_services.assignments_of(comp.round)[0]
    judge = db.session.get(User, pair.judge_user_id)
    scoring_services.save_sheet(
        comp.round, pair.entry_id, judge, values={}, client_id="client-000001"
    )
    rows = criteria_rows([20, 25, 20, 15, 20])
    with pytest.raises(JudgingError) as refused:
        round_services.update_round(
            comp.round,
            RoundData(
                Translated(zh="初赛", en="Preliminary"), RoundKind.PRELIMINARY, criteria=rows
            ),
        )
    assert refused.value.status == 409


def test_entry_needs_a_leader_among_its_members(competition, make_registration):
    comp = competition(entries=0)
    member = make_registration(comp.event)
    with pytest.raises(JudgingError):
        entry_services.create_entry(
            comp.event, EntryData("项目", "Project", member_ids=[member.id], leader_id=None)
        )


def test_a_registration_can_be_in_one_team_only(competition):
    comp = competition(entries=1)
    taken = comp.members[comp.entries[0].id][0]
    with pytest.raises(JudgingError):
        entry_services.create_entry(
            comp.event, EntryData("另一个", "Other", member_ids=[taken.id], leader_id=taken.id)
        )


def test_members_must_be_registrations_of_the_event(competition, make_event, make_registration):
    comp = competition(entries=0)
    stranger = make_registration(make_event())
    with pytest.raises(JudgingError):
        entry_services.create_entry(
            comp.event,
            EntryData("项目", "Project", member_ids=[stranger.id], leader_id=stranger.id),
        )


def test_ineligible_needs_a_reason_and_cannot_join_a_round(competition):
    comp = competition(entries=1)
    entry = comp.entries[0]
    with pytest.raises(JudgingError):
        entry_services.set_eligibility(entry, Eligibility.INELIGIBLE, " ")
    entry_services.set_eligibility(entry, Eligibility.INELIGIBLE, "team leader older than 35")
    round_services.remove_entry_from_round(comp.round, entry.id)
    with pytest.raises(JudgingError):
        round_services.add_entries_to_round(comp.round, [entry.id])


def test_entry_form_creates_entry_with_team_and_pdf_deck(
    competition, client, auth, make_registration
):
    comp = competition(entries=0)
    a, b = make_registration(comp.event), make_registration(comp.event)
    db.session.commit()
    auth.login(comp.organizer)
    response = client.post(
        f"/manage/{comp.event.slug}/judging/entries/new",
        data={
            "title_zh": "智慧农业",
            "title_en": "Smart farming",
            "team_name": "Agro",
            "track": "AI",
            "summary": "x",
            "video_url": "https://example.org/v",
            "members": [str(a.id), str(b.id)],
            "leader": str(b.id),
            "deck": (io.BytesIO(tiny_pdf()), "deck.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = db.session.scalars(select(Entry).where(Entry.title_en == "Smart farming")).one()
    assert {m.registration_id for m in entry.members} == {a.id, b.id}
    assert entry.leader.registration_id == b.id
    assert entry_services.deck_path(entry).read_bytes().startswith(b"%PDF-")
    deck = client.get(f"/manage/{comp.event.slug}/judging/entries/{entry.id}/deck.pdf")
    assert deck.status_code == 200 and deck.mimetype == "application/pdf"


@pytest.mark.parametrize(
    ("payload", "status"),
    [(b"GIF89a not a pdf", 415), (b"%PDF-" + b"0" * (entry_services.MAX_DECK_BYTES + 10), 413)],
)
def test_deck_that_is_not_a_pdf_or_too_large_is_refused_and_nothing_stored(
    competition, client, auth, make_registration, payload, status
):
    comp = competition(entries=0)
    a = make_registration(comp.event)
    db.session.commit()
    auth.login(comp.organizer)
    response = client.post(
        f"/manage/{comp.event.slug}/judging/entries/new",
        data={
            "title_en": "Deckless",
            "members": [str(a.id)],
            "leader": str(a.id),
            "deck": (io.BytesIO(payload), "deck.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == status
    assert db.session.scalar(select(func.count(Entry.id)).where(Entry.title_en == "Deckless")) == 0


def test_automatic_conflict_ignores_case_and_whitespace(competition):
    comp = competition(entries=2, judges=2)
    member = comp.members[comp.entries[0].id][0]
    member.organization = "  Tsinghua   University "
    judge_services.set_judge_organization(comp.event, comp.judges[0], "tsinghua university")
    conflicts = judge_services.automatic_conflicts(comp.event)
    assert (comp.entries[0].id, comp.judges[0].id) in conflicts
    assert (comp.entries[1].id, comp.judges[0].id) not in conflicts
    assert judge_services.has_conflict(comp.event, comp.judges[0].id, comp.entries[0].id)


def test_declared_conflict_removes_an_unscored_assignment(competition):
    comp = competition(entries=2, judges=2, k=2)
    assignment_services.assign_automatically(comp.round)
    judge, entry = comp.judges[0], comp.entries[0]
    judge_services.record_conflict(comp.event, judge, entry, ConflictSource.DECLARED, "my student")
    pairs = {(a.entry_id, a.judge_user_id) for a in assignment_services.assignments_of(comp.round)}
    assert (entry.id, judge.id) not in pairs


def test_manual_assignment_of_a_conflicted_pair_is_refused(competition):
    comp = competition(entries=1, judges=2, k=1)
    judge_services.record_conflict(
        comp.event, comp.judges[0], comp.entries[0], ConflictSource.ORGANIZER
    )
    with pytest.raises(JudgingError) as refused:
        assignment_services.add_assignment(comp.round, comp.entries[0].id, comp.judges[0].id)
    assert refused.value.status == 409


def test_judge_declaration_page_records_conflicts(competition, client, auth):
    comp = competition(entries=2, judges=1)
    auth.login(comp.judges[0])
    response = client.post(
        f"/judge/{comp.event.slug}/declaration",
        data={
            "organization": "Astana IT University",
            "entries": [str(comp.entries[1].id)],
            "reason": "mentor",
        },
    )
    assert response.status_code == 302
    assert judge_services.has_conflict(comp.event, comp.judges[0].id, comp.entries[1].id)
    assert (
        judge_services.judge_profile(comp.event, comp.judges[0]).organization
        == "Astana IT University"
    )


def test_organizer_pages_render(competition, client, auth):
    comp = competition(entries=3, judges=3, k=2)
    assignment_services.assign_automatically(comp.round)
    db.session.commit()
    auth.login(comp.organizer)
    slug, rid = comp.event.slug, comp.round.id
    for path in [
        f"/manage/{slug}/judging/",
        f"/manage/{slug}/judging/judges",
        f"/manage/{slug}/judging/entries/new",
        f"/manage/{slug}/judging/entries/{comp.entries[0].id}/",
        f"/manage/{slug}/judging/entries/{comp.entries[0].id}/edit",
        f"/manage/{slug}/judging/rounds/new",
        f"/manage/{slug}/judging/rounds/{rid}/",
        f"/manage/{slug}/judging/rounds/{rid}/edit",
        f"/manage/{slug}/judging/rounds/{rid}/compare",
        f"/manage/{slug}/judging/rounds/{rid}/audit",
        f"/manage/{slug}/judging/rounds/{rid}/host",
        f"/manage/{slug}/judging/rounds/{rid}/stage",
        f"/manage/{slug}/judging/rounds/{rid}/screen",
        f"/manage/{slug}/judging/rounds/{rid}/stage.json",
        f"/manage/{slug}/judging/rounds/{rid}/screen.json",
    ]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)


def test_organizer_pages_are_closed_to_judges(competition, client, auth):
    comp = competition(entries=1, judges=1, k=1)
    auth.login(comp.judges[0])
    assert client.get(f"/manage/{comp.event.slug}/judging/").status_code == 403
    assert (
        client.get(f"/manage/{comp.event.slug}/judging/rounds/{comp.round.id}/").status_code == 403
    )


def test_every_criterion_row_is_stored_in_order(competition):
    comp = competition(entries=0)
    names = db.session.scalars(
        select(Criterion.name)
        .where(Criterion.round_id == comp.round.id)
        .order_by(Criterion.position)
    ).all()
    assert [n["en"] for n in names] == [
        "Innovation",
        "Market",
        "Team",
        "Feasibility",
        "Social impact",
    ]


def test_role_grant_makes_a_judge(competition, make_user):
    comp = competition(entries=0, judges=0)
    user = make_user(Role.JUDGE, event=comp.event)
    assert [j.id for j in judge_services.event_judges(comp.event)] == [user.id]


def test_ids_beyond_the_database_integer_range_are_404_not_a_database_error(
    competition, client, auth
):
    """PostgreSQL refuses to compare an integer column with 2**31 (found by schemathesis)."""
    comp = competition(entries=1, judges=1, k=1)
    auth.login(comp.organizer)
    slug = comp.event.slug
    assert client.get(f"/manage/{slug}/judging/rounds/2147483648/").status_code == 404
    assert client.get(f"/manage/{slug}/judging/entries/99999999999/").status_code == 404
    api = client.get(f"/api/events/{slug}/judging/rounds/2147483648/sheets/1")
    assert api.status_code == 404 and api.is_json
