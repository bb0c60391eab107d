"""Team entry pages: the public submission form, the leader's entry page and edit form (reached
by the leader's signed self-service link, the one the registration mails carry), and the
organizers' submission settings. Views on the judging blueprint."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from app.accounts.models import Role
from app.accounts.permissions import PUBLIC, event_role, public_event, requires, user_has_role
from app.clock import local_to_utc, utcnow
from app.events.consent import current_consent_version
from app.events.models import EventStatus
from app.extensions import db
from app.judging import entry_services, submission_services
from app.judging.errors import JudgingError
from app.judging.routes import bp
from app.judging.submission_forms import (
    SettingsForm,
    build_edit_form_class,
    build_entry_form_class,
    prepare_member_rows,
    without_blank_members,
)
from app.judging.submission_services import (
    SettingsData,
    TeamEdit,
    TeamSubmission,
    competition_settings,
)
from app.registration.forms import answers_from_form, prepare_form, question_field_name
from app.registration.models import Attendance
from app.registration.services import (
    LinkExpired,
    LinkInvalid,
    ParticipantData,
    manage_token,
    registration_from_token,
)
from app.security.sensitive import mask_email

ORGANIZER = event_role(Role.ORGANIZER)
# The forms with a pitch deck upload: a body over MAX_CONTENT_LENGTH there is a deck too large.
DECK_FORMS = frozenset(
    {"judging.submit_entry", "judging.team_entry_edit", "judging.new_entry", "judging.edit_entry"}
)


def _locale() -> str:
    return str(get_locale() or "en")


def _fields(form):
    """Every field of a form, member rows included."""
    for field_ in form:
        if field_.type == "FieldList":
            for row in field_:
                yield from _fields(row.form)
        else:
            yield field_


def _show_error(form, error: JudgingError, aliases: dict[str, str] | None = None) -> None:
    """Put a service error under the field it names (by the field's HTML name), else on top."""
    name = (aliases or {}).get(error.field_name or "", error.field_name or "")
    target = next((f for f in _fields(form) if f.name == name), None) if name else None
    if target is not None:
        target.errors = [*list(target.errors), str(error.message)]
    else:
        form.form_errors.append(str(error.message))


def _read_deck(form):
    upload = form.deck.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return entry_services.read_deck(upload.stream)


def _member_rows(settings, taken: int) -> int:
    return max(settings.max_team_size - taken, 0)


@bp.errorhandler(RequestEntityTooLarge)
def request_too_large(error: RequestEntityTooLarge):
    """A body over the request limit on a form with a deck: the deck's limit, in the page's
    language (413); elsewhere on the blueprint the site's usual 413 answer."""
    if request.endpoint not in DECK_FORMS:
        if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
            return {"error": error.name, "message": error.description}, 413
        return render_template("errors/error.html", code=413, error=error), 413
    message = _(
        "The pitch deck is larger than %(mb)d MB.", mb=entry_services.MAX_DECK_BYTES // 2**20
    )
    return render_template("errors/error.html", code=413, message=message), 413


# --- public submission -------------------------------------------------------------------------


@bp.route("/e/<slug>/entry", methods=["GET", "POST"])
@requires(public_event())
def submit_entry(slug: str):
    """The public entry form: the team leader registers, describes the project, names the
    team members (each registered in the team category) and uploads the pitch deck."""
    event = g.event
    if event.status == EventStatus.DRAFT and not (
        current_user.is_authenticated
        and user_has_role(current_user, event, frozenset({Role.ORGANIZER}))
    ):
        abort(404)
    locale = _locale()
    settings = competition_settings(event)
    closed = submission_services.submission_closed_reason(event, settings, utcnow())
    if closed is not None:
        status = 200 if request.method == "GET" else 409
        return render_template("judging/submit_closed.html", reason=closed), status
    form_class = build_entry_form_class(event, settings, locale)
    posted = request.method == "POST"
    formdata = without_blank_members(request.form, request.files) if posted else None
    form = form_class(formdata=formdata)
    prepare_form(form, locale)
    prepare_member_rows(form, locale, 0, form.language.data)
    consent = current_consent_version(event)
    if not posted:
        form.consent_version.data = str(consent.number) if consent else ""
    status = 200
    if form.validate_on_submit():
        seen = form.consent_version.data
        try:
            submission = TeamSubmission(
                leader=ParticipantData(
                    native_name=form.native_name.data,
                    latin_name=form.latin_name.data or "",
                    email=form.email.data,
                    country=form.country.data,
                    attendance=Attendance(form.attendance.data),
                    language=form.language.data,
                    organization=form.organization.data or "",
                    job_title=form.job_title.data or "",
                    phone=form.phone.data or "",
                    answers=answers_from_form(form, event),
                    # The privacy notice the leader read (for themselves and the team).
                    consent_version=int(seen) if seen else None,
                    consent_locale=locale,
                ),
                project=form.project_data(),
                members=[row.form.member_data(i) for i, row in enumerate(form.members)],
                deck=_read_deck(form),
                leader_birth_date=form.date_of_birth.data if "date_of_birth" in form else None,
            )
            entry = submission_services.submit_team_entry(event, submission)
            token = manage_token(entry.leader.registration)  # before the commit expires it
            db.session.commit()
        except JudgingError as exc:
            db.session.rollback()
            _show_error(form, exc)
            status = exc.status
            if exc.field_name == "consent":
                # The notice changed meanwhile: show the new one and ask again.
                consent = current_consent_version(event)
                form.consent.data = False
        else:
            return redirect(url_for("judging.team_entry", token=token, created=1))
    elif posted:
        status = 422
    form.consent_version.data = str(consent.number) if consent else ""
    prepare_member_rows(form, locale, _member_rows(settings, 1), form.language.data)
    return render_template(
        "judging/submit_entry.html",
        form=form,
        settings=settings,
        consent=consent,
        question_fields=[form[question_field_name(q)] for q in event.questions],
    ), status


# --- the leader's self-service pages -------------------------------------------------------------


def _leader_and_entry(token: str):
    """(registration, entry, None) for a leader's valid link, else (None, None, error page)."""
    try:
        registration = registration_from_token(token)
    except LinkExpired:
        return None, None, (render_template("registration/link_invalid.html", expired=True), 410)
    except LinkInvalid:
        return None, None, (render_template("registration/link_invalid.html", expired=False), 404)
    g.event = registration.event
    entry = submission_services.led_entry(registration)
    if entry is None:
        abort(404, _("This registration does not lead a team entry."))
    return registration, entry, None


@bp.route("/r/<token>/entry")
@requires(PUBLIC)
def team_entry(token: str):
    """The team leader's view of the entry: review status, project, team, and what can change."""
    registration, entry, error = _leader_and_entry(token)
    if error:
        return error
    settings = competition_settings(g.event)
    return render_template(
        "judging/team_entry.html",
        entry=entry,
        registration=registration,
        token=token,
        settings=settings,
        report=submission_services.eligibility_report(entry),
        refusal=submission_services.team_edit_refusal(entry, registration, utcnow()),
        created=request.args.get("created") == "1",
    )


@bp.route("/r/<token>/entry/edit", methods=["GET", "POST"])
@requires(PUBLIC)
def team_entry_edit(token: str):
    """The team leader changes the entry until the deadline or until it is accepted."""
    registration, entry, error = _leader_and_entry(token)
    if error:
        return error
    locale = _locale()
    refusal = submission_services.team_edit_refusal(entry, registration, utcnow())
    if refusal is not None:
        flash(refusal, "error")
        if request.method == "POST":
            return render_template("errors/error.html", code=409, message=refusal), 409
        return redirect(url_for("judging.team_entry", token=token))
    settings = competition_settings(g.event)
    form_class = build_edit_form_class(settings)
    members = {m.registration_id: m for m in entry.members}
    if request.method == "POST":
        form = form_class(formdata=without_blank_members(request.form, request.files))
    else:
        form = form_class(
            formdata=None,
            data={
                "title_zh": entry.title_zh,
                "title_en": entry.title_en,
                "team_name": entry.team_name,
                "track": entry.track,
                "summary": entry.summary,
                "video_url": entry.video_url,
                "current": [
                    {"registration_id": m.registration_id, "date_of_birth": m.date_of_birth}
                    for m in sorted(entry.members, key=lambda m: not m.is_leader)
                ],
            },
        )
    prepare_member_rows(form, locale, 0, registration.language)
    status = 200
    if form.validate_on_submit():
        rows = [row.form for row in form.current]
        if {row.registration_id.data for row in rows} != set(members):
            abort(400, _("The team has changed meanwhile; please open the form again."))
        aliases = {
            f"birth-{row.registration_id.data}": row.date_of_birth.name
            for row in rows
            if "date_of_birth" in row
        }
        try:
            edit = TeamEdit(
                project=form.project_data(),
                remove={row.registration_id.data for row in rows if row.remove.data},
                birth_dates={
                    row.registration_id.data: row.date_of_birth.data
                    for row in rows
                    if "date_of_birth" in row
                },
                new_members=[row.form.member_data(i) for i, row in enumerate(form.members)],
                deck=_read_deck(form),
            )
            submission_services.update_team_entry(entry, registration, edit)
            db.session.commit()
        except JudgingError as exc:
            db.session.rollback()
            entry = submission_services.led_entry(registration)
            members = {m.registration_id: m for m in entry.members}
            _show_error(form, exc, aliases)
            status = exc.status
        else:
            flash(_("The entry has been saved."), "success")
            return redirect(url_for("judging.team_entry", token=token))
    elif request.method == "POST":
        status = 422
    prepare_member_rows(
        form, locale, _member_rows(settings, len(form.current)) or 0, registration.language
    )
    return render_template(
        "judging/team_entry_edit.html",
        form=form,
        entry=entry,
        members=members,
        token=token,
        settings=settings,
        mask_email=mask_email,
    ), status


# --- organizers: submission settings -------------------------------------------------------------


@bp.route("/manage/<slug>/judging/settings", methods=["GET", "POST"])
@requires(ORGANIZER)
def submission_settings(slug: str):
    """How teams submit entries: team category, window, team size, tracks, age limit."""
    event = g.event
    settings = competition_settings(event)
    form = SettingsForm()
    form.team_category.choices = [(0, "—")] + [
        (c.id, c.name_in(_locale())) for c in event.categories
    ]
    if request.method == "GET" and settings is not None:
        form.team_category.data = settings.team_category_id or 0
        form.submissions_open.data = settings.submissions_open
        deadline = event.local(settings.submission_deadline)
        form.submission_deadline.data = deadline.replace(tzinfo=None) if deadline else None
        form.min_team_size.data = settings.min_team_size
        form.max_team_size.data = settings.max_team_size
        form.tracks.data = "\n".join(settings.tracks or [])
        form.age_limit.data = settings.age_limit
        form.age_reference_date.data = settings.age_reference_date
    status = 200
    if form.validate_on_submit():
        deadline = form.submission_deadline.data
        data = SettingsData(
            team_category_id=form.team_category.data or None,
            submissions_open=bool(form.submissions_open.data),
            submission_deadline=local_to_utc(deadline, event.timezone) if deadline else None,
            min_team_size=form.min_team_size.data,
            max_team_size=form.max_team_size.data,
            tracks=(form.tracks.data or "").splitlines(),
            age_limit=form.age_limit.data,
            age_reference_date=form.age_reference_date.data,
        )
        try:
            submission_services.save_competition_settings(event, data)
            db.session.commit()
        except JudgingError as exc:
            db.session.rollback()
            _show_error(form, exc)
            status = exc.status
        else:
            flash(_("The submission settings have been saved."), "success")
            return redirect(url_for("judging.submission_settings", slug=slug))
    elif request.method == "POST":
        status = 422
    return render_template(
        "judging/submission_settings.html",
        form=form,
        settings=settings,
        entry_url=url_for("judging.submit_entry", slug=slug, _external=True),
    ), status
