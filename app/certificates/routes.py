"""Certificates: the public verification page and the organizer's certificate desk."""

from __future__ import annotations

from io import BytesIO

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import Role
from app.accounts.permissions import PUBLIC, event_role, requires
from app.audit.services import record_audit
from app.certificates.forms import (
    AwardForm,
    ConfirmForm,
    LookupForm,
    ParticipationForm,
    RevokeForm,
    SettingsForm,
    parse_registration_references,
)
from app.certificates.models import Certificate, CertificateKind
from app.certificates.services import (
    IMAGE_KINDS,
    CertificateError,
    CertificateFilter,
    certificate_filename,
    discard_upload,
    find_certificate_by_token,
    get_settings,
    issue_certificate,
    list_certificates,
    lookup_certificate,
    recent_batches,
    remove_certificate_image,
    render_certificate_pdf,
    revoke_certificate,
    save_certificate_image,
    select_participation_recipients,
    send_certificate_mail,
    start_participation_batch,
    update_settings,
)
from app.events.models import Event
from app.extensions import db
from app.registration.models import Registration
from app.registration.queries import categories_of_event
from app.views import commit_and_redirect

bp = Blueprint("certificates", __name__)
ORGANIZER = event_role(Role.ORGANIZER)


# --- public ----------------------------------------------------------------------------------


def _verification_page(certificate: Certificate | None, form: LookupForm | None = None):
    if certificate is None:
        return render_template("certificates/verify.html", certificate=None, form=form), 404
    event = db.session.get(Event, certificate.event_id)
    return render_template("certificates/verify.html", certificate=certificate, cert_event=event)


@bp.route("/c/<token>")
@requires(PUBLIC)
def verify(token: str):
    """Public page saying whether the certificate with this token is genuine or revoked."""
    return _verification_page(find_certificate_by_token(token), LookupForm())


@bp.route("/c/", methods=["GET", "POST"])
@requires(PUBLIC)
def lookup():
    """Look a certificate up by its number and the holder's name (POST keeps names out of logs)."""
    form = LookupForm()
    if request.method == "GET":
        return render_template("certificates/lookup.html", form=form)
    if not form.validate_on_submit():
        return render_template("certificates/lookup.html", form=form), 400
    certificate = lookup_certificate(form.number.data, form.name.data)
    if certificate is None:
        return render_template("certificates/lookup.html", form=form, not_found=True), 404
    return _verification_page(certificate)


# --- organizer -------------------------------------------------------------------------------


