"""The organizer's registration desk: list, search, bulk actions, details, exports,
categories and custom questions. Views are registered on the registration blueprint."""

from __future__ import annotations

from io import BytesIO

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import Role
from app.accounts.permissions import event_role, requires
from app.audit.services import record_audit
from app.clock import local_to_utc, to_local, utcnow
from app.contributions import export_columns
from app.extensions import db
from app.registration.export import (
    export_headers,
    export_row,
    format_answer,
    language_label,
    write_csv,
    write_xlsx,
)
from app.registration.forms import country_name
from app.registration.models import (
    Attendance,
    AttendanceRule,
    Category,
    Question,
    QuestionKind,
    Registration,
    RegistrationState,
)
from app.registration.organizer_forms import (
    BulkActionForm,
    CategoryForm,
    ConfirmForm,
    QuestionForm,
    RegistrationActionForm,
)
from app.registration.organizer_services import (
    CategoryData,
    DeskAction,
    QuestionData,
    apply_action,
    apply_bulk_action,
    create_category,
    create_question,
    delete_question,
    update_category,
    update_question,
)
from app.registration.queries import (
    RegistrationFilter,
    categories_of_event,
    category_counts,
    mails_of_registration,
    parse_page,
    registration_history,
    registrations_for_export,
    search_registrations,
)
from app.registration.routes import bp
from app.registration.services import RegistrationError, waitlist_position
from app.registration.texts import category_texts, missing_languages, question_texts
from app.security.sensitive import mask_answer

ORGANIZER = event_role(Role.ORGANIZER)
_LIST_ARGS = ("q", "category", "state", "attendance", "page")


def _locale() -> str:
    return str(get_locale())


