"""Reminder mails N days before the start: who gets one, exactly once, over real SMTP.

Runs on SQLite and on the PostgreSQL of TEST_DATABASE_URL (the concurrent sweeps too).
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.clock import utcnow
from app.extensions import db
from app.mail.models import MailState, OutboxMessage
from app.registration.models import Attendance, Registration, RegistrationState
from app.registration.reminders import (
    REMINDER_KIND,
    send_all_due_reminders,
    send_due_reminders,
)
from app.registration.services import (
    ParticipantData,
    approve_registration,
    cancel_registration,
    register_participant,
)
from app.registration.tickets import ticket_code
from app.translated import Translated
from tests.pdf_support import decode_pdf_qr_codes
from tests.registration.test_concurrency import run_in_threads


def participant(email: str, **overrides) -> ParticipantData:
    values = dict(
        native_name="李玥",
        latin_name="Li Yue",
        email=email,
        country="CN",
        attendance=Attendance.ONSITE,
        language="zh_CN",
    )
    values.update(overrides)
    return ParticipantData(**values)


def register(event, category, email: str, **overrides) -> Registration:
    """A registration written without its state mail (the reminder is what is tested)."""
    registration = register_participant(
        event, category, participant(email, **overrides), notify=False
    )
    db.session.commit()
    return registration


@pytest.fixture
def due_event(make_event):
    """An event starting in two days whose reminder (three days before) is due."""
    return make_event(
        starts_at=utcnow() + timedelta(days=2),
        ends_at=utcnow() + timedelta(days=3),
        reminder_days_before=3,
        venue=Translated(zh="青岛国际会议中心", en="Qingdao International Conference Center"),
    )


def reminder_rows() -> list[OutboxMessage]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == REMINDER_KIND).order_by(OutboxMessage.id)
    ).all()
    db.session.commit()
    return rows


def test_a_due_reminder_arrives_over_smtp_with_the_calendar_entry_and_the_badge_qr(
    app, due_event, make_category, smtp_server
):
    registration = register(due_event, make_category(due_event), "li.yue@example.org")

    assert send_all_due_reminders() == 1

    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == "李玥 <li.yue@example.org>"
    assert mail["Subject"].startswith("提醒")
    assert due_event.title["zh"] in mail["Subject"]
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "青岛国际会议中心" in text
    assert "/r/" in text  # the personal link
    attachments = {part.get_filename(): part for part in mail.iter_attachments()}
    calendar = attachments[f"{due_event.slug}.ics"].get_content()
    calendar = calendar.decode() if isinstance(calendar, bytes) else calendar
    assert f"huiwu-event-{due_event.id}-registration-{registration.id}@huiwu" in calendar
    [badge] = [part for name, part in attachments.items() if name.endswith(".pdf")]
    assert decode_pdf_qr_codes(badge.get_content()) == [ticket_code(registration)]
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "cid:" in html
    [row] = reminder_rows()
    assert row.state == MailState.SENT
    assert row.registration_id == registration.id


def test_an_online_attendee_gets_the_calendar_entry_and_the_link_without_a_badge(
    app, make_event, make_category, smtp_server
):
    event = make_event(
        starts_at=utcnow() + timedelta(days=1),
        ends_at=utcnow() + timedelta(days=2),
        reminder_days_before=2,
        online_url="https://meet.example.org/qingdao",
    )
    register(event, make_category(event), "online@example.org", attendance=Attendance.ONLINE)

    assert send_all_due_reminders() == 1

    [mail] = smtp_server.wait_for(1)
    names = [part.get_filename() for part in mail.iter_attachments()]
    assert names == [f"{event.slug}.ics"]
    assert "https://meet.example.org/qingdao" in mail.get_body(("plain",)).get_content()


def test_the_reminder_is_in_the_registrants_language(app, due_event, make_category):
    category = make_category(due_event)
    register(due_event, category, "ru@example.org", language="ru", native_name="Анна")
    register(due_event, category, "en@example.org", language="en", native_name="Anna")

    send_all_due_reminders()

    subjects = {row.to_address: row.subject for row in reminder_rows()}
    assert subjects["ru@example.org"].startswith("Напоминание")
    assert subjects["en@example.org"].startswith("Reminder")


def test_only_confirmed_registrations_are_reminded(app, due_event, make_category, make_user):
    from app.privacy.services import anonymize_registration

    open_category = make_category(due_event, capacity=2)
    approval = make_category(due_event, requires_approval=True)
    confirmed = register(due_event, open_category, "confirmed@example.org")
    cancelled = register(due_event, open_category, "cancelled@example.org")
    assert cancel_registration(cancelled, notify=False)
    db.session.commit()
    register(due_event, open_category, "third@example.org")  # takes the freed place
    waitlisted = register(due_event, open_category, "waiting@example.org")
    pending = register(due_event, approval, "pending@example.org")
    anonymized = register(due_event, make_category(due_event), "gone@example.org")
    assert anonymize_registration(anonymized, None, "test")
    db.session.commit()
    assert waitlisted.state == RegistrationState.WAITLISTED
    assert pending.state == RegistrationState.PENDING

    assert send_all_due_reminders() == 2

    assert sorted(row.to_address for row in reminder_rows()) == [
        "confirmed@example.org",
        "third@example.org",
    ]
    assert confirmed.id in {row.registration_id for row in reminder_rows()}


def test_a_cancelled_registration_never_gets_a_reminder_also_when_cancelled_before_delivery(
    app, due_event, make_category, smtp_server
):
    from app.mail.services import deliver_message

    registration = register(due_event, make_category(due_event), "late@example.org")
    send_all_due_reminders()
    smtp_server.wait_for(1)
    smtp_server.messages.clear()
    # A second registration: its reminder is queued, then it is cancelled before delivery.
    other = register(due_event, make_category(due_event), "cancels@example.org")
    send_all_due_reminders()
    smtp_server.wait_for(1)
    smtp_server.messages.clear()
    row = next(r for r in reminder_rows() if r.registration_id == other.id)
    db.session.execute(
        OutboxMessage.__table__.update()
        .where(OutboxMessage.id == row.id)
        .values(state=MailState.QUEUED.value, sent_at=None, attempts=0)
    )
    db.session.commit()
    assert cancel_registration(other, notify=False)
    db.session.commit()

    deliver_message(row.id)

    assert smtp_server.messages == []
    assert reminder_rows()[-1].state == MailState.FAILED
    assert registration.state == RegistrationState.CONFIRMED


def test_sweeping_twice_sends_each_reminder_once(app, due_event, make_category, smtp_server):
    category = make_category(due_event)
    for n in range(3):
        register(due_event, category, f"guest{n}@example.org")

    assert send_all_due_reminders() == 3
    assert send_all_due_reminders() == 0
    assert send_due_reminders(due_event.id) == 0

    smtp_server.wait_for(3)
    assert len(reminder_rows()) == 3
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp_server.messages) == [
        f"guest{n}@example.org" for n in range(3)
    ]


def test_concurrent_sweeps_queue_each_reminder_once(app, due_event, make_category):
    category = make_category(due_event, capacity=None)
    for n in range(40):
        register(due_event, category, f"guest{n}@example.org")

    results = run_in_threads(app, 8, lambda i: send_all_due_reminders())

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 40
    rows = reminder_rows()
    assert len(rows) == 40
    assert len({row.registration_id for row in rows}) == 40
    assert (
        db.session.scalar(
            select(func.count(Registration.id)).where(Registration.reminder_sent_at.is_(None))
        )
        == 0
    )


def test_nothing_is_sent_before_the_due_time_after_the_start_or_for_a_draft(
    app, make_event, make_category
):
    from app.events.models import EventStatus

    early = make_event(starts_at=utcnow() + timedelta(days=10), reminder_days_before=3)
    started = make_event(
        starts_at=utcnow() - timedelta(hours=1),
        ends_at=utcnow() + timedelta(days=1),
        reminder_days_before=3,
    )
    draft = make_event(starts_at=utcnow() + timedelta(days=1), reminder_days_before=3)
    none = make_event(starts_at=utcnow() + timedelta(days=1))
    for event in (early, started, draft, none):
        register(event, make_category(event), f"x@{event.slug}.example.org")
    draft.status = EventStatus.DRAFT
    db.session.commit()

    assert send_all_due_reminders() == 0
    assert send_due_reminders(early.id) == 0
    assert send_due_reminders(started.id) == 0
    assert reminder_rows() == []


def test_a_registration_confirmed_after_the_due_time_is_reminded_before_the_start(
    app, due_event, make_category, make_user
):
    register(due_event, make_category(due_event), "early@example.org")
    pending = register(
        due_event, make_category(due_event, requires_approval=True), "late@example.org"
    )
    assert send_all_due_reminders() == 1

    assert approve_registration(pending, make_user(Role.ORGANIZER, event=due_event), notify=False)
    db.session.commit()

    assert send_all_due_reminders() == 1
    assert sorted(row.to_address for row in reminder_rows()) == [
        "early@example.org",
        "late@example.org",
    ]


def test_flask_mail_reminders_sends_the_due_reminders(app, due_event, make_category):
    register(due_event, make_category(due_event), "cli@example.org")

    result = app.test_cli_runner().invoke(args=["mail", "reminders"])

    assert result.exit_code == 0, result.output
    assert "queued 1 reminder mails" in result.output
    assert [row.to_address for row in reminder_rows()] == ["cli@example.org"]


def test_saving_a_reminder_that_is_already_due_sends_it_right_after_the_save_without_redis(
    app, client, auth, make_event, make_category, make_user
):
    from tests.events.test_settings import settings_form

    event = make_event(starts_at=utcnow() + timedelta(days=2), ends_at=utcnow() + timedelta(days=3))
    register(event, make_category(event), "soon@example.org")
    auth.login(make_user(Role.ORGANIZER, event=event))
    starts = event.local(event.starts_at).strftime("%Y-%m-%dT%H:%M")
    ends = event.local(event.ends_at).strftime("%Y-%m-%dT%H:%M")

    response = client.post(
        f"/manage/{event.slug}/settings",
        data=settings_form(starts_local=starts, ends_local=ends, reminder_days_before="3"),
    )

    assert response.status_code == 302
    assert [row.to_address for row in reminder_rows()] == ["soon@example.org"]


def test_the_dashboard_shows_how_many_were_reminded(
    app, client, auth, due_event, make_category, make_user
):
    category = make_category(due_event)
    register(due_event, category, "a@example.org")
    send_all_due_reminders()
    register(due_event, make_category(due_event, requires_approval=True), "b@example.org")
    register(due_event, category, "c@example.org")  # confirmed a moment ago, not swept yet
    auth.login(make_user(Role.ORGANIZER, event=due_event))

    page = client.get(f"/manage/{due_event.slug}/?lang=en").get_data(as_text=True)

    assert "3 days before the start" in page
    assert "Sent to 1 of 2 confirmed registrations, 1 delivered." in page


def test_the_outbox_lists_the_reminder(app, client, auth, due_event, make_category, make_user):
    register(due_event, make_category(due_event), "a@example.org")
    send_all_due_reminders()
    auth.login(make_user(Role.ORGANIZER, event=due_event))

    page = client.get(f"/manage/{due_event.slug}/outbox?lang=zh_CN").get_data(as_text=True)

    assert f"提醒：{due_event.title['zh']}" in page


def scheduled_reminder_jobs(connection) -> list[tuple[object, object]]:
    """(job, scheduled time) of every job in RQ's scheduled registry of the default queue."""
    from rq import Queue
    from rq.job import Job
    from rq.registry import ScheduledJobRegistry

    registry = ScheduledJobRegistry(queue=Queue("default", connection=connection))
    return [
        (Job.fetch(job_id, connection=connection), registry.get_scheduled_time(job_id))
        for job_id in registry.get_job_ids()
    ]


