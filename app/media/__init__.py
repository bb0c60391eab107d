"""Media coverage log: outlets, coverage items, import, dashboard, summary and exports."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the media coverage pages and the media demo."""
    from flask_babel import lazy_gettext as _l

    from app.accounts.models import Role
    from app.contributions import add_demo_loader, add_manage_section
    from app.media.demo import load_demo_media
    from app.media.routes import bp

    app.register_blueprint(bp)
    add_manage_section(app, "media.index", _l("Media coverage"), role=Role.ORGANIZER, order=120)
    add_demo_loader(app, load_demo_media, order=30)
