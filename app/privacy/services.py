"""Privacy rules: a participant's data as JSON, deletion requests, anonymization.

Anonymizing a registration replaces everything that identifies the person (names, email,
phone, organization, title, answers, notes, the names printed on certificates, the addresses
and texts of their mails) and keeps what the event's figures are made of: the row itself, its
category, state and state history, country, attendance mode, language, check-ins, team
membership and press accreditation. Dashboards, check-in and judging statistics, certificate
and mail counts stay exactly as they were.

The privacy domain names no other domain: each contributes its section of the download and
its anonymizer from its `init_app` (`add_personal_data`, `add_anonymizer` in
app/contributions.py); this module handles the registration's own data and the requests.

Decisions (as pretix and Indico make them):
- A participant's deletion request is decided by an organizer, never executed automatically:
  the organizer may have a legal duty to keep the record (PIPL art. 47 and GDPR art. 17(3)
  both allow that), and only they know it. Declining needs a reason, which the participant sees.
- After the event, anonymizing the whole event once its retention period is over is the
  organizer's tool (`flask privacy anonymize`, or the Privacy page): Indico's "retention
  period" works the same way, counted from the end of the event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.accounts.models import User
from app.audit.services import record_audit
from app.clock import isoformat, utcnow
from app.contributions import Anonymization, anonymize_contributions, personal_data
from app.errors import DomainError
from app.events.models import BackgroundJob, ConsentVersion, Event
from app.extensions import db
from app.mail.services import absolute_url, queue_mail
from app.privacy.models import DeletionRequest, DeletionState
from app.registration.models import (
    ACTIVE_STATES,
    Category,
    Question,
    Registration,
    RegistrationChange,
)
from app.registration.services import cancel_registration, normalize_email
from app.registration.tickets import revoke_current_ticket

DATA_FORMAT = "huiwu-participant-data/1"
ANONYMIZED_NATIVE_NAME = "已匿名"
ANONYMIZED_LATIN_NAME = "Anonymized"


class PrivacyError(DomainError):
    """A privacy request that cannot be honoured; `message` is shown to the user."""


def anonymized_email(registration_id: int) -> str:
    """The placeholder address of an anonymized registration (".invalid" never delivers)."""
    return f"anonymized-{registration_id}@anonymized.invalid"


def event_is_over(event: Event, moment: datetime | None = None) -> bool:
    """True once the event has ended."""
    return (moment or utcnow()) >= event.ends_at


# --- the participant's data -------------------------------------------------------------------


def _consent_of(registration: Registration) -> dict[str, Any]:
    version = (
        db.session.get(ConsentVersion, registration.consent_version_id)
        if registration.consent_version_id
        else None
    )
    return {
        "given_at": isoformat(registration.consent_at),
        "version": version.number if version else None,
        "version_published_at": isoformat(version.created_at) if version else None,
        # Every language the notice was published in, and the one the participant read and
        # agreed to (their own, or the event's fallback when theirs was missing).
        "text": version.text.as_dict() if version else None,
        "language": registration.consent_language or None,
    }


def export_answers(registration: Registration) -> list[dict[str, Any]]:
    """The answers to the event's questions, with the questions and the answers as shown."""
    from app.registration.export import format_answer

    questions = {
        str(q.id): q
        for q in db.session.scalars(
            select(Question).where(Question.event_id == registration.event_id)
        )
    }
    answers = []
    for key, value in (registration.answers or {}).items():
        question = questions.get(key)
        answers.append(
            {
                "question": (question.label.as_dict() if question else None),
                "answer": value,
                "answer_text": (
                    format_answer(question, value, registration.language) if question else None
                ),
            }
        )
    return answers


def participant_data(registration: Registration) -> dict[str, Any]:
    """Everything Huiwu holds about the person behind one registration, as JSON-ready data.

    Includes their own fields, consent, answers, state history and deletion requests, and
    what each domain contributes (check-ins, the mails sent to them without bodies,
    certificates, competition entries, press accreditation…) — and nothing about other people
    (no staff names, no team-mates).
    """
    return {
        "format": DATA_FORMAT,
        "generated_at": isoformat(utcnow()),
        **personal_data(registration),
    }


def export_event(registration: Registration) -> dict[str, Any]:
    """The event the registration is for, and whom to ask about it."""
    event = db.session.get(Event, registration.event_id)
    return {
        "slug": event.slug,
        # In every language the event is written in (the participant may read any of them).
        "title": event.title.as_dict(),
        "starts_at": isoformat(event.starts_at),
        "ends_at": isoformat(event.ends_at),
        "organizer_contact": event.contact_email or None,
    }


