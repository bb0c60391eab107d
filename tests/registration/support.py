"""Helpers shared by the HTTP-level registration tests: page errors, outbox mails, invariants."""

from __future__ import annotations

import email
import html
import re
from email import policy
from email.message import EmailMessage
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.mail.models import OutboxMessage
from app.registration.models import (
    PLACE_HOLDING_STATES,
    Category,
    Registration,
    RegistrationChange,
)

MANAGE_LINK = re.compile(r"https?://[^/\s\"]+/r/([A-Za-z0-9_.\-]+)")


def field_error(page: str, field_id: str) -> str | None:
    """The error text shown under a form field, or None when the field has no error."""
    match = re.search(
        rf'<small id="{re.escape(field_id)}-help" class="field-error">\s*(.*?)\s*</small>',
        page,
        re.S,
    )
    return html.unescape(match.group(1)) if match else None


def registration_count() -> int:
    """Registration rows in the database (read fresh)."""
    db.session.expire_all()
    return db.session.scalar(select(func.count(Registration.id)))


def outbox_mails(registration_id: int) -> list[tuple[OutboxMessage, EmailMessage]]:
    """The outbox rows of a registration with the .eml written to the local outbox folder."""
    db.session.expire_all()
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.registration_id == registration_id)
        .order_by(OutboxMessage.id)
    ).all()
    outbox = Path(current_app.config["OUTBOX_DIR"])
    mails = []
    for row in rows:
        path = outbox / f"{row.id:08d}.eml"
        assert path.exists(), f"no outbox file for message {row.id}"
        mails.append((row, email.message_from_bytes(path.read_bytes(), policy=policy.default)))
    return mails


def plain_body(message: EmailMessage) -> str:
    """The text/plain part of a mail."""
    return message.get_body(preferencelist=("plain",)).get_content()


def manage_link_in(message: EmailMessage) -> str:
    """The path of the self-service link in a mail."""
    match = MANAGE_LINK.search(plain_body(message))
    assert match, plain_body(message)
    return f"/r/{match.group(1)}"


def assert_consistent_database() -> None:
    """Every registration has history and consent; places_taken matches place-holding rows."""
    db.session.rollback()
    db.session.expire_all()
    without_history = db.session.scalar(
        select(func.count(Registration.id)).where(
            ~select(RegistrationChange.id)
            .where(RegistrationChange.registration_id == Registration.id)
            .exists()
        )
    )
    assert without_history == 0
    assert (
        db.session.scalar(
            select(func.count(Registration.id)).where(Registration.consent_at.is_(None))
        )
        == 0
    )
    for category in db.session.scalars(select(Category)).all():
        holding = db.session.scalar(
            select(func.count(Registration.id)).where(
                Registration.category_id == category.id,
                Registration.state.in_(PLACE_HOLDING_STATES),
            )
        )
        assert category.places_taken == holding, category.code
        if category.capacity is not None:
            assert category.places_taken <= category.capacity
    # The last change of every registration is its current state.
    last_states = dict(
        db.session.execute(
            select(RegistrationChange.registration_id, RegistrationChange.to_state).order_by(
                RegistrationChange.id
            )
        ).all()
    )
    states = dict(db.session.execute(select(Registration.id, Registration.state)).all())
    assert last_states == states
    db.session.rollback()
