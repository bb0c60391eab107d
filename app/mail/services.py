"""The one mail sender: compose outbox rows from templates and deliver them exactly once.

Every mail is an OutboxMessage written in the transaction of the change that caused it;
delivery is enqueued only after that transaction commits. A delivery claims its row with a
conditional UPDATE (queued → sending), so a job that runs twice sends once. SMTP errors are
classified: connection problems, timeouts and 4xx answers are transient (the row goes back to
queued with an exponential backoff), 5xx answers are permanent (failed at once).
"""

from __future__ import annotations

import base64
import secrets
import smtplib
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from email.header import Header
from email.utils import encode_rfc2231, format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import case, func, or_, select, update
from sqlalchemy import event as sa_event

from app.clock import utcnow
from app.extensions import db
from app.jobs import queue
from app.mail.models import MailState, OutboxMessage

MAX_ATTEMPTS = 8
# Mails committed together are delivered by jobs of up to this many: RQ's bookkeeping costs a
# worker ~5 ms of CPU and ~20 ms of Redis round trips per job, about what sending one costs.
DELIVERY_BATCH_SIZE = 10
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600


@dataclass(frozen=True)
class Attachment:
    """A file attached to a mail; `content_id` makes it an inline part (e.g. the QR image)."""

    filename: str
    content: bytes
    maintype: str
    subtype: str
    content_id: str | None = None


AttachmentBuilder = Callable[[int], list[Attachment]]
_attachment_builders: dict[str, AttachmentBuilder] = {}


def register_attachment_builder(kind: str, builder: AttachmentBuilder) -> None:
    """Let a domain provide attachments of `kind` (e.g. "badge") built at delivery time."""
    _attachment_builders[kind] = builder


@dataclass(frozen=True)
class DeliveryOutcome:
    """What one delivery attempt did; `retry_in` is set when it should be tried again."""

    state: MailState | None
    retry_in: timedelta | None = None
    error: str = ""


