"""The live final in Chromium: the host's controls drive the projector's stage page (team on
stage, pitch and Q&A timers, scores revealed once every judge submitted), the ranking screen
updates over server-sent events when a judge submits on the tablet, and the freeze/publish
switch holds the final ranking back until the ceremony."""

from __future__ import annotations

import re
import time

from app.accounts.models import User
from app.extensions import db
from app.judging import assignment_services, live_services, round_services, scoring_services
from app.judging.models import Round
from tests.browser.conftest import TABLET_VIEWPORT, end_transaction
from tests.browser.test_judging_tablet import log_in, open_tablet, score_all
from tests.judging import conftest as judging_fixtures
from tests.judging.conftest import full_values, new_client_id

# The competition factory and its registration helper, shared with tests/judging.
competition = judging_fixtures.competition
make_registration = judging_fixtures.make_registration

LAPTOP = {"width": 1280, "height": 800}
PROJECTOR = {"width": 1920, "height": 1080}
CLOCK = re.compile(r"^−?(\d+):(\d\d)$")


def seconds_on(page, selector: str) -> int:
    """The timer's remaining seconds as shown (m:ss)."""
    match = CLOCK.match(page.locator(selector).inner_text().strip())
    assert match, page.locator(selector).inner_text()
    return int(match.group(1)) * 60 + int(match.group(2))


def watch_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_host_controls_what_the_stage_shows(competition, live_server, page_at):
    comp = competition(entries=3, judges=5, k=5)
    assignment_services.assign_automatically(comp.round)
    live_services.draw_pitch_order(comp.round, "final-2020")
    db.session.commit()
    slug, round_id = comp.event.slug, comp.round.id
    order = [e.id for e in round_services.round_entries(comp.round)]
    titles = {e.id: e.title_en for e in comp.entries}
    organizer_email = comp.organizer.email
    end_transaction()
    base = f"/manage/{slug}/judging/rounds/{round_id}"

    stage = page_at(PROJECTOR, locale="en-US")
    stage_errors = watch_errors(stage)
    log_in(stage, organizer_email)
    stage.goto(f"{base}/stage?lang=en")
    stage.wait_for_function("() => document.getElementById('stage-timer').dataset.phase")
    assert stage.locator("#stage-title").inner_text() == "No team on stage"
    # Before the pitch the clock shows the team's time, dimmed (not a dash that reads as a bar).
    assert stage.locator("#stage-timer").inner_text() == "8:00"
    assert stage.evaluate("getComputedStyle(document.getElementById('stage-timer')).opacity") < "1"

    host = page_at(LAPTOP, locale="en-US")
    host_errors = watch_errors(host)
    log_in(host, organizer_email)
    host.goto(f"{base}/host?lang=en")

    # Next team: the first of the draw is on stage, with its place in the order.
    host.get_by_role("button", name="Next team").click()
    host.wait_for_load_state()
    first = titles[order[0]]
    assert host.locator("#host-current").inner_text() == first
    stage.wait_for_function(
        "(title) => document.getElementById('stage-title').textContent === title", arg=first
    )
    assert stage.locator("#stage-position").inner_text() == "#1"

    # The pitch timer counts down from 8:00 on the stage and on the host page.
    host.get_by_role("button", name=re.compile(r"^Start pitch")).click()
    host.wait_for_load_state()
    stage.wait_for_function(
        "() => document.getElementById('stage-timer').dataset.phase === 'pitch'"
    )
    assert "Pitch" in stage.locator("#stage-phase").inner_text()
    started = seconds_on(stage, "#stage-timer")
    assert 470 <= started <= 480
    stage.wait_for_function(
        "(start) => { const m = /(\\d+):(\\d\\d)/.exec(document.getElementById('stage-timer')"
        ".textContent); return m && Number(m[1]) * 60 + Number(m[2]) <= start - 2; }",
        arg=started,
        timeout=6_000,
    )
    assert 470 <= seconds_on(host, "#host-timer") <= 480

    # Pause: the stage says so and the clock stands still.
    host.get_by_role("button", name="Pause").click()
    host.wait_for_load_state()
    stage.wait_for_function(
        "() => document.getElementById('stage-phase').textContent.includes('paused')"
    )
    paused_at = seconds_on(stage, "#stage-timer")
    time.sleep(1.5)
    assert seconds_on(stage, "#stage-timer") == paused_at

    # Q&A: a fresh 7-minute clock.
    host.get_by_role("button", name=re.compile(r"^Start Q&A")).click()
    host.wait_for_load_state()
    stage.wait_for_function("() => document.getElementById('stage-timer').dataset.phase === 'qa'")
    assert 415 <= seconds_on(stage, "#stage-timer") <= 420
    assert "Q&A" in stage.locator("#stage-phase").inner_text()

    # Scores stay hidden until the fifth judge submits; then every total and the trimmed final.
    db.session.expire_all()
    round_ = db.session.get(Round, round_id)
    values = [2, 6, 7, 8]  # totals 20, 60, 70, 80, then 100 → (60 + 70 + 80) / 3 = 70
    for judge, value in zip(comp.judges, values, strict=False):
        scoring_services.save_sheet(
            round_,
            order[0],
            db.session.get(User, judge.id),
            values=full_values(round_, value),
            submit=True,
            client_id=new_client_id(),
        )
    db.session.commit()
    end_transaction()
    stage.wait_for_function(
        "() => document.getElementById('stage-reveal').textContent.includes('4 of 5')"
    )
    assert stage.locator(".reveal-final").count() == 0
    round_ = db.session.get(Round, round_id)
    scoring_services.save_sheet(
        round_,
        order[0],
        db.session.get(User, comp.judges[4].id),
        values=full_values(round_, 10),
        submit=True,
        client_id=new_client_id(),
    )
    db.session.commit()
    end_transaction()
    stage.wait_for_selector(".reveal-final")
    assert stage.locator(".reveal-final strong").inner_text() == "70.00"
    assert stage.locator(".reveal-judges li").count() == 5
    dropped = stage.locator(".reveal-judges li.dropped").all_inner_texts()
    assert sorted(float(t.rsplit(": ", 1)[1]) for t in dropped) == [20.0, 100.0]
    host.reload()
    host.wait_for_selector("#host-reveal .reveal-final")

    # Choosing another team from the order resets the timer.
    second = titles[order[1]]
    host.get_by_role("button", name=re.compile(rf"^2\. {re.escape(second)}$")).click()
    host.wait_for_load_state()
    stage.wait_for_function(
        "(title) => document.getElementById('stage-title').textContent === title", arg=second
    )
    stage.wait_for_function("() => document.getElementById('stage-timer').dataset.phase === 'idle'")
    assert stage.locator("#stage-position").inner_text() == "#2"
    assert stage_errors == [] and host_errors == []


