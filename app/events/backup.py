"""Backup and restore of one event: every row that belongs to it, and its uploaded files.

Which tables belong to an event is read from the schema, not listed by hand: a table belongs
if it has a foreign key to `event`, or to a table that belongs (registration_change →
registration → event). A table added later is therefore in the backup without anyone
remembering to add it.

Rows keep their ids. Ticket codes, self-service links and certificate QR codes embed ids and
are signed, so only a restore with the original ids keeps the badges people carry and the
links in their mailboxes working. A restore therefore needs those ids to be free: it goes into
the database the event came from (after the event was removed) or into a new one, and is
refused, with nothing written, when the ids are taken. Staff accounts are not event data: they
are matched by email, and accounts missing in the target are created without a password (an
administrator sets one). Password hashes never leave the database.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Enum,
    LargeBinary,
    Table,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.clock import UTCDateTime, utcnow
from app.extensions import db
from app.translated import Translated

FORMAT = "huiwu-event-backup/1"
USER_TABLE = "user"
EVENT_TABLE = "event"


class BackupError(Exception):
    """A backup that cannot be written or restored; the message says why."""


@dataclass
class RestoreResult:
    """What a restore wrote."""

    event_id: int
    slug: str
    rows: dict[str, int] = field(default_factory=dict)
    users_matched: int = 0
    users_created: list[str] = field(default_factory=list)
    files: int = 0


# --- which rows belong to an event ------------------------------------------------------------


def _scope_paths() -> dict[str, tuple[Column, Table] | None]:
    """For every event-scoped table, the foreign key column leading towards `event` and the
    table it points to (None for `event` itself)."""
    tables = db.metadata.tables
    paths: dict[str, tuple[Column, Table] | None] = {EVENT_TABLE: None}
    changed = True
    while changed:
        changed = False
        for name, table in tables.items():
            if name in paths or name == USER_TABLE:
                continue
            candidates = []
            for fk in table.foreign_keys:
                target = fk.column.table.name
                if target in paths:
                    # Prefer a direct event_id, then a NOT NULL key (rows always reachable).
                    rank = (target != EVENT_TABLE, fk.parent.nullable)
                    candidates.append((rank, fk.parent, fk.column.table))
            if candidates:
                candidates.sort(key=lambda item: item[0])
                _, column, target_table = candidates[0]
                paths[name] = (column, target_table)
                changed = True
    return paths


def scoped_tables() -> list[Table]:
    """The event-scoped tables in dependency order (parents before children)."""
    paths = _scope_paths()
    return [t for t in db.metadata.sorted_tables if t.name in paths]


def _scope_condition(table: Table, event_id: int, paths):
    """A WHERE clause selecting the rows of `table` that belong to the event."""
    path = paths[table.name]
    if path is None:
        return table.c.id == event_id
    column, parent = path
    if parent.name == EVENT_TABLE:
        return column == event_id
    parent_key = next(fk.column for fk in column.foreign_keys)
    return column.in_(select(parent_key).where(_scope_condition(parent, event_id, paths)))


def _primary_key(table: Table) -> list[Column]:
    return list(table.primary_key.columns)


# --- values to and from JSON ------------------------------------------------------------------


def _encode(column: Column, value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, UTCDateTime | DateTime):
        return value.isoformat()
    if isinstance(kind, Date):
        return value.isoformat()
    if isinstance(kind, LargeBinary):
        return base64.b64encode(value).decode("ascii")
    if isinstance(kind, Enum):
        return value.name if hasattr(value, "name") else value
    if isinstance(value, Translated):
        return value.as_dict()
    return value


def _decode(column: Column, value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, UTCDateTime | DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value)
    return value


# --- files ------------------------------------------------------------------------------------


def _instance() -> Path:
    return Path(current_app.config["INSTANCE_DIR"])


def _event_files(event_id: int, rows: dict[str, list[dict]]) -> list[Path]:
    """The uploaded files of an event: its upload folder (badge logo, certificate images),
    its pitch decks, and the signing documents of its ceremonies. Generated PDFs (badge
    sheets) are not backed up: they can be generated again."""
    instance = _instance()
    paths: list[Path] = []
    for folder in (instance / "uploads" / str(event_id), instance / "judging" / str(event_id)):
        if folder.is_dir():
            paths.extend(p for p in sorted(folder.rglob("*")) if p.is_file())
    for document in rows.get("signing_document", []):
        path = instance / "uploads" / "ceremonies" / document["stored_name"]
        if path.is_file():
            paths.append(path)
    return paths


# --- export -----------------------------------------------------------------------------------


def _current_revision() -> str | None:
    try:
        return db.session.scalar(text("SELECT version_num FROM alembic_version"))
    except Exception:
        db.session.rollback()
        return None


def export_event(slug: str) -> dict[str, Any]:
    """Everything of one event as JSON-ready data (read in one consistent snapshot).

    Raises BackupError when there is no such event.
    """
    if db.engine.dialect.name == "postgresql" and not db.session().in_transaction():
        # One snapshot for every table, also while registrations and scans keep arriving.
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    event_table = db.metadata.tables[EVENT_TABLE]
    event_id = db.session.scalar(select(event_table.c.id).where(event_table.c.slug == slug))
    if event_id is None:
        raise BackupError(f"no event with slug {slug!r}")
    revision = _current_revision()
    paths = _scope_paths()
    tables: dict[str, list[dict]] = {}
    user_ids: set[int] = set()
    for table in scoped_tables():
        query = select(table).where(_scope_condition(table, event_id, paths))
        query = query.order_by(*_primary_key(table))
        rows = []
        for row in db.session.execute(query).mappings():
            rows.append({c.name: _encode(c, row[c.name]) for c in table.columns})
            for column in table.columns:
                if _points_to_users(column) and row[column.name] is not None:
                    user_ids.add(row[column.name])
        tables[table.name] = rows
    users = db.session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.id)).all()
    files = {
        str(path.relative_to(_instance())): base64.b64encode(path.read_bytes()).decode("ascii")
        for path in _event_files(event_id, tables)
    }
    db.session.rollback()  # end the snapshot
    return {
        "format": FORMAT,
        "exported_at": utcnow().isoformat(),
        "schema_revision": revision,
        "event": {"id": event_id, "slug": slug},
        "users": [
            {
                "id": user.id,
                "email": user.email,
                "name": user.name,
                "is_admin": user.is_admin,
                "locale": user.locale,
            }
            for user in users
        ],
        "tables": tables,
        "files": files,
    }


def _points_to_users(column: Column) -> bool:
    return any(fk.column.table.name == USER_TABLE for fk in column.foreign_keys)


def write_backup(data: dict[str, Any], path: Path) -> None:
    """Write a backup as JSON, gzip-compressed when the file name ends in .gz."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    temporary = path.with_name(path.name + ".tmp")
    if path.suffix == ".gz":
        temporary.write_bytes(gzip.compress(payload, mtime=0))
    else:
        temporary.write_bytes(payload)
    temporary.replace(path)


