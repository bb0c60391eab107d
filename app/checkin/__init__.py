"""Check-in: lists, scans (JSON API for scanners), device tokens and the live dashboard."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the check-in pages, the scanner pages and the scanners' JSON API."""
    from flask_babel import lazy_gettext as _l

    from app.accounts.models import Role
    from app.checkin import (  # noqa: F401  (views on the checkin blueprint)
        api,
        online_routes,
        scanner_routes,
    )
    from app.checkin.demo import load_demo_checkin
    from app.checkin.privacy import export_checkins, export_online_attendance
    from app.checkin.routes import bp
    from app.checkin.schemas import OPENAPI_PART
    from app.contributions import (
        add_demo_loader,
        add_export_columns,
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
    add_personal_data(app, "online_attendance", export_online_attendance, order=550)
    add_page_context(app, "participant_page", _participant_online)
    add_page_context(app, "registration_mail", _mail_join_link)
    add_page_context(app, "badge", _badge_join_link)
    add_export_columns(app, _attendance_columns, order=10)


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


def _participant_online(registration, token: str) -> dict:
    """An online attendee's page carries their join link and says when they joined; whether
    the stream is set is said, the stream's address never."""
    from app.checkin.online_services import join_url, offers_join_link, online_attendance_of

    if not offers_join_link(registration):
        return {}
    return {
        "join_url": join_url(registration),
        "join_ready": bool(registration.event.online_url),
        "online_attendance": online_attendance_of(registration.id),
    }


def _mail_join_link(registration) -> dict:
    """A confirmed online attendee's mails carry their personal join link (not the stream)."""
    from app.checkin.online_services import join_url, offers_join_link

    return {"join_url": join_url(registration)} if offers_join_link(registration) else {}


def _badge_join_link(registration) -> dict:
    """An online attendee's badge prints their personal join link instead of a QR code."""
    from app.checkin.online_services import join_url, offers_join_link

    return {"online_access_url": join_url(registration)} if offers_join_link(registration) else {}


def _attendance_columns(event, registration_ids: list[int]) -> list:
    """The export's attendance columns: first check-in on site, first and last online join and
    the number of online visits."""
    from flask_babel import gettext as _

    from app.checkin.online_services import online_attendance_by_event
    from app.checkin.services import first_entries_by_registration
    from app.contributions import ExportColumn

    wanted = set(registration_ids)
    checked_in = {k: v for k, v in first_entries_by_registration(event.id).items() if k in wanted}
    online = {k: v for k, v in online_attendance_by_event(event.id).items() if k in wanted}
    return [
        ExportColumn(_("Checked in on site"), checked_in),
        ExportColumn(
            _("Joined online (first)"), {k: row.first_joined_at for k, row in online.items()}
        ),
        ExportColumn(
            _("Joined online (last)"), {k: row.last_joined_at for k, row in online.items()}
        ),
        ExportColumn(_("Online visits"), {k: row.join_count for k, row in online.items()}),
    ]
