"""Privacy rules: a participant's data as JSON, deletion requests, anonymization.

Anonymizing a registration replaces everything that identifies the person (names, email,
phone, organization, title, answers, notes, the names printed on certificates, the addresses
and texts of their mails) and keeps what the event's figures are made of: the row itself, its
category, state and state history, country, attendance mode, language, check-ins, team
membership and press accreditation. Dashboards, check-in and judging statistics, certificate
and mail counts stay exactly as they were.

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
from sqlalchemy import and_, func, or_, select, update

from app.accounts.models import User
from app.audit.services import record_audit
from app.certificates.models import Certificate
from app.certificates.services import verification_url
from app.checkin.models import Checkin, CheckinList, OnlineAttendance
from app.clock import utcnow
from app.errors import DomainError
from app.events.models import BackgroundJob, ConsentVersion, Event
from app.extensions import db
from app.judging.models import Entry, TeamMember
from app.mail.models import MailState, OutboxMessage
from app.mail.services import absolute_url, outbox_path, queue_mail
from app.media.models import Outlet, PressAccreditation
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
ANONYMIZED_SUBJECT = "—"
CERTIFICATE_REVOKE_REASON = "个人信息已删除 / Personal data deleted"


class PrivacyError(DomainError):
    """A privacy request that cannot be honoured; `message` is shown to the user."""


def anonymized_email(registration_id: int) -> str:
    """The placeholder address of an anonymized registration (".invalid" never delivers)."""
    return f"anonymized-{registration_id}@anonymized.invalid"


def event_is_over(event: Event, moment: datetime | None = None) -> bool:
    """True once the event has ended."""
    return (moment or utcnow()) >= event.ends_at


# --- the participant's data -------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _consent_of(registration: Registration) -> dict[str, Any]:
    version = (
        db.session.get(ConsentVersion, registration.consent_version_id)
        if registration.consent_version_id
        else None
    )
    return {
        "given_at": _iso(registration.consent_at),
        "version": version.number if version else None,
        "version_published_at": _iso(version.created_at) if version else None,
        "text": (
            {"zh": version.text_zh, "en": version.text_en, "ru": version.text_ru}
            if version
            else None
        ),
    }


def _answers_of(registration: Registration) -> list[dict[str, Any]]:
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
                "question": (
                    {"zh": question.label_zh, "en": question.label_en, "ru": question.label_ru}
                    if question
                    else None
                ),
                "answer": value,
                "answer_text": (
                    format_answer(question, value, registration.language) if question else None
                ),
            }
        )
    return answers


def participant_data(registration: Registration) -> dict[str, Any]:
    """Everything Huiwu holds about the person behind one registration, as JSON-ready data.

    Includes their own fields, consent, answers, state history, check-ins, online attendance,
    the mails sent to them (kind, subject, dates; not the bodies), certificates, competition
    entries and press accreditation — and nothing about other people (no staff names, no
    team-mates).
    """
    event = db.session.get(Event, registration.event_id)
    category = db.session.get(Category, registration.category_id)
    history = db.session.scalars(
        select(RegistrationChange)
        .where(RegistrationChange.registration_id == registration.id)
        .order_by(RegistrationChange.created_at, RegistrationChange.id)
    ).all()
    checkins = db.session.execute(
        select(Checkin, CheckinList.name)
        .join(CheckinList, CheckinList.id == Checkin.list_id)
        .where(Checkin.registration_id == registration.id)
        .order_by(Checkin.scanned_at, Checkin.id)
    ).all()
    online = db.session.get(OnlineAttendance, registration.id)
    mails = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.registration_id == registration.id)
        .order_by(OutboxMessage.id)
    ).all()
    certificates = db.session.scalars(
        select(Certificate)
        .where(Certificate.registration_id == registration.id)
        .order_by(Certificate.id)
    ).all()
    entries = db.session.execute(
        select(Entry, TeamMember.is_leader)
        .join(TeamMember, TeamMember.entry_id == Entry.id)
        .where(TeamMember.registration_id == registration.id)
        .order_by(Entry.id)
    ).all()
    accreditation = db.session.execute(
        select(PressAccreditation, Outlet)
        .join(Outlet, Outlet.id == PressAccreditation.outlet_id)
        .where(PressAccreditation.registration_id == registration.id)
    ).first()
    requests = db.session.scalars(
        select(DeletionRequest)
        .where(DeletionRequest.registration_id == registration.id)
        .order_by(DeletionRequest.id)
    ).all()
    return {
        "format": DATA_FORMAT,
        "generated_at": _iso(utcnow()),
        "event": {
            "slug": event.slug,
            "title_zh": event.title_zh,
            "title_en": event.title_en,
            "starts_at": _iso(event.starts_at),
            "ends_at": _iso(event.ends_at),
            "organizer_contact": event.contact_email or None,
        },
        "registration": {
            "reference": registration.reference,
            "state": registration.state.value,
            "category": {
                "code": category.code,
                "name_zh": category.name_zh,
                "name_en": category.name_en,
                "name_ru": category.name_ru,
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
            "created_at": _iso(registration.created_at),
            "updated_at": _iso(registration.updated_at),
            "anonymized_at": _iso(registration.anonymized_at),
            "consent": _consent_of(registration),
        },
        "answers": _answers_of(registration),
        "history": [
            {
                "at": _iso(change.created_at),
                "from": change.from_state.value if change.from_state else None,
                "to": change.to_state.value,
                "by": change.actor_kind,
                "note": change.note,
            }
            for change in history
        ],
        "checkins": [
            {
                "checkin_point": list_name,
                "station": checkin.station,
                "kind": checkin.kind.value,
                "result": checkin.status.value,
                "scanned_at": _iso(checkin.scanned_at),
                "offline": checkin.offline,
                "undone_at": _iso(checkin.undone_at),
                "exited_at": _iso(checkin.exited_at),
            }
            for checkin, list_name in checkins
        ],
        # Visits through the personal join link of an online attendee.
        "online_attendance": None
        if online is None
        else {
            "first_joined_at": _iso(online.first_joined_at),
            "last_joined_at": _iso(online.last_joined_at),
            "visits": online.join_count,
        },
        "mails": [
            {
                "kind": mail.kind,
                "subject": mail.subject,
                "to": mail.to_address,
                "state": mail.state.value,
                "created_at": _iso(mail.created_at),
                "sent_at": _iso(mail.sent_at),
            }
            for mail in mails
        ],
        "certificates": [
            {
                "number": certificate.number,
                "kind": certificate.kind.value,
                "name": certificate.native_name,
                "latin_name": certificate.latin_name,
                "award_zh": certificate.award_name_zh or None,
                "award_en": certificate.award_name_en or None,
                "issued_at": _iso(certificate.issued_at),
                "revoked_at": _iso(certificate.revoked_at),
                "verification_url": verification_url(certificate),
            }
            for certificate in certificates
        ],
        "competition_entries": [
            {
                "title_zh": entry.title_zh,
                "title_en": entry.title_en,
                "team_name": entry.team_name,
                "track": entry.track,
                "team_leader": is_leader,
            }
            for entry, is_leader in entries
        ],
        "press_accreditation": (
            {"outlet_zh": accreditation[1].name_zh, "outlet_en": accreditation[1].name_en}
            if accreditation
            else None
        ),
        "deletion_requests": [
            {
                "requested_at": _iso(request.requested_at),
                "state": request.state.value,
                "decided_at": _iso(request.decided_at),
                "note": request.decision_note,
            }
            for request in requests
        ],
    }


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


def _purge_mails(registration: Registration, old_email: str) -> int:
    """Strip the mails to this person of everything personal; unsent ones are never sent."""
    placeholder = anonymized_email(registration.id)
    owned = or_(
        OutboxMessage.registration_id == registration.id,
        and_(
            OutboxMessage.registration_id.is_(None),
            OutboxMessage.event_id == registration.event_id,
            func.lower(OutboxMessage.to_address) == normalize_email(old_email),
        ),
    )
    ids = db.session.scalars(select(OutboxMessage.id).where(owned)).all()
    if not ids:
        return 0
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(
            to_address=placeholder,
            to_name="",
            subject=ANONYMIZED_SUBJECT,
            body_text="",
            body_html="",
            # A mail composed at delivery would otherwise be composed from the row later.
            template="",
            template_params={},
            attachments=[],
            # SMTP errors quote the recipient's address.
            last_error="",
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(OutboxMessage)
        # A mail being sent is not tried again if this attempt fails; if it succeeds, its
        # delivery records it as sent.
        .where(
            OutboxMessage.id.in_(ids),
            OutboxMessage.state.in_((MailState.QUEUED, MailState.SENDING)),
        )
        .values(state=MailState.FAILED, last_error="recipient anonymized")
        .execution_options(synchronize_session=False)
    )
    for message_id in ids:
        # The local outbox keeps a copy of each delivered message: it names the person too.
        outbox_path(message_id).unlink(missing_ok=True)
    return len(ids)


def anonymize_registration(registration: Registration, actor: User | None, reason: str) -> bool:
    """Replace a registration's personal data, keeping its place in the statistics.

    An active registration of an event still to come is cancelled first (its place goes to
    the waiting list); after the event its state stays as it was, so attendance figures do
    not change. The ticket code is revoked either way. Returns False when the registration
    was already anonymized (idempotent). The caller commits.
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
    registration.anonymized_at = utcnow()
    db.session.execute(
        update(RegistrationChange)
        .where(RegistrationChange.registration_id == registration.id)
        .values(note="")
        .execution_options(synchronize_session=False)
    )
    now = utcnow()
    actor_id = actor.id if actor else None
    for certificate in db.session.scalars(
        select(Certificate).where(Certificate.registration_id == registration.id)
    ):
        certificate.native_name = ANONYMIZED_NATIVE_NAME
        certificate.latin_name = ANONYMIZED_LATIN_NAME
        if certificate.revoked_at is None:
            # The verification page can no longer say whose certificate it is.
            certificate.revoked_at = now
            certificate.revoke_reason = CERTIFICATE_REVOKE_REASON
            certificate.revoked_by_user_id = actor_id
            certificate.active_key = None
    mails = _purge_mails(registration, old_email)
    db.session.execute(
        update(DeletionRequest)
        .where(
            DeletionRequest.registration_id == registration.id,
            DeletionRequest.state == DeletionState.OPEN,
        )
        .values(state=DeletionState.DONE, decided_at=now, decided_by_user_id=actor_id)
        .execution_options(synchronize_session="fetch")
    )
    db.session.flush()
    record_audit(
        "privacy.anonymize_registration",
        event_id=registration.event_id,
        user=actor,
        actor=None if actor else "system",
        target=f"registration:{registration.id}",
        details={"reason": reason, "mails_purged": mails},
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
