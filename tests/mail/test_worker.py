"""The RQ worker (`worker.py`) against a real Redis: delivery, and survival of a killed worker."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.mail.models import MailState, OutboxMessage
from tests.mail.test_delivery import add_message

ROOT = Path(__file__).resolve().parents[2]


def worker_env(app, **extra) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HUIWU_CONFIG="development",
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app.config["REDIS_URL"],
        MAIL_SERVER=app.config.get("MAIL_SERVER") or "",
        MAIL_PORT=str(app.config.get("MAIL_PORT") or 25),
        MAIL_TIMEOUT="60",
        HUIWU_INSTANCE_DIR=str(app.config["INSTANCE_DIR"]),
        MAIL_OUTBOX_DIR=str(app.config["OUTBOX_DIR"]),
        SECRET_KEY=app.config["SECRET_KEY"],
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def start_worker(app, *args: str, log: Path | None = None, **extra) -> subprocess.Popen:
    """Start worker.py in a process group of its own (with its scheduler child).

    A worker left running takes the next tests' jobs from the same Redis database, so long
    running workers log to a file (an unread pipe fills up and blocks them) and are stopped
    with stop_worker().
    """
    return subprocess.Popen(
        [sys.executable, "worker.py", *args],
        cwd=ROOT,
        env=worker_env(app, **extra),
        stdout=log.open("wb") if log else subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_worker(worker: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Send `sig` to a worker's process group; SIGKILL what is left after 30 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, sig)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)  # a scheduler child that outlived the worker


def message_state(message_id: int) -> MailState:
    state = db.session.scalar(select(OutboxMessage.state).where(OutboxMessage.id == message_id))
    db.session.commit()  # end the read transaction so the worker is not kept waiting
    return state


def test_committed_mail_is_queued_in_redis_and_sent_by_a_burst_worker(
    redis_app, make_event, smtp_server
):
    event = make_event()
    message = add_message(event)
    db.session.commit()
    assert message_state(message.id) == MailState.QUEUED  # waiting for the worker
    assert smtp_server.messages == []

    worker = start_worker(redis_app, "--burst")
    output, _ = worker.communicate(timeout=120)
    assert worker.returncode == 0, output.decode(errors="replace")

    assert len(smtp_server.wait_for(1)) == 1, output.decode(errors="replace")
    assert message_state(message.id) == MailState.SENT


def test_worker_killed_mid_job_the_mail_still_arrives_once(
    redis_app, make_event, smtp_server, tmp_path
):
    event = make_event()
    smtp_server.handler.ehlo_delay = 30  # the first worker hangs talking to the server
    message = add_message(event)
    db.session.commit()

    first = start_worker(redis_app, log=tmp_path / "first.log")
    try:
        deadline = time.monotonic() + 60
        while message_state(message.id) != MailState.SENDING:
            assert time.monotonic() < deadline, "the worker never picked the job up"
            time.sleep(0.1)
    finally:
        stop_worker(first, signal.SIGKILL)  # the worker and its scheduler die mid-job
    assert smtp_server.messages == []

    smtp_server.handler.ehlo_delay = 0
    second = start_worker(
        redis_app,
        log=tmp_path / "second.log",
        MAIL_STUCK_AFTER_SECONDS=1,
        WORKER_MAINTENANCE_SECONDS=1,
    )
    try:
        deadline = time.monotonic() + 90
        while message_state(message.id) != MailState.SENT:
            assert time.monotonic() < deadline, "the mail was never recovered"
            time.sleep(0.2)
        time.sleep(2)  # a duplicate would arrive now
    finally:
        stop_worker(second)
    assert len(smtp_server.messages) == 1


def test_mails_committed_together_go_out_in_batched_jobs_each_once(
    redis_app, make_event, smtp_server
):
    from rq import Queue

    from app.jobs import queue
    from app.mail.services import DELIVERY_BATCH_SIZE

    event = make_event()
    count = 2 * DELIVERY_BATCH_SIZE + 5
    messages = [add_message(event, n) for n in range(count)]
    db.session.commit()
    assert Queue("mail", connection=queue.connection()).count == 3

    worker = start_worker(redis_app, "--burst")
    output, _ = worker.communicate(timeout=180)
    assert worker.returncode == 0, output.decode(errors="replace")

    received = smtp_server.wait_for(count)
    assert sorted(m["To"].addresses[0].addr_spec for m in received) == sorted(
        f"guest{n}@example.org" for n in range(count)
    )
    assert {message_state(m.id) for m in messages} == {MailState.SENT}


def test_a_worker_ends_within_seconds_when_its_listener_already_read_the_unsubscribe(redis_app):
    """RQ's listener for commands waited up to 60 s for a message and RQ waits for it when a
    worker ends: a burst run or a stop took a minute whenever the listener read the
    unsubscribe reply before RQ told it to stop (a race lost often on a busy machine)."""
    from redis import Redis
    from rq import Queue

    from worker import AppWorker

    connection = Redis.from_url(redis_app.config["REDIS_URL"])
    worker = AppWorker([Queue("mail", connection=connection)], connection=connection)
    worker.subscribe()
    time.sleep(0.2)
    worker.pubsub.unsubscribe()  # the listener reads the reply first: the race lost
    time.sleep(0.2)
    started = time.monotonic()
    worker.unsubscribe()
    assert time.monotonic() - started < 5
