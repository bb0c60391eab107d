"""The organizer's registration desk in Chromium on a laptop (1366×768) and a landscape tablet
(1024×768), in Chinese and Russian: a readable list, bulk actions in reach, one note per action."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.accounts.models import Role
from app.extensions import db
from app.registration.models import Attendance, Registration, RegistrationState
from app.translated import Translated
from tests.browser.conftest import end_transaction, horizontal_overflow
from tests.conftest import TEST_PASSWORD
from tests.registration.organizer_support import add_registration

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
TABLET_LANDSCAPE = {"width": 1024, "height": 768}

# Like the demo's: long Russian organizations and e-mail addresses, Chinese and Latin names.
PEOPLE = [
    ("叶卡捷琳娜", "Ekaterina Vorobeva", "Государственный комитет по науке и технологиям", "RU"),
    ("Otabek Yusupov", "Otabek Yusupov", "National University of Uzbekistan", "UZ"),
    ("梁萍", "Liang Ping", "中国科学院青岛生物能源与过程研究所", "CN"),
    ("Дарья Лукашевич", "Darya Lukashevich", "ОАО «БелАЗ» — управляющая компания холдинга", "BY"),
]

# A text node is squeezed when it runs over several lines none wider than ~1.5 characters:
# "已确认" or "参赛团队成员" written one character per line.
SQUEEZED_TEXT = """(selector) => {
  const squeezed = [];
  const walker = document.createTreeWalker(document.querySelector(selector), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    if ([...text].length < 2 || node.parentElement.offsetParent === null) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0);
    const lines = new Set(rects.map((r) => Math.round(r.top))).size;
    const size = parseFloat(getComputedStyle(node.parentElement).fontSize);
    if (lines >= 2 && Math.max(...rects.map((r) => r.width)) < 1.6 * size) squeezed.push(text);
  }
  return squeezed;
}"""


@pytest.fixture
def desk(make_event, make_category, make_user):
    """An event with 60 registrations (two pages), most awaiting approval, and its organizer."""
    event = make_event(slug="desk-2026")
    team = make_category(
        event,
        name=Translated(
            zh="参赛团队成员", en="Competition team member", ru="Участник команды конкурса"
        ),
        capacity=None,
        requires_approval=True,
        color="#1a7f37",
    )
    guests = make_category(
        event,
        name=Translated(zh="政府嘉宾", en="Government guest", ru="Представитель власти"),
        capacity=None,
        color="#cf222e",
    )
    ids = []
    for n in range(60):
        native, latin, organization, country = PEOPLE[n % len(PEOPLE)]
        registration = add_registration(
            event,
            team if n % 3 else guests,
            native_name=native,
            latin_name=latin,
            organization=organization,
            country=country,
            email=f"{latin.lower().replace(' ', '.')}.{n:03d}@example.org",
            phone=f"+861380013{n:04d}",
            attendance=Attendance.ONLINE if n % 5 == 0 else Attendance.ONSITE,
            minutes_ago=600 - n,
            commit=False,
        )
        ids.append(registration)
    organizer = make_user(Role.ORGANIZER, event=event)
    db.session.commit()
    snapshot = SimpleNamespace(
        slug=event.slug,
        organizer_email=organizer.email,
        ids_newest_first=[r.id for r in reversed(ids)],
    )
    end_transaction()
    return snapshot


def sign_in(page, email: str) -> None:
    page.goto("/login?lang=en")
    page.fill("#email", email)
    page.fill("#password", TEST_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def state_of(registration_id: int) -> RegistrationState:
    state = db.session.get(Registration, registration_id).state
    end_transaction()
    return state


def table_fits(page) -> dict:
    return page.evaluate(
        """() => { const t = document.getElementById('registrations-table');
                   return {table: t.getBoundingClientRect().width,
                           box: t.parentElement.clientWidth}; }"""
    )


@pytest.mark.parametrize("viewport", [LAPTOP, TABLET_LANDSCAPE], ids=["1366", "1024"])
def test_the_registration_list_is_readable_and_fits_in_chinese_and_russian(
    live_server, page_at, desk, viewport, screenshot_dir
):
    page = page_at(viewport)
    sign_in(page, desk.organizer_email)
    for lang in ("zh_CN", "ru"):
        page.goto(f"/manage/{desk.slug}/registrations?lang={lang}")
        page.screenshot(
            path=str(screenshot_dir / f"registrations-{lang}-{viewport['width']}.png"),
            full_page=True,
        )
        assert horizontal_overflow(page) == 0
        fits = table_fits(page)
        assert fits["table"] <= fits["box"] + 1, f"{lang}: the table is cut off: {fits}"
        assert page.evaluate(SQUEEZED_TEXT, "#registrations-table") == [], lang
        rows = page.locator("#registrations-table tbody tr").count()
        assert rows == 50
        # A row is at most a few lines, not a column of single characters.
        height = page.evaluate("() => document.getElementById('registrations-table').offsetHeight")
        assert height / rows < 130, f"{lang}: rows are {height / rows:.0f} px tall"


def test_bulk_actions_stay_in_reach_from_the_last_row(live_server, page_at, desk):
    page = page_at(LAPTOP)
    sign_in(page, desk.organizer_email)
    page.goto(f"/manage/{desk.slug}/registrations?lang=zh_CN")
    apply = page.locator("#bulk-apply")
    assert apply.is_disabled()  # nothing ticked yet

    last_box = page.locator('#registrations-table input[name="ids"]').last
    last_id = int(last_box.get_attribute("value"))
    assert state_of(last_id) == RegistrationState.PENDING
    last_box.scroll_into_view_if_needed()
    last_box.check()
    assert page.evaluate("() => window.scrollY") > 2000  # far down the page …
    box = apply.bounding_box()  # … and the button is still on screen
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= LAPTOP["height"]
    assert apply.is_enabled()
    assert "1" in page.locator("#ticked-count").inner_text()

    page.locator("#bulk-bar select[name=action]").select_option("approve")
    apply.click()
    page.wait_for_selector(".flash-success")
    assert state_of(last_id) == RegistrationState.CONFIRMED


def test_select_all_ticks_the_page_and_the_count_follows(live_server, page_at, desk):
    page = page_at(TABLET_LANDSCAPE)
    sign_in(page, desk.organizer_email)
    page.goto(f"/manage/{desk.slug}/registrations?lang=ru")
    page.locator("#select-all").check()
    assert "50" in page.locator("#ticked-count").inner_text()
    page.locator('#registrations-table input[name="ids"]').first.uncheck()
    assert "49" in page.locator("#ticked-count").inner_text()
    assert page.evaluate("() => document.getElementById('select-all').indeterminate")


@pytest.mark.parametrize("lang", ["zh_CN", "ru"])
def test_one_note_goes_with_the_chosen_action_on_the_detail_page(
    live_server, page_at, desk, lang, screenshot_dir
):
    registration_id = desk.ids_newest_first[1]  # awaiting approval
    page = page_at(LAPTOP)
    sign_in(page, desk.organizer_email)
    page.goto(f"/manage/{desk.slug}/registrations/{registration_id}?lang={lang}")
    page.screenshot(path=str(screenshot_dir / f"registration-detail-{lang}-1366.png"))
    assert horizontal_overflow(page) == 0
    assert (
        page.locator(
            "#registration-actions textarea, #registration-actions input[type=text]"
        ).count()
        == 1
    )
    assert page.locator("#registration-actions button[type=submit]").count() == 3

    page.locator("#action-note").fill("签证未获批 / виза не выдана")
    page.locator("#reject-button").click()
    page.wait_for_selector(".flash-success")
    assert state_of(registration_id) == RegistrationState.REJECTED
    assert "签证未获批 / виза не выдана" in page.locator("#history").inner_text()
