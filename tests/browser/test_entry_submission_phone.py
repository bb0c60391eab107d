"""A team leader submits an entry on a 390×844 phone in Chromium: from the event page to the
form, a wrong file refused with a message and nothing stored, then the PDF pitch deck, a second
member added with the "Add a team member" button, and the entry page at the end."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.judging import entry_services
from app.judging.models import Entry
from app.registration.models import Registration
from tests.browser.conftest import end_transaction, horizontal_overflow
from tests.judging import conftest as judging_fixtures
from tests.judging.submission_support import tiny_pdf

# The submission fixture of tests/judging.
call_for_entries = judging_fixtures.call_for_entries


def fill_entry(page) -> None:
    page.fill("#title_zh", "高原光伏微电网")
    page.fill("#title_en", "Highland solar micro-grids")
    page.fill("#team_name", "SunPeak")
    page.select_option("#track", "Green energy")
    page.fill("#summary", "Containerised solar + battery micro-grids for mountain villages.")
    page.fill("#video_url", "https://video.example.org/sunpeak")
    page.fill("#native_name", "Бекзат Токтогулов")
    page.fill("#latin_name", "Bekzat Toktogulov")
    page.fill("#email", "bekzat@example.org")
    page.fill("#organization", "Kyrgyz State Technical University")
    page.select_option("#country", "KG")
    page.fill("#members-0-native_name", "Алия Сейткали")
    page.fill("#members-0-latin_name", "Aliya Seitkali")
    page.fill("#members-0-email", "aliya@example.org")
    page.select_option("#members-0-country", "KZ")
    page.select_option("#members-0-language", "ru")
    page.check("#team_consent")
    page.check("#consent")


def counts() -> tuple[int, int]:
    db.session.expire_all()
    result = (
        db.session.scalar(select(func.count(Registration.id))),
        db.session.scalar(select(func.count(Entry.id))),
    )
    end_transaction()
    return result


def test_team_leader_submits_an_entry_with_a_pdf_on_a_phone(
    call_for_entries, live_server, phone_page, tmp_path
):
    call = call_for_entries()  # teams of 2 to 4, tracks AI and Green energy
    slug = call.event.slug
    end_transaction()
    page = phone_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"/e/{slug}/?lang=en")
    # Wait for the new page's load event: its module script hides the spare member rows.
    with page.expect_navigation():
        page.locator("#submit-entry-link").tap()
    page.wait_for_selector("#entry-form")
    assert horizontal_overflow(page) == 0
    # One member row to start with; the others wait behind the button.
    assert page.locator("#member-rows [data-member-row]:visible").count() == 1
    assert page.locator("#add-member").is_visible()

    # A file that is not a PDF (named .pdf) is refused, and nothing is stored.
    fill_entry(page)
    fake = tmp_path / "deck.pdf"
    fake.write_bytes(b"PK\x03\x04 a zip file renamed to .pdf")
    page.set_input_files("#deck", str(fake))
    with page.expect_navigation():  # the answer's script wires the "Add a team member" button
        page.locator("#submit-entry").tap()
    page.wait_for_selector("#form-errors")
    assert "The pitch deck must be a PDF file." in page.locator("#deck-help").inner_text()
    assert counts() == (0, 0)
    assert horizontal_overflow(page) == 0

    # The typed values are kept; choose the real PDF, add a second member and submit.
    assert page.input_value("#title_en") == "Highland solar micro-grids"
    assert page.input_value("#members-0-email") == "aliya@example.org"
    deck = tmp_path / "pitch-deck.pdf"
    deck.write_bytes(tiny_pdf(pages=3))
    page.set_input_files("#deck", str(deck))
    page.locator("#add-member").tap()
    page.fill("#members-1-native_name", "Ananya Rao")
    page.fill("#members-1-email", "ananya@example.org")
    page.select_option("#members-1-country", "IN")
    page.select_option("#members-1-language", "en")
    page.check("#team_consent")
    page.check("#consent")
    page.locator("#submit-entry").tap()

    page.wait_for_selector("#entry-done")
    assert "/entry" in page.url and "created=1" in page.url
    assert horizontal_overflow(page) == 0
    team = page.locator("#team-list").inner_text()
    assert "Бекзат Токтогулов" in team and "Aliya Seitkali" in team and "Ananya Rao" in team
    assert "PDF received" in page.locator("#entry-deck").inner_text()
    assert errors == []

    db.session.expire_all()
    entry = db.session.scalars(select(Entry)).one()
    assert [m.registration.country for m in entry.members] == ["KG", "KZ", "IN"]
    assert entry.leader.registration.email == "bekzat@example.org"
    assert entry_services.deck_path(entry).read_bytes() == deck.read_bytes()
    end_transaction()
