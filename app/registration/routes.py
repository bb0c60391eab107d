"""Public registration: the form, the confirmation page, and the self-service link."""

from __future__ import annotations

import base64

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.accounts.permissions import PUBLIC, public_event, requires
from app.clock import utcnow
from app.contributions import page_context
from app.documents.qr import qr_png
from app.events.consent import current_consent_version
from app.events.models import EventStatus
from app.extensions import db
from app.registration.calendar import CALENDAR_STATES, calendar_filename, registration_ics
from app.registration.forms import (
    NewRegistrationForm,
    ParticipantForm,
    answers_from_form,
    build_form_class,
    prepare_form,
    question_field_name,
)
from app.registration.models import Attendance, Category, RegistrationState
from app.registration.services import (
    ConsentOutdated,
    DuplicateRegistration,
    LinkExpired,
    LinkInvalid,
    ParticipantData,
    RegistrationError,
    cancel_registration,
    manage_token,
    register_participant,
    registration_from_token,
    suggest_latin_name,
    update_participant,
    waitlist_position,
)
from app.registration.tickets import ticket_code
from app.templating import marked

bp = Blueprint("registration", __name__)

# Tells the personal page's service worker (app/registration/offline_routes.py) what to do with
# the page it receives: keep it as the offline copy, drop the copy (the registration is no longer
# active), or refetch a clean copy (this rendering carries a one-time message).
OFFLINE_COPY_HEADER = "Huiwu-Offline-Copy"


def _participant_data(form: ParticipantForm, event, email: str) -> ParticipantData:
    return ParticipantData(
        native_name=form.native_name.data,
        latin_name=form.latin_name.data or "",
        email=email,
        country=form.country.data,
        attendance=Attendance(form.attendance.data),
        language=form.language.data,
        organization=form.organization.data or "",
        job_title=form.job_title.data or "",
        phone=form.phone.data or "",
        answers=answers_from_form(form, event),
    )


def _public_categories(event):
    return [c for c in event.categories if c.is_public]


def _open_categories(event):
    now = utcnow()
    return [c for c in _public_categories(event) if c.is_open_at(now)]


def _category_label(category: Category, locale: str, full_ids: list[int]) -> Markup:
    """A category's option: its name (marked with its language when it is a fallback), and that
    it is full (submitting joins the waiting list)."""
    name = marked(category.name, locale, category.event.languages)
    if category.id in full_ids:
        # The wording is ours (the catalogue), the name the organizer's: escaped into it.
        return escape(_("%(name)s · full: join the waiting list")) % {"name": name}
    return name


def _attach_error(form, exc: RegistrationError) -> None:
    """Show a service error under its field, or as a page message when it names none."""
    target = form._fields.get(exc.field_name or "")
    if target is not None:
        target.errors.append(str(exc.message))
    else:
        flash(str(exc.message), "error")


@bp.route("/e/<slug>/register", methods=["GET", "POST"])
@requires(public_event())
def register(slug: str):
    """Show and process the public registration form."""
    event = g.event
    locale = str(get_locale())
    if event.status != EventStatus.OPEN:
        return render_template("registration/closed.html"), 200 if request.method == "GET" else 400
    categories = _open_categories(event)
    consent = current_consent_version(event)
    form = build_form_class(NewRegistrationForm, event, locale)()
    prepare_form(form, locale)
    # Every public category passes the form so the service can say why a closed one is refused.
    form.category_id.choices = [(c.id, c.name_in(locale)) for c in _public_categories(event)]
    if request.method == "GET":
        form.category_id.data = request.args.get("category", type=int)
        form.consent_version.data = str(consent.number) if consent else ""
    duplicate_of = None
    if form.validate_on_submit():
        category = db.session.get(Category, form.category_id.data)
        data = _participant_data(form, event, form.email.data)
        data.consent_version = int(form.consent_version.data) if form.consent_version.data else None
        data.consent_locale = locale
        try:
            registration = register_participant(event, category, data)
            token = manage_token(registration)  # before the commit expires the row
            db.session.commit()
        except DuplicateRegistration as exc:
            db.session.rollback()
            duplicate_of = exc.existing
            form.email.errors.append(str(exc.message))
        except ConsentOutdated as exc:
            db.session.rollback()
            # Show the new notice and ask again: consent to a text never seen is no consent.
            consent = current_consent_version(event)
            form.consent.data = False
            form.consent.errors = [*form.consent.errors, str(exc.message)]
        except RegistrationError as exc:
            db.session.rollback()
            _attach_error(form, exc)
        else:
            return redirect(url_for("registration.manage", token=token, created=1))
    full_ids = [c.id for c in categories if c.places_left == 0]
    form.category_id.choices = [(c.id, _category_label(c, locale, full_ids)) for c in categories]
    form.consent_version.data = str(consent.number) if consent else ""
    status = 400 if request.method == "POST" else 200
    # The button says what submitting does: with a full category chosen (or the only one
    # offered), it puts the participant on the waiting list.
    chosen = form.category_id.data if len(categories) != 1 else categories[0].id
    return render_template(
        "registration/register.html",
        form=form,
        categories=categories,
        full_ids=full_ids,
        joins_waitlist=chosen in full_ids,
        consent=consent,
        question_fields=[form[question_field_name(q)] for q in event.questions],
        duplicate_of=duplicate_of,
    ), status


