"""Mail's part of a participant's data: the mails sent to them, and their purge on
anonymization (the outbox rows and the local outbox's copies)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, or_, select, update

from app.clock import isoformat
from app.contributions import Anonymization
from app.extensions import db
from app.mail.models import MailState, OutboxMessage
from app.mail.services import outbox_path

if TYPE_CHECKING:
    from app.registration.models import Registration

ANONYMIZED_SUBJECT = "—"


def export_mails(registration: Registration) -> list[dict[str, Any]]:
    """The mails sent to the registration: kind, subject, address, state, dates (no bodies)."""
    mails = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.registration_id == registration.id)
        .order_by(OutboxMessage.id)
    ).all()
    return [
        {
            "kind": mail.kind,
            "subject": mail.subject,
            "to": mail.to_address,
            "state": mail.state.value,
            "created_at": isoformat(mail.created_at),
            "sent_at": isoformat(mail.sent_at),
        }
        for mail in mails
    ]


def purge_mails(registration: Registration, anonymization: Anonymization) -> dict[str, int]:
    """Strip the mails to this person of everything personal; unsent ones are never sent.

    A mail belongs to the person when it is linked to the registration, or unlinked, of the
    same event and addressed to their former address.
    """
    owned = or_(
        OutboxMessage.registration_id == registration.id,
        and_(
            OutboxMessage.registration_id.is_(None),
            OutboxMessage.event_id == registration.event_id,
            func.lower(OutboxMessage.to_address) == anonymization.old_email,
        ),
    )
    ids = db.session.scalars(select(OutboxMessage.id).where(owned)).all()
    if not ids:
        return {"mails_purged": 0}
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(
            to_address=anonymization.email,
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
    return {"mails_purged": len(ids)}