def absolute_url(endpoint: str, **values) -> str:
    """An absolute URL for links in mails and PDFs, also outside a request."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = current_app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000"
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


def queue_mail(
    *,
    kind: str,
    to_address: str,
    to_name: str,
    language: str,
    template: str,
    context: dict,
    event_id: int | None = None,
    registration_id: int | None = None,
    attachments: list[dict] | None = None,
) -> OutboxMessage:
    """Render templates/mail/<template>.{subject.txt,txt,html} in `language` into the outbox.

    The row joins the caller's transaction (flushed: it has its id); delivery is enqueued
    only after that commits.
    """
    with force_locale(language):
        subject = render_template(f"mail/{template}.subject.txt", **context)
        body_text = render_template(f"mail/{template}.txt", **context)
        body_html = render_template(f"mail/{template}.html", **context)
    message = _new_message(
        kind, to_address, to_name, language, subject, event_id, registration_id, attachments
    )
    message.body_text = body_text
    message.body_html = body_html
    db.session.add(message)
    db.session.flush()
    enqueue_delivery(message)
    return message


def queue_mail_composed_at_delivery(
    *,
    kind: str,
    to_address: str,
    to_name: str,
    language: str,
    template: str,
    subject_context: dict,
    params: dict | None = None,
    event_id: int | None = None,
    registration_id: int | None = None,
    attachments: list[dict] | None = None,
) -> OutboxMessage:
    """Queue a mail whose subject is rendered now and whose bodies are rendered when it is sent.

    The bodies come from templates/mail/<template>.{txt,html} in `language` with the context
    that the builder registered for `template` (register_body_context_builder) makes of the
    row at delivery: a request only pays for the subject, and the mail shows the data as
    they are when it goes out. The row is added to the session, not flushed (the caller may
    link it to a row that has no id yet); delivery is enqueued after the commit. An
    attachment reference without "ref" refers to the message's registration.
    """
    with force_locale(language):
        subject = render_template(f"mail/{template}.subject.txt", **subject_context)
    message = _new_message(
        kind, to_address, to_name, language, subject, event_id, registration_id, attachments
    )
    message.body_text = ""
    message.body_html = ""
    message.template = template
    message.template_params = params or {}
    db.session.add(message)
    enqueue_delivery(message)
    return message


def _new_message(
    kind: str,
    to_address: str,
    to_name: str,
    language: str,
    subject: str,
    event_id: int | None,
    registration_id: int | None,
    attachments: list[dict] | None,
) -> OutboxMessage:
    return OutboxMessage(
        kind=kind,
        to_address=to_address,
        to_name=to_name,
        language=language,
        subject=" ".join(subject.split())[:300],
        event_id=event_id,
        registration_id=registration_id,
        attachments=attachments or [],
        message_id=make_msgid(domain="huiwu.local"),
    )


@sa_event.listens_for(OutboxMessage, "before_insert")
def _attachments_of_the_registration(mapper, connection, message: OutboxMessage) -> None:
    """An attachment reference without "ref" refers to the message's registration: written out
    once the registration has its id (it may be inserted by the same flush, just before)."""
    if message.registration_id is not None and any(
        "ref" not in reference for reference in message.attachments or []
    ):
        message.attachments = [
            {"ref": message.registration_id, **reference} for reference in message.attachments
        ]


BodyContextBuilder = Callable[[OutboxMessage], dict]
_body_context_builders: dict[str, BodyContextBuilder] = {}


def register_body_context_builder(templates: Iterable[str], builder: BodyContextBuilder) -> None:
    """Let a domain make the context of mails composed at delivery from these templates."""
    for template in templates:
        _body_context_builders[template] = builder


def message_bodies(message: OutboxMessage) -> tuple[str, str]:
    """The text and HTML bodies of a message: as stored, or composed now if not yet sent."""
    if message.body_text or not message.template:
        return message.body_text, message.body_html
    builder = _body_context_builders.get(message.template)
    if builder is None:
        raise LookupError(f"no body context builder for template {message.template!r}")
    context = builder(message)
    with force_locale(message.language):
        return (
            render_template(f"mail/{message.template}.txt", **context),
            render_template(f"mail/{message.template}.html", **context),
        )


def enqueue_delivery(message: OutboxMessage | int) -> None:
    """Deliver a message (or id) after the transaction commits, batched with its neighbours."""
    from app.mail.tasks import deliver_messages  # the jobs import this module

    queue.enqueue_batched_after_commit(
        deliver_messages, message, queue="mail", batch_size=DELIVERY_BATCH_SIZE
    )


def discard_mail(message: OutboxMessage) -> None:
    """Take a not yet committed message out of the outbox and out of the after-commit jobs."""
    from app.mail.tasks import deliver_messages

    queue.discard_batched(deliver_messages, message)
    if message in db.session.new:
        db.session.expunge(message)
    else:
        db.session.delete(message)


@dataclass(frozen=True)
class OutgoingMail:
    """A composed mail: envelope sender and recipient and the message as bytes (CRLF lines)."""

    sender: str
    recipient: str
    data: bytes
    # An address outside ASCII needs a server that speaks SMTPUTF8 (RFC 6531).
    smtputf8: bool = False
    # (text, html) when the bodies were composed for this delivery: stored with the outcome.
    composed_bodies: tuple[str, str] | None = None


def build_email(message: OutboxMessage) -> OutgoingMail:
    """The MIME message for an outbox row: text, HTML alternative, inline images, files.

    Composed straight to bytes (every body part base64, non-ASCII headers as RFC 2047 encoded
    words): the email package's EmailMessage parsed and refolded every header of every part
    and cost ~7 ms a mail with a badge, more than the SMTP conversation.
    """
    composed = not message.body_text and bool(message.template)
    body_text, body_html = message_bodies(message)
    parts: list[Attachment] = []
    for reference in message.attachments or []:
        builder = _attachment_builders.get(reference.get("kind", ""))
        if builder is None:
            raise LookupError(f"no attachment builder for {reference!r}")
        parts.extend(builder(reference.get("ref", message.registration_id)))
    inline = [p for p in parts if p.content_id]
    body = _text_part("plain", body_text)
    if body_html:
        html = _text_part("html", body_html)
        if inline:
            html = _multipart("related", [html, *(_file_part(p) for p in inline)])
        body = _multipart("alternative", [body, html])
    files = [_file_part(p) for p in parts if not p.content_id]
    root = _multipart("mixed", [body, *files]) if files else body
    sender_name, sender = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    headers = [
        f"Subject: {_unstructured(message.subject)}",
        f"From: {_address(sender_name, sender)}",
        f"To: {_address(message.to_name, message.to_address)}",
        f"Date: {format_datetime(utcnow())}",
        f"Message-ID: {message.message_id}",
        "MIME-Version: 1.0",
        *root.headers,
    ]
    return OutgoingMail(
        sender=sender,
        recipient=message.to_address,
        data=_join_part(headers, root.body),
        smtputf8=not (sender.isascii() and message.to_address.isascii()),
        composed_bodies=(body_text, body_html) if composed else None,
    )


@dataclass(frozen=True)
class _Part:
    """A MIME part being composed: its header lines and its encoded body."""

    headers: list[str]
    body: bytes


_CRLF = b"\r\n"


def _base64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", _CRLF)


def _join_part(headers: list[str], body: bytes) -> bytes:
    head = "\r\n".join(headers).encode("utf-8")
    return head + _CRLF + _CRLF + body


def _text_part(subtype: str, text: str) -> _Part:
    return _Part(
        [f'Content-Type: text/{subtype}; charset="utf-8"', "Content-Transfer-Encoding: base64"],
        _base64(text.encode("utf-8")),
    )


def _file_part(attachment: Attachment) -> _Part:
    disposition = "inline" if attachment.content_id else "attachment"
    headers = [
        f"Content-Type: {attachment.maintype}/{attachment.subtype}",
        "Content-Transfer-Encoding: base64",
        f"Content-Disposition: {disposition}; {_parameter('filename', attachment.filename)}",
    ]
    if attachment.content_id:
        headers.append(f"Content-ID: <{attachment.content_id}>")
    return _Part(headers, _base64(attachment.content))


def _multipart(subtype: str, parts: list[_Part]) -> _Part:
    # "=_" cannot occur in base64, so the boundary never appears inside a part.
    boundary = f"=_huiwu_{secrets.token_hex(12)}"
    delimiter = b"--" + boundary.encode("ascii")
    body = b"".join(
        delimiter + _CRLF + _join_part(part.headers, part.body) + _CRLF for part in parts
    )
    return _Part(
        [f'Content-Type: multipart/{subtype}; boundary="{boundary}"'],
        body + delimiter + b"--" + _CRLF,
    )


def _unstructured(value: str) -> str:
    """A header text on one logical line: as is when ASCII, else RFC 2047 encoded words."""
    value = " ".join(value.split())
    if value.isascii():
        return value
    return Header(value, "utf-8").encode(linesep="\r\n")


def _address(name: str, address: str) -> str:
    """A mailbox header value with a display name in any script."""
    name = " ".join(name.split())
    if name.isascii():
        return formataddr((name, address))
    return f"{_unstructured(name)} <{address}>"


def _parameter(key: str, value: str) -> str:
    """A MIME header parameter; RFC 2231 encoded when it needs more than plain ASCII."""
    if value.isascii() and not any(char in value for char in '"\\\r\n'):
        return f'{key}="{value}"'
    return f"{key}*={encode_rfc2231(value, 'utf-8')}"


def outbox_path(message_id: int) -> Path:
    """Where the local outbox keeps a copy of a delivered message."""
    return Path(current_app.config["OUTBOX_DIR"]) / f"{message_id:08d}.eml"


def _is_transient(exc: BaseException) -> bool:
    """True for errors worth retrying: no connection, timeouts, 4xx answers."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, smtplib.SMTPServerDisconnected | OSError | socket.timeout)


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failed ones (30 s, 60 s, … up to 1 h)."""
    seconds = BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, BACKOFF_MAX_SECONDS))


def claim_message(message_id: int) -> OutboxMessage | None:
    """Atomically mark a due queued message as being sent; None when someone else has it.

    One UPDATE … RETURNING claims and loads the row. The claim is not committed here: the
    caller builds the mail in the same transaction and commits before sending.
    """
    now = utcnow()
    return db.session.scalars(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.state == MailState.QUEUED,
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        )
        .values(state=MailState.SENDING, attempts=OutboxMessage.attempts + 1, claimed_at=now)
        .returning(OutboxMessage)
        .execution_options(populate_existing=True, synchronize_session=False)
    ).one_or_none()


def deliver_message(message_id: int) -> DeliveryOutcome:
    """Deliver one queued message: SMTP if configured, else the local outbox folder.

    Two transactions per delivery: claim + build (committed before the network is used, so
    no lock is held while waiting for the server), then the outcome. Bodies composed for
    this delivery are stored with the outcome: the outbox shows the mail as it was sent.
    """
    message = claim_message(message_id)
    if message is None:
        db.session.rollback()
        return DeliveryOutcome(None)
    attempts = message.attempts
    try:
        email = build_email(message)
    except Exception as exc:
        # The claim is undone with the failed transaction; the failure is recorded only if
        # the row is still queued, i.e. no other delivery claimed it in the meantime.
        db.session.rollback()
        return _record_failure(message_id, attempts, exc, claimed=False)
    # Keep the row's values after the commit without reloading them.
    db.session.expunge(message)
    db.session.commit()
    bodies = _composed_bodies_values(email.composed_bodies)
    try:
        _send(email, message_id)
    except Exception as exc:
        db.session.rollback()
        return _record_failure(message_id, attempts, exc, claimed=True, extra=bodies)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(state=MailState.SENT, sent_at=utcnow(), claimed_at=None, last_error="", **bodies)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return DeliveryOutcome(MailState.SENT)


def _composed_bodies_values(bodies: tuple[str, str] | None) -> dict:
    """UPDATE values storing the bodies composed for a delivery with its outcome, unless the
    row was anonymized meanwhile (privacy clears its template and bodies, which must not come
    back with the outcome of a delivery that was already under way)."""
    if bodies is None:
        return {}
    still_composed = OutboxMessage.template != ""
    return {
        "body_text": case((still_composed, bodies[0]), else_=OutboxMessage.body_text),
        "body_html": case((still_composed, bodies[1]), else_=OutboxMessage.body_html),
    }


def _record_failure(
    message_id: int, attempts: int, exc: Exception, *, claimed: bool, extra: dict | None = None
) -> DeliveryOutcome:
    """Write a failed attempt: back to queued with backoff when transient, else failed."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    values: dict = {"last_error": error, "claimed_at": None, "attempts": attempts, **(extra or {})}
    retry_in = None
    if _is_transient(exc) and attempts < MAX_ATTEMPTS:
        retry_in = backoff(attempts)
        values.update(state=MailState.QUEUED, next_attempt_at=utcnow() + retry_in)
    else:
        values.update(state=MailState.FAILED)
    expected = MailState.SENDING if claimed else MailState.QUEUED
    written = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.state == expected)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if written != 1:
        return DeliveryOutcome(None)
    if retry_in is None and not isinstance(exc, smtplib.SMTPException | OSError):
        current_app.logger.error("building or sending mail %s failed", message_id, exc_info=exc)
    if retry_in is not None:
        return DeliveryOutcome(MailState.QUEUED, retry_in=retry_in, error=error)
    return DeliveryOutcome(MailState.FAILED, error=error)


