"""Audit log: who did what to personal data and other sensitive settings, and when."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the audit log pages."""
    from flask_babel import lazy_gettext as _l

    from app.accounts.models import Role
    from app.audit.routes import bp
    from app.contributions import add_manage_section

    app.register_blueprint(bp)
    add_manage_section(app, "audit.event_log", _l("Audit log"), role=Role.ORGANIZER, order=160)
