"""The projector screens fit the projector without scrolling, at 1920×1080 and 1280×720: the
stage page shows the team, the timer, every judge's total and the final score on one screen;
the ranking screen shows every row of a short ranking at once and pages through a long one by
itself. Both use the app's own font stack, not the browser's default serif."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.judging import assignment_services, live_services, round_services, scoring_services
from tests.browser.conftest import end_transaction
from tests.browser.test_judging_tablet import log_in
from tests.judging import conftest as judging_fixtures
from tests.judging.conftest import full_values, new_client_id

# The competition factory and its registration helper, shared with tests/judging.
competition = judging_fixtures.competition
make_registration = judging_fixtures.make_registration

PROJECTORS = {
    "1080p": {"width": 1920, "height": 1080},
    "720p": {"width": 1280, "height": 720},
}
LONG_TITLE = (
    "Biomass pellets from cotton stalks for district heating in rural Xinjiang and the "
    "Fergana Valley"
)
PAGE_SECONDS = 10

# Bottom edges of what must be seen, and how far the document reaches.
EXTENT = """(selector) => ({
  bottoms: [...document.querySelectorAll(selector)]
    .filter((el) => el.getClientRects().length > 0)
    .map((el) => el.getBoundingClientRect().bottom),
  scrollHeight: document.scrollingElement.scrollHeight,
  scrollWidth: document.scrollingElement.scrollWidth,
})"""
# The title without an incomplete mark (see screen.js).
VISIBLE_ROWS = """() => [...document.querySelectorAll('#screen-rows tr')]
  .filter((tr) => tr.getClientRects().length > 0)
  .map((tr) => ({ title: (tr.querySelector('.screen-entry-title') || tr.cells[1]).textContent,
                  bottom: tr.getBoundingClientRect().bottom,
                  height: tr.getBoundingClientRect().height }))"""
BODY_FONT = "() => getComputedStyle(document.body).fontFamily"


def assert_fits(page, viewport: dict, selector: str) -> None:
    extent = page.evaluate(EXTENT, selector)
    assert extent["bottoms"], selector
    assert max(extent["bottoms"]) <= viewport["height"], (selector, extent)
    assert extent["scrollHeight"] <= viewport["height"], extent
    assert extent["scrollWidth"] <= viewport["width"], extent


def assert_app_font(page) -> None:
    """The screen's font stack is the one of the app's Pico pages (never Times/serif)."""
    font = page.evaluate(BODY_FONT)
    first = font.split(",")[0].strip().strip('"').lower()
    assert "times" not in font.lower() and first not in ("serif", ""), font
    page.goto("/login?lang=en")
    assert page.evaluate(BODY_FONT) == font


def ranking_screen(competition, entries: int):
    comp = competition(entries=entries, judges=2, k=1, members=1)
    assignment_services.assign_automatically(comp.round)
    db.session.commit()
    found = (comp.event.slug, comp.round.id, comp.organizer.email)
    end_transaction()
    return found


@pytest.mark.parametrize("projector", list(PROJECTORS))
def test_a_long_ranking_pages_by_itself_and_every_page_fits(
    competition, live_server, page_at, projector, screenshot_dir
):
    viewport = PROJECTORS[projector]
    slug, round_id, organizer = ranking_screen(competition, 60)
    page = page_at(viewport, locale="en-US")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, organizer)
    page.clock.install()
    page.goto(f"/manage/{slug}/judging/rounds/{round_id}/screen?lang=en")
    page.wait_for_selector("#screen-rows tr")
    assert_fits(page, viewport, "#screen-rows tr:not([hidden])")

    pages = int(page.locator("#screen").get_attribute("data-pages"))
    assert pages >= 2
    seen: list[str] = []
    for number in range(1, pages + 1):
        page.wait_for_function(
            "(n) => document.getElementById('screen').dataset.page === String(n)", arg=number
        )
        assert page.locator("#screen-page").inner_text() == f"page {number}/{pages}"
        rows = page.evaluate(VISIBLE_ROWS)
        assert max(r["bottom"] for r in rows) <= viewport["height"]
        # Readable from the back of the hall: a row is at least 4 % of the screen's height.
        assert min(r["height"] for r in rows) >= 0.04 * viewport["height"]
        seen += [r["title"] for r in rows]
        page.screenshot(path=screenshot_dir / f"ranking-60-{projector}-page{number}.png")
        page.clock.fast_forward(PAGE_SECONDS * 1000)
    assert sorted(seen) == sorted(f"Project {i}" for i in range(1, 61))
    # After the last page the first comes round again.
    page.wait_for_function("() => document.getElementById('screen').dataset.page === '1'")
    assert errors == []
    assert_app_font(page)


@pytest.mark.parametrize("projector", list(PROJECTORS))
def test_a_ranking_of_the_demo_s_size_fits_on_one_screen(
    competition, live_server, page_at, projector, screenshot_dir
):
    viewport = PROJECTORS[projector]
    slug, round_id, organizer = ranking_screen(competition, 19)
    page = page_at(viewport, locale="en-US")
    log_in(page, organizer)
    page.goto(f"/manage/{slug}/judging/rounds/{round_id}/screen?lang=en")
    page.wait_for_selector("#screen-rows tr")
    rows = page.evaluate(VISIBLE_ROWS)
    page.screenshot(path=screenshot_dir / f"ranking-19-{projector}.png")
    assert len(rows) == 19
    assert max(r["bottom"] for r in rows) <= viewport["height"]
    assert_fits(page, viewport, "#screen-rows tr")
    assert page.locator("#screen-page").inner_text() == ""
    assert_app_font(page)


@pytest.fixture
def team_on_stage_with_seven_totals(competition):
    """A final with seven judges who have all scored the team on stage (long title)."""
    comp = competition(entries=2, judges=7, k=7, members=4)
    assignment_services.assign_automatically(comp.round)
    live_services.draw_pitch_order(comp.round, "screens-fit")
    on_stage = round_services.round_entries(comp.round)[0]
    on_stage.title_en = LONG_TITLE
    first = on_stage.id
    live_services.set_current_entry(comp.round, first)
    live_services.control_timer(comp.round, "start_qa")
    for value, judge in zip((4, 5, 6, 7, 8, 9, 10), comp.judges, strict=True):
        scoring_services.save_sheet(
            comp.round,
            first,
            judge,
            values=full_values(comp.round, value),
            submit=True,
            client_id=new_client_id(),
        )
    db.session.commit()
    found = (comp.event.slug, comp.round.id, comp.organizer.email)
    end_transaction()
    return found


@pytest.mark.parametrize("projector", list(PROJECTORS))
def test_the_stage_shows_the_team_timer_and_final_score_on_one_screen(
    team_on_stage_with_seven_totals, live_server, page_at, projector, screenshot_dir
):
    viewport = PROJECTORS[projector]
    slug, round_id, organizer = team_on_stage_with_seven_totals
    page = page_at(viewport, locale="en-US")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, organizer)
    page.goto(f"/manage/{slug}/judging/rounds/{round_id}/stage?lang=en")
    page.wait_for_selector(".reveal-final")
    page.screenshot(path=screenshot_dir / f"stage-{projector}.png")
    assert page.locator(".reveal-judges li").count() == 7
    assert page.locator(".reveal-final strong").inner_text() == "70.00"
    assert_fits(
        page,
        viewport,
        "header, #stage-title, #stage-team, #stage-timer, .reveal-judges li, .reveal-final",
    )
    # Nothing is cut at the sides either.
    for selector in ("#stage-title", ".reveal-final strong", "#stage-timer"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], selector
    assert errors == []
    assert_app_font(page)