class _SMTPConnection(threading.local):
    """This thread's open SMTP connection, reused from one mail to the next."""

    smtp: smtplib.SMTP | None = None
    key: tuple = ()
    last_used: float = 0.0
    sent: int = 0


_smtp = _SMTPConnection()
# A connection idle for longer is checked with NOOP before use (servers drop idle clients).
SMTP_IDLE_CHECK_SECONDS = 5.0
# Servers limit messages per connection (often to 100); start a new one before that.
SMTP_MAX_MESSAGES_PER_CONNECTION = 50


def _close_smtp(*, polite: bool = False) -> None:
    """Drop this thread's SMTP connection; `polite` says QUIT first (a healthy connection)."""
    smtp, _smtp.smtp = _smtp.smtp, None
    if smtp is None:
        return
    if polite:
        try:
            smtp.quit()
            return
        except (smtplib.SMTPException, OSError):
            pass
    smtp.close()


def _smtp_connection(config) -> smtplib.SMTP:
    """This thread's SMTP connection for the configured server, opened when needed."""
    key = tuple(
        config.get(name)
        for name in (
            "MAIL_SERVER",
            "MAIL_PORT",
            "MAIL_USE_SSL",
            "MAIL_USE_TLS",
            "MAIL_USERNAME",
            "MAIL_PASSWORD",
            "MAIL_TIMEOUT",
        )
    )
    smtp = _smtp.smtp
    if smtp is not None and _smtp.key != key:
        _close_smtp()
        smtp = None
    if smtp is not None and _smtp.sent >= SMTP_MAX_MESSAGES_PER_CONNECTION:
        _close_smtp(polite=True)
        smtp = None
    if smtp is not None and time.monotonic() - _smtp.last_used > SMTP_IDLE_CHECK_SECONDS:
        try:
            alive = smtp.noop()[0] == 250
        except (smtplib.SMTPException, OSError):
            alive = False
        if not alive:
            _close_smtp()
            smtp = None
    if smtp is None:
        smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
        smtp = smtp_class(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config.get("MAIL_TIMEOUT", 30)
        )
        try:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        except BaseException:
            smtp.close()
            raise
        _smtp.smtp, _smtp.key, _smtp.sent = smtp, key, 0
    return smtp


