"""Honest rankings: an entry with fewer submitted sheets than assigned judges is marked
incomplete (1/5) on every output of the ranking, and advancement and awards refuse while one
is, unless an organizer gives a reason to go ahead (kept on the round, audited, printed)."""

from __future__ import annotations

import io

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from app.accounts.models import User
from app.audit.models import AuditEntry
from app.extensions import db
from app.judging import (
    advancement_services,
    assignment_services,
    award_services,
    export,
    live_services,
    ranking_services,
    round_services,
    scoring_services,
)
from app.judging.errors import JudgingError
from app.judging.models import AdvancementRule, Award, AwardLevel, RoundKind
from app.judging.round_services import RoundData
from app.translated import Translated
from tests.judging.conftest import criteria_rows, full_values, new_client_id
from tests.pdf_support import pdf_text

REASON = "Judge Wang fell ill; the panel agreed to rank on the sheets in hand"


def submit(comp, entry, judge, value: float) -> None:
    scoring_services.save_sheet(
        comp.round,
        entry.id,
        judge,
        values=full_values(comp.round, value),
        submit=True,
        client_id=new_client_id(),
    )


def judges_of(comp, entry) -> list[User]:
    ids = [
        a.judge_user_id
        for a in assignment_services.assignments_of(comp.round)
        if a.entry_id == entry.id
    ]
    return [db.session.get(User, i) for i in ids]


@pytest.fixture
def partly_judged(competition):
    """Three entries, five judges each: the first fully scored (60), the second by one judge
    (90, so it ranks first), the third by all five (50); a next round to advance to."""
    comp = competition(entries=3, judges=5, k=5)
    assignment_services.assign_automatically(comp.round)
    first, second, third = comp.entries
    for judge in judges_of(comp, first):
        submit(comp, first, judge, 6)
    submit(comp, second, judges_of(comp, second)[0], 9)
    for judge in judges_of(comp, third):
        submit(comp, third, judge, 5)
    comp.round.advancement_rule, comp.round.advancement_value = AdvancementRule.TOP_N, 2
    round_services.create_round(
        comp.event,
        RoundData(
            name=Translated(zh="复赛", en="Semifinal"),
            kind=RoundKind.SEMIFINAL,
            criteria=criteria_rows(),
        ),
    )
    db.session.commit()
    return comp


def test_entry_scored_by_one_of_five_judges_is_marked_incomplete_everywhere(partly_judged):
    comp = partly_judged
    first, second, third = comp.entries
    lines = {r.entry.id: r.line for r in ranking_services.result_lines(comp.round)}
    assert (lines[second.id].rank, lines[second.id].judges, lines[second.id].assigned) == (1, 1, 5)
    assert lines[second.id].incomplete
    assert not lines[first.id].incomplete and not lines[third.id].incomplete
    assert (lines[first.id].judges, lines[first.id].assigned) == (5, 5)
    assert [
        r.entry.id
        for r in ranking_services.incomplete_lines(ranking_services.result_lines(comp.round))
    ] == [second.id]

    rows = {r["entry_id"]: r for r in live_services.ranking_snapshot(comp.round, "en")}
    assert (rows[second.id]["submitted"], rows[second.id]["assigned"]) == (1, 5)
    assert rows[second.id]["incomplete"] is True and rows[first.id]["incomplete"] is False
    assert rows[second.id]["judges"] == 1  # the old field stays

    preview = advancement_services.advancement_preview_lines(comp.round)
    assert [(r.entry.id, r.line.incomplete) for r in preview] == [
        (second.id, True),
        (first.id, False),
    ]

    with force_locale("en"):
        workbook = load_workbook(io.BytesIO(export.results_workbook(comp.round, "en")))
    overall = list(workbook["Overall"].iter_rows(values_only=True))
    marks = {row[1]: row[-1] for row in overall[1:]}
    assert marks[second.title_en] == "incomplete (1/5)"
    assert marks[first.title_en] in ("", None)


def test_cached_ranking_follows_submits_and_assignment_changes(competition):
    comp = competition(entries=2, judges=3, k=2)
    assignment_services.assign_automatically(comp.round)
    db.session.commit()
    entry = comp.entries[0]
    judge, other = judges_of(comp, entry)

    def counts():
        line = next(
            r.line for r in ranking_services.result_lines(comp.round) if r.entry.id == entry.id
        )
        return line.judges, line.assigned

    assert counts() == (0, 2)
    submit(comp, entry, judge, 7)
    db.session.commit()
    assert counts() == (1, 2)
    assignment_services.remove_assignment(comp.round, entry.id, other.id)
    db.session.commit()
    assert counts() == (1, 1)
    spare = next(j for j in comp.judges if j.id not in (judge.id, other.id))
    assignment_services.add_assignment(comp.round, entry.id, spare.id)
    db.session.commit()
    assert counts() == (1, 2)


