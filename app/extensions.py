"""Flask extensions, created unbound; imports nothing from app.*."""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Typed declarative base with a constraint naming convention (stable migrations)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# The range of PostgreSQL's `integer`, the type of every id column: a number from outside
# beyond it must match nothing (SQLite would say so; PostgreSQL fails the statement).
INTEGER_MIN, INTEGER_MAX = -(2**31), 2**31 - 1


def fits_integer(value: object) -> bool:
    """True for an int (not a bool) that an `integer` column can hold."""
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and (INTEGER_MIN <= value <= INTEGER_MAX)
    )


class GuardedSession(Session):
    """`get` (and so `db.get_or_404`) finds nothing for an integer key outside the column's
    range, as it finds nothing for any other unknown id, instead of failing on PostgreSQL."""

    def get(self, entity, ident, *args, **kwargs):
        keys = ident if isinstance(ident, tuple) else (ident,)
        out_of_range = any(isinstance(k, int) and not fits_integer(k) for k in keys)
        if out_of_range and all(_integer_keys(entity)):
            return None
        return super().get(entity, ident, *args, **kwargs)


def _integer_keys(entity) -> list[bool]:
    """For each primary key column of a mapped class: is it a plain (32-bit) Integer?"""
    from sqlalchemy import BigInteger, Integer, inspect

    return [
        isinstance(column.type, Integer) and not isinstance(column.type, BigInteger)
        for column in inspect(entity).primary_key
    ]


db = SQLAlchemy(model_class=Base, session_options={"class_": GuardedSession})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


# RQ job timeout per queue, in seconds, where RQ's 180 s default is too short: a sheet of
# 5,000 badges takes minutes on a busy worker.
QUEUE_TIMEOUTS = {"documents": 3600}


class JobQueue:
    """Runs jobs by dotted name after the current transaction commits.

    With REDIS_URL set, jobs go to RQ queues for `worker.py`; without it they run in-process
    right after the commit, in a fresh app context, so a single-user setup needs no Redis.
    A rolled-back transaction enqueues nothing.
    """

    def __init__(self) -> None:
        self.app = None

    def init_app(self, app) -> None:
        app.extensions["huiwu_queue"] = self
        self.app = app

    def enqueue_after_commit(self, func_name: str, *args, queue: str = "default") -> None:
        """Schedule `func_name(*args)` to run once the session's transaction commits."""
        db.session.info.setdefault("pending_jobs", []).append((queue, func_name, args))

    def enqueue_batched_after_commit(
        self, func_name: str, item: object, *, queue: str = "default", batch_size: int
    ) -> None:
        """Schedule `func_name(items)` after commit, items of consecutive calls sharing a job.

        Each job takes a list of up to `batch_size` items: many small jobs committed together
        (a bulk mailing) cost one job's bookkeeping per batch instead of per item. An item may
        be an ORM object not flushed yet: the job gets its primary key once committed.
        """
        pending = db.session.info.setdefault("pending_jobs", [])
        if pending:
            last_queue, last_func, last_args = pending[-1]
            if (last_queue, last_func) == (queue, func_name) and len(last_args[0]) < batch_size:
                last_args[0].append(item)
                return
        pending.append((queue, func_name, ([item],)))

    def discard_batched(self, func_name: str, item: object) -> None:
        """Take an item (the same object, or an equal id) out of the uncommitted batched jobs."""
        pending = db.session.info.get("pending_jobs", [])
        for job in list(pending):
            if job[1] != func_name:
                continue
            items = job[2][0]
            items[:] = [kept for kept in items if not (kept is item or kept == item)]
            if not items:
                pending.remove(job)

    def connection(self):
        """The Redis connection for the current app, or None when no Redis is configured."""
        from flask import current_app

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

    def enqueue_in(self, delay, func_name: str, *args, queue: str = "default") -> bool:
        """Run a job after `delay` (RQ's scheduler); without Redis, returns False and the
        outbox sweep (`flask mail sweep`) picks the work up instead."""
        import logging

        from rq import Queue

        conn = self.connection()
        if conn is None:
            return False
        try:
            Queue(queue, connection=conn).enqueue_in(delay, func_name, *args)
        except Exception:
            logging.getLogger(__name__).exception("could not schedule %s", func_name)
            return False
        return True

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

    def dispatch(self, queue: str, func_name: str, args: tuple) -> None:
        """Send one job to RQ, or run it inline when there is no Redis."""
        import importlib
        import logging

        from flask import current_app

        conn = self.connection()
        if conn is not None:
            from rq import Queue

            try:
                timeout = QUEUE_TIMEOUTS.get(queue)
                Queue(queue, connection=conn, default_timeout=timeout).enqueue(func_name, *args)
                return
            except Exception:  # Redis down: the outbox sweeper picks the work up later.
                logging.getLogger(__name__).exception("could not enqueue %s", func_name)
                return
        module_name, _, attr = func_name.rpartition(".")
        func = getattr(importlib.import_module(module_name), attr)
        app = current_app._get_current_object()
        with app.app_context():
            try:
                func(*args)
            except Exception:
                logging.getLogger(__name__).exception("inline job %s failed", func_name)


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
        (queue_name, func_name, tuple(_job_argument(argument) for argument in args))
        for queue_name, func_name, args in session.info.pop("pending_jobs", [])
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
    for job in jobs:
        queue.dispatch(*job)


def _drop_pending_jobs(session) -> None:
    # A rolled-back savepoint keeps the jobs queued before it; jobs queued inside it find no
    # row and do nothing.
    if session.in_nested_transaction():
        return
    session.info.pop("pending_jobs", None)


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        # Let SQLAlchemy emit BEGIN itself (see _sqlite_begin_immediate).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def _sqlite_begin_immediate(conn) -> None:
    # A deferred SQLite transaction that reads and then writes fails at once with "database is
    # locked" when another writer committed in between; taking the write lock up front makes
    # concurrent requests wait for each other instead.
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def install_session_hooks() -> None:
    """Attach the after-commit job runner and SQLite connection settings (idempotent)."""
    from flask_sqlalchemy.session import Session
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Session, "after_commit", _run_pending_jobs):
        event.listen(Session, "after_commit", _run_pending_jobs)
        event.listen(Session, "after_transaction_end", _run_committed_jobs)
        event.listen(Session, "after_rollback", _drop_pending_jobs)
        event.listen(Engine, "connect", _sqlite_pragmas)
        event.listen(Engine, "begin", _sqlite_begin_immediate)
