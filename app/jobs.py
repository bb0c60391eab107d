"""The one job queue: functions run after the current transaction commits.

Jobs are enqueued by the function itself, with its arguments:

    queue.enqueue_after_commit(render_badge_sheet, job.id, queue="documents")

With REDIS_URL set, the job goes to an RQ queue for `worker.py` (RQ stores the function's
dotted path); without it the function runs in-process right after the commit, in a fresh
app context, so a single-user setup needs no Redis. A rolled-back transaction enqueues
nothing. Jobs take ids: an ORM object passed as an argument becomes its primary key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVarTuple

from flask import Flask, current_app

from app.clock import utcnow
from app.extensions import db

log = logging.getLogger(__name__)

Args = TypeVarTuple("Args")
Job = Callable[..., Any]

# RQ job timeout per queue, in seconds, where RQ's 180 s default is too short: a sheet of
# 5,000 badges takes minutes on a busy worker.
QUEUE_TIMEOUTS = {"documents": 3600}


def job_name(func: Job) -> str:
    """The dotted path RQ stores for `func` (module and qualified name)."""
    return f"{func.__module__}.{func.__qualname__}"


class JobQueue:
    """Runs jobs after the current transaction commits: on RQ with Redis, else in-process."""

    def __init__(self) -> None:
        self.app: Flask | None = None

    def init_app(self, app: Flask) -> None:
        app.extensions["huiwu_queue"] = self
        self.app = app
        _install_session_hooks()

    def enqueue_after_commit(
        self, func: Callable[[*Args], object], *args: *Args, queue: str = "default"
    ) -> None:
        """Schedule `func(*args)` to run once the session's transaction commits."""
        db.session.info.setdefault("pending_jobs", []).append((queue, func, args))

    def enqueue_batched_after_commit(
        self,
        func: Callable[[list[Any]], object],
        item: object,
        *,
        queue: str = "default",
        batch_size: int,
    ) -> None:
        """Schedule `func(items)` after commit, items of consecutive calls sharing a job.

        Each job takes a list of up to `batch_size` items: many small jobs committed together
        (a bulk mailing) cost one job's bookkeeping per batch instead of per item. An item may
        be an ORM object not flushed yet: the job gets its primary key once committed.
        """
        pending = db.session.info.setdefault("pending_jobs", [])
        if pending:
            last_queue, last_func, last_args = pending[-1]
            if (last_queue, last_func) == (queue, func) and len(last_args[0]) < batch_size:
                last_args[0].append(item)
                return
        pending.append((queue, func, ([item],)))

    def enqueue_at_after_commit(
        self,
        when: datetime,
        func: Callable[[*Args], object],
        *args: *Args,
        queue: str = "default",
    ) -> None:
        """Schedule `func(*args)` for `when` (RQ's scheduler), once the transaction commits.

        A time already past runs the job like enqueue_after_commit. Without Redis a future
        job is not kept anywhere: the caller's periodic sweep (a CLI command run by cron, the
        worker's maintenance) must cover the work, so scheduled jobs must be idempotent.
        """
        db.session.info.setdefault("pending_scheduled_jobs", []).append((when, queue, func, args))

    def discard_batched(self, func: Callable[[list[Any]], object], item: object) -> None:
        """Take an item (the same object, or an equal id) out of the uncommitted batched jobs."""
        pending = db.session.info.get("pending_jobs", [])
        for job in list(pending):
            if job[1] != func:
                continue
            items = job[2][0]
            items[:] = [kept for kept in items if not (kept is item or kept == item)]
            if not items:
                pending.remove(job)

    def connection(self):
        """The Redis connection for the current app, or None when no Redis is configured."""
        url = current_app.config.get("REDIS_URL")
        if not url:
            return None
        conn = current_app.extensions.get("huiwu_redis")
        if conn is None:
            from redis import Redis

            # Bounded waits: with Redis unreachable a request must still finish (the mail
            # stays queued in the outbox for the worker's sweep), not hang on a socket.
            conn = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
            current_app.extensions["huiwu_redis"] = conn
        return conn

    def enqueue_in(
        self,
        delay: timedelta,
        func: Callable[[*Args], object],
        *args: *Args,
        queue: str = "default",
    ) -> bool:
        """Run a job after `delay` (RQ's scheduler); without Redis, returns False and the
        outbox sweep (`flask mail sweep`) picks the work up instead."""
        from rq import Queue

        conn = self.connection()
        if conn is None:
            return False
        try:
            Queue(queue, connection=conn).enqueue_in(delay, func, *args)
        except Exception:
            log.exception("could not schedule %s", job_name(func))
            return False
        return True

    def dispatch_at(self, when: datetime, queue: str, func: Job, args: tuple) -> None:
        """Send one job to RQ's scheduled registry for `when`; a past time runs it now."""
        if when <= utcnow():
            self.dispatch(queue, func, args)
            return
        conn = self.connection()
        if conn is None:
            return
        from rq import Queue

        try:
            Queue(queue, connection=conn).enqueue_at(when, func, *args)
        except Exception:  # Redis down: the periodic sweep does the work instead.
            log.exception("could not schedule %s", job_name(func))

    def workers_running(self) -> int | None:
        """Number of live RQ workers, or None when no Redis is configured or reachable."""
        conn = self.connection()
        if conn is None:
            return None
        from rq import Worker

        try:
            return len(Worker.all(connection=conn))
        except Exception:
            return None

    def dispatch(self, queue: str, func: Job, args: tuple) -> None:
        """Send one job to RQ, or run it inline when there is no Redis."""
        conn = self.connection()
        if conn is not None:
            from rq import Queue

            try:
                timeout = QUEUE_TIMEOUTS.get(queue)
                Queue(queue, connection=conn, default_timeout=timeout).enqueue(func, *args)
                return
            except Exception:  # Redis down: the outbox sweeper picks the work up later.
                log.exception("could not enqueue %s", job_name(func))
                return
        app = current_app._get_current_object()
        with app.app_context():
            try:
                func(*args)
            except Exception:
                log.exception("inline job %s failed", job_name(func))