def _registration_or_error_page(token: str):
    try:
        return registration_from_token(token), None
    except LinkExpired:
        return None, (render_template("registration/link_invalid.html", expired=True), 410)
    except LinkInvalid:
        return None, (render_template("registration/link_invalid.html", expired=False), 404)


@bp.route("/r/<token>")
@requires(PUBLIC)
def manage(token: str):
    """The participant's own registration, reached by the signed link."""
    registration, error = _registration_or_error_page(token)
    if error:
        return error
    g.event = registration.event
    confirmed = registration.state == RegistrationState.CONFIRMED
    if registration.state not in CALENDAR_STATES:
        offline_copy = "drop"
    elif request.args.get("created") or session.get("_flashes"):
        offline_copy = "refetch"
    else:
        offline_copy = "keep"
    page = render_template(
        "registration/manage.html",
        registration=registration,
        token=token,
        created=request.args.get("created") == "1",
        position=waitlist_position(registration),
        RegistrationState=RegistrationState,
        qr_src=_qr_data_url(registration) if confirmed else None,
        has_calendar=registration.state in CALENDAR_STATES,
        offline_copy=offline_copy,
        rendered_at=utcnow(),
        **page_context("participant_page", registration, token),
    )
    return page, 200, {OFFLINE_COPY_HEADER: offline_copy}


def _qr_data_url(registration) -> str | None:
    """The entrance QR code of an on-site registration as a PNG data URL (the badge's code).

    Inline, so the page alone is the ticket: a saved or still-open page shows it without
    another request.
    """
    if registration.attendance == Attendance.ONLINE:
        return None
    png = qr_png(ticket_code(registration), box_size=8)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@bp.route("/r/<token>/calendar.ics")
@requires(PUBLIC)
def calendar(token: str):
    """The event as a calendar entry (.ics) for the participant, by the signed link."""
    registration, error = _registration_or_error_page(token)
    if error:
        return error
    if registration.state not in CALENDAR_STATES:
        g.event = registration.event
        message = _("This registration is no longer active.")
        return render_template("errors/error.html", code=403, message=message), 403
    response = make_response(registration_ics(registration))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{calendar_filename(registration)}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/r/<token>/edit", methods=["GET", "POST"])
@requires(PUBLIC)
def edit(token: str):
    """Let the participant correct their details."""
    registration, error = _registration_or_error_page(token)
    if error:
        return error
    event = g.event = registration.event
    locale = str(get_locale())
    form_class = build_form_class(ParticipantForm, event, locale)
    if request.method == "GET":
        form = form_class(obj=registration)
        for question in event.questions:
            form[question_field_name(question)].data = registration.answers.get(str(question.id))
    else:
        form = form_class()
    prepare_form(form, locale)
    if form.validate_on_submit():
        try:
            update_participant(registration, _participant_data(form, event, registration.email))
            db.session.commit()
        except RegistrationError as exc:
            db.session.rollback()
            _attach_error(form, exc)
        else:
            flash(_("Your changes have been saved."), "success")
            return redirect(url_for("registration.manage", token=token))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "registration/edit.html",
        form=form,
        registration=registration,
        token=token,
        question_fields=[form[question_field_name(q)] for q in event.questions],
    ), status


@bp.route("/r/<token>/cancel", methods=["POST"])
@requires(PUBLIC)
def cancel(token: str):
    """Cancel the participant's registration."""
    registration, error = _registration_or_error_page(token)
    if error:
        return error
    if cancel_registration(registration):
        db.session.commit()
        flash(_("Your registration has been cancelled."), "success")
    else:
        db.session.rollback()
        flash(_("This registration is no longer active."), "error")
    return redirect(url_for("registration.manage", token=token))


@bp.route("/api/transliterate")
@requires(PUBLIC)
def transliterate():
    """Suggest a Latin-letter name for a native-script name (used to pre-fill the form)."""
    text = request.args.get("name", "")[:100]
    if not text.strip():
        abort(400)
    return {"latin_name": suggest_latin_name(text)}
