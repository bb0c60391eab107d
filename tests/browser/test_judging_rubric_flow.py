"""A judge on a 768×1024 tablet signs in, lands on their first unscored entry, scores three
entries by tapping rubric bands, and is moved along until the sheet says all are submitted.
The bands are thumb-sized and the sheet fits in portrait, landscape, split screen and on a
phone, in Russian (the longest band titles)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.judging import assignment_services, round_services, scoring_services
from app.judging.models import ScoreSheet, SheetStatus
from app.judging.round_services import LevelData
from app.translated import Translated
from tests.browser.conftest import end_transaction
from tests.conftest import TEST_PASSWORD
from tests.judging import conftest as judging_fixtures

competition = judging_fixtures.competition
make_registration = judging_fixtures.make_registration

BANDS = [
    (0, 3, "薄弱", "Слабо", "Weak", "no prototype yet"),
    (3.5, 6, "一般", "Средне", "Adequate", "a prototype in the lab"),
    (6.5, 8, "良好", "Хорошо", "Strong", "pilot users and letters of intent"),
    (8.5, 10, "突出", "Отлично", "Outstanding", "paying customers in two SCO countries"),
]
TARGETS = [1.5, 5.0, 7.5, 9.5]


@pytest.fixture
def rubric_competition(competition):
    comp = competition(entries=3, judges=1, k=1)
    comp.event.content_languages = ["zh", "ru", "en"]
    for criterion in comp.round.criteria:
        round_services.set_rubric(
            criterion,
            Translated(en=f"What {criterion.name.text('en')} means", ru="Что оценивается"),
            [
                LevelData(
                    low,
                    high,
                    Translated(zh=zh, ru=ru, en=en),
                    Translated(en=what, ru=f"{ru}: {what}"),
                )
                for low, high, zh, ru, en, what in BANDS
            ],
        )
    assignment_services.assign_automatically(comp.round)
    db.session.commit()
    return comp


def sign_in(page, email: str, lang: str = "en") -> None:
    page.script_errors = []
    page.on("pageerror", lambda error: page.script_errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"/login?lang={lang}")
    page.fill("#email", email)
    page.fill("#password", TEST_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_selector("#tablet[data-ready='true']")


def test_a_judge_scores_three_entries_through_rubric_bands_and_is_moved_along(
    rubric_competition, live_server, tablet_page
):
    comp = rubric_competition
    judge = comp.judges[0]
    order = [e.id for e, _ in scoring_services.judge_entries(comp.round, judge)]
    slug, round_id, email, criteria = (
        comp.event.slug,
        comp.round.id,
        judge.email,
        len(comp.round.criteria),
    )
    end_transaction()
    page = tablet_page
    sign_in(page, email)
    # Signing in leads straight to the first entry, not to the staff page.
    assert f"/judge/{slug}/rounds/{round_id}/entries/{order[0]}" in page.url

    for number, entry_id in enumerate(order):
        assert page.get_attribute("#tablet", "data-entry") == str(entry_id)
        rows = page.locator("#criteria .criterion")
        assert rows.count() == criteria
        for index in range(criteria):
            row = rows.nth(index)
            band = (index + number) % 4
            row.locator(".band").nth(band).tap()
            assert row.locator("output").inner_text() == f"{TARGETS[band]:g}"
            assert row.locator(".band").nth(band).get_attribute("aria-pressed") == "true"
            assert BANDS[band][5] in row.locator(".band-meaning").inner_text()
        # Fine-tune one criterion with +: the band follows the score.
        rows.nth(0).locator(".step").nth(1).tap()
        first_band = number % 4
        assert rows.nth(0).locator("output").inner_text() == f"{TARGETS[first_band] + 0.5:g}"
        if number == 0:
            # The whole rubric is one tap away (a <details>, not a hover).
            details = rows.nth(0).locator("details.rubric")
            assert not details.locator("dd").first.is_visible()
            details.locator("summary").tap()
            assert details.locator("dd").first.is_visible()
            assert "paying customers" in details.inner_text()
        page.locator("#submit").tap()
        if number < len(order) - 1:
            page.wait_for_function(
                f"() => document.getElementById('tablet').dataset.entry === '{order[number + 1]}'"
            )
            assert page.locator("#flow-note").is_visible()
            assert page.locator("#criteria output").first.inner_text() == "–"  # a fresh sheet

    page.wait_for_selector("#all-done:not([hidden])")
    assert "All 3 entries submitted" in page.locator("#done-count").inner_text()
    assert page.locator("#done-list li").count() == 3
    assert page.locator(".tablet-entry").is_hidden()
    page.wait_for_selector("#tablet[data-pending='0']")
    assert page.script_errors == []

    db.session.expire_all()
    sheets = {
        s.entry_id: s
        for s in db.session.scalars(select(ScoreSheet).where(ScoreSheet.round_id == round_id))
    }
    assert {sheets[e].status for e in order} == {SheetStatus.SUBMITTED}
    criterion_ids = [c.id for c in comp.round.criteria]
    for number, entry_id in enumerate(order):
        values = sheets[entry_id].values
        expected = [TARGETS[(i + number) % 4] for i in range(criteria)]
        expected[0] += 0.5
        assert [values[str(cid)] for cid in criterion_ids] == expected
    end_transaction()


@pytest.mark.layout  # sizes and positions only: the SQLite leg of CI runs it (see .ci/run)
@pytest.mark.parametrize(
    ("width", "height", "touch"),
    [(390, 844, True), (507, 900, True), (768, 1024, True), (1024, 768, True), (1366, 768, False)],
    ids=["phone", "split-screen", "tablet-portrait", "tablet-landscape", "laptop"],
)
def test_the_rubric_sheet_fits_and_its_bands_take_a_thumb(
    rubric_competition, live_server, page_at, width, height, touch
):
    comp = rubric_competition
    email = comp.judges[0].email
    end_transaction()
    # Without motion: Pico turns the summary's chevron in 0.2 s, and a box measured mid-turn
    # sticks out of it by ~3 px (it did once on a loaded CI machine).
    page = page_at(
        {"width": width, "height": height},
        is_mobile=width < 600,
        has_touch=touch,
        locale="ru-RU",
        reduced_motion="reduce",
    )
    sign_in(page, email, lang="ru")
    summary = page.locator("#criteria details.rubric summary").first
    if touch:
        summary.tap()
    else:
        summary.click()
    # Chromium widens a mobile page to fit what overflows: compare with the set width.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.band, .step, #submit, details.rubric > summary')]
             .map((el) => { const r = el.getBoundingClientRect();
                            return [el.className || el.id || el.tagName, r.left, r.right, r.height,
                                    el.scrollWidth - el.clientWidth]; })"""
    )
    for name, left, right, height_px, overflow in boxes:
        assert left >= 0 and right <= width, (name, left, right)
        assert height_px >= 44, (name, height_px)
        assert overflow <= 1, (name, overflow)  # a band title never spills out of its button
    # Russian band titles are whole words inside their buttons (no letter-by-letter wrapping).
    titles = page.evaluate(
        """() => [...document.querySelectorAll('.band-title')].map((el) => {
             const r = document.createRange(); r.selectNodeContents(el);
             return [el.textContent, r.getClientRects().length]; })"""
    )
    assert titles and all(lines == 1 for _, lines in titles), titles
    assert page.script_errors == []
