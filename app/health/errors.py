"""Riding out database outages: connection settings that recover by themselves, and a 503
page (not a 500 with an incident) while the database cannot be reached.

When PostgreSQL restarts, or an administrator terminates our connections, every pooled
connection is dead. A connection is checked when it is taken from the pool and replaced if the
server closed it, so requests after the outage succeed without anyone restarting the app; a
request caught in the middle of the outage gets a short "try again" page with Retry-After, its
transaction rolled back, nothing half-written.

The check costs no round trip on PostgreSQL: a server that shuts down or terminates a backend
sends an error and closes the socket, so an idle pooled connection whose socket has anything
to read (we use no LISTEN/NOTIFY) is dead. Only a connection idle for
DATABASE_POOL_PING_IDLE_SECONDS is pinged for real (a silently dropped connection sends
nothing). SQLAlchemy's `pool_pre_ping` — a `SELECT 1` round trip at every checkout, a tenth
of a check-in scan's CPU — remains for other databases.
"""

from __future__ import annotations

import logging
import select
import time

from flask import Flask, g, render_template
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from app.extensions import db

RETRY_AFTER_SECONDS = 5
log = logging.getLogger("huiwu")


def init_database(app: Flask) -> None:
    """Bind the database to the app with settings that ride out a database restart."""
    from app.database import send_integers_as_int4

    check_at_checkout = database_engine_options(app)
    db.init_app(app)
    with app.app_context():
        send_integers_as_int4(db.engine)
        if check_at_checkout:
            _check_connections_at_checkout(db.engine, app.config["DATABASE_POOL_PING_IDLE_SECONDS"])
    # Flask-SQLAlchemy closes the request's session at teardown; closing rolls back, and on a
    # connection the server has just dropped that rollback raises — after the view produced
    # its response, which would then be lost to a bare 500. Close it without raising.
    funcs = app.teardown_appcontext_funcs
    for index, func in enumerate(funcs):
        if getattr(func, "__func__", None) is type(db)._teardown_session:
            funcs[index] = _remove_session
            break


def _remove_session(exc: BaseException | None) -> None:
    try:
        db.session.remove()
    except DBAPIError as error:
        if not is_database_unavailable(error):
            raise
        log.warning("closing the session on a lost connection: %s", type(error).__name__)
        # close() failed before the registry let go of the session; the pool has already
        # invalidated the connection, so drop the session object itself.
        db.session.registry.clear()


def database_engine_options(app: Flask) -> bool:
    """Add the pool settings that survive a database restart to the app's engine options;
    True when connections are to be checked at checkout by `_check_connections_at_checkout`.

    Explicit SQLALCHEMY_ENGINE_OPTIONS win; PostgreSQL also gets a connect timeout so a
    vanished server makes a request fail within seconds instead of hanging a worker, and a
    pool of DATABASE_POOL_SIZE connections.
    """
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    check = bool(app.config.get("DATABASE_POOL_PRE_PING", True))
    postgres = str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql+psycopg")
    if "pool_pre_ping" in options or not postgres:
        options.setdefault("pool_pre_ping", check)
        check = False
    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        options.setdefault("pool_size", int(app.config.get("DATABASE_POOL_SIZE", 10)))
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("connect_timeout", app.config["DATABASE_CONNECT_TIMEOUT"])
        options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    return check


def _check_connections_at_checkout(engine, ping_idle_seconds: float) -> None:
    """Replace a pooled psycopg connection the server closed before a request gets it."""

    @event.listens_for(engine, "checkin")
    def _remember_checkin(dbapi_connection, record) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection, record, proxy) -> None:
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is None:
            return  # connected just now
        try:
            readable, _w, _x = select.select([dbapi_connection.fileno()], [], [], 0)
        except Exception as error:  # closed connection, bad descriptor
            raise DisconnectionError("the connection's socket is gone") from error
        if readable or dbapi_connection.closed:
            # The server said goodbye (shutdown, terminated backend) or closed the socket.
            raise DisconnectionError("the server closed the connection")
        if time.monotonic() - checked_in_at >= ping_idle_seconds:
            try:
                engine.dialect.do_ping(dbapi_connection)
            except Exception as error:
                raise DisconnectionError("the connection did not answer a ping") from error


def is_database_unavailable(error: BaseException) -> bool:
    """True for errors that mean "the database cannot be reached right now", not a bug:
    lost or refused connections, an exhausted pool, a server shutting down."""
    if isinstance(error, PoolTimeoutError):
        return True
    if isinstance(error, DBAPIError):
        return bool(error.connection_invalidated) or isinstance(
            error, OperationalError | InterfaceError
        )
    return False


def database_unavailable_response(wants_json: bool):
    """A 503 answer with Retry-After that needs no database (no user, no event loaded)."""
    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the pool replaces it on the next checkout
        log.debug("rollback after a lost connection failed", exc_info=True)
    # The page must not touch the database: no signed-in user, no event in the header.
    g._login_user = AnonymousUserMixin()
    g.pop("event", None)
    message = _("The service is briefly unavailable. Please try again in a few seconds.")
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if wants_json:
        return {"error": "unavailable", "message": message}, 503, headers
    return render_template("errors/unavailable.html", message=message), 503, headers