def export_registration(registration: Registration) -> dict[str, Any]:
    """The registration's own fields, its category and the consent given."""
    category = db.session.get(Category, registration.category_id)
    return {
        "reference": registration.reference,
        "state": registration.state.value,
        "category": {
            "code": category.code,
            # language → name, in every language the organizer wrote it in
            "name": category.name.as_dict(),
        },
        "native_name": registration.native_name,
        "latin_name": registration.latin_name,
        "organization": registration.organization,
        "job_title": registration.job_title,
        "email": registration.email,
        "phone": registration.phone,
        "country": registration.country,
        "attendance": registration.attendance.value,
        "language": registration.language,
        "created_at": isoformat(registration.created_at),
        "updated_at": isoformat(registration.updated_at),
        "anonymized_at": isoformat(registration.anonymized_at),
        "consent": _consent_of(registration),
    }


def export_history(registration: Registration) -> list[dict[str, Any]]:
    """The registration's state changes (who changed it by kind only, never a staff name)."""
    history = db.session.scalars(
        select(RegistrationChange)
        .where(RegistrationChange.registration_id == registration.id)
        .order_by(RegistrationChange.created_at, RegistrationChange.id)
    ).all()
    return [
        {
            "at": isoformat(change.created_at),
            "from": change.from_state.value if change.from_state else None,
            "to": change.to_state.value,
            "by": change.actor_kind,
            "note": change.note,
        }
        for change in history
    ]


def export_deletion_requests(registration: Registration) -> list[dict[str, Any]]:
    """The registration's deletion requests and their decisions."""
    requests = db.session.scalars(
        select(DeletionRequest)
        .where(DeletionRequest.registration_id == registration.id)
        .order_by(DeletionRequest.id)
    ).all()
    return [
        {
            "requested_at": isoformat(request.requested_at),
            "state": request.state.value,
            "decided_at": isoformat(request.decided_at),
            "note": request.decision_note,
        }
        for request in requests
    ]


def record_data_download(registration: Registration) -> None:
    """Audit a participant's download of their own data."""
    record_audit(
        "privacy.data_download",
        event_id=registration.event_id,
        actor="participant",
        target=f"registration:{registration.id}",
    )


# --- deletion requests ------------------------------------------------------------------------


def open_deletion_request(registration: Registration) -> DeletionRequest | None:
    """The registration's deletion request awaiting a decision, if any."""
    return db.session.scalar(
        select(DeletionRequest).where(
            DeletionRequest.registration_id == registration.id,
            DeletionRequest.state == DeletionState.OPEN,
        )
    )


def latest_deletion_request(registration: Registration) -> DeletionRequest | None:
    """The registration's most recent deletion request, if any."""
    return db.session.scalar(
        select(DeletionRequest)
        .where(DeletionRequest.registration_id == registration.id)
        .order_by(DeletionRequest.id.desc())
        .limit(1)
    )


def request_deletion(registration: Registration) -> DeletionRequest:
    """Record the participant's request to delete their data (one open request at a time).

    Returns the open request, new or existing. Raises PrivacyError when the registration is
    already anonymized.
    """
    registration = _lock(registration.id)
    if registration.anonymized_at is not None:
        raise PrivacyError(_l("The personal data of this registration has already been deleted."))
    existing = open_deletion_request(registration)
    if existing is not None:
        return existing
    deletion = DeletionRequest(event_id=registration.event_id, registration_id=registration.id)
    db.session.add(deletion)
    db.session.flush()
    _tell_organizers(registration)
    record_audit(
        "privacy.deletion_requested",
        event_id=registration.event_id,
        actor="participant",
        target=f"registration:{registration.id}",
    )
    return deletion


def _tell_organizers(registration: Registration) -> None:
    """Mail the event's contact address that a deletion request waits (no personal data in
    it: the reference and a link to the Privacy page)."""
    event = db.session.get(Event, registration.event_id)
    if not event.contact_email:
        return
    language = current_app.config["BABEL_DEFAULT_LOCALE"]
    queue_mail(
        kind="privacy.deletion_requested",
        to_address=event.contact_email,
        to_name="",
        language=language,
        template="privacy_deletion_requested",
        context={
            "event": event,
            "language": language,
            "reference": registration.reference,
            "privacy_url": absolute_url("privacy.index", slug=event.slug),
        },
        event_id=event.id,
    )


