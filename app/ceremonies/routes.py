"""Ceremony pages for organizers: agenda, signing items, reordering, status, documents and the
printable outputs. Every view is organizer-only (protocol details are not for other staff)."""

from __future__ import annotations

from io import BytesIO

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import Role
from app.accounts.permissions import event_role, requires
from app.ceremonies import documents
from app.ceremonies.forms import (
    CeremonyForm,
    DocumentForm,
    SegmentForm,
    SigningItemForm,
    StatusForm,
)
from app.ceremonies.models import SigningDocument, SigningStatus
from app.ceremonies.services import (
    CeremonyError,
    add_segment,
    add_signing_document,
    add_signing_item,
    agenda_minutes,
    agenda_timeline,
    allowed_statuses,
    change_signing_status,
    create_ceremony,
    delete_ceremony,
    delete_segment,
    delete_signing_document,
    delete_signing_item,
    document_path,
    get_ceremony,
    get_segment,
    get_signing_item,
    list_ceremonies,
    move_segment,
    move_signing_item,
    parse_id_list,
    pre_print_checks,
    reorder_segments,
    reorder_signing_items,
    signing_rounds,
    stage_list,
    update_ceremony,
    update_segment,
    update_signing_item,
)
from app.extensions import db
from app.views import commit_and_redirect

bp = Blueprint("ceremonies", __name__, url_prefix="/manage/<slug>/ceremonies")
ORGANIZER = event_role(Role.ORGANIZER)


def _ceremony(ceremony_id: int):
    ceremony = get_ceremony(g.event, ceremony_id)
    if ceremony is None:
        abort(404)
    return ceremony


def _item(ceremony, item_id: int):
    item = get_signing_item(ceremony, item_id)
    if item is None:
        abort(404)
    return item


def _segment(ceremony, segment_id: int):
    segment = get_segment(ceremony, segment_id)
    if segment is None:
        abort(404)
    return segment


def _show_url(ceremony, anchor: str | None = None) -> str:
    return url_for("ceremonies.show", slug=g.event.slug, ceremony_id=ceremony.id, _anchor=anchor)


def _offset() -> int:
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400, _("Choose to move up or down."))
    return -1 if direction == "up" else 1


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _pdf(data: bytes, filename: str):
    return send_file(
        BytesIO(data),
        mimetype="application/pdf",
        as_attachment=request.args.get("download") == "1",
        download_name=filename,
        max_age=0,
    )


@bp.route("/")
@requires(ORGANIZER)
def index(slug: str):
    """List the event's ceremonies."""
    return render_template("ceremonies/index.html", ceremonies=list_ceremonies(g.event))


@bp.route("/new", methods=["GET", "POST"])
@requires(ORGANIZER)
def new(slug: str):
    """Create a ceremony."""
    form = CeremonyForm.for_languages(g.event.languages)()
    if form.validate_on_submit() and (
        done := commit_and_redirect(
            lambda: create_ceremony(g.event, form.to_data()),
            success=_("The ceremony has been created."),
            to=_show_url,
            errors=CeremonyError,
        )
    ):
        return done
    status = 400 if request.method == "POST" else 200
    return render_template("ceremonies/ceremony_form.html", form=form, ceremony=None), status


@bp.route("/<int:ceremony_id>/")
@requires(ORGANIZER)
def show(slug: str, ceremony_id: int):
    """The ceremony: agenda with computed times, signing items, checks and outputs."""
    ceremony = _ceremony(ceremony_id)
    rounds = {item.id: r for r in signing_rounds(ceremony) for item in r.items}
    return render_template(
        "ceremonies/show.html",
        ceremony=ceremony,
        timeline=agenda_timeline(ceremony),
        total_minutes=agenda_minutes(ceremony),
        rounds=rounds,
        checks=pre_print_checks(ceremony),
        kinds=documents.kind_labels(),
        statuses=documents.status_labels(),
        agenda_languages=documents.agenda_languages(ceremony, None, str(get_locale())),
    )


@bp.route("/<int:ceremony_id>/edit", methods=["GET", "POST"])
@requires(ORGANIZER)
def edit(slug: str, ceremony_id: int):
    """Edit a ceremony's details."""
    ceremony = _ceremony(ceremony_id)
    form = CeremonyForm.for_languages(g.event.languages)()
    form.keep_host_language(ceremony)
    if request.method == "GET":
        form.fill_from(ceremony)
    elif form.validate_on_submit() and (
        done := commit_and_redirect(
            lambda: update_ceremony(ceremony, form.to_data()),
            success=_("The ceremony has been saved."),
            to=_show_url(ceremony),
            errors=CeremonyError,
        )
    ):
        return done
    status = 400 if request.method == "POST" else 200
    return render_template("ceremonies/ceremony_form.html", form=form, ceremony=ceremony), status