def read_backup(path: Path) -> dict[str, Any]:
    """Read a backup written by write_backup (gzip detected from the content)."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise BackupError(f"{path} is not a Huiwu event backup (not JSON)") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Huiwu event backup (format {FORMAT} expected)")
    return data


# --- restore ----------------------------------------------------------------------------------


def _check_schema(data: dict[str, Any]) -> None:
    """Refuse a backup with tables or columns this database does not have."""
    scoped = {t.name: t for t in scoped_tables()}
    for name, rows in data["tables"].items():
        table = scoped.get(name)
        if table is None:
            raise BackupError(f"the backup has a table this database lacks: {name}")
        known = set(table.columns.keys())
        for row in rows[:1]:
            unknown = set(row) - known
            if unknown:
                raise BackupError(
                    f"the backup has columns this database lacks: {name}.{sorted(unknown)}"
                )


def _check_ids_free(data: dict[str, Any]) -> None:
    event_table = db.metadata.tables[EVENT_TABLE]
    slug = data["event"]["slug"]
    if db.session.scalar(select(event_table.c.id).where(event_table.c.slug == slug)):
        raise BackupError(f"an event with slug {slug!r} exists already; nothing was restored")
    taken = []
    for name, rows in data["tables"].items():
        table = db.metadata.tables[name]
        key = _primary_key(table)
        if len(key) != 1 or not rows:
            continue
        ids = [row[key[0].name] for row in rows]
        count = 0
        for start in range(0, len(ids), 500):
            count += db.session.scalar(
                select(func.count()).select_from(table).where(key[0].in_(ids[start : start + 500]))
            )
        if count:
            taken.append(f"{name} ({count})")
    if taken:
        raise BackupError(
            "row ids of the backup are in use in this database: "
            + ", ".join(taken)
            + ". The restore keeps the original ids (so tickets and links stay valid): restore "
            "into the database the event came from after removing it, or into a new database."
        )


def _map_users(data: dict[str, Any], result: RestoreResult) -> dict[int, int]:
    mapping: dict[int, int] = {}
    for exported in data.get("users", []):
        user = db.session.scalar(
            select(User).where(func.lower(User.email) == exported["email"].strip().lower())
        )
        if user is None:
            user = User(
                email=exported["email"],
                name=exported["name"],
                # No password: an administrator sets one. "!" never matches any password.
                password_hash="!",  # noqa: S106 - not a password: an unusable hash
                is_admin=False,
                locale=exported.get("locale"),
            )
            db.session.add(user)
            db.session.flush()
            result.users_created.append(user.email)
        else:
            result.users_matched += 1
        mapping[exported["id"]] = user.id
    return mapping


def _reset_sequences(table_names: Iterable[str]) -> None:
    """PostgreSQL: move id sequences past the restored ids."""
    if db.engine.dialect.name != "postgresql":
        return
    for name in table_names:
        table = db.metadata.tables[name]
        key = _primary_key(table)
        if len(key) != 1 or not key[0].autoincrement or "id" not in table.c:
            continue
        highest = select(func.max(table.c.id)).scalar_subquery()
        sequence = func.pg_get_serial_sequence(f'"{name}"', "id")
        db.session.execute(select(func.setval(sequence, func.greatest(highest, 1))))


def _write_files(files: dict[str, str]) -> list[Path]:
    """Write the backup's files; returns the ones written. A file already there with the same
    content is kept; a different one, or a path outside the instance folder, is refused."""
    instance = _instance().resolve()
    planned = []
    for relative, content in files.items():
        path = (instance / relative).resolve()
        if instance not in path.parents:
            raise BackupError(f"the backup names a file outside the instance folder: {relative}")
        data = base64.b64decode(content)
        if path.exists():
            if path.read_bytes() == data:
                continue
            raise BackupError(f"a different file exists already: {relative}")
        planned.append((path, data))
    written = []
    for path, content in planned:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    return written


def restore_event(data: dict[str, Any]) -> RestoreResult:
    """Insert a backup's rows with their original ids, and its files, in one transaction.

    Raises BackupError (and writes nothing) when the backup does not fit this database. The
    caller commits.
    """
    _check_schema(data)
    _check_ids_free(data)
    result = RestoreResult(event_id=data["event"]["id"], slug=data["event"]["slug"])
    users = _map_users(data, result)
    written: list[Path] = []
    try:
        for table in scoped_tables():
            rows = data["tables"].get(table.name, [])
            if not rows:
                continue
            decoded = []
            for row in rows:
                values = {}
                for name, value in row.items():
                    column = table.c[name]
                    value = _decode(column, value)
                    if value is not None and _points_to_users(column):
                        value = users.get(value)
                    values[name] = value
                decoded.append(values)
            for start in range(0, len(decoded), 500):
                db.session.execute(insert(table), decoded[start : start + 500])
            result.rows[table.name] = len(decoded)
        _reset_sequences(result.rows)
        written = _write_files(data.get("files", {}))
        result.files = len(data.get("files", {}))
    except IntegrityError as exc:
        db.session.rollback()
        for path in written:
            path.unlink(missing_ok=True)
        raise BackupError(f"the backup conflicts with data in this database: {exc.orig}") from exc
    except BackupError:
        db.session.rollback()
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return result
