"""Consent texts: every change of an event's privacy notice becomes a new, immutable version.

The event's privacy_text (a translated text: the notice in each content language) holds the
current notice, edited on the event settings page (or set by the admin's new-event form, the
demo loader …). A session hook turns every change of it, by whatever code path, into a
ConsentVersion, so no writer can forget to; the registration form shows the latest version in
the reader's language (or the event's fallback, said so) and the registration records the
version and the language of the text agreed to.
"""

from __future__ import annotations

from flask import has_request_context
from sqlalchemy import event as sa_event
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from app.events.models import ConsentVersion, Event
from app.extensions import db
from app.translated import Translated, translated


def _texts_of(event: Event) -> Translated:
    return translated(event.privacy_text)


def _texts_of_version(version: ConsentVersion) -> Translated:
    return translated(version.text)


def latest_consent_version(event_id: int) -> ConsentVersion | None:
    """The newest version of an event's notice (possibly an emptied one), or None."""
    return db.session.scalar(
        select(ConsentVersion)
        .where(ConsentVersion.event_id == event_id)
        .order_by(ConsentVersion.number.desc())
        .limit(1)
    )


# session.info key: {event id: current version or None}, read once per transaction (the
# registration form and the registration service both ask); forgotten when the transaction
# ends or a flush adds a version.
_CURRENT = "current_consent_versions"


def current_consent_version(event: Event) -> ConsentVersion | None:
    """The notice participants consent to now, or None when the event has none."""
    known = db.session.info.setdefault(_CURRENT, {})
    if event.id not in known:
        version = latest_consent_version(event.id)
        if version is not None and not _texts_of_version(version):
            version = None
        known[event.id] = version
    return known[event.id]


def consent_versions(event: Event) -> list[ConsentVersion]:
    """Every version of an event's notice, newest first."""
    return list(
        db.session.scalars(
            select(ConsentVersion)
            .where(ConsentVersion.event_id == event.id)
            .order_by(ConsentVersion.number.desc())
        ).all()
    )


def _acting_user_id() -> int | None:
    if not has_request_context():
        return None
    from flask_login import current_user

    return current_user.id if current_user.is_authenticated else None


def _version_changed_texts(session: Session, flush_context, instances) -> None:
    """before_flush: add a ConsentVersion for every event whose notice changed."""
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, Event):
            continue
        texts = _texts_of(obj)
        if obj in session.new:
            if texts:
                session.add(_new_version(obj, 1, texts))
                session.info.pop(_CURRENT, None)
            continue
        state = inspect(obj)
        if not state.attrs.privacy_text.history.has_changes():
            continue
        with session.no_autoflush:
            # Two organizers saving at once: the row lock makes the second wait and number
            # its version after the first (SQLite transactions already hold the write lock).
            session.execute(select(Event.id).where(Event.id == obj.id).with_for_update())
            latest = session.scalar(
                select(ConsentVersion)
                .where(ConsentVersion.event_id == obj.id)
                .order_by(ConsentVersion.number.desc())
                .limit(1)
            )
        if latest is not None and _texts_of_version(latest) == texts:
            continue
        if latest is None and not texts:
            continue
        session.add(_new_version(obj, (latest.number if latest else 0) + 1, texts))
        session.info.pop(_CURRENT, None)


def _forget_current_versions(session: Session, transaction) -> None:
    """after_transaction_end: the next transaction reads the current versions afresh."""
    session.info.pop(_CURRENT, None)


def _new_version(event: Event, number: int, texts: Translated) -> ConsentVersion:
    return ConsentVersion(
        event=event,
        number=number,
        text=texts,
        created_by_user_id=_acting_user_id(),
    )


def install_consent_versioning() -> None:
    """Attach the versioning hook to every session (idempotent)."""
    if not sa_event.contains(Session, "before_flush", _version_changed_texts):
        sa_event.listen(Session, "before_flush", _version_changed_texts)
        sa_event.listen(Session, "after_transaction_end", _forget_current_versions)
