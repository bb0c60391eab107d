"""The judges' tablet in Chromium at tablet viewports: scoring with autosave, an offline spell
with the saves queued on the device, 403 for entries a judge may not open, touch layout."""

from __future__ import annotations

import time

from sqlalchemy import select

from app.extensions import db
from app.judging import assignment_services, entry_services, judge_services
from app.judging.models import ConflictSource, ScoreSheet, ScoreVersion
from tests.browser.conftest import TABLET_LANDSCAPE_VIEWPORT, end_transaction, horizontal_overflow
from tests.conftest import TEST_PASSWORD
from tests.judging import conftest as judging_fixtures

# The competition factory and its registration helper, shared with tests/judging.
competition = judging_fixtures.competition
make_registration = judging_fixtures.make_registration


def log_in(page, email: str) -> None:
    page.goto("/login?lang=en")
    page.fill("#email", email)
    page.fill("#password", TEST_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def open_tablet(page, slug: str, round_id: int, entry_id: int | None = None) -> None:
    page.script_errors = []
    page.on("pageerror", lambda error: page.script_errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())
    path = f"/judge/{slug}/rounds/{round_id}/"
    if entry_id is not None:
        path += f"entries/{entry_id}"
    page.goto(path + "?lang=en")
    page.wait_for_selector("#tablet[data-ready='true']")


def score_all(page, value: float) -> None:
    """Set every criterion as a finger would: drag the slider (input events)."""
    page.evaluate(
        """(value) => {
          for (const range of document.querySelectorAll('#criteria input[type=range]')) {
            range.value = value;
            range.dispatchEvent(new Event('input', { bubbles: true }));
          }
        }""",
        value,
    )


def wait_for_sheet(round_id: int, entry_id: int, timeout: float = 15.0):
    """The entry's (status, submit count) once the server has a submitted sheet for it."""
    deadline = time.monotonic() + timeout
    while True:
        found = sheets_on_server(round_id).get(entry_id)
        if (found and found[0] == "submitted") or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def sheets_on_server(round_id: int) -> dict[int, tuple[str, int]]:
    """entry id → (status, number of submit versions), read in a fresh transaction."""
    db.session.expire_all()
    rows = db.session.scalars(select(ScoreSheet).where(ScoreSheet.round_id == round_id)).all()
    result = {}
    for sheet in rows:
        submits = db.session.scalars(
            select(ScoreVersion).where(
                ScoreVersion.sheet_id == sheet.id, ScoreVersion.action == "submit"
            )
        ).all()
        result[sheet.entry_id] = (str(sheet.status), len(submits))
    end_transaction()
    return result


def test_score_offline_and_back_online_stores_both_exactly_once(
    competition,
    live_server,
    tablet_page,
):
    comp = competition(entries=3, judges=1, k=1)
    assignment_services.assign_automatically(comp.round)
    db.session.commit()
    slug, round_id, email = comp.event.slug, comp.round.id, comp.judges[0].email
    end_transaction()
    page = tablet_page
    log_in(page, email)
    open_tablet(page, slug, round_id)
    order = page.evaluate(
        "() => JSON.parse(document.getElementById('tablet-data').textContent)"
        ".entries.map(e => e.id)"
    )
    first, second = order[0], order[1]

    # Online: one tap on "+" and the slider for the rest; the total follows live.
    page.locator("#criteria .step").nth(1).tap()
    score_all(page, 8)
    assert page.locator("#total").inner_text() == "80.00"
    page.locator("#submit").tap()
    page.wait_for_selector("#tablet[data-pending='0']")
    # The sheet moves on to the next entry as soon as the submission is queued; the upload
    # follows.
    page.wait_for_function(f"() => document.getElementById('tablet').dataset.entry === '{second}'")
    assert page.locator("#flow-note").is_visible()
    assert wait_for_sheet(round_id, first) == ("submitted", 1)

    # Offline: the next entry is scored and submitted on the device only.
    page.context.set_offline(True)
    score_all(page, 6.5)
    page.locator("#comment").fill("clear market, thin team")
    page.locator("#submit").tap()
    page.wait_for_selector("#save-status[data-kind='offline']")
    page.wait_for_function("() => Number(document.getElementById('tablet').dataset.pending) >= 1")
    assert (
        second not in sheets_on_server(round_id)
        or sheets_on_server(round_id)[second][0] != "submitted"
    )
    assert page.locator("#pending").is_visible()

    # Back online: the queue drains by itself, and nothing is stored twice.
    page.context.set_offline(False)
    page.wait_for_selector("#tablet[data-pending='0']", timeout=15_000)
    page.wait_for_selector("#save-status[data-kind='ok']")
    on_server = sheets_on_server(round_id)
    assert on_server[first] == ("submitted", 1)
    assert on_server[second] == ("submitted", 1)
    db.session.expire_all()
    sheet = db.session.scalars(
        select(ScoreSheet).where(ScoreSheet.round_id == round_id, ScoreSheet.entry_id == second)
    ).one()
    assert set(sheet.values.values()) == {6.5}
    assert sheet.comment == "clear market, thin team"
    end_transaction()
    # A reload resends nothing: the device's queue is empty.
    page.reload()
    page.wait_for_selector("#tablet[data-ready='true']")
    page.wait_for_selector("#tablet[data-pending='0']")
    assert sheets_on_server(round_id)[second] == ("submitted", 1)
    assert page.locator("#progress").inner_text() == "2 of 3 scored"
    assert page.script_errors == []


def test_judge_cannot_open_an_unassigned_or_conflicted_entry(
    competition,
    live_server,
    tablet_page,
):
    comp = competition(entries=4, judges=2, k=1)
    assignment_services.assign_automatically(comp.round)
    judge = comp.judges[0]
    mine = [
        a.entry_id
        for a in assignment_services.assignments_of(comp.round)
        if a.judge_user_id == judge.id
    ]
    other = next(e.id for e in comp.entries if e.id not in mine)
    judge_services.record_conflict(
        comp.event, judge, entry_services.get_entry(comp.event, mine[0]), ConflictSource.ORGANIZER
    )
    db.session.commit()
    slug, round_id, email = comp.event.slug, comp.round.id, judge.email
    conflicted = mine[0]
    end_transaction()
    page = tablet_page
    log_in(page, email)
    for entry_id in (other, conflicted):
        response = page.goto(f"/judge/{slug}/rounds/{round_id}/entries/{entry_id}?lang=en")
        assert response.status == 403
        api = page.request.get(f"/api/events/{slug}/judging/rounds/{round_id}/sheets/{entry_id}")
        assert api.status == 403


def test_landscape_tablet_layout_fits_with_large_touch_targets(
    competition,
    live_server,
    page_at,
):
    comp = competition(entries=2, judges=1, k=1)
    assignment_services.assign_automatically(comp.round)
    db.session.commit()
    slug, round_id, email = comp.event.slug, comp.round.id, comp.judges[0].email
    end_transaction()
    page = page_at(TABLET_LANDSCAPE_VIEWPORT, is_mobile=True, has_touch=True)
    log_in(page, email)
    open_tablet(page, slug, round_id)
    assert horizontal_overflow(page) == 0
    for selector in ("#criteria .step", "#submit", "#next", ".entry-pick"):
        box = page.locator(selector).first.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, selector
    assert page.locator("#criteria .criterion").count() == 5
    assert page.script_errors == []


def test_a_score_made_after_the_session_ended_waits_on_the_tablet_until_signed_in_again(
    competition,
    live_server,
    tablet_page,
):
    comp = competition(entries=1, judges=1, k=1)
    assignment_services.assign_automatically(comp.round)
    db.session.commit()
    slug, round_id, email = comp.event.slug, comp.round.id, comp.judges[0].email
    entry_id = comp.entries[0].id
    end_transaction()
    page = tablet_page
    log_in(page, email)
    open_tablet(page, slug, round_id)

    # The session ends (signed out elsewhere, cookie expired): the API answers 401/CSRF, and
    # the submission stays queued on the device instead of being dropped as refused.
    page.context.clear_cookies()
    score_all(page, 7)
    page.locator("#submit").tap()
    page.wait_for_selector("#save-status[data-kind='offline']")
    page.wait_for_function("() => Number(document.getElementById('tablet').dataset.pending) >= 1")
    assert sheets_on_server(round_id).get(entry_id, ("none", 0))[0] != "submitted"

    # Signed in again (another tab of the same browser), the reloaded page sends it once.
    other = page.context.new_page()
    log_in(other, email)
    other.close()
    page.reload()
    page.wait_for_selector("#tablet[data-ready='true']")
    page.wait_for_selector("#tablet[data-pending='0']", timeout=15_000)
    assert wait_for_sheet(round_id, entry_id) == ("submitted", 1)
    assert page.script_errors == []