def confirm_deletion(deletion: DeletionRequest, actor: User) -> None:
    """Carry out a deletion request: cancel the registration if the event is still to come,
    then anonymize it. Raises PrivacyError when the request was already decided."""
    if deletion.state != DeletionState.OPEN:
        raise PrivacyError(_l("This request has already been decided."))
    registration = db.session.get(Registration, deletion.registration_id)
    # Closes this request (and any other open one of the registration) as done.
    anonymize_registration(registration, actor, reason="deletion_request")


def decline_deletion(deletion: DeletionRequest, actor: User, note: str) -> None:
    """Decline a deletion request with the reason the participant will read.

    Raises PrivacyError when the reason is missing or too long, or the request was decided.
    """
    note = (note or "").strip()
    if not note or len(note) > 500:
        raise PrivacyError(
            _l("Please give the reason the participant will read (at most 500 characters)."),
            "note",
        )
    if deletion.state != DeletionState.OPEN:
        raise PrivacyError(_l("This request has already been decided."))
    deletion.state = DeletionState.DECLINED
    deletion.decided_at = utcnow()
    deletion.decided_by_user_id = actor.id
    deletion.decision_note = note
    db.session.flush()
    record_audit(
        "privacy.deletion_declined",
        event_id=deletion.event_id,
        user=actor,
        target=f"registration:{deletion.registration_id}",
    )


def deletion_requests(event: Event, state: DeletionState | None = None) -> list[DeletionRequest]:
    """An event's deletion requests, open ones first, then newest first."""
    query = select(DeletionRequest).where(DeletionRequest.event_id == event.id)
    if state is not None:
        query = query.where(DeletionRequest.state == state)
    return list(
        db.session.scalars(
            query.order_by(
                (DeletionRequest.state == DeletionState.OPEN).desc(), DeletionRequest.id.desc()
            ).limit(200)
        ).all()
    )


# --- anonymization ----------------------------------------------------------------------------