def _registration_or_404(registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != g.event.id:
        abort(404)
    return registration


def _list_args_from(source) -> dict[str, str]:
    """Filters and page carried by a request (GET args or hidden fields of a POST)."""
    filters = RegistrationFilter.from_args(source, g.event).as_args()
    page = parse_page(source.get("page"))
    if page > 1:
        filters["page"] = str(page)
    return filters


# --- registrations ------------------------------------------------------------------------


@bp.route("/manage/<slug>/registrations")
@requires(ORGANIZER)
def list_registrations(slug: str):
    """Searchable, filterable, paginated list of the event's registrations with bulk actions."""
    event = g.event
    filters = RegistrationFilter.from_args(request.args, event)
    page = search_registrations(event, filters, parse_page(request.args.get("page")))
    return render_template(
        "registration/organizer_list.html",
        filters=filters,
        filter_args=filters.as_args(),
        page=page,
        counts=category_counts(event),
        categories=categories_of_event(event),
        bulk_form=BulkActionForm(),
        states=list(RegistrationState),
        attendances=list(Attendance),
    )


@bp.route("/manage/<slug>/registrations/bulk", methods=["POST"])
@requires(ORGANIZER)
def bulk_registrations(slug: str):
    """Approve, reject or cancel the ticked registrations in one transaction."""
    form = BulkActionForm()
    back = url_for("registration.list_registrations", slug=slug, **_list_args_from(request.form))
    if not form.validate_on_submit():
        if form.note.errors:
            flash(_("The note is too long (at most 500 characters)."), "error")
        else:
            flash(_("Please choose an action."), "error")
        return redirect(back)
    ids = [int(raw) for raw in request.form.getlist("ids") if raw.isdigit() and len(raw) < 10]
    if not ids and not request.form.getlist("ids"):
        flash(_("Please tick at least one registration."), "error")
        return redirect(back)
    action = DeskAction(form.action.data)
    result = apply_bulk_action(g.event, action, ids, current_user, form.note.data or "")
    result.skipped += len(request.form.getlist("ids")) - len(ids)
    db.session.commit()
    messages = {
        DeskAction.APPROVE: ngettext("%(num)d approved", "%(num)d approved", result.done),
        DeskAction.REJECT: ngettext("%(num)d rejected", "%(num)d rejected", result.done),
        DeskAction.CANCEL: ngettext("%(num)d cancelled", "%(num)d cancelled", result.done),
    }
    summary = messages[action]
    if result.skipped:
        summary = _(
            "%(done)s, %(skipped)s",
            done=summary,
            skipped=ngettext("%(num)d skipped", "%(num)d skipped", result.skipped),
        )
    flash(summary, "success" if result.done else "info")
    return redirect(back)


@bp.route("/manage/<slug>/registrations/<int:registration_id>")
@requires(ORGANIZER)
def show_registration(slug: str, registration_id: int):
    """Everything about one registration: fields, answers, history, mails, actions."""
    registration = _registration_or_404(registration_id)
    locale = _locale()
    answers = []
    for question in g.event.questions:
        text = format_answer(question, (registration.answers or {}).get(str(question.id)), locale)
        answers.append((question, mask_answer(text) if question.sensitive else text))
    return render_template(
        "registration/organizer_show.html",
        registration=registration,
        answers=answers,
        country=country_name(registration.country, locale),
        language=language_label(registration.language),
        history=registration_history(registration),
        position=waitlist_position(registration),
        mails=mails_of_registration(registration),
        action_form=RegistrationActionForm(),
        back_args=_list_args_from(request.args),
    )


@bp.route(
    "/manage/<slug>/registrations/<int:registration_id>/<any(approve,reject,cancel):action>",
    methods=["POST"],
)
@requires(ORGANIZER)
def registration_action(slug: str, registration_id: int, action: str):
    """Approve, reject or cancel one registration as the signed-in organizer."""
    registration = _registration_or_404(registration_id)
    form = RegistrationActionForm()
    if not form.validate_on_submit():
        flash(_("The note is too long (at most 500 characters)."), "error")
        return redirect(
            url_for("registration.show_registration", slug=slug, registration_id=registration_id)
        )
    desk_action = DeskAction(action)
    if apply_action(registration, desk_action, current_user, form.note.data or ""):
        db.session.commit()
        done = {
            DeskAction.APPROVE: _("Registration %(ref)s approved.", ref=registration.reference),
            DeskAction.REJECT: _("Registration %(ref)s rejected.", ref=registration.reference),
            DeskAction.CANCEL: _("Registration %(ref)s cancelled.", ref=registration.reference),
        }
        flash(done[desk_action], "success")
    else:
        db.session.rollback()
        flash(_("This action is not possible in the registration's current state."), "error")
    return redirect(
        url_for("registration.show_registration", slug=slug, registration_id=registration_id)
    )


def _export(filters: RegistrationFilter, file_format: str):
    """Headers, rows and file name of an export; records it in the audit log.

    Answers to sensitive (ID-like) questions are included only with ?sensitive=1.
    """
    event = g.event
    locale = _locale()
    with_sensitive = request.args.get("sensitive") == "1"
    questions = [q for q in event.questions if with_sensitive or not q.sensitive]
    registrations = list(registrations_for_export(event, filters))
    # What other domains know about these people (check-in, online attendance).
    extra = export_columns(event, [registration.id for registration in registrations])
    headers = export_headers(questions, locale, extra)
    rows = [export_row(r, questions, event, locale, extra) for r in registrations]
    # Which filters were used, not what was searched for (a search is often a person's name).
    used = {k: ("…" if k == "q" else v) for k, v in filters.as_args().items()}
    record_audit(
        "registrations.export",
        event=event,
        details={
            "format": file_format,
            "rows": len(rows),
            "filters": used,
            "sensitive_included": with_sensitive and any(q.sensitive for q in questions),
        },
    )
    db.session.commit()
    stamp = to_local(utcnow(), event.timezone).strftime("%Y%m%d")
    return headers, rows, f"{event.slug}-registrations-{stamp}"


def _attachment(data: bytes, mimetype: str, filename: str):
    # send_file writes both filename= (ASCII fallback) and filename*=UTF-8'' (RFC 5987).
    response = send_file(
        BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename, max_age=0
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/manage/<slug>/registrations/export.xlsx")
@requires(ORGANIZER)
def export_registrations_xlsx(slug: str):
    """Download the (filtered) registrations as an Excel workbook."""
    headers, rows, basename = _export(RegistrationFilter.from_args(request.args, g.event), "xlsx")
    data = write_xlsx(headers, rows, _("Registrations"))
    return _attachment(
        data,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{basename}.xlsx",
    )


@bp.route("/manage/<slug>/registrations/export.csv")
@requires(ORGANIZER)
def export_registrations_csv(slug: str):
    """Download the (filtered) registrations as CSV (UTF-8 with BOM, opens in Excel)."""
    headers, rows, basename = _export(RegistrationFilter.from_args(request.args, g.event), "csv")
    return _attachment(write_csv(headers, rows), "text/csv; charset=utf-8", f"{basename}.csv")


# --- categories ---------------------------------------------------------------------------


def _category_or_404(category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None or category.event_id != g.event.id:
        abort(404)
    return category


def _category_form() -> type[CategoryForm]:
    return CategoryForm.for_languages(g.event.languages)


def _category_data(form: CategoryForm, category: Category | None = None) -> CategoryData:
    timezone = g.event.timezone
    name, description = form.texts(category)
    return CategoryData(
        code=form.code.data,
        name=name,
        description=description,
        capacity=form.capacity.data,
        opens_at=local_to_utc(form.opens_at.data, timezone) if form.opens_at.data else None,
        closes_at=local_to_utc(form.closes_at.data, timezone) if form.closes_at.data else None,
        requires_approval=bool(form.requires_approval.data),
        attendance_rule=AttendanceRule(form.attendance_rule.data),
        is_public=bool(form.is_public.data),
        color=form.color.data.lower(),
        position=form.position.data or 0,
    )


def _form_error(form, exc: RegistrationError) -> None:
    target = form._fields.get(exc.field_name or "")
    if target is not None:
        target.errors = [*target.errors, str(exc.message)]
    else:
        flash(str(exc.message), "error")


@bp.route("/manage/<slug>/categories")
@requires(ORGANIZER)
def list_categories(slug: str):
    """The event's registration categories with capacity, places taken and window."""
    return render_template(
        "registration/organizer_categories.html", counts=category_counts(g.event)
    )


@bp.route("/manage/<slug>/categories/new", methods=["GET", "POST"])
@requires(ORGANIZER)
def new_category(slug: str):
    """Create a registration category."""
    form = _category_form()()
    if form.validate_on_submit():
        try:
            category = create_category(g.event, _category_data(form))
            db.session.commit()
        except RegistrationError as exc:
            db.session.rollback()
            _form_error(form, exc)
        else:
            flash(_("Category %(name)s created.", name=category.name_in(_locale())), "success")
            return redirect(url_for("registration.list_categories", slug=slug))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "registration/organizer_category_form.html", form=form, category=None
    ), status


@bp.route("/manage/<slug>/categories/<int:category_id>/edit", methods=["GET", "POST"])
@requires(ORGANIZER)
def edit_category(slug: str, category_id: int):
    """Change a registration category; a capacity change promotes from the waiting list."""
    category = _category_or_404(category_id)
    if request.method == "GET":
        form = _category_form()(obj=category)
        form.fill_texts(category)
        form.opens_at.data = _local_naive(category.opens_at)
        form.closes_at.data = _local_naive(category.closes_at)
        form.attendance_rule.data = category.attendance_rule.value
    else:
        form = _category_form()()
    if form.validate_on_submit():
        try:
            promoted = update_category(category, _category_data(form, category))
            db.session.commit()
        except RegistrationError as exc:
            db.session.rollback()
            category = _category_or_404(category_id)
            _form_error(form, exc)
        else:
            flash(_("Category %(name)s saved.", name=category.name_in(_locale())), "success")
            if promoted:
                flash(
                    ngettext(
                        "%(num)d registration moved up from the waiting list.",
                        "%(num)d registrations moved up from the waiting list.",
                        len(promoted),
                    ),
                    "info",
                )
            return redirect(url_for("registration.list_categories", slug=slug))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "registration/organizer_category_form.html",
        form=form,
        category=category,
        missing=missing_languages(category_texts(category), g.event.languages),
    ), status


def _local_naive(value):
    local = to_local(value, g.event.timezone)
    return local.replace(tzinfo=None) if local else None


# --- custom questions ---------------------------------------------------------------------


def _question_or_404(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.event_id != g.event.id:
        abort(404)
    return question


def _question_form() -> type[QuestionForm]:
    return QuestionForm.for_languages(g.event.languages)


def _question_data(form: QuestionForm, question: Question | None = None) -> QuestionData:
    return QuestionData(
        kind=QuestionKind(form.kind.data),
        label=form.label_text(question),
        required=bool(form.required.data),
        position=form.position.data or 0,
        choices=form.parsed_choices,
        sensitive=bool(form.sensitive.data),
    )


@bp.route("/manage/<slug>/questions")
@requires(ORGANIZER)
def list_questions(slug: str):
    """The event's custom registration questions."""
    return render_template(
        "registration/organizer_questions.html",
        questions=list(g.event.questions),
        delete_form=ConfirmForm(),
        kind_labels=dict(QuestionForm().kind.choices),
    )


@bp.route("/manage/<slug>/questions/new", methods=["GET", "POST"])
@requires(ORGANIZER)
def new_question(slug: str):
    """Add a custom registration question."""
    form = _question_form()()
    if form.validate_on_submit():
        try:
            create_question(g.event, _question_data(form))
            db.session.commit()
        except RegistrationError as exc:
            db.session.rollback()
            _form_error(form, exc)
        else:
            flash(_("Question added."), "success")
            return redirect(url_for("registration.list_questions", slug=slug))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "registration/organizer_question_form.html", form=form, question=None
    ), status


@bp.route("/manage/<slug>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@requires(ORGANIZER)
def edit_question(slug: str, question_id: int):
    """Change a custom registration question."""
    question = _question_or_404(question_id)
    if request.method == "GET":
        form = _question_form()(obj=question)
        form.kind.data = question.kind.value
        form.fill_texts(question)
    else:
        form = _question_form()()
    if form.validate_on_submit():
        try:
            update_question(question, _question_data(form, question))
            db.session.commit()
        except RegistrationError as exc:
            db.session.rollback()
            _form_error(form, exc)
        else:
            flash(_("Question saved."), "success")
            return redirect(url_for("registration.list_questions", slug=slug))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "registration/organizer_question_form.html",
        form=form,
        question=question,
        missing=missing_languages(question_texts(question), g.event.languages),
    ), status


@bp.route("/manage/<slug>/questions/<int:question_id>/delete", methods=["POST"])
@requires(ORGANIZER)
def delete_question_view(slug: str, question_id: int):
    """Delete a custom question (answers already given are kept with the registrations)."""
    question = _question_or_404(question_id)
    if ConfirmForm().validate_on_submit():
        delete_question(question)
        db.session.commit()
        flash(_("Question deleted."), "success")
    return redirect(url_for("registration.list_questions", slug=slug))
