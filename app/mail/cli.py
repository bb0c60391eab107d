"""`flask mail …`: the outbox from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

mail_cli = AppGroup("mail", help="The outbox.")


@mail_cli.command("sweep")
def sweep_mail_command() -> None:
    """Re-send due queued mails and recover mails stuck by a dead worker."""
    from app.mail.services import sweep_outbox

    result = sweep_outbox()
    click.echo(f"recovered {result['recovered']}, enqueued {result['enqueued']}")