def test_advancement_refuses_while_an_entry_is_incomplete(partly_judged):
    comp = partly_judged
    for reason in ("", "   "):
        with pytest.raises(JudgingError) as refused:
            advancement_services.advance_round(comp.round, reason, comp.organizer)
        assert refused.value.code == "incomplete"
        assert f"{comp.entries[1].title_zh} (1/5)" in str(refused.value.message)
    db.session.rollback()
    assert comp.round.advanced_at is None


def test_awards_refuse_while_an_entry_is_incomplete(partly_judged):
    comp = partly_judged
    with pytest.raises(JudgingError) as refused:
        award_services.assign_awards(comp.round, {AwardLevel.GOLD: 1}, "", comp.organizer)
    assert refused.value.code == "incomplete"
    db.session.rollback()
    assert db.session.scalars(select(Award)).all() == []


def test_complete_rankings_need_no_reason(competition):
    comp = competition(entries=2, judges=2, k=2)
    assignment_services.assign_automatically(comp.round)
    for entry in comp.entries:
        for judge in judges_of(comp, entry):
            submit(comp, entry, judge, 8)
    db.session.commit()
    assert ranking_services.incomplete_lines(ranking_services.result_lines(comp.round)) == []
    assert len(award_services.assign_awards(comp.round, {AwardLevel.GOLD: 1})) == 1
    assert comp.round.incomplete_overrides is None


def test_override_with_a_reason_goes_ahead_is_audited_and_printed(partly_judged):
    comp = partly_judged
    second = comp.entries[1]
    target, added = advancement_services.advance_round(comp.round, REASON, comp.organizer)
    awards = award_services.assign_awards(
        comp.round, {AwardLevel.GOLD: 1, AwardLevel.SILVER: 1}, REASON, comp.organizer
    )
    db.session.commit()
    assert target.name["en"] == "Semifinal" and added == 2
    assert awards[0].entry_id == second.id
    decisions = [o["decision"] for o in comp.round.incomplete_overrides]
    assert decisions == ["advance", "awards"]
    assert comp.round.incomplete_overrides[0]["entries"] == [[second.id, 1, 5]]
    audited = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action.like("judging.%_override"))
    ).all()
    assert [a.action for a in audited] == ["judging.advance_override", "judging.awards_override"]
    assert audited[0].details["reason"] == REASON
    assert audited[0].details["incomplete"] == [f"{second.title_zh} (1/5)"]  # default locale
    assert audited[0].actor_user_id == comp.organizer.id

    with force_locale("en"):
        text = " ".join(pdf_text(export.results_pdf(comp.round, "en")).split())
    assert "Advancement decided although judging was incomplete" in text
    assert "Awards given although judging was incomplete" in text
    assert REASON in text
    assert "incomplete (1/5)" in text


def test_round_page_marks_the_incomplete_entry(partly_judged, client, auth):
    comp = partly_judged
    auth.login(comp.organizer)
    page = client.get(f"/manage/{comp.event.slug}/judging/rounds/{comp.round.id}/?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "incomplete (1/5)" in html
    assert html.count("incomplete (5/5)") == 0
    assert 'name="override_reason"' in html


def test_override_form_refuses_an_empty_reason_in_the_users_language(partly_judged, client, auth):
    comp = partly_judged
    auth.login(comp.organizer)
    base = f"/manage/{comp.event.slug}/judging/rounds/{comp.round.id}"
    chinese = {"Accept-Language": "zh-CN"}
    client.get(f"{base}/?lang=zh_CN", headers=chinese)
    for url, data in (
        (f"{base}/advance", {"override_reason": ""}),
        (
            f"{base}/awards",
            {"gold": 1, "silver": 0, "bronze": 0, "excellence": 0, "override_reason": " "},
        ),
    ):
        response = client.post(url, data=data, headers=chinese)
        assert response.status_code == 302
        page = client.get(response.headers["Location"], headers=chinese)
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "尚有评委未提交评分：项目2 (1/5)" in html  # the refusal, translated
    db.session.expire_all()
    assert comp.round.advanced_at is None
    assert db.session.scalars(select(Award)).all() == []

    response = client.post(
        f"{base}/awards",
        data={"gold": 1, "silver": 0, "bronze": 0, "excellence": 0, "override_reason": REASON},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [a.entry_id for a in db.session.scalars(select(Award))] == [comp.entries[1].id]
    assert comp.round.incomplete_overrides[-1]["reason"] == REASON