def _send(mail: OutgoingMail, message_id: int) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        path = outbox_path(message_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(mail.data)
        temporary.replace(path)
        return
    smtp = _smtp_connection(config)
    try:
        smtp.sendmail(
            mail.sender, [mail.recipient], mail.data, ["SMTPUTF8"] if mail.smtputf8 else ()
        )
    except BaseException:
        # After a refusal or a broken connection the session's state is unknown: start afresh.
        _close_smtp()
        raise
    _smtp.sent += 1
    _smtp.last_used = time.monotonic()


def _mail_queue_is_empty() -> bool:
    """True when no delivery job waits in Redis (always true without Redis, or when it is down)."""
    connection = queue.connection()
    if connection is None:
        return True
    from rq import Queue

    try:
        return Queue("mail", connection=connection).count == 0
    except Exception:
        return True


def sweep_outbox(stuck_after: timedelta | None = None) -> dict[str, int]:
    """Recover stale claims of dead workers and enqueue queued messages whose job looks lost.

    A retry is enqueued once due, a recovered claim at once. A message never tried yet was
    enqueued when its transaction committed: it is enqueued again only when the mail queue
    is empty (its job was lost, e.g. Redis was down) or it has waited `stuck_after` (default
    MAIL_STUCK_AFTER_SECONDS) — sweeping every queued message each time gave every mail of
    a backlog still waiting in the queue a second job. Returns {"recovered": n, "enqueued": m}.
    Run periodically by the worker and by `flask mail sweep`.
    """
    now = utcnow()
    if stuck_after is None:
        stuck_after = timedelta(seconds=current_app.config.get("MAIL_STUCK_AFTER_SECONDS", 600))
    recovered = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.state == MailState.SENDING, OutboxMessage.claimed_at < now - stuck_after
        )
        .values(state=MailState.QUEUED, claimed_at=None, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    never_tried = OutboxMessage.next_attempt_at.is_(None)
    if not _mail_queue_is_empty():
        never_tried = never_tried & (OutboxMessage.created_at < now - stuck_after)
    due = db.session.scalars(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.state == MailState.QUEUED,
            or_(OutboxMessage.next_attempt_at <= now, never_tried),
        )
        .order_by(OutboxMessage.id)
    ).all()
    for message_id in due:
        enqueue_delivery(message_id)
    db.session.commit()
    return {"recovered": recovered, "enqueued": len(due)}


