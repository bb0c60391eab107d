"""The key pages run under the Content-Security-Policy in Chromium: the registration form, the
check-in scanner, the judging tablet and the ceremony reorder page are used a little, and the
browser reports no CSP violation (neither as an event nor on the console)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.ceremonies.models import Ceremony
from app.checkin.models import CheckinList
from app.demo import DEMO_PASSWORD, DEMO_SLUG, load_demo
from app.extensions import db
from app.judging.models import Assignment
from tests.browser.checkin_support import log_in
from tests.browser.conftest import TABLET_VIEWPORT, end_transaction

pytestmark = pytest.mark.browser

# Recorded before any page script runs: every securitypolicyviolation event of the page.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def demo(app):
    """The demo's ids for the pages under test, the database released for the live server."""
    load_demo()
    judge_email = "judge1@huiwu.local"
    round_id = db.session.scalar(
        select(Assignment.round_id)
        .join(User, User.id == Assignment.judge_user_id)
        .where(User.email == judge_email)
        .order_by(Assignment.round_id)
        .limit(1)
    )
    ids = {
        "list_id": db.session.scalar(select(CheckinList.id).order_by(CheckinList.id).limit(1)),
        "ceremony_id": db.session.scalar(select(Ceremony.id).order_by(Ceremony.id).limit(1)),
        "round_id": round_id,
        "judge": judge_email,
    }
    end_transaction()
    return ids


@pytest.fixture
def watched_page(page_at, live_server):
    """Factory: a page whose CSP violations and console CSP errors are collected."""
    console: list[str] = []

    def factory(**options):
        page = page_at(TABLET_VIEWPORT, locale="en-US", **options)
        page.add_init_script(RECORD_VIOLATIONS)
        page.on(
            "console",
            lambda message: (
                console.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        return page

    factory.console = console
    return factory


def violations(page) -> list[str]:
    return page.evaluate("() => window.__cspViolations")


def test_registration_form_runs_under_the_policy(watched_page, demo):
    page = watched_page()
    page.goto(f"/e/{DEMO_SLUG}/register?lang=en")
    page.locator("#native_name").fill("张伟")
    page.locator("#native_name").blur()
    page.wait_for_function("() => document.querySelector('#latin_name').value !== ''")
    assert violations(page) == []
    assert watched_page.console == []


def test_check_in_scanner_runs_under_the_policy(watched_page, demo):
    page = watched_page()
    log_in(page, "staff@huiwu.local", DEMO_PASSWORD)
    page.goto(f"/manage/{DEMO_SLUG}/checkin/{demo['list_id']}/scan?station=A&lang=en")
    page.wait_for_load_state("networkidle")
    page.keyboard.type("NOT-A-TICKET\n")
    page.wait_for_timeout(500)
    assert violations(page) == []
    assert watched_page.console == []


def test_judging_tablet_runs_under_the_policy(watched_page, demo):
    page = watched_page(is_mobile=True, has_touch=True)
    log_in(page, demo["judge"], DEMO_PASSWORD)
    page.goto(f"/judge/{DEMO_SLUG}/rounds/{demo['round_id']}/?lang=en")
    page.wait_for_load_state("networkidle")
    assert page.locator("button").count() > 0
    assert violations(page) == []
    assert watched_page.console == []


def test_ceremony_reorder_runs_under_the_policy(watched_page, demo):
    page = watched_page()
    log_in(page, "organizer@huiwu.local", DEMO_PASSWORD)
    page.goto(f"/manage/{DEMO_SLUG}/ceremonies/{demo['ceremony_id']}/?lang=en")
    page.wait_for_load_state("networkidle")
    page.locator("#signing-items button.move-down").first.click()  # a ↑/↓ move
    page.wait_for_load_state("networkidle")
    assert violations(page) == []
    assert watched_page.console == []


def test_a_violation_would_be_seen(watched_page, demo):
    """The watch itself works: an inline script on our page is blocked and reported."""
    page = watched_page()
    page.goto(f"/e/{DEMO_SLUG}/?lang=en")
    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.__ran = true'; document.body.append(s); }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.__ran === true") is False
    assert any(v.startswith("script-src") for v in violations(page))
