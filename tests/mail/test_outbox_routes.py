"""The organizer's outbox pages."""

from __future__ import annotations

from sqlalchemy import select, update

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


def test_a_registration_mail_not_sent_yet_is_composed_for_the_organizer_and_stored_when_sent(
    redis_app, client, auth, make_event, make_category, make_user, smtp_server
):
    from tests.conftest import form_data
    from tests.mail.test_worker import start_worker

    event = make_event()
    category = make_category(event)
    organizer = make_user(Role.ORGANIZER, event=event)
    data = form_data(category, native_name="王堃", language="en")
    assert client.post(f"/e/{event.slug}/register", data=data).status_code == 302
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == data["email"])
    ).one()
    # Queued in Redis, no worker yet: only the subject was rendered with the registration.
    assert message.state == MailState.QUEUED
    assert message.subject == f"Your registration is confirmed: {event.title['en']}"
    assert (message.body_text, message.template) == ("", "registration_confirmed")
    db.session.commit()

    auth.login(organizer)
    page = client.get(f"/manage/{event.slug}/outbox/{message.id}").get_data(as_text=True)
    assert "Dear 王堃, your registration for" in page
    assert "/r/" in page  # the personal link, composed now
    preview = client.get(f"/manage/{event.slug}/outbox/{message.id}/preview")
    assert "View, change or cancel my registration" in preview.get_data(as_text=True)
    db.session.commit()  # end the pages' transaction (SQLite: its lock) before the worker runs

    worker = start_worker(redis_app, "--burst")
    output, _ = worker.communicate(timeout=180)
    assert worker.returncode == 0, output.decode(errors="replace")
    [received] = smtp_server.wait_for(1)
    db.session.expire_all()
    sent = db.session.get(OutboxMessage, message.id)
    assert sent.state == MailState.SENT
    assert sent.body_text == received.get_body(preferencelist=("plain",)).get_content()
    assert "Dear 王堃, your registration for" in sent.body_text
    assert sent.body_html == received.get_body(preferencelist=("html",)).get_content()
