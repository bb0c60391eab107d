"""Public event pages and the organizer's event dashboard."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import Role
from app.accounts.permissions import (
    PUBLIC,
    SITE_ADMIN,
    event_role,
    public_event,
    requires,
    user_has_role,
)
from app.clock import utcnow
from app.contributions import content_gaps, page_context
from app.events.forms import EventSettingsForm, NewEventForm, form_languages
from app.events.models import EventStatus
from app.events.services import (
    EventError,
    create_event,
    list_all_events,
    list_public_events,
    update_event,
)
from app.extensions import db
from app.translated import DEFAULT_CONTENT_LANGUAGES

bp = Blueprint("events", __name__)


@bp.route("/")
@requires(PUBLIC)
def index():
    """List the public events."""
    return render_template("events/index.html", events=list_public_events())


@bp.route("/favicon.ico")
@requires(PUBLIC)
def favicon():
    """The site's mark for browsers that ask /favicon.ico (the pages declare the same SVG)."""
    return send_from_directory(
        Path(current_app.static_folder) / "img",
        "huiwu-mark.svg",
        mimetype="image/svg+xml",
        max_age=86400,
    )


@bp.route("/e/<slug>/")
@requires(public_event())
def show(slug: str):
    """The public page of an event with what one can register for."""
    event = g.event
    if event.status == EventStatus.DRAFT and not (
        current_user.is_authenticated
        and user_has_role(current_user, event, frozenset({Role.ORGANIZER}))
    ):
        abort(404)
    categories = [c for c in event.categories if c.is_public]
    now = utcnow()
    return render_template(
        "events/show.html",
        categories=categories,
        now=now,
        **page_context("event_page", event, now),
    )


@bp.route("/manage/<slug>/")
@requires(event_role(Role.ORGANIZER))
def dashboard(slug: str):
    """Organizer dashboard: registrations per category against capacity."""
    return render_template(
        "events/dashboard.html",
        content_gaps=content_gaps(g.event),
        **page_context("event_dashboard", g.event),
    )


@bp.route("/manage/<slug>/settings", methods=["GET", "POST"])
@requires(event_role(Role.ORGANIZER))
def settings(slug: str):
    """Edit the event's settings (everything but the slug)."""
    event = g.event
    languages = form_languages(event.languages, request.form.get("content_languages"))
    form = EventSettingsForm.for_languages(languages)()
    if request.method == "GET":
        form.fill_from_event(event)
    elif form.validate_on_submit():
        try:
            update_event(event, form.to_event_data())
            db.session.commit()
        except EventError as exc:
            db.session.rollback()
            if not form.show_error(exc.field_name, exc.message):
                flash(str(exc.message), "error")
        else:
            flash(_("The event settings have been saved."), "success")
            return redirect(url_for("events.settings", slug=event.slug))
    status = 400 if request.method == "POST" else 200
    return render_template("events/settings.html", form=form), status


@bp.route("/admin/events")
@requires(SITE_ADMIN)
def admin_events():
    """Every event with its status, for site administrators."""
    return render_template("events/admin_events.html", events=list_all_events())


@bp.route("/admin/events/new", methods=["GET", "POST"])
@requires(SITE_ADMIN)
def admin_new_event():
    """Create an event; its organizers are granted on the roles page afterwards."""
    languages = form_languages(DEFAULT_CONTENT_LANGUAGES, request.form.get("content_languages"))
    form = NewEventForm.for_languages(languages)()
    if form.validate_on_submit():
        try:
            event = create_event(form.slug.data, form.to_event_data())
            db.session.commit()
        except EventError as exc:
            db.session.rollback()
            if not form.show_error(exc.field_name, exc.message):
                flash(str(exc.message), "error")
            return render_template("events/admin_event_new.html", form=form), 400
        flash(_("The event has been created."), "success")
        return redirect(url_for("accounts.admin_roles", slug=event.slug))
    status = 400 if request.method == "POST" and form.errors else 200
    return render_template("events/admin_event_new.html", form=form), status