def screen_rows(page) -> dict[str, str]:
    """entry title → score cell, as the ranking screen shows them."""
    rows = {}
    # textContent, whitespace folded: innerText depends on layout (a row the screen has paged
    # away renders nothing, so its title and mark read "a b" instead of "a\nb").
    for row in page.locator("#screen-rows tr").all():
        cells = [" ".join(text.split()) for text in row.locator("td").all_text_contents()]
        rows[cells[1]] = cells[3]
    return rows


def test_ranking_screen_updates_live_and_holds_the_final_ranking_until_published(
    competition, live_server, page_at, browser
):
    comp = competition(entries=3, judges=2, k=1)
    assignment_services.assign_automatically(comp.round)
    db.session.commit()
    slug, round_id = comp.event.slug, comp.round.id
    titles = {e.id: e.title_en for e in comp.entries}
    assignments = assignment_services.assignments_of(comp.round)
    mine = {
        j.email: [a.entry_id for a in assignments if a.judge_user_id == j.id] for j in comp.judges
    }
    organizer_email = comp.organizer.email
    first_judge, second_judge = (j.email for j in comp.judges)
    end_transaction()
    base = f"/manage/{slug}/judging/rounds/{round_id}"

    screen = page_at(PROJECTOR, locale="en-US")
    errors = watch_errors(screen)
    event_requests: list[str] = []
    screen.on("request", lambda r: event_requests.append(r.url) if "/events" in r.url else None)
    log_in(screen, organizer_email)
    screen.goto(f"{base}/screen?lang=en")
    screen.wait_for_selector("#screen-rows tr")
    assert screen.locator("#screen").get_attribute("data-transport") == "sse"
    assert set(screen_rows(screen).values()) == {"–"}
    assert screen.locator("#screen-state").inner_text() == "live"

    # A judge submits on the tablet: the screen shows the score without a reload.
    tablet = page_at(TABLET_VIEWPORT, is_mobile=True, has_touch=True, locale="en-US")
    log_in(tablet, first_judge)
    entry_id = mine[first_judge][0]
    open_tablet(tablet, slug, round_id, entry_id)
    score_all(tablet, 8)
    tablet.locator("#submit").tap()
    tablet.wait_for_selector("#tablet[data-pending='0']")
    title = titles[entry_id]
    screen.wait_for_function(
        "(title) => [...document.querySelectorAll('#screen-rows tr')].some("
        "tr => tr.cells[1].textContent === title && tr.cells[3].textContent === '80.00')",
        arg=title,
        timeout=10_000,
    )
    assert screen_rows(screen)[title] == "80.00"
    assert screen.locator("#screen").get_attribute("data-transport") == "sse"
    # Short responses, one after another (EventSource reconnecting), not one held stream.
    assert len(event_requests) >= 2

    # Freeze: later scores are held back from the screen.
    organizer = page_at(LAPTOP, locale="en-US")
    log_in(organizer, organizer_email)
    organizer.goto(f"{base}/?lang=en#live")
    organizer.get_by_role("button", name="Freeze").click()
    organizer.wait_for_load_state()
    screen.wait_for_function("() => document.getElementById('screen').dataset.state === 'frozen'")
    assert "announced at the ceremony" in screen.locator("#screen-state").inner_text()
    frozen = screen_rows(screen)

    judge_page = page_at(TABLET_VIEWPORT, is_mobile=True, has_touch=True, locale="en-US")
    log_in(judge_page, second_judge)
    other = mine[second_judge][0]
    open_tablet(judge_page, slug, round_id, other)
    score_all(judge_page, 9.5)
    judge_page.locator("#submit").tap()
    judge_page.wait_for_selector("#tablet[data-pending='0']")
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:  # a few reconnects' worth: nothing may leak through
        assert screen_rows(screen) == frozen
        time.sleep(0.25)

    # Publish: the final ranking appears, the held-back score at the top.
    organizer.get_by_role("button", name="Publish").click()
    organizer.wait_for_load_state()
    screen.wait_for_function(
        "() => document.getElementById('screen').dataset.state === 'published'"
    )
    assert screen.locator("#screen-state").inner_text() == "final ranking"
    assert screen_rows(screen)[titles[other]] == "95.00"
    first_row = screen.locator("#screen-rows tr").first.locator("td").all_inner_texts()
    assert first_row[:2] == ["1", titles[other]]
    assert errors == []
