"""The one mail sender: compose outbox rows from templates, deliver them."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import select, update

from app.clock import utcnow
from app.extensions import db, queue
from app.mail.models import MailState, OutboxMessage


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
) -> OutboxMessage:
    """Render templates/mail/<template>.{txt,html} in `language` and add it to the outbox.

    The row joins the caller's transaction; delivery is enqueued only after that commits.
    """
    with force_locale(language):
        subject = render_template(f"mail/{template}.subject.txt", **context).strip()
        body_text = render_template(f"mail/{template}.txt", **context)
        body_html = render_template(f"mail/{template}.html", **context)
    message = OutboxMessage(
        kind=kind,
        to_address=to_address,
        to_name=to_name,
        language=language,
        subject=subject[:300],
        body_text=body_text,
        body_html=body_html,
        event_id=event_id,
        registration_id=registration_id,
    )
    db.session.add(message)
    db.session.flush()
    queue.enqueue_after_commit("app.mail.tasks.deliver_message", message.id, queue="mail")
    return message


def build_email(message: OutboxMessage) -> EmailMessage:
    """The MIME message (text + HTML alternative) for an outbox row."""
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = formataddr((message.to_name, message.to_address))
    email["Message-ID"] = message.message_id
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


def outbox_path(message_id: int) -> Path:
    """Where the local outbox keeps a copy of a delivered message."""
    return Path(current_app.config["OUTBOX_DIR"]) / f"{message_id:08d}.eml"


def deliver_message(message_id: int) -> MailState | None:
    """Deliver one queued message exactly once: SMTP if configured, else the local outbox folder.

    Claims the row with a conditional UPDATE so two runs of the same job cannot both send.
    """
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.state == MailState.QUEUED)
        .values(state=MailState.SENDING, attempts=OutboxMessage.attempts + 1)
    ).rowcount
    db.session.commit()
    if claimed != 1:
        return None
    message = db.session.get(OutboxMessage, message_id)
    if not message.message_id:
        message.message_id = make_msgid(domain="huiwu.local")
    email = build_email(message)
    try:
        _send(email, message.id)
    except (smtplib.SMTPException, OSError) as exc:
        message.state = MailState.FAILED
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        db.session.commit()
        return MailState.FAILED
    message.state = MailState.SENT
    message.sent_at = utcnow()
    message.last_error = ""
    db.session.commit()
    return MailState.SENT


def _send(email: EmailMessage, message_id: int) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        path = outbox_path(message_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes(email))
        return
    smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


def read_outbox_copy(message_id: int) -> bytes | None:
    """The raw .eml written to the local outbox for a message, if any."""
    path = outbox_path(message_id)
    return path.read_bytes() if path.exists() else None


def list_outbox(event_id: int, state: MailState | None = None, limit: int = 200):
    """Outbox rows of one event, newest first, optionally filtered by state."""
    query = select(OutboxMessage).where(OutboxMessage.event_id == event_id)
    if state is not None:
        query = query.where(OutboxMessage.state == state)
    return db.session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)).all()
