"""Reminder mails: N days before an event starts, one mail to every confirmed registration.

The organizer sets N on the event settings page (`Event.reminder_days_before`, empty: none).
Three things send the due reminders, all through `send_due_reminders`, which is idempotent:

- a job scheduled with RQ's scheduler for the due time, whenever a change of the event's
  start, reminder days or status is committed (`install_reminder_scheduling`); a job left
  from an earlier schedule finds nothing due (too early) or nothing left (already sent);
- the worker's maintenance (every WORKER_MAINTENANCE_SECONDS), a safety net for a lost job;
- `flask mail reminders`, for setups without Redis (run it from cron) — without Redis a
  reminder whose time has already come when the setting is saved is sent right after the save.

Each registration is reminded once: a batch of registrations is claimed with one conditional
UPDATE (… WHERE reminder_sent_at IS NULL) in the transaction that writes their outbox mails,
so two workers, two sweeps or a job and a sweep never both queue a mail for one registration.
A registration confirmed after the due time (approved late, moved up from the waiting list)
is reminded too, as long as the event has not started: the sweep picks it up. Drafts send no
reminders (their registrations are an organizer's tests); cancelled, rejected, pending,
waitlisted and anonymized registrations get none. A registration cancelled after its reminder
was queued gets no badge: the mail is built at delivery and the badge builder refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import event as sa_event
from sqlalchemy import func, inspect, select, update
from sqlalchemy.orm import Session, joinedload

from app.clock import utcnow
from app.events.models import Event, EventStatus
from app.events.services import REMINDER_DAYS_MAX
from app.extensions import db
from app.jobs import queue
from app.mail.models import MailState, OutboxMessage
from app.mail.services import queue_mail_composed_at_delivery
from app.registration.models import Attendance, Registration, RegistrationState
from app.registration.services import REMINDER_TEMPLATE

REMINDER_KIND = "registration.reminder"
# Registrations claimed (and their mails written) per transaction.
CLAIM_BATCH_SIZE = 200
# RQ's scheduler and the app may read different clocks (another host): the scheduled job
# firing a moment before the due time by ours still sends instead of leaving it to a sweep.
EARLY_TOLERANCE = timedelta(minutes=1)
# Changes of these event columns move (or cancel) the reminder.
SCHEDULE_FIELDS = ("starts_at", "reminder_days_before", "status")


def reminders_due(event: Event, now: datetime, early: timedelta = timedelta(0)) -> bool:
    """True while an event's reminders go out: from the due time (less `early`) until the
    event starts."""
    due = event.reminder_due_at
    return (
        due is not None
        and event.status != EventStatus.DRAFT
        and due - early <= now < event.starts_at
    )


def _not_reminded(event_id: int):
    """Registrations of an event that should get the reminder and have not had it."""
    return (
        Registration.event_id == event_id,
        Registration.state == RegistrationState.CONFIRMED,
        Registration.anonymized_at.is_(None),
        Registration.reminder_sent_at.is_(None),
    )


def send_due_reminders(event_id: int, *, early: timedelta = timedelta(0)) -> int:
    """Queue the reminder mail of every confirmed, not yet reminded registration of an event,
    if its reminders are due now (or within `early`); returns how many were queued. Commits
    per batch."""
    event = db.session.get(Event, event_id)
    now = utcnow()
    if event is None or not reminders_due(event, now, early):
        db.session.rollback()
        return 0
    queued = 0
    while True:
        candidates = db.session.scalars(
            select(Registration.id)
            .where(*_not_reminded(event_id))
            .order_by(Registration.id)
            .limit(CLAIM_BATCH_SIZE)
        ).all()
        if not candidates:
            break
        # The claim: a row another worker claimed meanwhile no longer matches (PostgreSQL
        # re-checks the condition once the other transaction's row lock is released; SQLite
        # transactions hold the write lock), so it is not returned here and gets no second mail.
        claimed = db.session.scalars(
            update(Registration)
            .where(Registration.id.in_(candidates), *_not_reminded(event_id))
            .values(reminder_sent_at=now)
            .returning(Registration.id)
            .execution_options(synchronize_session=False)
        ).all()
        if claimed:
            registrations = db.session.scalars(
                select(Registration)
                .where(Registration.id.in_(claimed))
                .options(joinedload(Registration.event))
                .order_by(Registration.id)
            ).all()
            for registration in registrations:
                _queue_reminder(registration)
        db.session.commit()  # the claims, the mails, then (after commit) their delivery jobs
        if not claimed:
            break  # another worker took these; what is left is its work
        queued += len(claimed)
    return queued


def _queue_reminder(registration: Registration) -> OutboxMessage:
    """Write a registration's reminder to the outbox: the badge (QR) for on-site attendees
    and the calendar entry, built when the mail is sent, like the confirmation's."""
    attachments = [{"kind": "calendar"}]
    if registration.attendance != Attendance.ONLINE:
        attachments.insert(0, {"kind": "badge"})
    return queue_mail_composed_at_delivery(
        kind=REMINDER_KIND,
        to_address=registration.email,
        to_name=registration.native_name,
        language=registration.language,
        template=REMINDER_TEMPLATE,
        subject_context={"registration": registration, "event": registration.event},
        event_id=registration.event_id,
        registration_id=registration.id,
        attachments=attachments,
    )


