"""Command-line tools: `flask users …`, `flask demo load`, `flask translations compile`.

The domains add their own groups (`flask event …`, `flask mail …`, `flask privacy …`) in
their `init_app`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from app.accounts.models import Role
from app.accounts.services import AccountError, create_user, find_user, grant_role
from app.events.models import Event
from app.extensions import db

users_cli = AppGroup("users", help="Manage staff accounts and roles.")
demo_cli = AppGroup("demo", help="Demo data from the seed document.")
translations_cli = AppGroup("translations", help="Message catalogs.")


@users_cli.command("create")
@click.argument("email")
@click.argument("name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--admin", is_flag=True, help="Make the user a site administrator.")
def create_user_command(email: str, name: str, password: str, admin: bool) -> None:
    """Create a staff account."""
    try:
        user = create_user(email, name, password, is_admin=admin)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"created user {user.email}{' (site administrator)' if admin else ''}")


@users_cli.command("grant")
@click.argument("email")
@click.argument("event_slug")
@click.argument("role", type=click.Choice([r.value for r in Role]))
def grant_role_command(email: str, event_slug: str, role: str) -> None:
    """Grant ROLE on the event EVENT_SLUG to the user EMAIL."""
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no user with email {email}")
    event = db.session.scalar(select(Event).where(Event.slug == event_slug))
    if event is None:
        raise click.ClickException(f"no event with slug {event_slug}")
    grant_role(user, event, Role(role))
    db.session.commit()
    click.echo(f"granted {role} on {event_slug} to {user.email}")


@demo_cli.command("load")
def load_demo_command() -> None:
    """Load the 2020 conference + SCO youth competition demo (idempotent) and print the logins."""
    from app.demo import load_demo

    summary = load_demo()
    click.echo(summary.describe())


@translations_cli.command("compile")
def compile_translations_command() -> None:
    """Compile the .po catalogs into .mo files."""
    directory = Path(__file__).parent / "translations"
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "babel.messages.frontend", "compile", "-f", "-d", str(directory)],
        check=False,
    )
    if result.returncode:
        raise click.ClickException("pybabel compile failed")


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(translations_cli)
