"""The scanner's offline verdicts (static/js/checkin/offline.js) on real codes, in Chromium."""

from __future__ import annotations

import json

import pytest

from app.checkin.services import offline_data
from app.extensions import db
from app.registration.services import reissue_badge
from app.registration.tickets import ticket_code
from app.translated import Translated
from tests.browser.checkin_support import add_guest, add_list
from tests.browser.conftest import PHONE_VIEWPORT, end_transaction

pytestmark = pytest.mark.browser

DECIDE = """async ([data, code, seen]) => {
  const m = await import('/static/js/checkin/offline.js');
  return await m.decideOffline(data, code, { seenLookup: async () => seen });
}"""


@pytest.fixture
def world(make_event, make_category):
    """An event with an admitted and a non-admitted category, guests in several states."""
    event = make_event()
    guests = make_category(event, name=Translated(en="Guest"), color="#1a7f37")
    media = make_category(event, name=Translated(en="Media"))
    closed = make_category(event, name=Translated(en="Approval"), requires_approval=True)
    other_event = make_event()
    other_category = make_category(other_event)
    checkin_list = add_list(event, category_ids=[guests.id, closed.id])
    welcome = add_guest(event, guests, "王芳", "Wang Fang", organization="海尔集团")
    journalist = add_guest(event, media, "李娜", "Li Na")
    pending = add_guest(event, closed, "赵磊", "Zhao Lei")
    lost = add_guest(event, guests, "陈静", "Chen Jing")
    old_code = ticket_code(lost)
    reissue_badge(lost)
    db.session.commit()
    stranger = add_guest(other_event, other_category, "周杰", "Zhou Jie")
    data = offline_data(event, checkin_list)
    data.pop("generated_at")
    data["categories"] = {str(guests.id): {"name": "Guest", "color": "#1a7f37"}}
    values = {
        "data": json.loads(json.dumps(data)),
        "welcome": ticket_code(welcome),
        "welcome_id": welcome.id,
        "journalist": ticket_code(journalist),
        "pending": ticket_code(pending),
        "old_code": old_code,
        "new_code": ticket_code(lost),
        "stranger": ticket_code(stranger),
    }
    end_transaction()
    return values


@pytest.fixture
def page(page_at, live_server):
    page = page_at(PHONE_VIEWPORT)
    page.goto("/static/css/checkin.css")
    return page


def decide(page, world, code, seen=None):
    return page.evaluate(DECIDE, [world["data"], code, seen])


def test_genuine_code_of_confirmed_guest_is_accepted_offline(page, world):
    answer = decide(page, world, world["welcome"])
    assert answer["status"] == "ok"
    assert answer["offline"] is True
    assert answer["registration"]["native_name"] == "王芳"
    assert answer["registration"]["category"] == "Guest"
    assert answer["registration"]["organization"] == "海尔集团"


def test_code_seen_before_on_this_device_is_already_checked_in(page, world):
    seen = {"at": "2024-05-01T01:12:00Z", "station": "B"}
    answer = decide(page, world, world["welcome"], seen)
    assert answer["status"] == "already_checked_in"
    assert answer["first_checkin"] == seen


def test_forged_code_is_invalid(page, world):
    code = world["welcome"]
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert decide(page, world, forged)["status"] == "invalid"
    assert decide(page, world, "not a ticket")["status"] == "invalid"
    assert decide(page, world, "x" * 10_000)["status"] == "invalid"


def test_replaced_badge_code_is_revoked_and_new_one_accepted(page, world):
    assert decide(page, world, world["old_code"])["status"] == "revoked"
    assert decide(page, world, world["new_code"])["status"] == "ok"


def test_pending_registration_is_not_confirmed(page, world):
    assert decide(page, world, world["pending"])["status"] == "not_confirmed"


def test_category_not_admitted_is_wrong_list(page, world):
    assert decide(page, world, world["journalist"])["status"] == "wrong_list"


def test_code_of_another_event_is_wrong_event(page, world):
    assert decide(page, world, world["stranger"])["status"] == "wrong_event"


def test_code_made_on_the_device_for_a_search_hit_is_the_real_code(page, world):
    code = page.evaluate(
        """async ([data, id]) => {
          const m = await import('/static/js/checkin/offline.js');
          return await m.codeForPerson(data, id);
        }""",
        [world["data"], world["welcome_id"]],
    )
    assert code == world["welcome"]
