"""`flask event export` and `flask event import`: back up and restore one event."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.audit.services import record_audit
from app.events.backup import (
    BackupError,
    export_event,
    read_backup,
    restore_event,
    write_backup,
)
from app.extensions import db

event_cli = AppGroup("event", help="Back up and restore one event.")


@event_cli.command("export")
@click.option("--event", "slug", required=True, help="The event's slug.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write: .json, or .json.gz for a compressed one.",
)
def export_command(slug: str, output: Path) -> None:
    """Write every row and uploaded file of one event to a JSON file."""
    try:
        data = export_event(slug)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    write_backup(data, output)
    rows = sum(len(rows) for rows in data["tables"].values())
    record_audit(
        "event.export",
        event_id=data["event"]["id"],
        actor="cli",
        details={"rows": rows, "files": len(data["files"])},
    )
    db.session.commit()
    click.echo(
        f"exported {slug}: {rows} rows in {len(data['tables'])} tables, "
        f"{len(data['files'])} files -> {output}"
    )


@event_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(path: Path) -> None:
    """Restore an event from a file written by `flask event export`."""
    try:
        data = read_backup(path)
        result = restore_event(data)
        record_audit(
            "event.import",
            event_id=result.event_id,
            actor="cli",
            details={"rows": sum(result.rows.values()), "files": result.files},
        )
        db.session.commit()
    except BackupError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"restored {result.slug} (event id {result.event_id}): "
        f"{sum(result.rows.values())} rows, {result.files} files, "
        f"{result.users_matched} staff accounts matched"
    )
    if result.users_created:
        click.echo(
            "created without a password (set one before they sign in): "
            + ", ".join(result.users_created)
        )
