"""Badges: the organizer's badge page (settings, A4 sheet jobs with a progress bar), one
badge PDF for organizers and for participants, and badge re-issue. Views are registered on
the registration blueprint."""

from __future__ import annotations

from io import BytesIO

from flask import abort, flash, g, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import Role
from app.accounts.permissions import PUBLIC, event_role, requires
from app.audit.services import record_audit
from app.events.models import BackgroundJob, JobState
from app.extensions import db
from app.registration.badge_forms import BadgeSettingsForm, BadgeSheetForm
from app.registration.badge_services import (
    BADGE_SHEET_KIND,
    BadgeError,
    BadgeSettings,
    badge_sheet_jobs,
    event_logo_png,
    request_badge_sheet,
    sheet_result_path,
    update_badge_settings,
)
from app.registration.models import Registration, RegistrationState
from app.registration.organizer_forms import ConfirmForm
from app.registration.queries import categories_of_event
from app.registration.routes import _registration_or_error_page, bp
from app.registration.services import reissue_badge
from app.registration.tickets import render_registration_badge
from app.security.input import database_integer

ORGANIZER = event_role(Role.ORGANIZER)


def _pdf_response(pdf: bytes, filename: str, *, attachment: bool = True):
    """A PDF download that no cache keeps."""
    response = send_file(
        BytesIO(pdf),
        mimetype="application/pdf",
        as_attachment=attachment,
        download_name=filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _sheet_form() -> BadgeSheetForm:
    """The sheet form with this event's categories and its badge size as the default."""
    form = BadgeSheetForm()
    form.category_id.choices = [
        (category.id, category.name_in(get_locale())) for category in categories_of_event(g.event)
    ]
    if not form.size.raw_data:
        form.size.data = g.event.badge_size
    return form


def _settings_form() -> BadgeSettingsForm:
    """The settings form, filled from the event on GET."""
    form = BadgeSettingsForm()
    if request.method == "GET":
        form.badge_size.data = g.event.badge_size
        form.accent_color.data = g.event.badge_accent_color
    return form


def _badge_page(settings_form: BadgeSettingsForm, sheet_form: BadgeSheetForm, status: int = 200):
    return render_template(
        "registration/badges.html",
        settings_form=settings_form,
        sheet_form=sheet_form,
        jobs=badge_sheet_jobs(g.event),
        JobState=JobState,
    ), status


@bp.route("/manage/<slug>/badges", methods=["GET", "POST"])
@requires(ORGANIZER)
def badges(slug: str):
    """The badge page: settings (size, accent colour, logo), sheet requests, past sheets."""
    form = _settings_form()
    if request.method == "POST":
        if form.validate_on_submit():
            upload = form.logo.data
            logo = upload.read() if upload and getattr(upload, "filename", "") else None
            try:
                update_badge_settings(
                    g.event,
                    BadgeSettings(
                        size=form.badge_size.data,
                        accent_color=form.accent_color.data,
                        logo=logo,
                        remove_logo=bool(form.remove_logo.data),
                    ),
                )
                db.session.commit()
            except BadgeError as exc:
                db.session.rollback()
                field = getattr(form, exc.field_name or "", None)
                if field is not None:
                    field.errors = [*field.errors, str(exc.message)]
                else:
                    flash(str(exc.message), "error")
            else:
                flash(_("The badge settings have been saved."), "success")
                return redirect(url_for("registration.badges", slug=slug))
        return _badge_page(form, _sheet_form(), 400)
    return _badge_page(form, _sheet_form())


@bp.route("/manage/<slug>/badges/logo")
@requires(ORGANIZER)
def badge_logo(slug: str):
    """The event's current badge logo (the re-encoded PNG), for the settings page."""
    png = event_logo_png(g.event)
    if png is None:
        abort(404)
    return send_file(BytesIO(png), mimetype="image/png", max_age=0)


def _selected_ids() -> list[int] | None:
    """The `ids` ticked in the registrations list; None when some are not numbers."""
    try:
        return sorted({database_integer(value) for value in request.form.getlist("ids")})
    except ValueError:
        return None


@bp.route("/manage/<slug>/badges/sheets", methods=["POST"])
@requires(ORGANIZER)
def create_badge_sheet(slug: str):
    """Start a badge-sheet job (all confirmed, a category, or the selected registrations)."""
    form = _sheet_form()
    if not form.validate_on_submit():
        return _badge_page(_settings_form(), form, 400)
    category_id = None
    registration_ids = None
    if form.selection.data == "category":
        category_id = form.category_id.data
        if not category_id:
            form.category_id.errors = [_("Choose a category.")]
            return _badge_page(_settings_form(), form, 400)
    elif form.selection.data == "selected":
        registration_ids = _selected_ids()
        if registration_ids is None:
            abort(400)
    try:
        job = request_badge_sheet(
            g.event,
            current_user,
            size=form.size.data,
            language=str(get_locale()),
            category_id=category_id,
            registration_ids=registration_ids,
        )
        db.session.commit()
    except BadgeError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("registration.badges", slug=slug))
    return redirect(url_for("registration.badge_sheet", slug=slug, job_id=job.id))