def retry_messages(event_id: int, message_ids: list[int] | None = None) -> int:
    """Put failed messages of an event (all, or the given ids) back in the queue; returns count."""
    query = select(OutboxMessage).where(
        OutboxMessage.event_id == event_id, OutboxMessage.state == MailState.FAILED
    )
    if message_ids is not None:
        query = query.where(OutboxMessage.id.in_(message_ids))
    messages = db.session.scalars(query).all()
    for message in messages:
        message.state = MailState.QUEUED
        message.next_attempt_at = None
        message.attempts = 0
        enqueue_delivery(message.id)
    return len(messages)


def list_outbox(event_id: int, state: MailState | None = None, limit: int = 200):
    """Outbox rows of one event, newest first, optionally filtered by state."""
    query = select(OutboxMessage).where(OutboxMessage.event_id == event_id)
    if state is not None:
        query = query.where(OutboxMessage.state == state)
    return db.session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)).all()


def outbox_counts(event_id: int) -> dict[str, int]:
    """Number of messages per state for an event."""
    rows = db.session.execute(
        select(OutboxMessage.state, func.count(OutboxMessage.id))
        .where(OutboxMessage.event_id == event_id)
        .group_by(OutboxMessage.state)
    ).all()
    counts = {state.value: 0 for state in MailState}
    counts.update({MailState(state).value: count for state, count in rows})
    return counts
