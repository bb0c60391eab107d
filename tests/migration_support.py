"""What the data migrations' tests share: rows inserted into the tables of an older revision
with every required column filled, and JSON read back as either database returns it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from app.extensions import db


def _filler(column: sa.Column, n: int):
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 1
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None)
    if isinstance(kind, sa.LargeBinary):
        return b"k" * 32
    if isinstance(kind, sa.JSON):
        return {}
    length = getattr(kind, "length", None) or 20
    return f"v{n}"[:length]


def insert_row(conn, table: sa.Table, n: int, **values) -> int:
    """Insert a row giving every required column a plain value; returns its id."""
    row = {
        column.name: _filler(column, n)
        for column in table.columns
        if not column.nullable and column.server_default is None and column.name != "id"
    }
    row.update(values)
    return conn.execute(table.insert().values(**row)).inserted_primary_key[0]


def reflected(*names: str) -> list[sa.Table]:
    """The tables as the database has them now (at whatever revision it was migrated to)."""
    metadata = sa.MetaData()
    metadata.reflect(db.engine, only=list(names))
    return [metadata.tables[name] for name in names]


def as_json(value):
    """A JSON column's value: SQLite's driver may hand back the text, PostgreSQL's the object."""
    return json.loads(value) if isinstance(value, str) else value
