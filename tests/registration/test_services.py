"""Registration rules: capacity, waiting list, approval, duplicates, history, links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.clock import utcnow
from app.events.models import EventStatus
from app.extensions import db
from app.mail.models import OutboxMessage
from app.registration.models import (
    Attendance,
    AttendanceRule,
    Category,
    Registration,
    RegistrationState,
)
from app.registration.services import (
    DuplicateRegistration,
    LinkInvalid,
    ParticipantData,
    RegistrationError,
    approve_registration,
    cancel_registration,
    manage_token,
    register_participant,
    registration_from_token,
    reject_registration,
    set_category_capacity,
    suggest_latin_name,
    waitlist_position,
)


def participant(email: str, **overrides) -> ParticipantData:
    values = dict(
        native_name="李娜",
        latin_name="",
        email=email,
        country="CN",
        attendance=Attendance.ONSITE,
        language="zh_CN",
        organization="海尔集团",
    )
    values.update(overrides)
    return ParticipantData(**values)


def register(event, category, email, **overrides) -> Registration:
    registration = register_participant(event, category, participant(email, **overrides))
    db.session.commit()
    return registration


def test_registration_is_confirmed_while_places_are_left(make_event, make_category):
    event = make_event()
    category = make_category(event, capacity=2)
    registration = register(event, category, "a@example.org")
    assert registration.state == RegistrationState.CONFIRMED
    db.session.refresh(category)
    assert category.places_taken == 1


def test_full_category_puts_registrations_on_the_waiting_list_in_order(make_event, make_category):
    event = make_event()
    category = make_category(event, capacity=1)
    register(event, category, "first@example.org")
    second = register(event, category, "second@example.org")
    third = register(event, category, "third@example.org")
    assert second.state == third.state == RegistrationState.WAITLISTED
    assert waitlist_position(second) == 1
    assert waitlist_position(third) == 2


def test_cancellation_promotes_the_oldest_waitlisted_and_mails_them(make_event, make_category):
    event = make_event()
    category = make_category(event, capacity=1)
    first = register(event, category, "first@example.org")
    second = register(event, category, "second@example.org")
    register(event, category, "third@example.org")

    assert cancel_registration(first)
    db.session.commit()

    db.session.refresh(second)
    assert second.state == RegistrationState.CONFIRMED
    assert [c.actor_kind for c in second.changes] == ["participant", "system"]
    promoted_mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "registration.confirmed.promoted")
    )
    assert promoted_mail.to_address == "second@example.org"
    db.session.refresh(category)
    assert category.places_taken == 1


def test_approval_category_holds_the_place_while_pending(make_event, make_category, make_user):
    event = make_event()
    category = make_category(event, capacity=1, requires_approval=True)
    organizer = make_user()
    pending = register(event, category, "p@example.org")
    waiting = register(event, category, "w@example.org")
    assert pending.state == RegistrationState.PENDING
    assert waiting.state == RegistrationState.WAITLISTED

    assert approve_registration(pending, organizer)
    db.session.commit()
    assert pending.state == RegistrationState.CONFIRMED
    assert pending.changes[-1].actor_user_id == organizer.id


def test_rejecting_a_pending_registration_promotes_the_waiting_list(
    make_event, make_category, make_user
):
    event = make_event()
    category = make_category(event, capacity=1, requires_approval=True)
    organizer = make_user()
    pending = register(event, category, "p@example.org")
    waiting = register(event, category, "w@example.org")
    assert reject_registration(pending, organizer, "not eligible")
    db.session.commit()
    db.session.refresh(waiting)
    assert pending.state == RegistrationState.REJECTED
    assert waiting.state == RegistrationState.PENDING  # still needs approval after promotion
    assert pending.changes[-1].note == "not eligible"


def test_raising_capacity_promotes_waitlisted(make_event, make_category):
    event = make_event()
    category = make_category(event, capacity=1)
    register(event, category, "a@example.org")
    waiting = [register(event, category, f"w{i}@example.org") for i in range(3)]
    promoted = set_category_capacity(category, 3)
    db.session.commit()
    assert [r.email for r in promoted] == ["w0@example.org", "w1@example.org"]
    db.session.refresh(waiting[2])
    assert waiting[2].state == RegistrationState.WAITLISTED


def test_capacity_cannot_drop_below_places_taken(make_event, make_category):
    event = make_event()
    category = make_category(event, capacity=5)
    register(event, category, "a@example.org")
    register(event, category, "b@example.org")
    with pytest.raises(RegistrationError):
        set_category_capacity(category, 1)


def test_second_registration_with_same_email_is_refused_case_insensitively(
    make_event, make_category
):
    event = make_event()
    category = make_category(event)
    first = register(event, category, "Same@Example.org")
    with pytest.raises(DuplicateRegistration) as excinfo:
        register(event, category, "same@example.ORG")
    db.session.rollback()
    assert excinfo.value.existing.id == first.id
    assert db.session.scalar(select(func.count(Registration.id))) == 1


def test_email_can_register_again_after_cancelling(make_event, make_category):
    event = make_event()
    category = make_category(event)
    first = register(event, category, "again@example.org")
    cancel_registration(first)
    db.session.commit()
    again = register(event, category, "again@example.org")
    assert again.state == RegistrationState.CONFIRMED


def test_unlimited_category_never_waitlists(make_event, make_category):
    event = make_event()
    category = make_category(event, capacity=None)
    states = {register(event, category, f"u{i}@example.org").state for i in range(15)}
    assert states == {RegistrationState.CONFIRMED}


@pytest.mark.parametrize(
    "change",
    [
        {"opens_at": utcnow() + timedelta(days=1)},
        {"closes_at": utcnow() - timedelta(minutes=1)},
    ],
)
def test_registration_outside_the_window_is_refused(make_event, make_category, change):
    event = make_event()
    category = make_category(event, **change)
    with pytest.raises(RegistrationError):
        register(event, category, "late@example.org")


def test_registration_for_a_closed_event_is_refused(make_event, make_category):
    event = make_event(status=EventStatus.CLOSED)
    category = make_category(event)
    with pytest.raises(RegistrationError):
        register(event, category, "x@example.org")


def test_category_of_another_event_is_refused(make_event, make_category):
    event, other = make_event(), make_event()
    foreign = make_category(other)
    with pytest.raises(RegistrationError):
        register(event, foreign, "x@example.org")


def test_online_only_category_refuses_onsite_attendance(make_event, make_category):
    event = make_event()
    category = make_category(event, attendance_rule=AttendanceRule.ONLINE)
    with pytest.raises(RegistrationError):
        register(event, category, "x@example.org", attendance=Attendance.ONSITE)


def test_every_state_change_is_recorded(make_event, make_category, make_user):
    event = make_event()
    category = make_category(event, requires_approval=True)
    organizer = make_user()
    registration = register(event, category, "h@example.org")
    approve_registration(registration, organizer)
    cancel_registration(registration, organizer, "asked by phone")
    db.session.commit()
    history = [(c.from_state, c.to_state, c.actor_kind) for c in registration.changes]
    assert history == [
        (None, RegistrationState.PENDING, "participant"),
        (RegistrationState.PENDING, RegistrationState.CONFIRMED, "organizer"),
        (RegistrationState.CONFIRMED, RegistrationState.CANCELLED, "organizer"),
    ]


def test_manage_token_round_trips_and_rejects_tampering(make_event, make_category):
    event = make_event()
    category = make_category(event)
    registration = register(event, category, "t@example.org")
    token = manage_token(registration)
    assert registration_from_token(token).id == registration.id
    # Change a character inside the signature (the last base64 character may carry padding
    # bits only, so changing it can leave the decoded signature intact).
    tampered = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    for bad in (tampered, "garbage", ""):
        with pytest.raises(LinkInvalid):
            registration_from_token(bad)


def test_bumping_link_version_invalidates_old_links(make_event, make_category):
    event = make_event()
    category = make_category(event)
    registration = register(event, category, "v@example.org")
    token = manage_token(registration)
    registration.link_version += 1
    db.session.commit()
    with pytest.raises(LinkInvalid):
        registration_from_token(token)


@pytest.mark.parametrize(
    ("native", "latin"),
    [
        ("张三丰", "Zhang Sanfeng"),
        ("欧阳娜娜", "Ouyang Nana"),
        ("曾小贤", "Zeng Xiaoxian"),
        ("单雄信", "Shan Xiongxin"),
        ("John Smith", "John Smith"),
        ("Иван Петров", ""),
    ],
)
def test_latin_name_suggestion(native, latin):
    assert suggest_latin_name(native) == latin


def test_confirmation_mail_is_written_to_the_local_outbox_after_commit(
    app, make_event, make_category
):
    event = make_event()
    category = make_category(event)
    registration = register_participant(event, category, participant("mail@example.org"))
    outbox = app.config["OUTBOX_DIR"]
    assert not outbox.exists() or not any(outbox.iterdir())  # nothing before commit
    db.session.commit()
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.registration_id == registration.id)
    )
    assert message.state.value == "sent"
    eml = (outbox / f"{message.id:08d}.eml").read_text()
    assert "mail@example.org" in eml


def test_rolled_back_registration_sends_no_mail(app, make_event, make_category):
    event = make_event()
    category = make_category(event)
    register_participant(event, category, participant("rollback@example.org"))
    db.session.rollback()
    outbox = app.config["OUTBOX_DIR"]
    assert not outbox.exists() or not any(outbox.iterdir())
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_stale_view_of_a_full_category_is_corrected_before_commit(make_event, make_category):
    """The state is guessed from the category row read earlier; taking the place decides."""
    event = make_event()
    category = make_category(event, capacity=1)
    category.places_taken = 0  # what this request read…
    db.session.commit()
    db.session.execute(  # …but another request took the last place meanwhile
        Category.__table__.update().values(places_taken=1)
    )
    registration = register_participant(event, category, participant("late@example.org"))
    db.session.commit()
    assert registration.state == RegistrationState.WAITLISTED
    assert registration.changes[-1].to_state == RegistrationState.WAITLISTED
    [mail] = db.session.scalars(select(OutboxMessage)).all()
    assert mail.kind == "registration.waitlisted"
