"""Media coverage pages for organizers: dashboard with summary, coverage log, outlets with
their accredited journalists, import with preview, XLSX and PDF exports. Organizer-only."""

from __future__ import annotations

from datetime import date
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
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from app.accounts.models import Role
from app.accounts.permissions import event_role, requires
from app.ceremonies.services import list_ceremonies
from app.clock import utcnow
from app.extensions import db
from app.media import export
from app.media.forms import (
    LEVEL_CHOICES,
    TYPE_CHOICES,
    CoverageForm,
    ImportForm,
    LinkJournalistForm,
    OutletForm,
)
from app.media.importing import (
    MAX_IMPORT_BYTES,
    ImportFileError,
    confirm_import,
    discard_import,
    preview_import,
    stage_import,
)
from app.media.models import OutletLevel, OutletType
from app.media.services import (
    CoverageFilter,
    MediaError,
    add_coverage,
    count_coverage,
    coverage_summary,
    create_outlet,
    dashboard,
    delete_coverage,
    delete_outlet,
    get_coverage,
    get_outlet,
    link_journalist,
    list_coverage,
    list_outlets,
    media_registrations,
    suggest_outlet,
    unlink_journalist,
    update_coverage,
    update_outlet,
)
from app.templating import translate
from app.views import commit_and_redirect

bp = Blueprint("media", __name__, url_prefix="/manage/<slug>/media")
ORGANIZER = event_role(Role.ORGANIZER)
LIST_LIMIT = 500


def _locale() -> str:
    return str(get_locale() or "zh_CN")


def _parse_day(name: str) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400, _("Dates are written like 2020-11-23."))


def _filters() -> CoverageFilter:
    outlet_id = request.args.get("outlet", "")
    return CoverageFilter(
        date_from=_parse_day("from"),
        date_to=_parse_day("to"),
        outlet_id=int(outlet_id) if outlet_id.isdigit() else None,
    )