def _sheet_job_or_404(job_id: int) -> BackgroundJob:
    job = db.session.get(BackgroundJob, job_id)
    if job is None or job.event_id != g.event.id or job.kind != BADGE_SHEET_KIND:
        abort(404)
    return job


def _job_status(job: BackgroundJob) -> dict:
    done = job.state == JobState.DONE
    return {
        "id": job.id,
        "state": job.state.value,
        "done": job.progress_done,
        "total": job.progress_total,
        "percent": job.percent,
        "error": job.error or None,
        "download_url": url_for(
            "registration.download_badge_sheet", slug=g.event.slug, job_id=job.id
        )
        if done
        else None,
    }


@bp.route("/manage/<slug>/badges/sheets/<int:job_id>")
@requires(ORGANIZER)
def badge_sheet(slug: str, job_id: int):
    """One badge-sheet job: a progress bar, then the download link."""
    job = _sheet_job_or_404(job_id)
    return render_template(
        "registration/badge_sheet_job.html", job=job, status=_job_status(job), JobState=JobState
    )


@bp.route("/manage/<slug>/badges/sheets/<int:job_id>.json")
@requires(ORGANIZER)
def badge_sheet_status(slug: str, job_id: int):
    """The progress of a badge-sheet job as JSON, polled by the progress page."""
    response = jsonify(_job_status(_sheet_job_or_404(job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/manage/<slug>/badges/sheets/<int:job_id>/download")
@requires(ORGANIZER)
def download_badge_sheet(slug: str, job_id: int):
    """The finished badge sheet PDF (404 until it is done)."""
    job = _sheet_job_or_404(job_id)
    path = sheet_result_path(job)
    if path is None:
        abort(404)
    # A sheet prints every name on it: downloading it is an export of personal data.
    record_audit(
        "badges.sheet_download",
        event=g.event,
        target=f"job:{job.id}",
        details={"format": "pdf", "rows": job.progress_total},
    )
    db.session.commit()
    response = send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{g.event.slug}-badges-{job.id}.pdf",
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _registration_or_404(registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != g.event.id:
        abort(404)
    return registration


@bp.route("/manage/<slug>/registrations/<int:registration_id>/badge.pdf")
@requires(ORGANIZER)
def registration_badge(slug: str, registration_id: int):
    """One confirmed registration's badge PDF, for an organizer."""
    registration = _registration_or_404(registration_id)
    if registration.state != RegistrationState.CONFIRMED:
        message = _("Only confirmed registrations have a badge.")
        return render_template("errors/error.html", code=409, message=message), 409
    return _pdf_response(
        render_registration_badge(registration), f"badge-{registration.reference}.pdf"
    )


@bp.route("/manage/<slug>/registrations/<int:registration_id>/reissue-badge", methods=["POST"])
@requires(ORGANIZER)
def reissue_registration_badge(slug: str, registration_id: int):
    """Revoke a registration's QR code (lost badge) and mail the participant a new badge."""
    registration = _registration_or_404(registration_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if reissue_badge(registration):
        db.session.commit()
        flash(
            _(
                "A new badge for %(ref)s has been issued; the old QR code no longer works.",
                ref=registration.reference,
            ),
            "success",
        )
    else:
        db.session.rollback()
        flash(_("Only confirmed registrations have a badge."), "error")
    return redirect(
        url_for("registration.show_registration", slug=slug, registration_id=registration_id)
    )


@bp.route("/r/<token>/badge.pdf")
@requires(PUBLIC)
def participant_badge(token: str):
    """The participant's own badge PDF, by the signed self-service link (once confirmed)."""
    registration, error = _registration_or_error_page(token)
    if error:
        return error
    if registration.state != RegistrationState.CONFIRMED:
        g.event = registration.event
        message = _("Your badge is available once your registration is confirmed.")
        return render_template("errors/error.html", code=403, message=message), 403
    return _pdf_response(
        render_registration_badge(registration), f"badge-{registration.reference}.pdf"
    )
