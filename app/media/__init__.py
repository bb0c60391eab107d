"""Media coverage log: outlets, coverage items, import, dashboard, summary and exports."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the media coverage pages."""
    from flask_babel import lazy_gettext as _l

    from app.accounts.models import Role
    from app.media.routes import bp
    from app.navigation import add_manage_section

    app.register_blueprint(bp)
    add_manage_section(app, "media.index", _l("Media coverage"), role=Role.ORGANIZER, order=120)
