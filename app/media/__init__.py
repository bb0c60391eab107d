"""Media coverage log: outlets, coverage items, import, dashboard, summary and exports."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the media coverage pages, the media demo and the press accreditation in a
    participant's data."""
    from flask_babel import lazy_gettext as _l

    from app.accounts.models import Role
    from app.contributions import add_demo_loader, add_manage_section, add_personal_data
    from app.media.demo import load_demo_media
    from app.media.privacy import export_press_accreditation
    from app.media.routes import bp

    app.register_blueprint(bp)
    add_manage_section(app, "media.index", _l("Media coverage"), role=Role.ORGANIZER, order=120)
    add_demo_loader(app, load_demo_media, order=30)
    add_personal_data(app, "press_accreditation", export_press_accreditation, order=900)
