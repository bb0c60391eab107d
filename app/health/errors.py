"""Riding out database outages: connection settings that recover by themselves, and a 503
page (not a 500 with an incident) while the database cannot be reached.

When PostgreSQL restarts, or an administrator terminates our connections, every pooled
connection is dead. `pool_pre_ping` tests a connection when it is checked out and replaces it
if the server closed it, so requests after the outage succeed without anyone restarting the
app; a request caught in the middle of the outage gets a short "try again" page with
Retry-After, its transaction rolled back, nothing half-written.
"""

from __future__ import annotations

import logging

from flask import Flask, g, render_template
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from app.extensions import db

RETRY_AFTER_SECONDS = 5
log = logging.getLogger("huiwu")


def init_database(app: Flask) -> None:
    """Bind the database to the app with settings that ride out a database restart."""
    database_engine_options(app)
    db.init_app(app)
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


def database_engine_options(app: Flask) -> None:
    """Add the pool settings that survive a database restart to the app's engine options.

    Explicit SQLALCHEMY_ENGINE_OPTIONS win; PostgreSQL also gets a connect timeout so a
    vanished server makes a request fail within seconds instead of hanging a worker.
    """
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("pool_pre_ping", app.config.get("DATABASE_POOL_PRE_PING", True))
    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("connect_timeout", app.config["DATABASE_CONNECT_TIMEOUT"])
        options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


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