def _filter_args(filters: CoverageFilter) -> dict:
    args = {}
    if filters.date_from:
        args["from"] = filters.date_from.isoformat()
    if filters.date_to:
        args["to"] = filters.date_to.isoformat()
    return args


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A file over the request limit: the import page with a clear message (413)."""
    message = _(
        "The file is too large (at most %(n)d MB). Split it or remove pictures.",
        n=MAX_IMPORT_BYTES // 2**20,
    )
    return render_template("media/import.html", form=ImportForm(formdata=None), error=message), 413


@bp.route("/")
@requires(ORGANIZER)
def index(slug: str):
    """Dashboard: totals, by level and type, per day, top outlets, the summary paragraph."""
    filters = _filters()
    numbers = dashboard(g.event, filters)
    levels, types = export.level_labels(), export.type_labels()
    chart_data = {
        "levels": {
            "labels": [levels[v] for v, _n, _o in numbers.by_level],
            "values": [n for _v, n, _o in numbers.by_level],
        },
        "types": {
            "labels": [types[v] for v, _n, _o in numbers.by_type],
            "values": [n for _v, n, _o in numbers.by_type],
        },
        "days": {
            "labels": [d.isoformat() for d, _n, _p in numbers.per_day],
            "values": [n for _d, n, _p in numbers.per_day],
        },
        "label": _("Reports"),
    }
    return render_template(
        "media/dashboard.html",
        numbers=numbers,
        levels=levels,
        types=types,
        summary=coverage_summary(g.event, filters),
        filters=filters,
        filter_args=_filter_args(filters),
        chart_data=chart_data,
    )


@bp.route("/coverage")
@requires(ORGANIZER)
def coverage(slug: str):
    """The coverage log, newest first, filtered by date range and outlet."""
    filters = _filters()
    return render_template(
        "media/coverage.html",
        items=list_coverage(g.event, filters, limit=LIST_LIMIT),
        total=count_coverage(g.event, filters),
        limit=LIST_LIMIT,
        filters=filters,
        filter_args=_filter_args(filters),
        outlets=list_outlets(g.event),
        levels=export.level_labels(),
        kinds=export.kind_labels(),
    )


def _coverage_form(obj=None) -> CoverageForm:
    form = CoverageForm()
    locale = _locale()
    form.outlet_id.choices = [(o.id, translate(o.name)) for o in list_outlets(g.event)]
    form.ceremony_id.choices = [(0, "—")] + [
        (c.id, c.title.text(locale, g.event.languages)) for c in list_ceremonies(g.event)
    ]
    if obj is not None and request.method == "GET":
        form.fill_from(obj)
    return form


def _save_coverage(form: CoverageForm, item=None):
    try:
        if item is None:
            add_coverage(g.event, form.to_data(), current_user)
        else:
            update_coverage(item, form.to_data())
        db.session.commit()
    except MediaError as exc:
        db.session.rollback()
        target = form._fields.get(exc.field_name or "")
        if target is not None:
            target.errors = [*target.errors, str(exc.message)]
        else:
            flash(str(exc.message), "error")
        return None
    flash(_("The coverage item has been saved."), "success")
    return redirect(url_for("media.coverage", slug=g.event.slug))


@bp.route("/coverage/new", methods=["GET", "POST"])
@requires(ORGANIZER)
def new_coverage(slug: str):
    """Log one coverage item."""
    form = _coverage_form()
    if request.method == "GET" and request.args.get("outlet", type=int) is not None:
        form.outlet_id.data = request.args.get("outlet", type=int)
    if form.validate_on_submit():
        response = _save_coverage(form)
        if response is not None:
            return response
    status = 400 if request.method == "POST" else 200
    return render_template("media/coverage_form.html", form=form, item=None), status


@bp.route("/coverage/<int:item_id>/edit", methods=["GET", "POST"])
@requires(ORGANIZER)
def edit_coverage(slug: str, item_id: int):
    """Edit a coverage item."""
    item = get_coverage(g.event, item_id)
    if item is None:
        abort(404)
    form = _coverage_form(item)
    if request.method == "POST" and form.validate_on_submit():
        response = _save_coverage(form, item)
        if response is not None:
            return response
    status = 400 if request.method == "POST" else 200
    return render_template("media/coverage_form.html", form=form, item=item), status


@bp.route("/coverage/<int:item_id>/delete", methods=["POST"])
@requires(ORGANIZER)
def remove_coverage(slug: str, item_id: int):
    """Delete a coverage item."""
    item = get_coverage(g.event, item_id)
    if item is None:
        abort(404)
    delete_coverage(item)
    db.session.commit()
    flash(_("The coverage item has been deleted."), "success")
    return redirect(url_for("media.coverage", slug=slug))


# --- outlets ----------------------------------------------------------------------------


@bp.route("/outlets/")
@requires(ORGANIZER)
def outlets(slug: str):
    """Outlets with their level, type, number of reports and accredited journalists."""
    numbers = {
        o.id: (n, p) for o, n, p in dashboard(g.event, CoverageFilter(), top=10000).top_outlets
    }
    return render_template(
        "media/outlets.html",
        outlets=list_outlets(g.event),
        numbers=numbers,
        levels=export.level_labels(),
        types=export.type_labels(),
    )


@bp.route("/outlets/new", methods=["GET", "POST"])
@requires(ORGANIZER)
def new_outlet(slug: str):
    """Add an outlet."""
    form = OutletForm.for_languages(g.event.languages)()
    if form.validate_on_submit() and (
        done := commit_and_redirect(
            lambda: create_outlet(g.event, form.to_data()),
            success=_("The outlet has been added."),
            to=lambda outlet: url_for("media.outlet", slug=slug, outlet_id=outlet.id),
            errors=MediaError,
        )
    ):
        return done
    status = 400 if request.method == "POST" else 200
    return render_template("media/outlet_form.html", form=form, outlet=None), status


def _outlet(outlet_id: int):
    outlet = get_outlet(g.event, outlet_id)
    if outlet is None:
        abort(404)
    return outlet


def _link_form() -> LinkJournalistForm:
    form = LinkJournalistForm()
    form.registration_id.choices = [
        (r.id, f"{r.native_name} · {r.organization or '—'}") for r in media_registrations(g.event)
    ]
    return form


@bp.route("/outlets/<int:outlet_id>/", methods=["GET", "POST"])
@requires(ORGANIZER)
def outlet(slug: str, outlet_id: int):
    """An outlet: edit it, see its coverage and accredited journalists, link a journalist."""
    outlet = _outlet(outlet_id)
    form = OutletForm.for_languages(g.event.languages)()
    if request.method == "GET":
        form.fill_from(outlet)
    elif form.validate_on_submit() and (
        done := commit_and_redirect(
            lambda: update_outlet(outlet, form.to_data()),
            success=_("The outlet has been saved."),
            to=url_for("media.outlet", slug=slug, outlet_id=outlet.id),
            errors=MediaError,
        )
    ):
        return done
    candidates = media_registrations(g.event)
    suggestions = [r for r in candidates if suggest_outlet(g.event, r) is outlet]
    status = 400 if request.method == "POST" else 200
    return render_template(
        "media/outlet_form.html",
        form=form,
        outlet=outlet,
        link_form=_link_form(),
        suggestions=suggestions,
        items=list_coverage(g.event, CoverageFilter(outlet_id=outlet.id), limit=LIST_LIMIT),
        kinds=export.kind_labels(),
    ), status


@bp.route("/outlets/<int:outlet_id>/delete", methods=["POST"])
@requires(ORGANIZER)
def remove_outlet(slug: str, outlet_id: int):
    """Delete an outlet that has no coverage."""
    outlet = _outlet(outlet_id)
    return commit_and_redirect(
        lambda: delete_outlet(outlet),
        success=_("The outlet has been deleted."),
        to=url_for("media.outlets", slug=slug),
        errors=MediaError,
    ) or redirect(url_for("media.outlet", slug=slug, outlet_id=outlet_id))


@bp.route("/outlets/<int:outlet_id>/journalists", methods=["POST"])
@requires(ORGANIZER)
def link_journalist_view(slug: str, outlet_id: int):
    """Link a journalist (media-category registration) to the outlet."""
    outlet = _outlet(outlet_id)
    registration_id = request.form.get("registration_id", type=int)
    if registration_id is None or registration_id < 1:
        abort(400, _("Choose a journalist registered in the media category."))
    target = url_for("media.outlet", slug=slug, outlet_id=outlet_id, _anchor="journalists")
    return commit_and_redirect(
        lambda: link_journalist(outlet, registration_id, current_user),
        success=_("The journalist has been linked to the outlet."),
        to=target,
        errors=MediaError,
    ) or redirect(target)


@bp.route("/outlets/<int:outlet_id>/journalists/<int:accreditation_id>/delete", methods=["POST"])
@requires(ORGANIZER)
def unlink_journalist_view(slug: str, outlet_id: int, accreditation_id: int):
    """Remove a journalist's link to the outlet."""
    outlet = _outlet(outlet_id)
    target = url_for("media.outlet", slug=slug, outlet_id=outlet_id, _anchor="journalists")
    return commit_and_redirect(
        lambda: unlink_journalist(outlet, accreditation_id),
        success=_("The journalist is no longer linked to the outlet."),
        to=target,
        errors=MediaError,
    ) or redirect(target)


