"""`flask privacy anonymize`: anonymize an event's registrations after the retention period."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.events.models import Event
from app.extensions import db
from app.privacy.services import PrivacyError, anonymize_event

privacy_cli = AppGroup("privacy", help="Personal data: anonymization after the retention period.")


@privacy_cli.command("anonymize")
@click.option("--event", "slug", required=True, help="The event's slug.")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(0, 36500),
    default=0,
    show_default=True,
    help="Retention period: only when the event ended at least DAYS days ago.",
)
@click.option("--dry-run", is_flag=True, help="Only say how many registrations would change.")
def anonymize_command(slug: str, days: int, dry_run: bool) -> None:
    """Replace the personal data of every registration of an event (idempotent)."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"no event with slug {slug}")
    try:
        result = anonymize_event(event, older_than_days=days, dry_run=dry_run, actor_label="cli")
    except PrivacyError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from exc
    if dry_run:
        db.session.rollback()
        click.echo(
            f"dry run: would anonymize {result.eligible} registrations of {slug} "
            f"({result.already_anonymized} already anonymized)"
        )
        return
    db.session.commit()
    click.echo(
        f"anonymized {result.anonymized} registrations of {slug} "
        f"({result.already_anonymized} already anonymized, "
        f"{result.files_removed} badge sheets deleted)"
    )
