"""The organizer's registration list: search, filters, pagination, counts, permissions."""

from __future__ import annotations

import re

import pytest

from app.accounts.models import Role
from app.extensions import db
from app.registration.models import Attendance, RegistrationState
from app.translated import Translated
from tests.registration.organizer_support import (
    add_registration,
    references_in,
    sign_in_organizer,
)


@pytest.fixture
def desk(client, auth, make_event, make_user):
    return sign_in_organizer(client, auth, make_event, make_user)


@pytest.fixture
def people(desk, make_category):
    """Four registrations with distinct names, organizations, emails and phones."""
    event = desk.event
    guests = make_category(event, capacity=None, name=Translated(zh="嘉宾", en="Guests"))
    media = make_category(event, capacity=None, name=Translated(zh="媒体", en="Media"))
    return {
        "zhang": add_registration(
            event,
            guests,
            native_name="张三丰",
            latin_name="Zhang Sanfeng",
            organization="海尔集团",
            email="Zhang.Sanfeng@Haier.example",
            phone="+8613912345678",
            minutes_ago=40,
        ),
        "ivanov": add_registration(
            event,
            guests,
            native_name="Иван Петров",
            latin_name="Ivan Petrov",
            organization="Tomsk Polytechnic",
            email="ivan@tpu.example",
            phone="+79123456789",
            country="RU",
            attendance=Attendance.ONLINE,
            language="ru",
            minutes_ago=30,
        ),
        "li": add_registration(
            event,
            media,
            native_name="李娜",
            latin_name="Li Na",
            organization="青岛日报",
            email="lina@qdrb.example",
            phone="+8613800000001",
            minutes_ago=20,
        ),
        "wang": add_registration(
            event,
            media,
            native_name="王小明",
            latin_name="Wang Xiaoming",
            organization="新华网 100% Media",
            email="wang@xinhua.example",
            phone="+8613700000002",
            minutes_ago=10,
        ),
        "guests": guests,
        "media": media,
    }


def listed(desk, **params) -> list[str]:
    response = desk.client.get(f"{desk.base}/registrations", query_string=params)
    assert response.status_code == 200
    return references_in(response.text)


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("三丰", "zhang"),  # Chinese substring of the native name
        ("sanFENG", "zhang"),  # Latin name, any case
        ("ivan petr", "ivanov"),
        ("Петров", "ivanov"),  # Cyrillic native name
        ("日报", "li"),  # Chinese organization
        ("polytechnic", "ivanov"),  # organization, any case
        ("HAIER.example", "zhang"),  # email, any case
        ("13912345", "zhang"),  # phone digits
        ("139 1234 5678", "zhang"),  # phone as people type it
        ("100%", "wang"),  # % is literal, not a wildcard
    ],
)
def test_search_finds_by_each_field(desk, people, query, who):
    assert listed(desk, q=query) == [people[who].reference]


def test_search_percent_and_underscore_are_not_wildcards(desk, people):
    assert listed(desk, q="%") == [people["wang"].reference]
    assert listed(desk, q="_") == []


def test_search_without_match_shows_an_empty_table(desk, people):
    response = desk.client.get(f"{desk.base}/registrations?q=nobody-here")
    assert references_in(response.text) == []
    assert 'id="result-count"' in response.text


def test_list_is_sorted_newest_first(desk, people):
    assert listed(desk) == [people[k].reference for k in ("wang", "li", "ivanov", "zhang")]


def test_filter_by_category(desk, people):
    assert listed(desk, category=people["media"].id) == [
        people["wang"].reference,
        people["li"].reference,
    ]


def test_filter_by_state(desk, people, make_category):
    full = make_category(desk.event, capacity=0)
    waiting = add_registration(desk.event, full)
    assert waiting.state == RegistrationState.WAITLISTED
    assert listed(desk, state="waitlisted") == [waiting.reference]
    assert waiting.reference not in listed(desk, state="confirmed")


def test_filter_by_attendance(desk, people):
    assert listed(desk, attendance="online") == [people["ivanov"].reference]