# --- import -------------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@requires(ORGANIZER)
def import_upload(slug: str):
    """Upload a CSV/XLSX file; it is kept for a preview, nothing is added yet."""
    form = ImportForm()
    error = None
    if request.method == "POST":
        if form.validate_on_submit():
            upload = form.file.data
            data = upload.stream.read(MAX_IMPORT_BYTES + 1)
            try:
                token = stage_import(g.event, data, upload.filename or "", current_user)
            except ImportFileError as exc:
                error = str(exc.message)
            else:
                return redirect(url_for("media.import_preview", slug=slug, token=token))
        else:
            error = " ".join(str(e) for e in form.file.errors) or _("Choose a file to import.")
    status = 400 if error else 200
    return render_template("media/import.html", form=form, error=error), status


@bp.route("/import/<token>", methods=["GET"])
@requires(ORGANIZER)
def import_preview(slug: str, token: str):
    """The preview: rows to add, duplicates, unknown outlets (to create) and bad rows."""
    try:
        preview = preview_import(g.event, token)
    except MediaError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for("media.import_upload", slug=slug))
    return render_template(
        "media/import_preview.html",
        preview=preview,
        token=token,
        level_choices=LEVEL_CHOICES,
        type_choices=TYPE_CHOICES,
        kinds=export.kind_labels(),
    )


@bp.route("/import/<token>", methods=["POST"])
@requires(ORGANIZER)
def import_confirm(slug: str, token: str):
    """Write the previewed rows (and the outlets chosen for creation) in one transaction."""
    if request.form.get("action") == "cancel":
        discard_import(token)
        flash(_("The import has been cancelled; nothing was added."), "info")
        return redirect(url_for("media.coverage", slug=slug))
    new_outlets = {}
    for key, name in request.form.items():
        if not key.startswith("create-") or not name.strip():
            continue
        suffix = key.removeprefix("create-")
        level = request.form.get(f"level-{suffix}", "")
        outlet_type = request.form.get(f"type-{suffix}", "")
        if level not in {v.value for v in OutletLevel} or outlet_type not in {
            v.value for v in OutletType
        }:
            abort(400, _("Choose a level and a type for each outlet to create."))
        new_outlets[name.strip()] = (OutletLevel(level), OutletType(outlet_type))
    try:
        result = confirm_import(g.event, token, new_outlets, current_user)
        db.session.commit()
    except MediaError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("media.import_upload", slug=slug))
    discard_import(token)
    flash(
        _(
            "Imported %(added)d coverage items (%(outlets)d new outlets); skipped "
            "%(duplicates)d duplicates, %(errors)d bad rows and %(unknown)d rows of unknown "
            "outlets.",
            added=result.added,
            outlets=result.outlets_created,
            duplicates=result.duplicates,
            errors=result.errors,
            unknown=result.skipped_unknown,
        ),
        "success",
    )
    return redirect(url_for("media.coverage", slug=slug))


# --- exports ------------------------------------------------------------------------------


@bp.route("/export.xlsx")
@requires(ORGANIZER)
def export_xlsx(slug: str):
    """The coverage log as XLSX (current filter)."""
    data = export.coverage_xlsx(g.event, _filters())
    return send_file(
        BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"coverage-{g.event.slug}.xlsx",
        max_age=0,
    )


@bp.route("/report.pdf")
@requires(ORGANIZER)
def report_pdf(slug: str):
    """The PDF coverage report with charts and the summary (current filter)."""
    today = g.event.local(utcnow()).date()
    data = export.coverage_report_pdf(g.event, _filters(), today)
    return send_file(
        BytesIO(data),
        mimetype="application/pdf",
        as_attachment=request.args.get("download") == "1",
        download_name=f"coverage-{g.event.slug}.pdf",
        max_age=0,
    )
