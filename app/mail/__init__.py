"""Mail: the outbox and the one mail sender."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the outbox pages, `flask mail sweep`, the outbox sweep of the worker and the
    mails' part of personal data."""
    from flask_babel import lazy_gettext as _l

    from app.accounts.models import Role
    from app.contributions import (
        add_anonymizer,
        add_maintenance_task,
        add_manage_section,
        add_personal_data,
    )
    from app.mail.cli import mail_cli
    from app.mail.privacy import export_mails, purge_mails
    from app.mail.routes import bp
    from app.mail.services import sweep_outbox

    app.register_blueprint(bp)
    add_manage_section(app, "mail.outbox", _l("Outbox"), role=Role.ORGANIZER, order=60)
    app.cli.add_command(mail_cli)
    add_personal_data(app, "mails", export_mails, order=600)
    add_anonymizer(app, purge_mails, order=600)
    add_maintenance_task(app, sweep_outbox, order=10)