def send_all_due_reminders() -> int:
    """Send the due reminders of every event (the worker's maintenance, `flask mail
    reminders`); returns how many mails were queued."""
    now = utcnow()
    horizon = now + timedelta(days=REMINDER_DAYS_MAX)
    event_ids = db.session.scalars(
        select(Event.id).where(
            Event.reminder_days_before.is_not(None),
            Event.status != EventStatus.DRAFT,
            Event.starts_at > now,
            Event.starts_at <= horizon,
        )
    ).all()
    db.session.rollback()
    return sum(send_due_reminders(event_id) for event_id in event_ids)


@dataclass(frozen=True)
class ReminderStatus:
    """What the organizer's dashboard says about an event's reminder."""

    days: int
    due_at: datetime
    # Confirmed registrations now, and how many of them have been reminded / delivered.
    confirmed: int
    reminded: int
    delivered: int

    @property
    def started(self) -> bool:
        """True once the due time has come."""
        return self.due_at <= utcnow()


def reminder_status(event: Event) -> ReminderStatus | None:
    """The event's reminder setting and progress, or None when it has no reminder."""
    if event.reminder_due_at is None:
        return None
    active = (
        Registration.event_id == event.id,
        Registration.state == RegistrationState.CONFIRMED,
        Registration.anonymized_at.is_(None),
    )
    confirmed, reminded = db.session.execute(
        select(
            func.count(Registration.id),
            func.count(Registration.reminder_sent_at),
        ).where(*active)
    ).one()
    delivered = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.event_id == event.id,
            OutboxMessage.kind == REMINDER_KIND,
            OutboxMessage.state == MailState.SENT,
        )
    )
    return ReminderStatus(
        days=event.reminder_days_before,
        due_at=event.reminder_due_at,
        confirmed=confirmed,
        reminded=reminded,
        delivered=delivered or 0,
    )


def _schedule_changed_reminders(session: Session, flush_context, instances) -> None:
    """before_flush: schedule the reminder job of every event whose start, reminder days or
    status changed (or that is new with a reminder), for after the commit."""
    from app.registration.tasks import send_event_reminders  # the tasks import this module

    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, Event):
            continue
        if obj not in session.new:
            state = inspect(obj)
            if not any(state.attrs[name].history.has_changes() for name in SCHEDULE_FIELDS):
                continue
        due = obj.reminder_due_at
        if due is None or obj.status == EventStatus.DRAFT or obj.starts_at <= utcnow():
            continue
        # The event object becomes its id once committed (app.jobs).
        queue.enqueue_at_after_commit(due, send_event_reminders, obj, queue="default")


def install_reminder_scheduling() -> None:
    """Attach the scheduling hook to every session (idempotent)."""
    if not sa_event.contains(Session, "before_flush", _schedule_changed_reminders):
        sa_event.listen(Session, "before_flush", _schedule_changed_reminders)
