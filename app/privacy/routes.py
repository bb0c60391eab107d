"""Privacy pages: the participant's data download and deletion request (by the signed link),
and the organizer's Privacy page (consent versions, deletion requests, anonymization)."""

from __future__ import annotations

import json
import re

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.accounts.models import Role
from app.accounts.permissions import PUBLIC, event_role, requires
from app.audit.labels import LOG_LABELS
from app.audit.services import audit_entries
from app.clock import utcnow
from app.events.consent import consent_versions, current_consent_version
from app.events.models import ConsentVersion
from app.extensions import db
from app.privacy.forms import (
    AnonymizeEventForm,
    AnonymizeRegistrationForm,
    DecisionForm,
    DeclineForm,
    DeletionRequestForm,
    RetentionForm,
)
from app.privacy.models import DeletionRequest, DeletionState
from app.privacy.services import (
    PrivacyError,
    anonymization_summary,
    anonymize_event,
    anonymize_registration,
    confirm_deletion,
    consent_version_counts,
    decline_deletion,
    deletion_requests,
    event_is_over,
    latest_deletion_request,
    participant_data,
    record_data_download,
    request_deletion,
    retention_ends_at,
)
from app.registration.models import Registration
from app.registration.services import LinkExpired, LinkInvalid, registration_from_token
from app.views import commit_and_redirect

bp = Blueprint("privacy", __name__)
ORGANIZER = event_role(Role.ORGANIZER)


def _registration_or_error_page(token: str):
    try:
        return registration_from_token(token), None
    except LinkExpired:
        return None, (render_template("registration/link_invalid.html", expired=True), 410)
    except LinkInvalid:
        return None, (render_template("registration/link_invalid.html", expired=False), 404)


@bp.app_template_global()
def consent_version_of(registration: Registration) -> ConsentVersion | None:
    """The privacy notice version a registration consented to (None before versions)."""
    if registration.consent_version_id is None:
        return None
    return db.session.get(ConsentVersion, registration.consent_version_id)


@bp.app_template_global()
def privacy_request_of(registration: Registration) -> DeletionRequest | None:
    """The latest deletion request of a registration, for the self-service page."""
    return latest_deletion_request(registration)


# --- participant ------------------------------------------------------------------------------


@bp.route("/r/<token>/data.json")
@requires(PUBLIC)
def download_data(token: str):
    """Download everything held about the participant, as JSON."""
    registration, error = _registration_or_error_page(token)
    if error:
        return error
    data = participant_data(registration)
    record_data_download(registration)
    db.session.commit()
    response = make_response(json.dumps(data, ensure_ascii=False, indent=2))
    response.mimetype = "application/json"
    filename = f"huiwu-{data['event']['slug']}-{registration.reference}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/r/<token>/delete", methods=["GET", "POST"])
@requires(PUBLIC)
def request_data_deletion(token: str):
    """Explain what deletion does, and record the participant's request."""
    registration, error = _registration_or_error_page(token)
    if error:
        return error
    g.event = registration.event
    form = DeletionRequestForm()
    if form.validate_on_submit() and (
        done := commit_and_redirect(
            lambda: request_deletion(registration),
            success=_(
                "Your request has been sent to the organizers. Once they have deleted your "
                "data, this link will stop working."
            ),
            to=url_for("registration.manage", token=token),
            errors=PrivacyError,
        )
    ):
        return done
    status = 400 if request.method == "POST" else 200
    return render_template(
        "privacy/request_deletion.html",
        form=form,
        registration=registration,
        token=token,
        pending=latest_deletion_request(registration),
        event_over=event_is_over(registration.event),
    ), status


# --- organizer --------------------------------------------------------------------------------


@bp.route("/manage/<slug>/privacy")
@requires(ORGANIZER)
def index(slug: str):
    """Consent versions, deletion requests, retention and the log of privacy actions."""
    event = g.event
    return render_template(
        "privacy/index.html",
        versions=consent_versions(event),
        current=current_consent_version(event),
        version_counts=consent_version_counts(event),
        requests=deletion_requests(event),
        decision_form=DecisionForm(),
        decline_form=DeclineForm(),
        summary=anonymization_summary(event),
        retention_form=RetentionForm(formdata=None),
        event_over=event_is_over(event),
        log=audit_entries(event_id=event.id, limit=50),
        **LOG_LABELS,
        DeletionState=DeletionState,
    )


