"""Signing ceremonies: agenda with computed times, signing items, host script, stage list."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the signing ceremony pages."""
    from flask_babel import lazy_gettext as _l

    from app.accounts.models import Role
    from app.ceremonies.demo import load_demo_ceremony
    from app.ceremonies.routes import bp
    from app.ceremonies.services import ceremony_content_gaps
    from app.contributions import add_content_gaps, add_demo_loader, add_manage_section

    app.register_blueprint(bp)
    add_manage_section(
        app, "ceremonies.index", _l("Signing ceremonies"), role=Role.ORGANIZER, order=110
    )
    add_demo_loader(app, load_demo_ceremony, order=20)
    add_content_gaps(app, ceremony_content_gaps, order=110)
