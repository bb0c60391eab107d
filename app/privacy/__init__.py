"""Privacy (PIPL / GDPR): versioned consent texts, a participant's data download and deletion
requests, anonymization of registrations after the retention period."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the privacy pages, `flask privacy …` and the registration's own sections of a
    participant's data (the other domains contribute theirs)."""
    from flask_babel import lazy_gettext as _l

    from app.accounts.models import Role
    from app.contributions import add_manage_section, add_personal_data
    from app.privacy import services
    from app.privacy.cli import privacy_cli
    from app.privacy.routes import bp

    app.register_blueprint(bp)
    add_manage_section(app, "privacy.index", _l("Privacy"), role=Role.ORGANIZER, order=140)
    app.cli.add_command(privacy_cli)
    # Check-ins 500, mails 600, certificates 700, competition entries 800, press
    # accreditation 900 come from their domains; the download keeps this order of keys.
    add_personal_data(app, "event", services.export_event, order=100)
    add_personal_data(app, "registration", services.export_registration, order=200)
    add_personal_data(app, "answers", services.export_answers, order=300)
    add_personal_data(app, "history", services.export_history, order=400)
    add_personal_data(app, "deletion_requests", services.export_deletion_requests, order=1000)
