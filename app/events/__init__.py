"""Events: public event pages and organizer event settings."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the event pages (public, dashboard, settings, site administration), the audit
    log pages, the event loader of the permission check, the event's own content gaps and
    `flask event …`."""
    from flask_babel import lazy_gettext as _l

    from app.accounts.models import Role
    from app.accounts.permissions import register_event_loader
    from app.contributions import add_content_gaps, add_manage_section, add_page_context
    from app.events.audit_routes import bp as audit_bp
    from app.events.cli import event_cli
    from app.events.consent import install_consent_versioning
    from app.events.routes import bp
    from app.events.services import event_by_slug, event_content_gaps

    install_consent_versioning()
    app.register_blueprint(bp)
    app.register_blueprint(audit_bp)
    register_event_loader(app, event_by_slug)
    add_page_context(app, "staff_home", _staff_events)
    add_manage_section(app, "events.dashboard", _l("Dashboard"), role=Role.ORGANIZER, order=10)
    add_manage_section(app, "events.settings", _l("Settings"), role=Role.ORGANIZER, order=130)
    add_manage_section(app, "audit.event_log", _l("Audit log"), role=Role.ORGANIZER, order=160)
    add_content_gaps(app, event_content_gaps, order=10)
    app.cli.add_command(event_cli)


def _staff_events(user) -> dict:
    """The staff home's events: those the user has roles on, with the roles."""
    from app.events.services import events_for_user

    return {"events": events_for_user(user)}
