"""Organizer mailings: one templated message to a filtered set of registrations.

The organizer writes plain text with placeholders ({name}, {latin_name}, {organization},
{manage_url}, {join_url}). Only those bare names are accepted — no attribute access,
indexing, format specs or conversions — and they are filled with str.format_map from a dict
of strings, so the text can never reach into Python objects. Every recipient gets one outbox
row, all in the transaction that records the Mailing; delivery starts after it commits.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from string import Formatter

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.audit.services import record_audit
from app.contributions import page_context
from app.errors import DomainError
from app.events.models import Event
from app.extensions import db
from app.mail.services import queue_mail
from app.registration.models import Attendance, Mailing, Registration, RegistrationState
from app.registration.queries import RegistrationFilter, registration_query
from app.registration.services import manage_url

PLACEHOLDERS = ("name", "latin_name", "organization", "manage_url", "join_url")
LANGUAGES = ("zh_CN", "en", "ru")
_URL = re.compile(r"https?://[^\s<>\"']+")


class MailingError(DomainError):
    """A mailing that cannot be sent; `message` is shown to the user next to `field_name`."""


@dataclass(frozen=True)
class MailingFilter:
    """Which registrations receive a mailing."""

    category_id: int | None = None
    state: RegistrationState | None = None
    attendance: Attendance | None = None
    language: str | None = None

    @classmethod
    def from_args(cls, args, event: Event) -> MailingFilter:
        """Parse form or GET values; unknown values mean "any"."""
        base = RegistrationFilter.from_args(args, event)
        language = (args.get("language") or "").strip()
        return cls(
            category_id=base.category_id,
            state=base.state,
            attendance=base.attendance,
            language=language if language in LANGUAGES else None,
        )

    def as_args(self) -> dict[str, str]:
        """The filter as form values (only the ones set), as stored on the Mailing."""
        args = RegistrationFilter(
            category_id=self.category_id, state=self.state, attendance=self.attendance
        ).as_args()
        if self.language:
            args["language"] = self.language
        return args


def check_placeholders(text: str, field_name: str) -> None:
    """Raise MailingError unless every {…} in text is one of the allowed bare placeholders."""
    try:
        parsed = list(Formatter().parse(text))
    except ValueError:
        raise MailingError(
            _l("A { or } has no partner. Write {{ or }} to show a brace itself."), field_name
        ) from None
    allowed = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            shown = (
                "{"
                + name
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
            raise MailingError(
                _l(
                    "Unknown placeholder %(placeholder)s. You can use %(allowed)s.",
                    placeholder=shown[:60],
                    allowed=allowed,
                ),
                field_name,
            )


def fill_placeholders(text: str, registration: Registration) -> str:
    """The text with the placeholders replaced by the registration's values (text is checked)."""
    values = {
        "name": registration.native_name,
        "latin_name": registration.latin_name,
        "organization": registration.organization,
        "manage_url": manage_url(registration) if "{manage_url}" in text else "",
        # Contributed by check-in for confirmed online attendees (the visit is recorded there).
        "join_url": page_context("registration_mail", registration).get("join_url", "")
        if "{join_url}" in text
        else "",
    }
    return text.format_map(values)


def html_lines(text: str) -> list[list[tuple[str, bool]]]:
    """Lines of text as (segment, is_link) pairs, so the HTML template can escape and link."""
    lines = []
    for line in text.splitlines():
        segments: list[tuple[str, bool]] = []
        position = 0
        for match in _URL.finditer(line):
            if match.start() > position:
                segments.append((line[position : match.start()], False))
            segments.append((match.group(0), True))
            position = match.end()
        if position < len(line):
            segments.append((line[position:], False))
        lines.append(segments)
    return lines


def recipients(event: Event, filters: MailingFilter) -> list[Registration]:
    """The event's registrations matching the filter, oldest first."""
    query = registration_query(
        event,
        RegistrationFilter(
            category_id=filters.category_id, state=filters.state, attendance=filters.attendance
        ),
    ).order_by(None)
    if filters.language:
        query = query.where(Registration.language == filters.language)
    return list(db.session.scalars(query.order_by(Registration.id)))


def _message_context(event: Event, registration: Registration, subject: str, body: str) -> dict:
    text = fill_placeholders(body, registration)
    return {
        "event": event,
        "registration": registration,
        "subject": " ".join(fill_placeholders(subject, registration).split()),
        "body": text,
        "lines": html_lines(text),
    }


@dataclass(frozen=True)
class MailingPreview:
    """How many would receive a mailing and what the first of them would read."""

    count: int
    subject: str = ""
    body_text: str = ""
    recipient: Registration | None = None


def preview_mailing(
    event: Event, subject: str, body: str, filters: MailingFilter
) -> MailingPreview:
    """Count the recipients and render the message for the first; raises MailingError."""
    check_placeholders(subject, "subject")
    check_placeholders(body, "body")
    found = recipients(event, filters)
    if not found:
        return MailingPreview(0)
    first = found[0]
    context = _message_context(event, first, subject, body)
    with force_locale(first.language):
        text = render_template("mail/bulk_message.txt", **context)
    return MailingPreview(len(found), context["subject"], text, first)


def new_client_token() -> str:
    """A random token for a compose form, so that submitting it twice sends once."""
    return secrets.token_urlsafe(24)


def send_mailing(
    event: Event,
    actor: User | None,
    subject: str,
    body: str,
    filters: MailingFilter,
    client_token: str,
) -> Mailing:
    """Record a mailing and queue one mail per recipient in the caller's transaction.

    Raises MailingError for unknown placeholders, no recipients, or a form already sent.
    """
    check_placeholders(subject, "subject")
    check_placeholders(body, "body")
    if not client_token or len(client_token) > 64:
        raise MailingError(_l("The form has expired. Please preview the message again."))
    if db.session.scalar(select(Mailing.id).where(Mailing.client_token == client_token)):
        raise MailingError(_l("This message has already been sent."))
    found = recipients(event, filters)
    if not found:
        raise MailingError(_l("No registration matches this filter."))
    mailing = Mailing(
        event_id=event.id,
        sent_by_user_id=actor.id if actor else None,
        subject=subject,
        body=body,
        filters=filters.as_args(),
        recipient_count=len(found),
        client_token=client_token,
    )
    try:
        with db.session.begin_nested():
            db.session.add(mailing)
    except IntegrityError:
        raise MailingError(_l("This message has already been sent.")) from None
    record_audit(
        "mailings.send",
        event=event,
        user=actor,
        target=f"mailing:{mailing.id}",
        # Which filters were used, not a searched name.
        details={"recipients": len(found), "filters": sorted(filters.as_args())},
    )
    for registration in found:
        queue_mail(
            kind="bulk_message",
            to_address=registration.email,
            to_name=registration.native_name,
            language=registration.language,
            template="bulk_message",
            context=_message_context(event, registration, subject, body),
            event_id=event.id,
            registration_id=registration.id,
        )
    return mailing


def list_mailings(event: Event) -> list[Mailing]:
    """The event's mailings, newest first."""
    return list(
        db.session.scalars(
            select(Mailing).where(Mailing.event_id == event.id).order_by(Mailing.id.desc())
        )
    )
