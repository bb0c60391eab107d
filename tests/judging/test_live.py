"""Live final: seeded draw, stage timer controls, scores revealed once every judge submitted,
ranking screen states and its server-sent event stream."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from app.accounts.models import User
from app.extensions import db
from app.judging import assignment_services, live_services, scoring_services
from app.judging.errors import JudgingError
from app.judging.models import RankingState, Round, RoundEntry, TimerPhase
from tests.judging.conftest import full_values, new_client_id


def _order(round_) -> list[int]:
    rows = sorted(round_.round_entries, key=lambda r: r.draw_position)
    return [r.entry_id for r in rows]


def test_draw_with_a_seed_is_recorded_and_repeatable(competition, client, auth):
    comp = competition(entries=8, judges=1, k=1)
    auth.login(comp.organizer)
    base = f"/manage/{comp.event.slug}/judging/rounds/{comp.round.id}"
    assert client.post(f"{base}/draw", data={"seed": "sco-final-2020"}).status_code == 302
    db.session.refresh(comp.round)
    first = _order(comp.round)
    assert comp.round.draw_seed == "sco-final-2020"
    assert sorted(first) == sorted(e.id for e in comp.entries)
    live_services.draw_pitch_order(comp.round, "other")
    live_services.draw_pitch_order(comp.round, "sco-final-2020")
    assert _order(comp.round) == first
    page = client.get(f"{base}/?lang=en").get_data(as_text=True)
    assert "sco-final-2020" in page


def test_random_draw_records_its_seed(competition):
    comp = competition(entries=3, judges=1, k=1)
    seed = live_services.draw_pitch_order(comp.round)
    assert seed and comp.round.draw_seed == seed
    assert all(isinstance(r.draw_position, int) for r in comp.round.round_entries)


def test_draw_is_refused_once_scores_are_submitted(competition):
    comp = competition(entries=2, judges=1, k=1)
    assignment_services.assign_automatically(comp.round)
    judge = comp.judges[0]
    scoring_services.save_sheet(
        comp.round,
        comp.entries[0].id,
        judge,
        values=full_values(comp.round),
        submit=True,
        client_id=new_client_id(),
    )
    with pytest.raises(JudgingError):
        live_services.draw_pitch_order(comp.round, "late")


def test_host_controls_the_team_on_stage_and_the_timers(competition, client, auth):
    comp = competition(entries=3, judges=1, k=1)
    live_services.draw_pitch_order(comp.round, "seed")
    db.session.commit()
    auth.login(comp.organizer)
    control = f"/manage/{comp.event.slug}/judging/rounds/{comp.round.id}/stage/control"
    json_headers = {"Accept": "application/json"}
    state = client.post(control, data={"action": "next"}, headers=json_headers).json
    assert state["current"]["id"] == _order(comp.round)[0]
    state = client.post(control, data={"action": "start_pitch"}, headers=json_headers).json
    assert state["timer"]["phase"] == "pitch" and state["timer"]["duration"] == 480
    assert state["timer"]["running"] is True
    # Pretend two minutes have passed, then pause: the elapsed time is kept.
    db.session.refresh(comp.round)
    comp.round.timer_started_at -= timedelta(minutes=2)
    db.session.commit()
    state = client.post(control, data={"action": "pause"}, headers=json_headers).json
    assert state["timer"]["running"] is False and 119 <= state["timer"]["elapsed"] <= 125
    refused = client.post(control, data={"action": "pause"}, headers=json_headers)
    assert refused.status_code == 409
    state = client.post(control, data={"action": "start_qa"}, headers=json_headers).json
    assert state["timer"]["phase"] == "qa" and state["timer"]["duration"] == 420
    state = client.post(control, data={"action": "next"}, headers=json_headers).json
    assert state["current"]["id"] == _order(comp.round)[1]
    assert state["timer"]["phase"] == "idle"
    assert state["timer"]["pitch"] == 480  # what the stage shows before the pitch starts
    assert client.post(control, data={"action": "explode"}).status_code == 302


def test_scores_are_revealed_only_when_every_judge_submitted(competition):
    comp = competition(entries=1, judges=5, k=5)
    assignment_services.assign_automatically(comp.round)
    entry_id = comp.entries[0].id
    live_services.set_current_entry(comp.round, entry_id)
    values = [2, 6, 7, 8, 10]  # totals 20, 60, 70, 80, 100 → trimmed (60 + 70 + 80) / 3 = 70
    for judge, value in zip(comp.judges[:4], values[:4], strict=True):
        scoring_services.save_sheet(
            comp.round,
            entry_id,
            judge,
            values=full_values(comp.round, value),
            submit=True,
            client_id=new_client_id(),
        )
    hidden = live_services.stage_state(comp.round, "en")["current"]["reveal"]
    assert hidden == {"assigned": 5, "submitted": 4, "complete": False}
    scoring_services.save_sheet(
        comp.round,
        entry_id,
        comp.judges[4],
        values=full_values(comp.round, values[4]),
        submit=True,
        client_id=new_client_id(),
    )
    reveal = live_services.stage_state(comp.round, "en")["current"]["reveal"]
    assert reveal["complete"] is True
    assert sorted(j["total"] for j in reveal["judges"]) == [20, 60, 70, 80, 100]
    assert sorted(j["total"] for j in reveal["judges"] if j["dropped"]) == [20, 100]
    assert reveal["final"] == 70


def test_frozen_screen_keeps_its_snapshot_until_published(competition):
    comp = competition(entries=2, judges=1, k=1)
    assignment_services.assign_automatically(comp.round)
    live_services.set_ranking_state(comp.round, RankingState.FROZEN, "en")
    frozen = live_services.screen_ranking(comp.round, "en")
    assert frozen["state"] == "frozen"
    assignment = assignment_services.assignments_of(comp.round)[0]
    scoring_services.save_sheet(
        comp.round,
        assignment.entry_id,
        comp.judges[0],
        values=full_values(comp.round, 9),
        submit=True,
        client_id=new_client_id(),
    )
    assert live_services.screen_ranking(comp.round, "en")["rows"] == frozen["rows"]
    live_services.set_ranking_state(comp.round, RankingState.PUBLISHED, "en")
    published = live_services.screen_ranking(comp.round, "en")
    assert published["rows"][0]["entry_id"] == assignment.entry_id
    assert published["rows"][0]["score"] == 90


def _events(body: str) -> list[dict]:
    """The events of a server-sent event body: [{"id", "event", "data", "retry"}, …]."""
    events = []
    for block in body.split("\n\n"):
        fields: dict = {}
        for line in block.splitlines():
            name, _, value = line.partition(": ")
            if name in ("id", "event", "data", "retry"):
                fields[name] = value
        if fields:
            events.append(fields)
    return events


def test_event_stream_answers_at_once_with_the_ranking_and_a_retry(competition, client, auth):
    comp = competition(entries=2, judges=1, k=1)
    auth.login(comp.organizer)
    entry_ids = {e.id for e in comp.entries}
    url = f"/manage/{comp.event.slug}/judging/rounds/{comp.round.id}/events"
    version = comp.round.score_version
    response = client.get(f"{url}?since={version - 1}")
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-store"
    events = _events(response.get_data(as_text=True))
    assert events[0] == {"retry": "1000"}
    assert events[1]["event"] == "ranking" and events[1]["id"] == str(version)
    assert {row["entry_id"] for row in json.loads(events[1]["data"])["rows"]} == entry_ids


def test_event_stream_resumes_from_the_last_event_id(competition, client, auth):
    comp = competition(entries=2, judges=1, k=1)
    assignment_services.assign_automatically(comp.round)
    db.session.commit()
    auth.login(comp.organizer)
    url = f"/manage/{comp.event.slug}/judging/rounds/{comp.round.id}/events"
    seen = comp.round.score_version
    # Nothing new since the version the screen shows: only the retry, the response ends.
    unchanged = _events(client.get(url, headers={"Last-Event-ID": str(seen)}).get_data(True))
    assert unchanged == [{"retry": "1000"}]
    # Last-Event-ID (a reconnect) wins over the ?since= of the page's first connection.
    assert _events(
        client.get(f"{url}?since=0", headers={"Last-Event-ID": str(seen)}).get_data(True)
    ) == [{"retry": "1000"}]
    assignment = assignment_services.assignments_of(comp.round)[0]
    scoring_services.save_sheet(
        comp.round,
        assignment.entry_id,
        comp.judges[0],
        values=full_values(comp.round, 8),
        submit=True,
        client_id=new_client_id(),
    )
    db.session.commit()
    events = _events(client.get(url, headers={"Last-Event-ID": str(seen)}).get_data(True))
    assert int(events[1]["id"]) > seen
    rows = json.loads(events[1]["data"])["rows"]
    assert rows[0]["entry_id"] == assignment.entry_id and rows[0]["score"] == 80


def test_a_held_stream_sends_the_change_as_soon_as_it_is_committed(app, competition, client, auth):
    comp = competition(entries=2, judges=1, k=1)
    assignment_services.assign_automatically(comp.round)
    db.session.commit()
    auth.login(comp.organizer)
    url = f"/manage/{comp.event.slug}/judging/rounds/{comp.round.id}/events"
    seen = comp.round.score_version
    round_id, judge_id = comp.round.id, comp.judges[0].id
    app.config["JUDGING_SSE_HOLD_SECONDS"] = 5
    try:
        # The held view ends the shared test session (its objects are detached): reload them.
        response = client.get(url, headers={"Last-Event-ID": str(seen)})
        round_ = db.session.get(Round, round_id)
        assignment = assignment_services.assignments_of(round_)[0]
        scoring_services.save_sheet(
            round_,
            assignment.entry_id,
            db.session.get(User, judge_id),
            values=full_values(round_, 6),
            submit=True,
            client_id=new_client_id(),
        )
        db.session.commit()
        events = _events(response.get_data(as_text=True))  # the stream runs as it is read
    finally:
        app.config["JUDGING_SSE_HOLD_SECONDS"] = 0
    assert events[0] == {"retry": "1000"}
    assert events[1]["event"] == "ranking" and int(events[1]["id"]) > seen


def test_screen_json_answers_304_to_the_etag_of_an_unchanged_ranking(competition, client, auth):
    comp = competition(entries=2, judges=1, k=1)
    auth.login(comp.organizer)
    url = f"/manage/{comp.event.slug}/judging/rounds/{comp.round.id}/screen.json"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    live_services.set_ranking_state(comp.round, RankingState.FROZEN, "en")
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.json["state"] == "frozen"


def test_stage_only_for_organizers(competition, client, auth):
    comp = competition(entries=1, judges=1, k=1)
    auth.login(comp.judges[0])
    base = f"/manage/{comp.event.slug}/judging/rounds/{comp.round.id}"
    assert client.get(f"{base}/stage").status_code == 403
    assert client.post(f"{base}/stage/control", data={"action": "next"}).status_code == 403
    assert RoundEntry and TimerPhase  # names used by the stage are importable
