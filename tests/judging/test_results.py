"""Advancement (preview, then the organizer's action), results exports (XLSX, PDF), awards and
award certificates mailed to every team member."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.accounts.models import User
from app.certificates.models import Certificate, CertificateKind
from app.extensions import db
from app.judging import (
    advancement_services,
    assignment_services,
    award_services,
    round_services,
    scoring_services,
)
from app.judging.errors import JudgingError
from app.judging.models import AdvancementRule, AwardLevel, RoundEntry, RoundKind
from app.judging.round_services import RoundData
from app.mail.models import OutboxMessage
from app.translated import Translated
from tests.judging.conftest import criteria_rows, full_values, new_client_id


def score_everything(comp, value_of=None) -> None:
    """Every assigned judge submits; entry i gets 9 − i (on every criterion) by default."""
    index = {e.id: i for i, e in enumerate(comp.entries)}
    for assignment in assignment_services.assignments_of(comp.round):
        judge = db.session.get(User, assignment.judge_user_id)
        value = value_of(index[assignment.entry_id]) if value_of else 9 - index[assignment.entry_id]
        scoring_services.save_sheet(
            comp.round,
            assignment.entry_id,
            judge,
            values=full_values(comp.round, value),
            submit=True,
            client_id=new_client_id(),
        )
    db.session.commit()


def second_round(comp, **overrides):
    values = dict(
        name=Translated(zh="复赛", en="Semifinal"),
        kind=RoundKind.SEMIFINAL,
        criteria=criteria_rows(),
    )
    values.update(overrides)
    round_ = round_services.create_round(comp.event, RoundData(**values))
    db.session.commit()
    return round_


def test_advancement_preview_then_explicit_action_moves_top_n(competition, client, auth):
    comp = competition(entries=5, judges=2, k=2)
    assignment_services.assign_automatically(comp.round)
    comp.round.advancement_rule, comp.round.advancement_value = AdvancementRule.TOP_N, 2
    score_everything(comp)
    semifinal = second_round(comp)
    preview = advancement_services.advancement_preview(comp.round)
    assert [e.id for e in preview] == [comp.entries[0].id, comp.entries[1].id]
    assert round_services.round_entries(semifinal) == []  # a preview changes nothing
    auth.login(comp.organizer)
    page = client.get(f"/manage/{comp.event.slug}/judging/rounds/{comp.round.id}/?lang=en")
    assert "Advance these 2 entries" in page.get_data(as_text=True)
    response = client.post(f"/manage/{comp.event.slug}/judging/rounds/{comp.round.id}/advance")
    assert response.status_code == 302
    assert {e.id for e in round_services.round_entries(semifinal)} == {e.id for e in preview}
    advanced = db.session.scalars(
        select(RoundEntry.entry_id).where(
            RoundEntry.round_id == comp.round.id, RoundEntry.advanced.is_(True)
        )
    ).all()
    assert set(advanced) == {e.id for e in preview}


def test_advancement_per_track_and_by_threshold(competition):
    comp = competition(entries=6, judges=2, k=2, tracks=("AI", "Green"))
    assignment_services.assign_automatically(comp.round)
    score_everything(comp)  # entry i scores (9 − i) × 10
    comp.round.advancement_rule, comp.round.advancement_value = (
        AdvancementRule.TOP_N_PER_TRACK,
        1,
    )
    picked = advancement_services.advancement_preview(comp.round)
    assert [e.id for e in picked] == [comp.entries[0].id, comp.entries[1].id]
    comp.round.advancement_rule, comp.round.advancement_value = AdvancementRule.THRESHOLD, 70
    picked = advancement_services.advancement_preview(comp.round)
    assert [e.id for e in picked] == [e.id for e in comp.entries[:3]]


def test_advancing_without_a_next_round_is_refused(competition):
    comp = competition(entries=2, judges=1, k=1)
    assignment_services.assign_automatically(comp.round)
    score_everything(comp)
    with pytest.raises(JudgingError):
        advancement_services.advance_round(comp.round)


def test_results_xlsx_has_overall_and_per_track_sheets(competition, client, auth):
    comp = competition(entries=4, judges=2, k=2, tracks=("AI", "Green"))
    assignment_services.assign_automatically(comp.round)
    score_everything(comp)
    auth.login(comp.organizer)
    response = client.get(
        f"/manage/{comp.event.slug}/judging/rounds/{comp.round.id}/results.xlsx?lang=en"
    )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Overall", "1 AI", "2 Green"]
    overall = list(workbook["Overall"].iter_rows(values_only=True))
    assert overall[0][:2] == ("Rank", "Entry")
    assert [row[1] for row in overall[1:]] == [e.title_en for e in comp.entries]
    assert overall[1][4] == 90
    ai = list(workbook["1 AI"].iter_rows(values_only=True))
    assert [row[0] for row in ai[1:]] == [1, 2]


def test_results_pdf_lists_the_ranking(competition, client, auth):
    from pypdf import PdfReader

    comp = competition(entries=3, judges=2, k=2)
    assignment_services.assign_automatically(comp.round)
    score_everything(comp)
    auth.login(comp.organizer)
    response = client.get(
        f"/manage/{comp.event.slug}/judging/rounds/{comp.round.id}/results.pdf?lang=en"
    )
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for entry in comp.entries:
        assert entry.title_en in text
    assert "90.00" in text


def test_awards_follow_the_ranking_and_certificates_reach_every_member(competition, client, auth):
    comp = competition(entries=5, judges=2, k=2, members=3)
    assignment_services.assign_automatically(comp.round)
    score_everything(comp)
    auth.login(comp.organizer)
    base = f"/manage/{comp.event.slug}/judging/rounds/{comp.round.id}"
    response = client.post(
        f"{base}/awards", data={"gold": 1, "silver": 1, "bronze": 1, "excellence": 1}
    )
    assert response.status_code == 302
    awards = award_services.round_awards(comp.round)
    assert [(a.level, a.entry_id) for a in awards] == [
        (AwardLevel.GOLD, comp.entries[0].id),
        (AwardLevel.SILVER, comp.entries[1].id),
        (AwardLevel.BRONZE, comp.entries[2].id),
        (AwardLevel.EXCELLENCE, comp.entries[3].id),
    ]
    assert client.post(f"{base}/awards/certificates").status_code == 302
    certificates = db.session.scalars(
        select(Certificate).where(Certificate.kind == CertificateKind.AWARD)
    ).all()
    assert len(certificates) == 4 * 3
    gold_members = {r.id for r in comp.members[comp.entries[0].id]}
    gold = [c for c in certificates if c.registration_id in gold_members]
    assert {c.award_name["en"] for c in gold} == {"Gold Award"}
    assert {c.entry_title for c in gold} == {comp.entries[0].title_en}
    assert {c.team_name for c in gold} == {comp.entries[0].team_name}
    mails = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "certificate.issued")
    )
    assert mails == 12
    # Issuing again changes nothing; awards are then fixed.
    assert client.post(f"{base}/awards/certificates").status_code == 302
    assert db.session.scalar(select(func.count(Certificate.id))) == 12
    with pytest.raises(JudgingError):
        award_services.assign_awards(comp.round, {AwardLevel.GOLD: 2})


def test_more_awards_than_scored_entries_are_refused(competition):
    comp = competition(entries=2, judges=1, k=1)
    assignment_services.assign_automatically(comp.round)
    score_everything(comp)
    with pytest.raises(JudgingError):
        award_services.assign_awards(comp.round, {AwardLevel.GOLD: 1, AwardLevel.SILVER: 2})
