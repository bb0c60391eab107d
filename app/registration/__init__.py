"""Registration: the public form, self-service links and the organizer desk."""

from __future__ import annotations

import click
from flask import Flask


def init_app(app: Flask) -> None:
    """Register the registration pages, their navigation, the badge mail attachments, and the
    reminder mails (scheduling hook, the worker's sweep, `flask mail reminders`)."""
    from flask_babel import lazy_gettext as _l

    from app.accounts.models import Role
    from app.contributions import (
        add_content_gaps,
        add_maintenance_task,
        add_manage_section,
        add_page_context,
    )
    from app.mail.cli import mail_cli
    from app.mail.services import register_attachment_builder, register_body_context_builder
    from app.registration import (  # noqa: F401
        badge_routes,
        mailings,
        offline_routes,
        organizer_routes,
    )
    from app.registration.calendar import build_calendar_attachments
    from app.registration.reminders import install_reminder_scheduling, send_all_due_reminders
    from app.registration.routes import bp
    from app.registration.services import REGISTRATION_MAIL_TEMPLATES, registration_mail_context
    from app.registration.texts import registration_content_gaps
    from app.registration.tickets import build_badge_attachments

    app.register_blueprint(bp)
    organizer = Role.ORGANIZER
    add_manage_section(
        app, "registration.list_registrations", _l("Registrations"), role=organizer, order=20
    )
    add_manage_section(
        app, "registration.list_categories", _l("Categories"), role=organizer, order=30
    )
    add_manage_section(
        app, "registration.list_questions", _l("Questions"), role=organizer, order=40
    )
    add_manage_section(app, "registration.mailings", _l("Mailings"), role=organizer, order=50)
    add_manage_section(app, "registration.badges", _l("Badges"), role=organizer, order=70)
    register_attachment_builder("badge", build_badge_attachments)
    register_attachment_builder("calendar", build_calendar_attachments)
    register_body_context_builder(REGISTRATION_MAIL_TEMPLATES, registration_mail_context)
    add_page_context(app, "event_dashboard", _dashboard_counts)
    install_reminder_scheduling()
    add_maintenance_task(app, send_all_due_reminders, order=20)
    mail_cli.add_command(reminders_command)
    add_content_gaps(app, registration_content_gaps, order=30)


def _dashboard_counts(event) -> dict:
    """The organizer dashboard's registrations per category against capacity, and the
    reminder mail's progress."""
    from app.registration.queries import category_counts
    from app.registration.reminders import reminder_status

    return {"counts": category_counts(event), "reminder": reminder_status(event)}


@click.command("reminders")
def reminders_command() -> None:
    """Send the reminder mails that are due (for cron when there is no worker)."""
    from app.registration.reminders import send_all_due_reminders

    click.echo(f"queued {send_all_due_reminders()} reminder mails")
