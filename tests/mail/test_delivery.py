"""Delivery through a real SMTP server: exactly once, retries on transient errors."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select, update

from app.clock import utcnow
from app.extensions import db
from app.mail.models import MailState, OutboxMessage
from app.mail.services import (
    Attachment,
    deliver_message,
    discard_mail,
    queue_mail,
    register_attachment_builder,
    sweep_outbox,
)


def add_message(event, n: int = 0, **extra) -> OutboxMessage:
    """An outbox row built from a real mail template (not yet committed)."""
    message = queue_mail(
        kind="test",
        to_address=f"guest{n}@example.org",
        to_name=f"嘉宾{n}",
        language="zh_CN",
        template="registration_cancelled",
        context={"registration": _FakeRegistration(n), "event": event, "category": _FakeCategory()},
        event_id=event.id,
        **extra,
    )
    return message


class _FakeRegistration:
    def __init__(self, n):
        self.native_name = f"嘉宾{n}"
        self.language = "zh_CN"
        self.reference = f"R{n:06d}"


class _FakeCategory:
    def name_in(self, locale):
        return "企业代表"


def make_due(message_ids=None) -> None:
    """Pretend the backoff has passed."""
    statement = update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1))
    if message_ids is not None:
        statement = statement.where(OutboxMessage.id.in_(message_ids))
    db.session.execute(statement)
    db.session.commit()


def test_mail_committed_is_delivered_over_smtp(app, make_event, smtp_server):
    event = make_event()
    add_message(event)
    db.session.commit()  # the after-commit job delivers in-process (no Redis configured)
    [received] = smtp_server.wait_for(1)
    assert received["To"] == "嘉宾0 <guest0@example.org>"
    message = db.session.scalar(select(OutboxMessage))
    assert received["Subject"] == message.subject
    assert message.state == MailState.SENT
    assert received["Message-ID"] == message.message_id


def test_delivering_the_same_message_twice_sends_once(app, make_event, smtp_server):
    event = make_event()
    smtp_server.stop()  # keep the after-commit delivery from succeeding first
    message = add_message(event)
    db.session.commit()
    smtp_server.start()
    make_due()
    db.session.execute(update(OutboxMessage).values(state=MailState.QUEUED))
    db.session.commit()
    first = deliver_message(message.id)
    second = deliver_message(message.id)
    assert first.state == MailState.SENT
    assert second.state is None
    assert len(smtp_server.wait_for(1)) == 1


def test_server_down_then_back_delivers_exactly_once(app, make_event, smtp_server):
    event = make_event()
    smtp_server.stop()
    message = add_message(event)
    db.session.commit()  # first attempt: connection refused → transient
    db.session.refresh(message)
    assert message.state == MailState.QUEUED
    assert message.attempts == 1
    assert message.next_attempt_at > utcnow()
    assert "Connection" in message.last_error or "refused" in message.last_error.lower()

    # Not due yet: the sweep does not retry early.
    assert sweep_outbox()["enqueued"] == 0

    smtp_server.start()
    make_due()
    assert sweep_outbox()["enqueued"] == 1  # runs the delivery after its commit
    db.session.refresh(message)
    assert message.state == MailState.SENT
    assert message.attempts == 2
    assert len(smtp_server.wait_for(1)) == 1


def test_permanent_rejection_fails_without_retry(app, make_event, smtp_server):
    event = make_event()
    smtp_server.handler.decide = lambda n, data: "550 5.1.1 mailbox unavailable"
    message = add_message(event)
    db.session.commit()
    db.session.refresh(message)
    assert message.state == MailState.FAILED
    assert message.attempts == 1
    assert "550" in message.last_error
    assert smtp_server.messages == []


def test_transient_4xx_is_retried(app, make_event, smtp_server):
    event = make_event()
    smtp_server.handler.decide = lambda n, data: "451 4.3.0 try again later" if n == 1 else None
    message = add_message(event)
    db.session.commit()
    db.session.refresh(message)
    assert message.state == MailState.QUEUED
    make_due()
    sweep_outbox()
    db.session.refresh(message)
    assert message.state == MailState.SENT
    assert len(smtp_server.messages) == 1


def test_two_hundred_mails_with_twenty_percent_transient_refusals_arrive_once_each(
    app, make_event, smtp_server
):
    event = make_event()
    rng = random.Random(20)
    smtp_server.handler.decide = lambda n, data: (
        "421 4.7.0 busy, try later" if rng.random() < 0.2 else None
    )
    for n in range(200):
        add_message(event, n)
    db.session.commit()
    for _ in range(30):
        if (
            db.session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.state != MailState.SENT)
            )
            == 0
        ):
            break
        make_due()
        sweep_outbox()
    recipients = [m["To"] for m in smtp_server.messages]
    assert len(recipients) == 200
    assert len(set(recipients)) == 200
    assert smtp_server.handler.data_calls > 200  # some were refused and retried
    states = set(db.session.scalars(select(OutboxMessage.state)).all())
    assert states == {MailState.SENT}


def test_stale_claim_of_a_dead_worker_is_recovered_by_the_sweep(app, make_event, smtp_server):
    event = make_event()
    smtp_server.stop()
    message = add_message(event)
    db.session.commit()
    smtp_server.start()
    # A worker claimed it and died before sending.
    db.session.execute(
        update(OutboxMessage).values(
            state=MailState.SENDING, claimed_at=utcnow() - timedelta(hours=1)
        )
    )
    db.session.commit()
    result = sweep_outbox(stuck_after=timedelta(minutes=10))
    assert result["recovered"] == 1
    db.session.refresh(message)
    assert message.state == MailState.SENT
    assert len(smtp_server.messages) == 1


def test_attachments_and_inline_images_are_built_at_delivery(app, make_event, smtp_server):
    register_attachment_builder(
        "test-files",
        lambda ref: [
            Attachment("badge.pdf", b"%PDF-1.7 test " + str(ref).encode(), "application", "pdf"),
            Attachment("qr.png", b"\x89PNG fake", "image", "png", content_id="qr@huiwu"),
        ],
    )
    event = make_event()
    add_message(event, attachments=[{"kind": "test-files", "ref": 7}])
    db.session.commit()
    [received] = smtp_server.wait_for(1)
    parts = {part.get_filename(): part for part in received.walk() if part.get_filename()}
    assert parts["badge.pdf"].get_content() == b"%PDF-1.7 test 7"
    assert parts["qr.png"]["Content-ID"] == "<qr@huiwu>"


def test_names_subjects_and_file_names_in_any_script_arrive_intact(app, make_event, smtp_server):
    register_attachment_builder(
        "named-files",
        lambda ref: [Attachment("参会证 Бейдж.pdf", b"%PDF-1.7 x", "application", "pdf")],
    )
    event = make_event()
    message = add_message(event, attachments=[{"kind": "named-files", "ref": 1}])
    message.subject = (
        "您的报名已确认：第二届上海合作组织国家青年创新创业大赛 — Ваша регистрация подтверждена"
    )
    message.to_name = 'Ольга "Оля" 王'
    db.session.commit()
    [received] = smtp_server.wait_for(1)
    assert received["Subject"] == message.subject
    [address] = received["To"].addresses
    assert (address.display_name, address.addr_spec) == ('Ольга "Оля" 王', "guest0@example.org")
    assert received["Date"].datetime is not None
    assert received.get_body(preferencelist=("plain",)).get_content() == message.body_text
    assert received.get_body(preferencelist=("html",)).get_content() == message.body_html
    [attachment] = received.iter_attachments()
    assert attachment.get_filename() == "参会证 Бейдж.pdf"
    assert attachment.get_content() == b"%PDF-1.7 x"
    assert not any(part.defects for part in received.walk())


def test_unknown_attachment_kind_fails_the_message_permanently(app, make_event, smtp_server):
    event = make_event()
    message = add_message(event, attachments=[{"kind": "nope", "ref": 1}])
    db.session.commit()
    db.session.refresh(message)
    assert message.state == MailState.FAILED
    assert "nope" in message.last_error


def test_a_discarded_mail_is_neither_kept_nor_sent(app, make_event, smtp_server):
    event = make_event()
    kept = add_message(event, 1)
    dropped = add_message(event, 2)
    dropped_id = dropped.id
    discard_mail(dropped)
    db.session.commit()
    [received] = smtp_server.wait_for(1)
    assert received["To"].addresses[0].addr_spec == "guest1@example.org"
    assert db.session.get(OutboxMessage, dropped_id) is None
    db.session.refresh(kept)
    assert kept.state == MailState.SENT
