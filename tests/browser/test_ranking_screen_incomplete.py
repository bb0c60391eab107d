"""The ranking screen on a 1920×1080 projector says which entry is not fully judged: an
entry scored by one of its five judges carries *incomplete (1/5)* beside its title, whole and
on screen even when the title is long; fully judged entries carry no mark."""

from __future__ import annotations

from app.accounts.models import User
from app.extensions import db
from app.judging import assignment_services, scoring_services
from tests.browser.conftest import end_transaction
from tests.browser.test_judging_tablet import log_in
from tests.judging import conftest as judging_fixtures
from tests.judging.conftest import full_values, new_client_id

# The competition factory and its registration helper, shared with tests/judging.
competition = judging_fixtures.competition
make_registration = judging_fixtures.make_registration

PROJECTOR = {"width": 1920, "height": 1080}
LONG_TITLE = (
    "Biomass pellets from cotton stalks for district heating in rural Xinjiang and the "
    "Fergana Valley"
)

ROWS = """() => [...document.querySelectorAll('#screen-rows tr')].map((tr) => {
  const mark = tr.querySelector('.screen-incomplete');
  const cell = tr.cells[1].getBoundingClientRect();
  const box = mark && mark.getBoundingClientRect();
  return {
    entry: Number(tr.dataset.entry),
    rank: tr.cells[0].textContent,
    mark: mark ? mark.textContent : null,
    inside: box ? box.left >= cell.left && box.right <= cell.right + 0.5
      && box.bottom <= window.innerHeight && box.width > 0 : null,
  };
})"""


def test_ranking_screen_marks_a_partly_judged_entry_at_1080p(competition, live_server, page_at):
    comp = competition(entries=3, judges=5, k=5)
    assignment_services.assign_automatically(comp.round)
    partly = comp.entries[1]
    partly.title_en = LONG_TITLE
    for assignment in assignment_services.assignments_of(comp.round):
        if assignment.entry_id == partly.id and assignment.judge_user_id != comp.judges[0].id:
            continue  # only the first judge scores the long-titled entry
        scoring_services.save_sheet(
            comp.round,
            assignment.entry_id,
            db.session.get(User, assignment.judge_user_id),
            values=full_values(comp.round, 9 if assignment.entry_id == partly.id else 6),
            submit=True,
            client_id=new_client_id(),
        )
    db.session.commit()
    slug, round_id, partly_id = comp.event.slug, comp.round.id, partly.id
    organizer_email = comp.organizer.email
    end_transaction()

    screen = page_at(PROJECTOR, locale="en-US")
    errors: list[str] = []
    screen.on("pageerror", lambda error: errors.append(str(error)))
    log_in(screen, organizer_email)
    screen.goto(f"/manage/{slug}/judging/rounds/{round_id}/screen?lang=en")
    screen.wait_for_selector("#screen-rows tr")
    rows = {row["entry"]: row for row in screen.evaluate(ROWS)}
    assert rows[partly_id]["rank"] == "1"  # ranked first on one judge's sheet, and says so
    assert rows[partly_id]["mark"] == "incomplete (1/5)"
    assert rows[partly_id]["inside"] is True
    assert (
        screen.locator(f"#screen-rows tr[data-entry='{partly_id}']").get_attribute(
            "data-incomplete"
        )
        == "1/5"
    )
    assert screen.locator(".screen-incomplete").first.is_visible()
    others = [row for entry_id, row in rows.items() if entry_id != partly_id]
    assert len(others) == 2 and all(row["mark"] is None for row in others)
    assert errors == []