@bp.route("/<int:ceremony_id>/delete", methods=["POST"])
@requires(ORGANIZER)
def delete(slug: str, ceremony_id: int):
    """Delete a ceremony with everything in it."""
    delete_ceremony(_ceremony(ceremony_id))
    db.session.commit()
    flash(_("The ceremony has been deleted."), "success")
    return redirect(url_for("ceremonies.index", slug=slug))


# --- agenda ---------------------------------------------------------------------------------


@bp.route("/<int:ceremony_id>/segments/new", methods=["GET", "POST"])
@requires(ORGANIZER)
def new_segment(slug: str, ceremony_id: int):
    """Append a segment to the agenda."""
    ceremony = _ceremony(ceremony_id)
    form = SegmentForm.for_languages(g.event.languages)()
    if form.validate_on_submit() and (
        done := commit_and_redirect(
            lambda: add_segment(ceremony, form.to_data()),
            success=_("The segment has been added."),
            to=_show_url(ceremony, "agenda"),
            errors=CeremonyError,
        )
    ):
        return done
    status = 400 if request.method == "POST" else 200
    return render_template(
        "ceremonies/segment_form.html", form=form, ceremony=ceremony, segment=None
    ), status


@bp.route("/<int:ceremony_id>/segments/<int:segment_id>/edit", methods=["GET", "POST"])
@requires(ORGANIZER)
def edit_segment(slug: str, ceremony_id: int, segment_id: int):
    """Edit an agenda segment."""
    ceremony = _ceremony(ceremony_id)
    segment = _segment(ceremony, segment_id)
    form = SegmentForm.for_languages(g.event.languages)()
    if request.method == "GET":
        form.fill_from(segment)
    elif form.validate_on_submit() and (
        done := commit_and_redirect(
            lambda: update_segment(segment, form.to_data()),
            success=_("The segment has been saved."),
            to=_show_url(ceremony, "agenda"),
            errors=CeremonyError,
        )
    ):
        return done
    status = 400 if request.method == "POST" else 200
    return render_template(
        "ceremonies/segment_form.html", form=form, ceremony=ceremony, segment=segment
    ), status


@bp.route("/<int:ceremony_id>/segments/<int:segment_id>/delete", methods=["POST"])
@requires(ORGANIZER)
def remove_segment(slug: str, ceremony_id: int, segment_id: int):
    """Remove an agenda segment."""
    ceremony = _ceremony(ceremony_id)
    delete_segment(_segment(ceremony, segment_id))
    db.session.commit()
    flash(_("The segment has been removed."), "success")
    return redirect(_show_url(ceremony, "agenda"))


@bp.route("/<int:ceremony_id>/segments/<int:segment_id>/move", methods=["POST"])
@requires(ORGANIZER)
def move_segment_view(slug: str, ceremony_id: int, segment_id: int):
    """Move a segment one place up or down (the keyboard alternative to dragging)."""
    ceremony = _ceremony(ceremony_id)
    segment = _segment(ceremony, segment_id)
    move_segment(segment, _offset())
    db.session.commit()
    return redirect(_show_url(ceremony, f"segment-{segment.id}"))


@bp.route("/<int:ceremony_id>/segments/reorder", methods=["POST"])
@requires(ORGANIZER)
def reorder_segments_view(slug: str, ceremony_id: int):
    """Save the agenda order after a drag and drop (form field `order`: ids, comma-separated)."""
    ceremony = _ceremony(ceremony_id)
    return _reorder(ceremony, reorder_segments, "agenda")


@bp.route("/<int:ceremony_id>/items/reorder", methods=["POST"])
@requires(ORGANIZER)
def reorder_items_view(slug: str, ceremony_id: int):
    """Save the signing order after a drag and drop (form field `order`: ids, comma-separated)."""
    ceremony = _ceremony(ceremony_id)
    return _reorder(ceremony, reorder_signing_items, "items")


def _reorder(ceremony, reorder, anchor: str):
    try:
        reorder(ceremony, parse_id_list(request.form.get("order", "")))
        db.session.commit()
    except CeremonyError as exc:
        db.session.rollback()
        if _wants_json():
            return jsonify(error="reorder", message=str(exc.message)), 400
        abort(400, str(exc.message))
    if _wants_json():
        return jsonify(ok=True)
    flash(_("The new order has been saved."), "success")
    return redirect(_show_url(ceremony, anchor))


