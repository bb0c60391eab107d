"""Privacy (PIPL / GDPR): versioned consent texts, a participant's data download and deletion
requests, anonymization of registrations after the retention period."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the privacy pages, consent versioning and `flask privacy …`."""
    from flask_babel import lazy_gettext as _l

    from app.accounts.models import Role
    from app.contributions import add_manage_section
    from app.privacy.cli import privacy_cli
    from app.privacy.routes import bp

    app.register_blueprint(bp)
    add_manage_section(app, "privacy.index", _l("Privacy"), role=Role.ORGANIZER, order=140)
    app.cli.add_command(privacy_cli)
