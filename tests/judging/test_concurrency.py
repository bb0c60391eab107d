"""30 judges (10 on SQLite) submitting at the same moment from real threads: every score is
stored exactly once, resends included, and the ranking counts every one of them."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from app.extensions import db
from app.judging import assignment_services, ranking_services
from app.judging.models import Round, ScoreSheet, ScoreVersion, SheetStatus
from tests.conftest import TEST_PASSWORD

ENTRIES = 6


def test_judges_submitting_at_once_lose_nothing(app, competition, is_postgres):
    # SQLite serializes every write and its busy handler is not fair: on a loaded machine one
    # of 30 threads can wait past the 30 s busy timeout (answered 503, as designed), so the
    # SQLite leg uses 10 judges; PostgreSQL takes all 30.
    JUDGES = 30 if is_postgres else 10
    comp = competition(entries=ENTRIES, judges=JUDGES, k=JUDGES, members=1)
    assignment_services.assign_automatically(comp.round)
    db.session.commit()
    slug, round_id = comp.event.slug, comp.round.id
    db.session.refresh(comp.round)
    version_before = comp.round.score_version  # entries and assignments bump it too
    criteria = [str(c.id) for c in comp.round.criteria]
    entry_ids = [e.id for e in comp.entries]
    judges = [(j.id, j.email) for j in comp.judges]
    db.session.commit()
    barrier = threading.Barrier(JUDGES)
    errors: list[BaseException] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def value_for(judge_index: int, entry_index: int) -> float:
        return float((judge_index + entry_index) % 21) / 2  # 0 … 10 in steps of 0.5

    def worker(index: int, email: str) -> None:
        try:
            client = app.test_client()
            login = client.post("/login", data={"email": email, "password": TEST_PASSWORD})
            assert login.status_code == 302
            barrier.wait(timeout=120)
            for entry_index, entry_id in enumerate(entry_ids):
                value = value_for(index, entry_index)
                body = {
                    "client_id": f"judge{index:02d}-entry{entry_id:05d}",
                    "action": "submit",
                    "values": dict.fromkeys(criteria, value),
                }
                url = f"/api/events/{slug}/judging/rounds/{round_id}/sheets/{entry_id}"
                # Every submission is sent twice, as a tablet does when an answer is lost.
                for _ in range(2):
                    response = client.post(url, json=body)
                    with lock:
                        statuses.append(response.status_code)
        except BaseException as error:
            errors.append(error)

    threads = [
        threading.Thread(target=worker, args=(index, email))
        for index, (_, email) in enumerate(judges)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    assert statuses == [200] * (JUDGES * ENTRIES * 2)

    db.session.expire_all()
    sheets = db.session.scalars(select(ScoreSheet).where(ScoreSheet.round_id == round_id)).all()
    assert len(sheets) == JUDGES * ENTRIES
    assert all(s.status == SheetStatus.SUBMITTED and s.version == 1 for s in sheets)
    index_of = {judge_id: i for i, (judge_id, _) in enumerate(judges)}
    for sheet in sheets:
        expected = value_for(index_of[sheet.judge_user_id], entry_ids.index(sheet.entry_id))
        assert set(sheet.values.values()) == {expected}
    versions = db.session.scalar(select(func.count(ScoreVersion.id)))
    assert versions == JUDGES * ENTRIES
    round_ = db.session.get(Round, round_id)
    assert round_.score_version == version_before + JUDGES * ENTRIES
    ranking = ranking_services.round_ranking(round_)
    assert [line.judges for line in ranking.entries] == [JUDGES] * ENTRIES