def test_filters_combine_with_search(desk, people):
    assert listed(desk, q="zhang", category=people["media"].id) == []
    assert listed(desk, q="李", category=people["media"].id, attendance="onsite") == [
        people["li"].reference
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"category": "abc"},
        {"category": "999999"},
        {"state": "sleeping"},
        {"attendance": "teleport"},
        {"q": "x" * 5000},
    ],
)
def test_malformed_filters_are_ignored_not_an_error(desk, people, params):
    response = desk.client.get(f"{desk.base}/registrations", query_string=params)
    assert response.status_code == 200


def test_foreign_category_filter_is_ignored(desk, people, make_event, make_category):
    other = make_category(make_event())
    assert len(listed(desk, category=other.id)) == 4


def test_counts_per_category_are_shown_against_capacity(desk, make_category):
    category = make_category(desk.event, capacity=7, name=Translated(en="Delegates"))
    add_registration(desk.event, category)
    add_registration(desk.event, category)
    page = desk.client.get(f"{desk.base}/registrations?lang=en").text
    counts = page.split('id="category-counts"', 1)[1].split("</table>", 1)[0]
    row = re.search(r"Delegates</a></td>\s*<td>(\d+)</td>\s*<td>(\d+)</td>", counts)
    assert row and row.groups() == ("2", "7")


# --- pagination ---------------------------------------------------------------------------


@pytest.fixture
def many(desk, make_category):
    category = make_category(desk.event, capacity=None)
    regs = [
        add_registration(desk.event, category, minutes_ago=200 - i, commit=False)
        for i in range(120)
    ]
    db.session.commit()
    return category, regs


def test_pages_hold_fifty_registrations(desk, many):
    _, regs = many
    newest_first = [r.reference for r in reversed(regs)]
    assert listed(desk) == newest_first[:50]
    assert listed(desk, page=2) == newest_first[50:100]
    assert listed(desk, page=3) == newest_first[100:]


def test_bad_page_values_show_the_first_page(desk, many):
    _, regs = many
    for page in ("abc", "-1", "0", "", "1.5", "99999999999999999999", "2147483648"):
        response = desk.client.get(f"{desk.base}/registrations?page={page}")
        assert response.status_code == 200, page
        assert references_in(response.text)[0] == regs[-1].reference, page
    # A NUL is refused for the whole request (app/security/input.py), as everywhere.
    assert desk.client.get(f"{desk.base}/registrations?page=%00").status_code == 400


def test_page_past_the_end_shows_the_last_page(desk, many):
    _, regs = many
    assert listed(desk, page=40) == [r.reference for r in reversed(regs[:20])]


def test_pagination_links_keep_the_filters(desk, many):
    category, _ = many
    page = desk.client.get(
        f"{desk.base}/registrations?q=zhang&category={category.id}&state=confirmed"
        "&attendance=onsite"
    ).text
    next_link = re.search(r'<a href="([^"]+)" rel="next"', page).group(1)
    for part in ("q=zhang", f"category={category.id}", "state=confirmed", "attendance=onsite"):
        assert part in next_link
    assert "page=2" in next_link


# --- permissions --------------------------------------------------------------------------


DESK_PAGES = [
    "/registrations",
    "/registrations/export.xlsx",
    "/registrations/export.csv",
    "/categories",
    "/categories/new",
    "/questions",
    "/questions/new",
]


@pytest.mark.parametrize("path", DESK_PAGES)
def test_anonymous_visitors_are_sent_to_login(client, make_event, path):
    event = make_event()
    response = client.get(f"/manage/{event.slug}{path}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", DESK_PAGES)
def test_checkin_staff_is_refused(client, auth, make_event, make_user, path):
    event = make_event()
    auth.login(make_user(Role.CHECKIN_STAFF, event=event))
    assert client.get(f"/manage/{event.slug}{path}").status_code == 403


@pytest.mark.parametrize("path", DESK_PAGES)
def test_organizer_of_another_event_is_refused(client, auth, make_event, make_user, path):
    event, other = make_event(), make_event()
    auth.login(make_user(Role.ORGANIZER, event=other))
    assert client.get(f"/manage/{event.slug}{path}").status_code == 403


def test_unknown_event_is_404(desk):
    assert desk.client.get("/manage/no-such-event/registrations").status_code == 404


def test_dashboard_links_to_the_desk_pages(desk):
    page = desk.client.get(f"{desk.base}/").text
    for path in ("/registrations", "/categories", "/questions", "/registrations/export.xlsx"):
        assert f'href="{desk.base}{path}"' in page