# --- signing items ------------------------------------------------------------------------


@bp.route("/<int:ceremony_id>/items/new", methods=["GET", "POST"])
@requires(ORGANIZER)
def new_item(slug: str, ceremony_id: int):
    """Add a signing item (two or more parties)."""
    ceremony = _ceremony(ceremony_id)
    form = SigningItemForm.for_languages(g.event.languages)()
    error = None
    if form.validate_on_submit():
        try:
            item = add_signing_item(ceremony, form.to_data(), current_user)
            db.session.commit()
        except CeremonyError as exc:
            db.session.rollback()
            error = str(exc.message)
        else:
            flash(_("The signing item has been added."), "success")
            return redirect(
                url_for("ceremonies.item", slug=slug, ceremony_id=ceremony.id, item_id=item.id)
            )
    status = 400 if request.method == "POST" else 200
    return render_template(
        "ceremonies/item_form.html", form=form, ceremony=ceremony, item=None, error=error
    ), status


@bp.route("/<int:ceremony_id>/items/<int:item_id>/")
@requires(ORGANIZER)
def item(slug: str, ceremony_id: int, item_id: int):
    """A signing item: parties, witnesses, documents, status and its history."""
    ceremony = _ceremony(ceremony_id)
    signing_item = _item(ceremony, item_id)
    status_form = StatusForm()
    allowed = {s.value for s in allowed_statuses(signing_item)}
    status_form.status.choices = [c for c in status_form.status.choices if c[0] in allowed]
    return render_template(
        "ceremonies/item.html",
        ceremony=ceremony,
        item=signing_item,
        order=ceremony.items.index(signing_item) + 1,
        status_form=status_form,
        document_form=DocumentForm(),
        statuses=documents.status_labels(),
    )


