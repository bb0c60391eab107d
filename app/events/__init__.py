"""Events: public event pages and organizer event settings."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the event pages, the event dashboard and settings, and `flask event …`."""
    from flask_babel import lazy_gettext as _l

    from app.accounts.models import Role
    from app.contributions import add_manage_section
    from app.events.cli import event_cli
    from app.events.routes import bp

    app.register_blueprint(bp)
    add_manage_section(app, "events.dashboard", _l("Dashboard"), role=Role.ORGANIZER, order=10)
    add_manage_section(app, "events.settings", _l("Settings"), role=Role.ORGANIZER, order=130)
    app.cli.add_command(event_cli)