def test_saving_the_setting_schedules_the_job_with_rqs_scheduler_and_a_stale_one_does_nothing(
    redis_app, client, auth, make_event, make_category, make_user
):
    from app.jobs import job_name, queue
    from app.registration.tasks import send_event_reminders
    from tests.events.test_settings import settings_form

    event = make_event()
    register(event, make_category(event), "guest@example.org")
    auth.login(make_user(Role.ORGANIZER, event=event))
    url = f"/manage/{event.slug}/settings"

    def save(starts_in: timedelta) -> None:
        starts = (event.local(utcnow()) + starts_in).strftime("%Y-%m-%dT%H:%M")
        ends = (event.local(utcnow()) + starts_in + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        form = settings_form(starts_local=starts, ends_local=ends, reminder_days_before="3")
        assert client.post(url, data=form).status_code == 302
        db.session.refresh(event)

    save(timedelta(days=10))
    [(job, when)] = scheduled_reminder_jobs(queue.connection())
    assert job.func_name == job_name(send_event_reminders)
    assert job.args == (event.id,)
    assert abs(when - (event.starts_at - timedelta(days=3))) < timedelta(seconds=1)

    save(timedelta(days=20))  # the start moved: a job for the new time
    jobs = scheduled_reminder_jobs(queue.connection())
    assert len(jobs) == 2
    assert max(when for _, when in jobs) > when + timedelta(days=9)

    # The job of the first schedule runs early now: it finds nothing due and sends nothing.
    assert send_event_reminders(event.id) == 0
    assert reminder_rows() == []


def test_the_worker_with_its_scheduler_runs_the_job_scheduled_for_the_due_time(
    redis_app, make_event, make_category, smtp_server, tmp_path
):
    from rq.job import Job

    from app.jobs import queue
    from tests.mail.test_worker import start_worker, stop_worker

    event = make_event(
        starts_at=utcnow() + timedelta(days=3, seconds=30), ends_at=utcnow() + timedelta(days=4)
    )
    register(event, make_category(event), "scheduled@example.org")
    # The worker's maintenance runs at its start and then every 10 minutes: what sends the
    # reminder below is the job RQ's scheduler moves to the queue at the due time.
    worker = start_worker(redis_app, log=tmp_path / "worker.log", WORKER_MAINTENANCE_SECONDS=600)
    try:
        deadline = utcnow() + timedelta(seconds=60)
        while not queue.workers_running():
            assert utcnow() < deadline, (tmp_path / "worker.log").read_text()
            time.sleep(0.1)
        event.starts_at = utcnow() + timedelta(days=3, seconds=2)
        event.reminder_days_before = 3
        db.session.commit()  # schedules the job for two seconds from now
        [(job, _)] = scheduled_reminder_jobs(queue.connection())

        [mail] = smtp_server.wait_for(1, timeout=60)
        assert mail["To"].addresses[0].addr_spec == "scheduled@example.org"
        job = Job.fetch(job.id, connection=queue.connection())
        deadline = utcnow() + timedelta(seconds=30)
        while job.get_status(refresh=True) != "finished":
            assert utcnow() < deadline, (tmp_path / "worker.log").read_text()
            time.sleep(0.1)
        assert job.return_value() == 1
    finally:
        stop_worker(worker)
    assert len(reminder_rows()) == 1
