"""Category management by organizers: create, edit, capacity changes, validation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.registration.models import AttendanceRule, Category, RegistrationState
from app.translated import Translated
from tests.registration.organizer_support import add_registration, sign_in_organizer
from tests.registration.support import field_error


@pytest.fixture
def desk(client, auth, make_event, make_user):
    desk = sign_in_organizer(client, auth, make_event, make_user)
    desk.event.content_languages = ["zh", "en", "ru"]
    db.session.commit()
    return desk


def category_form(**overrides) -> dict:
    data = {
        "code": "media",
        "name_zh": "媒体",
        "name_en": "Media",
        "name_ru": "СМИ",
        "description_zh": "",
        "description_en": "",
        "description_ru": "",
        "capacity": "20",
        "opens_at": "",
        "closes_at": "",
        "attendance_rule": "either",
        "is_public": "y",
        "color": "#AA3300",
        "position": "3",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def fresh(category_id: int) -> Category:
    db.session.expire_all()
    return db.session.get(Category, category_id)


def test_category_list_shows_capacity_and_places_taken(desk, make_category):
    category = make_category(
        desk.event, capacity=12, name=Translated(en="Delegates"), code="delegate"
    )
    add_registration(desk.event, category)
    page = desk.client.get(f"{desk.base}/categories?lang=en")
    assert page.status_code == 200
    assert "Delegates" in page.text and "delegate" in page.text and ">12<" in page.text


def test_new_category_is_created_with_times_in_the_event_timezone(desk):
    response = desk.client.post(
        f"{desk.base}/categories/new",
        data=category_form(
            opens_at="2030-05-01T09:00", closes_at="2030-05-20T18:00", requires_approval="y"
        ),
    )
    assert response.status_code == 302
    category = db.session.scalars(select(Category).where(Category.code == "media")).one()
    assert category.event_id == desk.event.id
    assert category.capacity == 20
    assert category.opens_at == datetime(2030, 5, 1, 1, 0, tzinfo=UTC)  # 09:00 Asia/Shanghai
    assert category.closes_at == datetime(2030, 5, 20, 10, 0, tzinfo=UTC)
    assert category.requires_approval and category.is_public
    assert category.color == "#aa3300"
    assert category.name == Translated(zh="媒体", en="Media", ru="СМИ")
    assert category.description == Translated()


def test_blank_capacity_means_unlimited(desk):
    desk.client.post(f"{desk.base}/categories/new", data=category_form(capacity=""))
    category = db.session.scalars(select(Category).where(Category.code == "media")).one()
    assert category.capacity is None


def test_duplicate_code_is_a_form_error(desk, make_category):
    make_category(desk.event, code="media")
    response = desk.client.post(
        f"{desk.base}/categories/new?lang=en", data=category_form(code="Media")
    )
    assert response.status_code == 400
    assert "already uses this code" in field_error(response.text, "code")
    count = db.session.scalar(
        select(db.func.count(Category.id)).where(Category.event_id == desk.event.id)
    )
    assert count == 1


def test_same_code_in_another_event_is_fine(desk, make_event, make_category):
    make_category(make_event(), code="media")
    response = desk.client.post(f"{desk.base}/categories/new", data=category_form())
    assert response.status_code == 302


def test_renaming_to_a_taken_code_is_a_form_error(desk, make_category):
    make_category(desk.event, code="guest")
    other = make_category(desk.event, code="press")
    response = desk.client.post(
        f"{desk.base}/categories/{other.id}/edit", data=category_form(code="guest")
    )
    assert response.status_code == 400
    assert field_error(response.text, "code")
    assert fresh(other.id).code == "press"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("color", "red"),
        ("color", "#12345"),
        ("capacity", "-1"),
        ("capacity", "lots"),
        ("code", "媒体"),
        ("name_en", "x" * 201),
        ("opens_at", "tomorrow"),
        ("position", "x"),
    ],
)
def test_bad_category_input_is_a_form_error(desk, field, value):
    response = desk.client.post(f"{desk.base}/categories/new", data=category_form(**{field: value}))
    assert response.status_code == 400
    assert field_error(response.text, field)
    assert db.session.scalars(select(Category)).first() is None


def test_closing_before_opening_is_a_form_error(desk):
    response = desk.client.post(
        f"{desk.base}/categories/new",
        data=category_form(opens_at="2030-05-02T09:00", closes_at="2030-05-01T09:00"),
    )
    assert response.status_code == 400
    assert field_error(response.text, "closes_at")


def test_edit_form_shows_times_in_the_event_timezone(desk, make_category):
    category = make_category(desk.event, opens_at=datetime(2030, 5, 1, 1, 0, tzinfo=UTC))
    page = desk.client.get(f"{desk.base}/categories/{category.id}/edit").text
    assert 'value="2030-05-01T09:00"' in page


def test_raising_capacity_promotes_a_waitlisted_registration(desk, make_category):
    category = make_category(desk.event, capacity=1, code="guest")
    add_registration(desk.event, category)
    waiting = add_registration(desk.event, category)
    assert waiting.state == RegistrationState.WAITLISTED
    response = desk.client.post(
        f"{desk.base}/categories/{category.id}/edit",
        data=category_form(code="guest", capacity="2"),
        follow_redirects=True,
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert waiting.state == RegistrationState.CONFIRMED
    assert fresh(category.id).capacity == 2
    assert fresh(category.id).places_taken == 2


def test_lowering_capacity_below_places_taken_is_refused_and_changes_nothing(desk, make_category):
    category = make_category(desk.event, capacity=5, code="guest", name=Translated(en="Guests"))
    for _ in range(3):
        add_registration(desk.event, category)
    response = desk.client.post(
        f"{desk.base}/categories/{category.id}/edit?lang=en",
        data=category_form(code="guest", name_en="Renamed", capacity="2"),
    )
    assert response.status_code == 400
    assert "3 places already taken" in field_error(response.text, "capacity")
    after = fresh(category.id)
    assert after.capacity == 5
    assert after.name == Translated(en="Guests")
    assert after.places_taken == 3


def test_edit_keeps_other_settings(desk, make_category):
    category = make_category(desk.event, capacity=5, code="guest")
    response = desk.client.post(
        f"{desk.base}/categories/{category.id}/edit",
        data=category_form(code="guest", capacity="5", attendance_rule="online", is_public=None),
    )
    assert response.status_code == 302
    after = fresh(category.id)
    assert after.attendance_rule == AttendanceRule.ONLINE
    assert after.is_public is False
    assert after.position == 3


def test_category_of_another_event_is_404(desk, make_event, make_category):
    foreign = make_category(make_event())
    response = desk.client.get(f"{desk.base}/categories/{foreign.id}/edit")
    assert response.status_code == 404
    response = desk.client.post(f"{desk.base}/categories/{foreign.id}/edit", data=category_form())
    assert response.status_code == 404


def test_a_name_in_no_language_is_a_form_error(desk):
    response = desk.client.post(
        f"{desk.base}/categories/new?lang=en",
        data=category_form(name_zh="", name_en=" ", name_ru=""),
    )
    assert response.status_code == 400
    assert "at least one language" in field_error(response.text, "name_zh")
    assert db.session.scalars(select(Category)).all() == []


def test_organizer_edits_a_category_in_three_languages(desk, make_category):
    category = make_category(
        desk.event, code="guest", name=Translated(zh="嘉宾", en="Guests"), description=Translated()
    )
    form = desk.client.get(f"{desk.base}/categories/{category.id}/edit?lang=en").text
    # One input per content language, in the event's order, each with its `lang`.
    assert (
        form.index('name="name_zh"') < form.index('name="name_en"') < form.index('name="name_ru"')
    )
    assert 'lang="ru"' in form and 'name="description_ru"' in form
    assert "Missing in: Russian" in form
    response = desk.client.post(
        f"{desk.base}/categories/{category.id}/edit",
        data=category_form(
            code="guest",
            name_zh="嘉宾",
            name_en="Guests",
            name_ru="Гости",
            description_zh="受邀嘉宾",
            description_en="Invited guests",
            description_ru="Приглашённые гости",
        ),
    )
    assert response.status_code == 302
    after = fresh(category.id)
    assert after.name == Translated(zh="嘉宾", en="Guests", ru="Гости")
    assert after.description == Translated(
        zh="受邀嘉宾", en="Invited guests", ru="Приглашённые гости"
    )
    form = desk.client.get(f"{desk.base}/categories/{category.id}/edit?lang=en").text
    assert "Complete in every content language" in form
    assert 'value="Гости"' in form


def test_a_fourth_content_language_is_one_more_input(desk, make_category):
    desk.event.content_languages = ["zh", "ru", "en", "kk"]
    db.session.commit()
    category = make_category(desk.event, code="guest", name=Translated(zh="嘉宾"))
    form = desk.client.get(f"{desk.base}/categories/{category.id}/edit?lang=en").text
    assert 'name="name_kk"' in form and 'lang="kk"' in form
    response = desk.client.post(
        f"{desk.base}/categories/{category.id}/edit",
        data=category_form(code="guest", name_kk="Қонақтар", name_en="Guests", name_ru="Гости"),
    )
    assert response.status_code == 302
    assert fresh(category.id).name["kk"] == "Қонақтар"
    # A Kazakh reader's badge and pages would pick it: the text is there, no column was added.
    assert fresh(category.id).name.text("kk", desk.event.languages) == "Қонақтар"


def test_texts_in_a_language_the_event_no_longer_writes_are_kept(desk, make_category):
    category = make_category(
        desk.event, code="guest", name=Translated(zh="嘉宾", en="Guests", kk="Қонақтар")
    )
    response = desk.client.post(
        f"{desk.base}/categories/{category.id}/edit",
        data=category_form(code="guest", name_zh="嘉宾", name_en="Guests", name_ru="Гости"),
    )
    assert response.status_code == 302
    assert fresh(category.id).name == Translated(zh="嘉宾", en="Guests", ru="Гости", kk="Қонақтар")