def _certificate_or_404(certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.event_id != g.event.id:
        abort(404)
    return certificate


def _participation_form() -> ParticipationForm:
    form = ParticipationForm()
    form.categories.choices = [
        (c.id, c.name_in(get_locale())) for c in categories_of_event(g.event)
    ]
    return form


def _desk(participation_form=None, award_form=None, status: int = 200):
    event = g.event
    filters = CertificateFilter.from_args(request.args)
    participation_form = participation_form or _participation_form()
    batches = recent_batches(event)
    return (
        render_template(
            "certificates/index.html",
            certificates=list_certificates(event, filters),
            filters=filters,
            filter_args=filters.as_args(),
            kinds=list(CertificateKind),
            participation_form=participation_form,
            award_form=award_form or AwardForm.for_languages(event.languages)(),
            revoke_form=RevokeForm(),
            confirm_form=ConfirmForm(),
            batches=batches,
            batch_running=any(b.state in ("queued", "running") for b in batches),
            settings=get_settings(event),
        ),
        status,
    )


@bp.route("/manage/<slug>/certificates")
@requires(ORGANIZER)
def index(slug: str):
    """The event's certificates with filters, issue forms and batch progress."""
    return _desk()


@bp.route("/manage/<slug>/certificates/participation", methods=["POST"])
@requires(ORGANIZER)
def issue_participation(slug: str):
    """Issue participation certificates to a selection in a background job."""
    form = _participation_form()
    if not form.validate_on_submit():
        return _desk(participation_form=form, status=400)
    ids, _bad = parse_registration_references(form.references.data or "")
    selected = select_participation_recipients(
        g.event,
        category_ids=form.categories.data or [],
        registration_ids=ids,
        checked_in_only=form.checked_in_only.data,
    )
    return commit_and_redirect(
        lambda: start_participation_batch(
            g.event, selected, current_user, send_mail=form.send_mail.data
        ),
        success=lambda batch: ngettext(
            "Issuing certificates to %(num)d registration.",
            "Issuing certificates to %(num)d registrations.",
            batch.total,
        ),
        to=url_for("certificates.index", slug=slug),
        errors=CertificateError,
    ) or _desk(participation_form=form, status=400)


@bp.route("/manage/<slug>/certificates/award", methods=["POST"])
@requires(ORGANIZER)
def issue_award(slug: str):
    """Issue an award certificate to one registration."""
    form = AwardForm.for_languages(g.event.languages)()
    if not form.validate_on_submit():
        return _desk(award_form=form, status=400)
    registration = db.session.get(Registration, form.registration_id)
    if registration is None or registration.event_id != g.event.id:
        form.reference.errors.append(_("No registration of this event has this reference."))
        return _desk(award_form=form, status=400)
    try:
        result = issue_certificate(
            registration,
            CertificateKind.AWARD,
            award_name=form.award_name(),
            team_name=form.team_name.data,
            entry_title=form.entry_title.data,
            actor=current_user,
            send_mail=form.send_mail.data,
        )
    except CertificateError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _desk(award_form=form, status=400)
    db.session.commit()
    if result.created:
        flash(_("Certificate %(number)s issued.", number=result.certificate.number), "success")
    else:
        flash(
            _(
                "This award was already issued as certificate %(number)s.",
                number=result.certificate.number,
            ),
            "info",
        )
    return redirect(url_for("certificates.index", slug=slug))


@bp.route("/manage/<slug>/certificates/<int:certificate_id>/revoke", methods=["POST"])
@requires(ORGANIZER)
def revoke(slug: str, certificate_id: int):
    """Revoke a certificate with a reason."""
    certificate = _certificate_or_404(certificate_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(_("Please give a reason (at most 500 characters)."), "error")
        return redirect(url_for("certificates.index", slug=slug)), 303
    target = url_for("certificates.index", slug=slug)
    return commit_and_redirect(
        lambda: revoke_certificate(certificate, form.reason.data, current_user),
        success=lambda _revoked: _("Certificate %(number)s revoked.", number=certificate.number),
        to=target,
        errors=CertificateError,
    ) or (redirect(target), 303)


@bp.route("/manage/<slug>/certificates/<int:certificate_id>/send", methods=["POST"])
@requires(ORGANIZER)
def send(slug: str, certificate_id: int):
    """Queue the certificate mail (again) to its holder."""
    certificate = _certificate_or_404(certificate_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    target = url_for("certificates.index", slug=slug)
    return commit_and_redirect(
        lambda: send_certificate_mail(certificate, resend=True),
        success=lambda _sent: _(
            "Certificate %(number)s queued for sending.", number=certificate.number
        ),
        to=target,
        errors=CertificateError,
    ) or redirect(target)


@bp.route("/manage/<slug>/certificates/<int:certificate_id>.pdf")
@requires(ORGANIZER)
def download(slug: str, certificate_id: int):
    """Download a certificate's PDF (recorded in the audit log)."""
    certificate = _certificate_or_404(certificate_id)
    record_audit(
        "certificates.download",
        event=g.event,
        target=f"certificate:{certificate.id}",
        details={"number": certificate.number},
    )
    db.session.commit()
    response = send_file(
        BytesIO(render_certificate_pdf(certificate)),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=certificate_filename(certificate),
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/manage/<slug>/certificates/settings", methods=["GET", "POST"])
@requires(ORGANIZER)
def settings(slug: str):
    """Edit the number prefix, issuer names, logo, seal and signature."""
    event = g.event
    current = get_settings(event)
    form = SettingsForm.for_languages(event.languages)()
    if request.method == "GET":
        form.number_prefix.data = current.number_prefix
        for language, issuer_field in form.issuer_fields():
            issuer_field.data = current.issuer.get(language, "")
        return _settings_page(form, current)
    if form.validate_on_submit():
        replaced: list[str | None] = []
        written: list[str | None] = []
        try:
            update_settings(event, form.number_prefix.data, form.issuer())
            for image_kind in IMAGE_KINDS:
                upload = getattr(form, image_kind).data
                if upload and getattr(upload, "filename", ""):
                    try:
                        replaced.append(save_certificate_image(event, image_kind, upload.read()))
                        written.append(getattr(get_settings(event), f"{image_kind}_file"))
                    except CertificateError as exc:
                        exc.field_name = image_kind
                        raise
                elif getattr(form, f"remove_{image_kind}").data:
                    replaced.append(remove_certificate_image(event, image_kind))
        except CertificateError as exc:
            db.session.rollback()
            for name in written:
                discard_upload(event.id, name)
            field = getattr(form, exc.field_name or "", None)
            if field is not None:
                field.errors = [*field.errors, str(exc.message)]
            else:
                flash(str(exc.message), "error")
        else:
            db.session.commit()
            for name in replaced:
                discard_upload(event.id, name)
            flash(_("The certificate settings have been saved."), "success")
            return redirect(url_for("certificates.settings", slug=slug))
    return _settings_page(form, current), 400


def _settings_page(form: SettingsForm, current):
    return render_template(
        "certificates/settings.html",
        form=form,
        settings=current,
        missing=current.issuer.missing(g.event.languages) if current.issuer else [],
    )
