"""Organizer actions on registrations: bulk approve/reject/cancel, one-by-one actions, details."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.extensions import db
from app.registration.models import (
    Question,
    QuestionKind,
    Registration,
    RegistrationChange,
    RegistrationState,
)
from app.translated import Translated
from tests.registration.organizer_support import add_registration, flashes, sign_in_organizer


@pytest.fixture
def desk(client, auth, make_event, make_user):
    return sign_in_organizer(client, auth, make_event, make_user)


def state_of(registration_id: int) -> RegistrationState:
    db.session.expire_all()
    return db.session.get(Registration, registration_id).state


@pytest.fixture
def pending(desk, make_category):
    """Three registrations awaiting approval in a moderated category."""
    category = make_category(desk.event, capacity=10, requires_approval=True)
    return [add_registration(desk.event, category) for _ in range(3)]


# --- bulk ---------------------------------------------------------------------------------


def test_bulk_approve_skips_a_registration_of_another_event(
    desk, pending, make_event, make_category
):
    other_event = make_event()
    foreign = add_registration(other_event, make_category(other_event, requires_approval=True))
    ids = [pending[0].id, pending[1].id, foreign.id]
    response = desk.client.post(
        f"{desk.base}/registrations/bulk?lang=en",
        data={"action": "approve", "ids": [str(i) for i in ids]},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "2 approved, 1 skipped" in flashes(response.text)[0]
    assert state_of(pending[0].id) == state_of(pending[1].id) == RegistrationState.CONFIRMED
    assert state_of(pending[2].id) == RegistrationState.PENDING
    assert state_of(foreign.id) == RegistrationState.PENDING


def test_bulk_action_records_the_organizer_and_note_in_the_history(desk, pending):
    desk.client.post(
        f"{desk.base}/registrations/bulk",
        data={"action": "reject", "ids": [str(pending[0].id)], "note": "不符合条件"},
    )
    change = db.session.scalars(
        select(RegistrationChange)
        .where(RegistrationChange.registration_id == pending[0].id)
        .order_by(RegistrationChange.id.desc())
    ).first()
    assert change.to_state == RegistrationState.REJECTED
    assert change.actor_user_id == desk.organizer.id
    assert change.note == "不符合条件"


def test_bulk_approve_skips_registrations_whose_state_forbids_it(desk, pending, make_category):
    confirmed = add_registration(desk.event, make_category(desk.event))
    response = desk.client.post(
        f"{desk.base}/registrations/bulk?lang=en",
        data={"action": "approve", "ids": [str(pending[0].id), str(confirmed.id), "abc"]},
        follow_redirects=True,
    )
    assert "1 approved, 2 skipped" in flashes(response.text)[0]


def test_bulk_cancel_frees_places_and_promotes_the_waiting_list(desk, make_category):
    category = make_category(desk.event, capacity=1)
    first = add_registration(desk.event, category)
    waiting = add_registration(desk.event, category)
    assert waiting.state == RegistrationState.WAITLISTED
    response = desk.client.post(
        f"{desk.base}/registrations/bulk?lang=en",
        data={"action": "cancel", "ids": [str(first.id)]},
        follow_redirects=True,
    )
    assert "1 cancelled" in flashes(response.text)[0]
    assert state_of(first.id) == RegistrationState.CANCELLED
    assert state_of(waiting.id) == RegistrationState.CONFIRMED


def test_bulk_redirects_back_to_the_list_with_the_same_filters(desk, pending):
    response = desk.client.post(
        f"{desk.base}/registrations/bulk",
        data={
            "action": "approve",
            "ids": [str(pending[0].id)],
            "q": "张",
            "state": "pending",
            "attendance": "onsite",
            "page": "1",
        },
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"{desk.base}/registrations?")
    assert "state=pending" in location and "attendance=onsite" in location
    assert "q=%E5%BC%A0" in location


def test_bulk_without_ticked_registrations_changes_nothing(desk, pending):
    response = desk.client.post(
        f"{desk.base}/registrations/bulk", data={"action": "approve"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert flashes(response.text)
    assert all(state_of(r.id) == RegistrationState.PENDING for r in pending)


def test_bulk_with_an_unknown_action_changes_nothing(desk, pending):
    response = desk.client.post(
        f"{desk.base}/registrations/bulk",
        data={"action": "delete", "ids": [str(pending[0].id)]},
    )
    assert response.status_code == 302
    assert state_of(pending[0].id) == RegistrationState.PENDING


def test_bulk_is_refused_to_checkin_staff(client, auth, make_user, make_event, make_category):
    event = make_event()
    registration = add_registration(event, make_category(event, requires_approval=True))
    auth.login(make_user(Role.CHECKIN_STAFF, event=event))
    response = client.post(
        f"/manage/{event.slug}/registrations/bulk",
        data={"action": "approve", "ids": [str(registration.id)]},
    )
    assert response.status_code == 403
    assert state_of(registration.id) == RegistrationState.PENDING


def test_bulk_without_csrf_token_is_refused_when_csrf_is_on(app, desk, pending):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = desk.client.post(
            f"{desk.base}/registrations/bulk",
            data={"action": "approve", "ids": [str(pending[0].id)]},
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert state_of(pending[0].id) == RegistrationState.PENDING


# --- one registration ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("approve", RegistrationState.CONFIRMED),
        ("reject", RegistrationState.REJECTED),
        ("cancel", RegistrationState.CANCELLED),
    ],
)
def test_action_on_one_registration(desk, pending, action, expected):
    url = f"{desk.base}/registrations/{pending[0].id}/{action}"
    response = desk.client.post(url, data={"note": "ok"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/registrations/{pending[0].id}")
    assert state_of(pending[0].id) == expected


def test_action_not_allowed_in_the_current_state_changes_nothing(desk, make_category):
    confirmed = add_registration(desk.event, make_category(desk.event))
    response = desk.client.post(
        f"{desk.base}/registrations/{confirmed.id}/approve", follow_redirects=True
    )
    assert response.status_code == 200
    assert flashes(response.text)
    assert state_of(confirmed.id) == RegistrationState.CONFIRMED
    history = db.session.scalars(
        select(RegistrationChange).where(RegistrationChange.registration_id == confirmed.id)
    ).all()
    assert len(history) == 1


def test_action_on_a_registration_of_another_event_is_404(desk, make_event, make_category):
    other = make_event()
    foreign = add_registration(other, make_category(other, requires_approval=True))
    response = desk.client.post(f"{desk.base}/registrations/{foreign.id}/approve")
    assert response.status_code == 404
    assert state_of(foreign.id) == RegistrationState.PENDING


def test_action_by_get_is_not_allowed(desk, pending):
    response = desk.client.get(f"{desk.base}/registrations/{pending[0].id}/approve")
    assert response.status_code == 405
    assert state_of(pending[0].id) == RegistrationState.PENDING


def test_unknown_action_is_404(desk, pending):
    response = desk.client.post(f"{desk.base}/registrations/{pending[0].id}/delete")
    assert response.status_code == 404


# --- details page -------------------------------------------------------------------------


@pytest.fixture
def answered(desk, make_category):
    event = desk.event
    meal = Question(
        event_id=event.id,
        kind=QuestionKind.SINGLE_CHOICE,
        label=Translated(zh="餐饮", en="Meal", ru="Питание"),
        choices=[
            {"value": "veg", "zh": "素食", "en": "Vegetarian", "ru": "Вегетарианское"},
            {"value": "halal", "zh": "清真", "en": "Halal", "ru": "Халяль"},
        ],
        position=1,
    )
    topics = Question(
        event_id=event.id,
        kind=QuestionKind.MULTIPLE_CHOICE,
        label=Translated(zh="关注领域", en="Topics"),
        choices=[
            {"value": "ai", "zh": "人工智能", "en": "AI", "ru": "ИИ"},
            {"value": "bio", "zh": "生物医药", "en": "Biotech", "ru": "Биотех"},
        ],
        position=2,
    )
    db.session.add_all([meal, topics])
    db.session.commit()
    category = make_category(event, capacity=1)
    add_registration(event, category, native_name="赵敏")
    registration = add_registration(
        event,
        category,
        native_name="Иван Петров",
        latin_name="Ivan Petrov",
        country="KZ",
        answers={str(meal.id): "halal", str(topics.id): ["ai", "bio"]},
        notify=True,
    )
    return registration


def test_details_show_answers_with_localized_labels(desk, answered):
    page = desk.client.get(f"{desk.base}/registrations/{answered.id}?lang=en").text
    answers = page.split('id="answers"', 1)[1]
    assert "Meal" in answers and "Halal" in answers
    assert "AI; Biotech" in answers


def test_details_in_chinese_show_chinese_labels_and_country_name(desk, answered):
    # One locale per test: the test's app context caches the first request's locale.
    page_zh = desk.client.get(f"{desk.base}/registrations/{answered.id}?lang=zh_CN").text
    assert "清真" in page_zh and "人工智能; 生物医药" in page_zh
    assert "哈萨克斯坦" in page_zh  # country by name, in the UI language


def test_details_show_waitlist_position_and_history(desk, answered):
    page = desk.client.get(f"{desk.base}/registrations/{answered.id}?lang=en").text
    assert "Position 1 on the waiting list" in page
    history = page.split('id="history"', 1)[1].split("</table>", 1)[0]
    assert "participant" in history


def test_details_history_names_the_organizer_who_acted(desk, answered):
    desk.client.post(f"{desk.base}/registrations/{answered.id}/reject", data={"note": "no visa"})
    page = desk.client.get(f"{desk.base}/registrations/{answered.id}?lang=en").text
    history = page.split('id="history"', 1)[1].split("</table>", 1)[0]
    assert desk.organizer.name in history
    assert "no visa" in history


def test_details_link_to_the_registration_mails_in_the_outbox(desk, answered):
    page = desk.client.get(f"{desk.base}/registrations/{answered.id}").text
    links = re.findall(rf'href="({desk.base}/outbox/\d+)"', page)
    assert links
    assert desk.client.get(links[0]).status_code == 200


def test_details_show_action_buttons_allowed_by_the_state(desk, answered):
    page = desk.client.get(f"{desk.base}/registrations/{answered.id}").text
    assert 'id="reject-button"' in page and 'id="cancel-button"' in page
    assert 'id="approve-button"' not in page


def test_details_have_one_note_field_for_whichever_action_is_chosen(desk, pending):
    page = desk.client.get(f"{desk.base}/registrations/{pending[0].id}").text
    actions = page.split('id="registration-actions"', 1)[1].split("<h2", 1)[0]
    assert actions.count('name="note"') == 1
    assert actions.count("<form") == 1
    buttons = re.findall(r'<button type="submit" formaction="([^"]+)"', actions)
    assert [url.rsplit("/", 1)[1] for url in buttons] == ["approve", "reject", "cancel"]


def test_details_times_are_in_the_event_timezone(desk, answered):
    answered.created_at = datetime(2030, 5, 1, 23, 30, tzinfo=UTC)
    db.session.commit()
    page = desk.client.get(f"{desk.base}/registrations/{answered.id}?lang=en").text
    assert "5/2/30" in page  # 07:30 on 2 May in Asia/Shanghai


def test_details_of_a_registration_of_another_event_is_404(desk, make_event, make_category):
    other = make_event()
    foreign = add_registration(other, make_category(other))
    assert desk.client.get(f"{desk.base}/registrations/{foreign.id}").status_code == 404


def test_details_are_refused_to_an_organizer_of_another_event(
    client, auth, make_event, make_user, make_category
):
    event, other = make_event(), make_event()
    registration = add_registration(event, make_category(event))
    auth.login(make_user(Role.ORGANIZER, event=other))
    response = client.get(f"/manage/{event.slug}/registrations/{registration.id}")
    assert response.status_code == 403