queue = JobQueue()


def _run_pending_jobs(session) -> None:
    # after_commit fires while the committed connection is still checked out of the pool; an
    # inline job needs a connection of its own, so with many threads committing at once every
    # pooled connection waited for a second one. Run the jobs once the transaction has ended
    # and its connection is back in the pool.
    # after_commit also fires when a savepoint (begin_nested) is released; the jobs must wait
    # for the outermost commit, which may still roll back.
    if session.in_nested_transaction():
        return
    session.info["committed_jobs"] = [
        (queue_name, func, tuple(_job_argument(argument) for argument in args))
        for queue_name, func, args in session.info.pop("pending_jobs", [])
    ]
    session.info["committed_scheduled_jobs"] = [
        (when, queue_name, func, tuple(_job_argument(argument) for argument in args))
        for when, queue_name, func, args in session.info.pop("pending_scheduled_jobs", [])
    ]


def _job_argument(value):
    """Jobs take ids: ORM objects (also inside a batch's list) become their primary key; an
    object that was never written (rolled back with a savepoint) is left out of a list."""
    if isinstance(value, list):
        return [item for item in map(_job_argument, value) if item is not None]
    state = getattr(value, "_sa_instance_state", None)
    if state is not None:
        return state.identity[0] if state.identity else None
    return value


def _run_committed_jobs(session, transaction) -> None:
    if transaction.parent is not None:
        return
    jobs = session.info.pop("committed_jobs", [])
    scheduled = session.info.pop("committed_scheduled_jobs", [])
    for job in jobs:
        queue.dispatch(*job)
    for when, queue_name, func, args in scheduled:
        queue.dispatch_at(when, queue_name, func, args)


def _drop_pending_jobs(session) -> None:
    # A rolled-back savepoint keeps the jobs queued before it; jobs queued inside it find no
    # row and do nothing.
    if session.in_nested_transaction():
        return
    session.info.pop("pending_jobs", None)
    session.info.pop("pending_scheduled_jobs", None)


def _install_session_hooks() -> None:
    """Attach the after-commit job runner to every session (idempotent)."""
    from flask_sqlalchemy.session import Session
    from sqlalchemy import event

    if not event.contains(Session, "after_commit", _run_pending_jobs):
        event.listen(Session, "after_commit", _run_pending_jobs)
        event.listen(Session, "after_transaction_end", _run_committed_jobs)
        event.listen(Session, "after_rollback", _drop_pending_jobs)
