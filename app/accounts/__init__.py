"""Accounts: login, users, per-event roles, site administration."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the accounts blueprint (login, staff home, site administration)."""
    from flask_babel import lazy_gettext as _l

    from app.accounts import admin_routes  # noqa: F401  (admin views on the accounts blueprint)
    from app.accounts.models import Role
    from app.accounts.routes import bp
    from app.contributions import add_manage_section

    app.register_blueprint(bp)
    add_manage_section(app, "accounts.admin_roles", _l("Roles"), role=Role.ORGANIZER, order=150)
