"""The organizer's outbox pages."""

from __future__ import annotations

from sqlalchemy import update

from app.accounts.models import Role
from app.extensions import db
from app.mail.models import MailState, OutboxMessage
from tests.mail.test_delivery import add_message


def test_outbox_lists_messages_with_state_filter(app, client, auth, make_event, make_user):
    event = make_event()
    organizer = make_user(Role.ORGANIZER, event=event)
    add_message(event, 1)
    add_message(event, 2)
    db.session.commit()
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.to_address == "guest2@example.org")
        .values(state=MailState.FAILED, last_error="550 no such user")
    )
    db.session.commit()
    auth.login(organizer)

    page = client.get(f"/manage/{event.slug}/outbox")
    assert page.status_code == 200
    assert b"guest1@example.org" in page.data and b"guest2@example.org" in page.data
    assert b"worker-status" in page.data

    failed = client.get(f"/manage/{event.slug}/outbox?state=failed")
    assert b"guest2@example.org" in failed.data
    assert b"guest1@example.org" not in failed.data
    assert b"550 no such user" in failed.data


def test_retry_all_failed_requeues_and_delivers(app, client, auth, make_event, make_user):
    event = make_event()
    organizer = make_user(Role.ORGANIZER, event=event)
    message = add_message(event, 1)
    db.session.commit()
    db.session.execute(update(OutboxMessage).values(state=MailState.FAILED, attempts=8))
    db.session.commit()
    auth.login(organizer)
    response = client.post(f"/manage/{event.slug}/outbox/retry")
    assert response.status_code == 302
    db.session.refresh(message)
    assert message.state == MailState.SENT  # inline delivery to the local outbox folder
    assert (app.config["OUTBOX_DIR"] / f"{message.id:08d}.eml").exists()


def test_message_of_another_event_is_not_shown(app, client, auth, make_event, make_user):
    event, other = make_event(), make_event()
    organizer = make_user(Role.ORGANIZER, event=event)
    foreign = add_message(other, 1)
    db.session.commit()
    auth.login(organizer)
    assert client.get(f"/manage/{event.slug}/outbox/{foreign.id}").status_code == 404
    assert client.get(f"/manage/{other.slug}/outbox").status_code == 403


def test_preview_is_sandboxed(app, client, auth, make_event, make_user):
    event = make_event()
    organizer = make_user(Role.ORGANIZER, event=event)
    message = add_message(event, 1)
    db.session.commit()
    auth.login(organizer)
    response = client.get(f"/manage/{event.slug}/outbox/{message.id}/preview")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
