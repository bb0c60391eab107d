"""Check-in: lists, scans (JSON API for scanners), device tokens and the live dashboard."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the check-in pages, the scanner pages and the scanners' JSON API."""
    from flask_babel import lazy_gettext as _l

    from app.accounts.models import Role
    from app.checkin import api, scanner_routes  # noqa: F401  (views on the checkin blueprint)
    from app.checkin.demo import load_demo_checkin
    from app.checkin.privacy import export_checkins
    from app.checkin.routes import bp
    from app.checkin.schemas import OPENAPI_PART
    from app.contributions import (
        add_demo_loader,
        add_manage_section,
        add_page_context,
        add_personal_data,
    )
    from app.openapi import register_openapi_part

    app.register_blueprint(bp)
    register_openapi_part(OPENAPI_PART)
    add_manage_section(app, "checkin.list_lists", _l("Check-in"), role=Role.ORGANIZER, order=90)
    add_manage_section(
        app, "checkin.choose_scanner", _l("Check-in"), role=Role.CHECKIN_STAFF, order=90
    )
    add_demo_loader(app, load_demo_checkin, order=10)
    add_page_context(app, "participant_page", _participant_checkin)
    add_personal_data(app, "checkins", export_checkins, order=500)


def _participant_checkin(registration, token: str) -> dict:
    """The participant's page says when and where they were checked in (first valid entry)."""
    from app.checkin.services import first_entry

    entry = first_entry(registration.id)
    if entry is None:
        return {}
    return {
        "checked_in_at": entry.scanned_at,
        "checked_in_list": entry.checkin_list.name,
        "checked_in_station": entry.station,
    }