def _lock(registration_id: int) -> Registration:
    return db.session.scalars(
        select(Registration)
        .where(Registration.id == registration_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def anonymize_registration(registration: Registration, actor: User | None, reason: str) -> bool:
    """Replace a registration's personal data, keeping its place in the statistics.

    An active registration of an event still to come is cancelled first (its place goes to
    the waiting list); after the event its state stays as it was, so attendance figures do
    not change. The ticket code is revoked either way; then every domain's contributed
    anonymizer strips what it holds (certificates, mails…). Returns False when the
    registration was already anonymized (idempotent). The caller commits.
    """
    registration = _lock(registration.id)
    if registration.anonymized_at is not None:
        return False
    event = db.session.get(Event, registration.event_id)
    if registration.state in ACTIVE_STATES and not event_is_over(event):
        cancel_registration(registration, actor, "personal data deleted", notify=False)
        registration = _lock(registration.id)
    revoke_current_ticket(registration, "anonymized")
    old_email = registration.email
    registration.native_name = ANONYMIZED_NATIVE_NAME
    registration.latin_name = ANONYMIZED_LATIN_NAME
    registration.email = anonymized_email(registration.id)
    registration.active_email = (
        normalize_email(registration.email) if registration.state in ACTIVE_STATES else None
    )
    registration.phone = ""
    registration.organization = ""
    registration.job_title = ""
    registration.answers = {}
    registration.link_version += 1  # the self-service link stops working
    now = utcnow()
    registration.anonymized_at = now
    db.session.execute(
        update(RegistrationChange)
        .where(RegistrationChange.registration_id == registration.id)
        .values(note="")
        .execution_options(synchronize_session=False)
    )
    counts = anonymize_contributions(
        registration,
        Anonymization(
            old_email=normalize_email(old_email),
            email=registration.email,
            native_name=ANONYMIZED_NATIVE_NAME,
            latin_name=ANONYMIZED_LATIN_NAME,
            actor=actor,
            reason=reason,
            now=now,
        ),
    )
    db.session.execute(
        update(DeletionRequest)
        .where(
            DeletionRequest.registration_id == registration.id,
            DeletionRequest.state == DeletionState.OPEN,
        )
        .values(
            state=DeletionState.DONE,
            decided_at=now,
            decided_by_user_id=actor.id if actor else None,
        )
        .execution_options(synchronize_session="fetch")
    )
    db.session.flush()
    record_audit(
        "privacy.anonymize_registration",
        event_id=registration.event_id,
        user=actor,
        actor=None if actor else "system",
        target=f"registration:{registration.id}",
        details={"reason": reason, **counts},
    )
    return True


@dataclass
class EventAnonymization:
    """What anonymizing an event did (or, for a dry run, would do)."""

    eligible: int
    anonymized: int
    already_anonymized: int
    dry_run: bool
    files_removed: int = 0


def retention_ends_at(event: Event, older_than_days: int) -> datetime:
    """When an event's registrations may be anonymized: its end plus the retention period."""
    return event.ends_at + timedelta(days=older_than_days)


def anonymize_event(
    event: Event,
    *,
    older_than_days: int = 0,
    dry_run: bool = False,
    actor: User | None = None,
    actor_label: str | None = None,
) -> EventAnonymization:
    """Anonymize every not yet anonymized registration of an event whose retention is over.

    The retention period runs from the end of the event: with `older_than_days` = 180, an
    event that ended on 1 March can be anonymized from 28 August. Idempotent (a second run
    finds nothing to do). Also deletes the event's generated badge sheets (PDFs full of
    names). Raises PrivacyError before the event has ended or the period is over. The caller
    commits; a dry run changes nothing and records nothing.
    """
    if older_than_days < 0 or older_than_days > 36500:
        raise PrivacyError(_l("The retention period must be between 0 and 36500 days."), "days")
    allowed_from = retention_ends_at(event, older_than_days)
    if utcnow() < allowed_from:
        raise PrivacyError(
            _l(
                "Not yet: the event ends at %(end)s UTC and with a retention period of "
                "%(days)d days its registrations can be anonymized from %(from)s UTC.",
                end=event.ends_at.strftime("%Y-%m-%d %H:%M"),
                days=older_than_days,
                **{"from": allowed_from.strftime("%Y-%m-%d %H:%M")},
            ),
            "days",
        )
    pending_ids = db.session.scalars(
        select(Registration.id)
        .where(Registration.event_id == event.id, Registration.anonymized_at.is_(None))
        .order_by(Registration.id)
    ).all()
    already = db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event.id, Registration.anonymized_at.is_not(None)
        )
    )
    result = EventAnonymization(
        eligible=len(pending_ids), anonymized=0, already_anonymized=already, dry_run=dry_run
    )
    if dry_run:
        return result
    for registration_id in pending_ids:
        registration = db.session.get(Registration, registration_id)
        if anonymize_registration(registration, actor, reason="retention"):
            result.anonymized += 1
    result.files_removed = _remove_badge_sheets(event)
    record_audit(
        "privacy.anonymize_event",
        event=event,
        user=actor,
        actor=None if actor else actor_label or "system",
        details={
            "older_than_days": older_than_days,
            "anonymized": result.anonymized,
            "already_anonymized": already,
            "files_removed": result.files_removed,
        },
    )
    return result


def _remove_badge_sheets(event: Event) -> int:
    """Delete the event's generated badge sheet PDFs (they print every name)."""
    removed = 0
    instance = Path(current_app.config["INSTANCE_DIR"])
    for job in db.session.scalars(
        select(BackgroundJob).where(
            BackgroundJob.event_id == event.id, BackgroundJob.result_path != ""
        )
    ):
        path = (instance / job.result_path).resolve()
        if instance.resolve() in path.parents and path.exists():
            path.unlink()
            removed += 1
        job.result_path = ""
    return removed


def anonymization_summary(event: Event) -> dict[str, int]:
    """How many of an event's registrations are anonymized and how many are not."""
    rows = db.session.execute(
        select(Registration.anonymized_at.is_(None), func.count(Registration.id))
        .where(Registration.event_id == event.id)
        .group_by(Registration.anonymized_at.is_(None))
    ).all()
    counts = {"anonymized": 0, "not_anonymized": 0}
    for not_anonymized, count in rows:
        counts["not_anonymized" if not_anonymized else "anonymized"] += count
    return counts


def consent_version_counts(event: Event) -> dict[int | None, int]:
    """Registrations per consent version id (None: before versions were kept)."""
    rows = db.session.execute(
        select(Registration.consent_version_id, func.count(Registration.id))
        .where(Registration.event_id == event.id)
        .group_by(Registration.consent_version_id)
    ).all()
    return dict(rows)