@bp.route("/manage/<slug>/privacy/consent/<int:number>")
@requires(ORGANIZER)
def consent_version(slug: str, number: int):
    """One version of the privacy notice, in every language."""
    version = db.session.scalar(
        db.select(ConsentVersion).where(
            ConsentVersion.event_id == g.event.id, ConsentVersion.number == number
        )
    )
    if version is None:
        abort(404)
    return render_template("privacy/consent_version.html", version=version)


def _deletion_or_404(request_id: int) -> DeletionRequest:
    deletion = db.session.get(DeletionRequest, request_id)
    if deletion is None or deletion.event_id != g.event.id:
        abort(404)
    return deletion


@bp.route("/manage/<slug>/privacy/requests/<int:request_id>/confirm", methods=["POST"])
@requires(ORGANIZER)
def confirm_request(slug: str, request_id: int):
    """Carry out a deletion request: the registration is cancelled and anonymized."""
    deletion = _deletion_or_404(request_id)
    if not DecisionForm().validate_on_submit():
        abort(400)
    target = url_for("privacy.index", slug=slug)
    return commit_and_redirect(
        lambda: confirm_deletion(deletion, current_user),
        success=_("The personal data has been deleted."),
        to=target,
        errors=PrivacyError,
    ) or redirect(target)


@bp.route("/manage/<slug>/privacy/requests/<int:request_id>/decline", methods=["POST"])
@requires(ORGANIZER)
def decline_request(slug: str, request_id: int):
    """Decline a deletion request with a reason the participant sees."""
    deletion = _deletion_or_404(request_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        flash(
            _("Please give the reason the participant will read (at most 500 characters)."), "error"
        )
        return redirect(url_for("privacy.index", slug=slug))
    target = url_for("privacy.index", slug=slug)
    return commit_and_redirect(
        lambda: decline_deletion(deletion, current_user, form.note.data),
        success=_("The request has been declined."),
        to=target,
        errors=PrivacyError,
    ) or redirect(target)


@bp.route("/manage/<slug>/privacy/anonymize", methods=["GET", "POST"])
@requires(ORGANIZER)
def anonymize(slug: str):
    """Preview (how many, from when) and then anonymize the event's registrations."""
    event = g.event
    if request.method == "POST":
        form = AnonymizeEventForm()
        days = form.days.data if form.days.data is not None else 0
        if not form.validate_on_submit():
            flash(_("Please enter a retention period between 0 and 36500 days."), "error")
            return redirect(url_for("privacy.index", slug=slug))
        if form.confirm_slug.data.strip() != event.slug:
            flash(
                _("The address you typed does not match this event; nothing was changed."), "error"
            )
            return redirect(url_for("privacy.anonymize", slug=slug, days=days))
        try:
            result = anonymize_event(event, older_than_days=days, actor=current_user)
            db.session.commit()
        except PrivacyError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            return redirect(url_for("privacy.index", slug=slug))
        flash(
            ngettext(
                "%(num)d registration anonymized.",
                "%(num)d registrations anonymized.",
                result.anonymized,
            ),
            "success",
        )
        return redirect(url_for("privacy.index", slug=slug))

    raw_days = request.args.get("days", "0").strip()
    if not re.fullmatch(r"[0-9]{1,5}", raw_days) or int(raw_days) > 36500:
        flash(_("Please enter a retention period between 0 and 36500 days."), "error")
        return redirect(url_for("privacy.index", slug=slug))
    days = int(raw_days)
    preview = refusal = None
    try:
        preview = anonymize_event(event, older_than_days=days, dry_run=True)
    except PrivacyError as exc:
        refusal = str(exc.message)
    form = AnonymizeEventForm(formdata=None, days=days)
    return render_template(
        "privacy/anonymize.html",
        days=days,
        preview=preview,
        refusal=refusal,
        allowed_from=retention_ends_at(event, days),
        now=utcnow(),
        form=form,
    )


@bp.route("/manage/<slug>/privacy/registrations/<int:registration_id>/anonymize", methods=["POST"])
@requires(ORGANIZER)
def anonymize_one(slug: str, registration_id: int):
    """Delete one registration's personal data on the organizer's decision (a request made
    by email or phone, say)."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != g.event.id:
        abort(404)
    back = url_for("registration.show_registration", slug=slug, registration_id=registration_id)
    if not AnonymizeRegistrationForm().validate_on_submit():
        flash(_("Please tick the box to confirm."), "error")
        return redirect(back)
    if anonymize_registration(registration, current_user, reason="organizer"):
        db.session.commit()
        flash(_("The personal data has been deleted."), "success")
    else:
        db.session.rollback()
        flash(_("The personal data of this registration has already been deleted."), "info")
    return redirect(back)
