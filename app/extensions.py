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


def install_sqlite_settings() -> None:
    """Attach the SQLite connection settings (idempotent); app.jobs attaches the job runner."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)
        event.listen(Engine, "begin", _sqlite_begin_immediate)
