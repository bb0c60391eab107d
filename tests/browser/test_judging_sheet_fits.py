"""The judge's scoring sheet fits the devices judges hold it on, one-handed: a tablet in portrait
and landscape, a tablet's split screen and a phone. Nothing is wider than the screen, every
control is inside it and at least 44×44 CSS px, and Submit is on the screen wherever the judge
has scrolled to."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.judging import assignment_services
from tests.browser.conftest import end_transaction
from tests.browser.test_judging_tablet import log_in, open_tablet
from tests.judging import conftest as judging_fixtures

# The competition factory and its registration helper, shared with tests/judging.
competition = judging_fixtures.competition
make_registration = judging_fixtures.make_registration

# Sizes and positions on screens only: CI runs it on the SQLite leg, not again on PostgreSQL.
pytestmark = pytest.mark.layout

DEVICES = {
    "tablet-portrait": {"width": 768, "height": 1024},
    "tablet-landscape": {"width": 1024, "height": 768},
    "split-screen": {"width": 507, "height": 768},
    "phone": {"width": 390, "height": 844},
}
LONG_TITLE = (
    "Biomass pellets from cotton stalks for district heating in rural Xinjiang and the "
    "Fergana Valley"
)
CONTROLS = "#tablet :is(button, input, textarea, select, summary, a[role=button])"

# Every shown control of the sheet: its box, and whether it is the topmost element at its centre.
CONTROL_BOXES = """(selector) => [...document.querySelectorAll(selector)]
  .filter((el) => el.getClientRects().length > 0)
  .map((el) => {
    const r = el.getBoundingClientRect();
    return {
      name: el.id || el.getAttribute('aria-label') || el.textContent.trim().slice(0, 30),
      left: r.left, right: r.right, top: r.top, bottom: r.bottom,
      width: r.width, height: r.height,
    };
  })"""

# Submit's box, and whether a tap at its centre reaches it (nothing sticky covers it).
SUBMIT_STATE = """() => {
  const submit = document.getElementById('submit');
  const r = submit.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return { top: r.top, bottom: r.bottom, left: r.left, right: r.right,
           reachable: hit !== null && submit.contains(hit) };
}"""


def page_width(page) -> int:
    """The document's width. With mobile emulation Chromium widens innerWidth (and the
    layout viewport) to fit overflowing content, so this is compared with the width the
    device really has, not with innerWidth."""
    return page.evaluate("() => document.scrollingElement.scrollWidth")


def assert_controls_fit(page, viewport: dict, where: str) -> None:
    boxes = page.evaluate(CONTROL_BOXES, CONTROLS)
    assert boxes, where
    outside = [b["name"] for b in boxes if b["left"] < -0.5 or b["right"] > viewport["width"] + 0.5]
    assert outside == [], f"{where}: controls outside the {viewport['width']} px screen"
    small = [
        (b["name"], round(b["width"]), round(b["height"]))
        for b in boxes
        if b["width"] < 44 or b["height"] < 44
    ]
    assert small == [], f"{where}: touch targets under 44×44 CSS px"


def assert_submit_on_screen(page, viewport: dict, where: str) -> None:
    state = page.evaluate(SUBMIT_STATE)
    assert state["top"] >= 0 and state["bottom"] <= viewport["height"], (where, state)
    assert state["left"] >= 0 and state["right"] <= viewport["width"], (where, state)
    assert state["reachable"], f"{where}: something covers Submit"


@pytest.fixture
def judge_with_eight_entries(competition):
    """A judge assigned eight entries, one of them with a long title."""
    comp = competition(entries=8, judges=1, k=1, members=2)
    comp.entries[0].title_en = LONG_TITLE
    assignment_services.assign_automatically(comp.round)
    db.session.commit()
    found = (comp.event.slug, comp.round.id, comp.judges[0].email)
    end_transaction()
    return found


@pytest.mark.parametrize("device", list(DEVICES))
def test_scoring_sheet_fits_the_screen_with_submit_in_reach(
    judge_with_eight_entries, live_server, page_at, device, screenshot_dir
):
    viewport = DEVICES[device]
    slug, round_id, email = judge_with_eight_entries
    page = page_at(viewport, is_mobile=True, has_touch=True, locale="en-US")
    log_in(page, email)
    open_tablet(page, slug, round_id)
    page.screenshot(path=screenshot_dir / f"judge-sheet-{device}.png")

    assert page_width(page) <= viewport["width"]
    assert_controls_fit(page, viewport, f"{device}, as opened")
    # Submit is on the first screen, and stays there wherever the sheet is scrolled to.
    assert_submit_on_screen(page, viewport, f"{device}, as opened")
    for fraction in (0.5, 1.0):
        page.evaluate(
            "(f) => window.scrollTo(0, f * (document.scrollingElement.scrollHeight"
            " - window.innerHeight))",
            fraction,
        )
        page.wait_for_timeout(50)
        assert_submit_on_screen(page, viewport, f"{device}, scrolled to {fraction:.0%}")
        assert_controls_fit(page, viewport, f"{device}, scrolled to {fraction:.0%}")
    assert page.script_errors == []


@pytest.mark.parametrize("device", ["tablet-portrait", "phone"])
def test_on_a_narrow_screen_the_entry_list_folds_behind_a_button_that_keyboards_can_use(
    judge_with_eight_entries, live_server, page_at, device
):
    viewport = DEVICES[device]
    slug, round_id, email = judge_with_eight_entries
    page = page_at(viewport, is_mobile=True, has_touch=True, locale="en-US")
    log_in(page, email)
    open_tablet(page, slug, round_id)
    toggle = page.locator("#entry-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.locator(".entry-pick").first.is_hidden()
    assert "1/8" in toggle.inner_text()

    # Opened from the keyboard: eight entries, all on the screen, all large enough to tap.
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator(".entry-pick").count() == 8
    assert page_width(page) <= viewport["width"]
    assert_controls_fit(page, viewport, f"{device}, list open")

    # Choosing an entry shows it, folds the list and gives the focus back to the button.
    third = page.locator(".entry-pick").nth(2)
    title = third.inner_text()[2:]
    third.tap()
    page.wait_for_function("() => document.getElementById('entry-title').textContent !== ''")
    assert page.locator("#entry-title").inner_text() == title
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("() => document.activeElement.id") == "entry-toggle"
    assert "3/8" in toggle.inner_text()
    assert page.script_errors == []


def test_in_landscape_the_entry_list_is_a_column_beside_the_sheet(
    judge_with_eight_entries, live_server, page_at
):
    viewport = DEVICES["tablet-landscape"]
    slug, round_id, email = judge_with_eight_entries
    page = page_at(viewport, is_mobile=True, has_touch=True, locale="en-US")
    log_in(page, email)
    open_tablet(page, slug, round_id)
    assert page.locator("#entry-toggle").is_hidden()
    picks = page.evaluate(CONTROL_BOXES, ".entry-pick")
    sheet = page.locator(".tablet-entry").bounding_box()
    assert len(picks) == 8
    # One column, each button as wide as the column (not staggered), left of the sheet.
    assert len({round(p["left"]) for p in picks}) == 1
    assert len({round(p["width"]) for p in picks}) == 1
    assert all(p["right"] <= sheet["x"] for p in picks)
    assert page.script_errors == []