@bp.route("/<int:ceremony_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
@requires(ORGANIZER)
def edit_item(slug: str, ceremony_id: int, item_id: int):
    """Edit a signing item's titles, parties and witnesses."""
    ceremony = _ceremony(ceremony_id)
    signing_item = _item(ceremony, item_id)
    form = SigningItemForm.for_languages(g.event.languages)()
    error = None
    if request.method == "GET":
        form.fill_from(signing_item)
    elif form.validate_on_submit():
        try:
            update_signing_item(signing_item, form.to_data())
            db.session.commit()
        except CeremonyError as exc:
            db.session.rollback()
            error = str(exc.message)
        else:
            flash(_("The signing item has been saved."), "success")
            return redirect(
                url_for("ceremonies.item", slug=slug, ceremony_id=ceremony.id, item_id=item_id)
            )
    status = 400 if request.method == "POST" else 200
    return render_template(
        "ceremonies/item_form.html", form=form, ceremony=ceremony, item=signing_item, error=error
    ), status


@bp.route("/<int:ceremony_id>/items/<int:item_id>/delete", methods=["POST"])
@requires(ORGANIZER)
def remove_item(slug: str, ceremony_id: int, item_id: int):
    """Remove a signing item."""
    ceremony = _ceremony(ceremony_id)
    delete_signing_item(_item(ceremony, item_id))
    db.session.commit()
    flash(_("The signing item has been removed."), "success")
    return redirect(_show_url(ceremony, "items"))


@bp.route("/<int:ceremony_id>/items/<int:item_id>/move", methods=["POST"])
@requires(ORGANIZER)
def move_item_view(slug: str, ceremony_id: int, item_id: int):
    """Move a signing item one place up or down (the keyboard alternative to dragging)."""
    ceremony = _ceremony(ceremony_id)
    signing_item = _item(ceremony, item_id)
    move_signing_item(signing_item, _offset())
    db.session.commit()
    return redirect(_show_url(ceremony, f"item-{signing_item.id}"))


@bp.route("/<int:ceremony_id>/items/<int:item_id>/status", methods=["POST"])
@requires(ORGANIZER)
def change_status(slug: str, ceremony_id: int, item_id: int):
    """Move a signing item to another status (recorded with who and when)."""
    ceremony = _ceremony(ceremony_id)
    signing_item = _item(ceremony, item_id)
    raw = request.form.get("status", "")
    if raw not in {s.value for s in SigningStatus}:
        abort(400, _("Unknown status."))
    target = url_for("ceremonies.item", slug=slug, ceremony_id=ceremony.id, item_id=item_id)
    return commit_and_redirect(
        lambda: change_signing_status(signing_item, SigningStatus(raw), current_user),
        success=_("The status has been changed."),
        to=target,
        errors=CeremonyError,
    ) or redirect(target)


@bp.route("/<int:ceremony_id>/items/<int:item_id>/documents", methods=["POST"])
@requires(ORGANIZER)
def upload_document(slug: str, ceremony_id: int, item_id: int):
    """Upload a PDF document of a signing item."""
    ceremony = _ceremony(ceremony_id)
    signing_item = _item(ceremony, item_id)
    form = DocumentForm()
    target = url_for("ceremonies.item", slug=slug, ceremony_id=ceremony.id, item_id=item_id)
    if not form.validate_on_submit():
        flash(_("Choose a PDF file to upload."), "error")
        return redirect(target)
    upload = form.document.data
    return commit_and_redirect(
        lambda: add_signing_document(
            signing_item, upload.filename or "", upload.stream, current_user
        ),
        success=_("The document has been uploaded."),
        to=target,
        errors=CeremonyError,
    ) or redirect(target)


def _document(signing_item, document_id: int) -> SigningDocument:
    document = db.session.get(SigningDocument, document_id)
    if document is None or document.item_id != signing_item.id:
        abort(404)
    return document


@bp.route("/<int:ceremony_id>/items/<int:item_id>/documents/<int:document_id>")
@requires(ORGANIZER)
def download_document(slug: str, ceremony_id: int, item_id: int, document_id: int):
    """Download an uploaded document (always as an attachment)."""
    ceremony = _ceremony(ceremony_id)
    document = _document(_item(ceremony, item_id), document_id)
    path = document_path(document)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=document.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route(
    "/<int:ceremony_id>/items/<int:item_id>/documents/<int:document_id>/delete", methods=["POST"]
)
@requires(ORGANIZER)
def remove_document(slug: str, ceremony_id: int, item_id: int, document_id: int):
    """Delete an uploaded document."""
    ceremony = _ceremony(ceremony_id)
    delete_signing_document(_document(_item(ceremony, item_id), document_id))
    db.session.commit()
    flash(_("The document has been deleted."), "success")
    return redirect(url_for("ceremonies.item", slug=slug, ceremony_id=ceremony.id, item_id=item_id))


# --- outputs --------------------------------------------------------------------------------


@bp.route("/<int:ceremony_id>/agenda.pdf")
@requires(ORGANIZER)
def agenda_pdf(slug: str, ceremony_id: int):
    """The printable agenda, generated from the current data, in the content languages of
    `?languages=` ("ru" or "ru,zh": one, or two side by side); by default the reader's language
    and the event's next one."""
    ceremony = _ceremony(ceremony_id)
    # ?languages=ru,zh, or the page's chooser: ?first=ru&second=zh (second may be empty).
    asked = request.args.get("languages") or ",".join(
        code for code in (request.args.get("first"), request.args.get("second")) if code
    )
    languages = documents.agenda_languages(ceremony, asked, str(get_locale()))
    name = f"agenda-{ceremony.id}-{'-'.join(languages)}.pdf"
    return _pdf(documents.render_agenda_pdf(ceremony, languages), name)


@bp.route("/<int:ceremony_id>/host-script.pdf")
@requires(ORGANIZER)
def host_script_pdf(slug: str, ceremony_id: int):
    """The host script in the host's language, generated from the current data."""
    ceremony = _ceremony(ceremony_id)
    return _pdf(documents.render_host_script_pdf(ceremony), f"host-script-{ceremony.id}.pdf")


@bp.route("/<int:ceremony_id>/host-script")
@requires(ORGANIZER)
def host_script_preview(slug: str, ceremony_id: int):
    """The host script as HTML (exactly what the PDF lays out), for reading on screen."""
    ceremony = _ceremony(ceremony_id)
    response = documents.render_host_script_html(ceremony)
    return response, 200, {"Content-Type": "text/html; charset=utf-8"}


@bp.route("/<int:ceremony_id>/stage-list.pdf")
@requires(ORGANIZER)
def stage_list_pdf(slug: str, ceremony_id: int):
    """The stage list (who sits where, in which order), generated from the current data."""
    ceremony = _ceremony(ceremony_id)
    return _pdf(documents.render_stage_list_pdf(ceremony), f"stage-list-{ceremony.id}.pdf")


@bp.route("/<int:ceremony_id>/stage-list")
@requires(ORGANIZER)
def stage_list_page(slug: str, ceremony_id: int):
    """The stage list on screen."""
    ceremony = _ceremony(ceremony_id)
    return render_template(
        "ceremonies/stage_list.html",
        ceremony=ceremony,
        tables=stage_list(ceremony, str(get_locale())),
        checks=pre_print_checks(ceremony),
    )
