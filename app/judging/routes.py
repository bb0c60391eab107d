"""Judging pages: organizer setup (entries, judges, conflicts, rounds, assignment, rankings,
advancement, awards, results, audit trail), the judges' tablet pages and the live final's stage
and ranking screens. The blueprint is shared with api.py (the tablet's JSON calls)."""

from __future__ import annotations

import json
import time
from io import BytesIO

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
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

from app.accounts.models import Role, User
from app.accounts.permissions import event_role, requires
from app.audit.services import record_audit
from app.extensions import db
from app.judging import (
    advancement_services,
    assignment_services,
    award_services,
    calibration_services,
    entry_services,
    export,
    judge_services,
    live_services,
    ranking_services,
    round_services,
    scoring_services,
    submission_services,
)
from app.judging.aggregation import METHODS
from app.judging.errors import JudgingError
from app.judging.forms import (
    AGGREGATION_CHOICES,
    AWARD_LABELS,
    AssignmentForm,
    AwardsForm,
    ConflictForm,
    DeclarationForm,
    DrawForm,
    EligibilityForm,
    EntryForm,
    JudgeOrganizationForm,
    OverrideForm,
    ReopenForm,
    RoundForm,
    RubricForm,
)
from app.judging.models import (
    Conflict,
    ConflictSource,
    Eligibility,
    RankingState,
    Round,
    SheetStatus,
)
from app.judging.rubric import cite_levels, round_rubric, rubric_json, rubric_missing
from app.security.input import database_integer
from app.templating import translate
from app.views import act_and_redirect, commit_and_redirect

bp = Blueprint("judging", __name__)
ORGANIZER = event_role(Role.ORGANIZER)
JUDGE = event_role(Role.JUDGE)
MANAGE = "/manage/<slug>/judging"
SSE_RETRY_MS = 1000  # a ranking screen reconnects this long after each short SSE answer
SSE_POLL = 0.25  # how often a held stream (JUDGING_SSE_HOLD_SECONDS > 0) looks for a change


def _locale() -> str:
    return str(get_locale() or "en")


@bp.url_value_preprocessor
def _ids_in_range(endpoint, values) -> None:
    """An id beyond the database's integer column names nothing: 404, not a database error
    (PostgreSQL refuses to compare an integer column with 2**31)."""
    if values and any(
        isinstance(v, int) and not 0 <= v <= scoring_services.MAX_DB_ID for v in values.values()
    ):
        abort(404)


def _round(round_id: int):
    round_ = round_services.get_round(g.event, round_id)
    if round_ is None:
        abort(404)
    return round_


def _entry(entry_id: int):
    entry = entry_services.get_entry(g.event, entry_id)
    if entry is None:
        abort(404)
    return entry


def _refused(error: JudgingError, target: str):
    db.session.rollback()
    flash(str(error.message), "error")
    return redirect(target)


def _round_url(round_, anchor: str | None = None) -> str:
    return url_for("judging.round_page", slug=g.event.slug, round_id=round_.id, _anchor=anchor)


# --- overview and entries --------------------------------------------------------------------


@bp.route(f"{MANAGE}/")
@requires(ORGANIZER)
def index(slug: str):
    """Competition overview: entries, judges and rounds."""
    return render_template(
        "judging/index.html",
        entries=entry_services.list_entries(g.event),
        judges=judge_services.event_judges(g.event),
        rounds=round_services.list_rounds(g.event),
    )


def _entry_form(entry=None) -> EntryForm:
    form = EntryForm()
    candidates = entry_services.team_candidates(g.event)
    choices = [
        (r.id, f"{r.latin_name} · {r.native_name} · {r.organization} ({r.country})")
        for r in candidates
    ]
    if entry is not None:
        known = {c[0] for c in choices}
        for member in entry.members:
            if member.registration_id not in known:
                r = member.registration
                choices.append((r.id, f"{r.latin_name} · {r.native_name} ({r.country})"))
    form.members.choices = choices
    form.leader.choices = [(0, "—"), *choices]
    if entry is not None and request.method == "GET":
        form.title_zh.data, form.title_en.data = entry.title_zh, entry.title_en
        form.team_name.data, form.track.data = entry.team_name, entry.track
        form.summary.data, form.video_url.data = entry.summary, entry.video_url
        form.members.data = [m.registration_id for m in entry.members]
        form.leader.data = entry.leader.registration_id if entry.leader else 0
    return form


def _save_entry(form: EntryForm, entry):
    try:
        if entry is None:
            entry = entry_services.create_entry(g.event, form.to_data())
        else:
            entry_services.update_entry(entry, form.to_data())
        upload = form.deck.data
        if upload and getattr(upload, "filename", ""):
            entry_services.save_deck(entry, upload.stream)
        db.session.commit()
    except JudgingError as exc:
        db.session.rollback()
        target = getattr(form, exc.field_name or "", None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*list(target.errors), str(exc.message)]
        flash(str(exc.message), "error")
        return None, exc.status
    return entry, 200


@bp.route(f"{MANAGE}/entries/new", methods=["GET", "POST"])
@requires(ORGANIZER)
def new_entry(slug: str):
    """Create an entry with its team."""
    form = _entry_form()
    status = 200
    if form.validate_on_submit():
        entry, status = _save_entry(form, None)
        if entry is not None:
            flash(_("The entry has been created."), "success")
            return redirect(url_for("judging.entry_page", slug=slug, entry_id=entry.id))
    elif request.method == "POST":
        status = 400
    return render_template("judging/entry_form.html", form=form, entry=None), status


@bp.route(f"{MANAGE}/entries/<int:entry_id>/", methods=["GET"])
@requires(ORGANIZER)
def entry_page(slug: str, entry_id: int):
    """An entry: team, materials, eligibility."""
    entry = _entry(entry_id)
    form = EligibilityForm(status=str(entry.eligibility), reason=entry.eligibility_reason)
    return render_template(
        "judging/entry.html",
        entry=entry,
        eligibility_form=form,
        report=submission_services.eligibility_report(entry),
    )


@bp.route(f"{MANAGE}/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@requires(ORGANIZER)
def edit_entry(slug: str, entry_id: int):
    """Edit an entry, its team and its pitch deck."""
    entry = _entry(entry_id)
    form = _entry_form(entry)
    status = 200
    if form.validate_on_submit():
        saved, status = _save_entry(form, entry)
        if saved is not None:
            flash(_("The entry has been saved."), "success")
            return redirect(url_for("judging.entry_page", slug=slug, entry_id=entry.id))
    elif request.method == "POST":
        status = 400
    return render_template("judging/entry_form.html", form=form, entry=entry), status


@bp.route(f"{MANAGE}/entries/<int:entry_id>/eligibility", methods=["POST"])
@requires(ORGANIZER)
def set_eligibility(slug: str, entry_id: int):
    """Accept or reject an entry with a reason; the team leader is mailed the decision."""
    entry = _entry(entry_id)
    form = EligibilityForm()
    target = url_for("judging.entry_page", slug=slug, entry_id=entry_id)
    if not form.validate_on_submit() or form.status.data not in set(Eligibility):
        abort(400, _("Choose an eligibility status."))
    try:
        mailed = submission_services.decide_entry(
            entry, Eligibility(form.status.data), form.reason.data or ""
        )
        db.session.commit()
    except JudgingError as exc:
        return _refused(exc, target)
    flash(_("Eligibility saved."), "success")
    if mailed:
        flash(_("The decision has been emailed to the team leader."), "success")
    return redirect(target)


def _send_deck(entry):
    """The deck as a download: a file a team uploaded is never rendered in our origin."""
    path = entry_services.deck_path(entry)
    if path is None:
        abort(404)
    response = send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"entry-{entry.id}.pdf",
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route(f"{MANAGE}/entries/<int:entry_id>/deck.pdf")
@requires(ORGANIZER)
def entry_deck(slug: str, entry_id: int):
    """Download an entry's pitch deck."""
    return _send_deck(_entry(entry_id))


# --- judges and conflicts ---------------------------------------------------------------------


@bp.route(f"{MANAGE}/judges", methods=["GET"])
@requires(ORGANIZER)
def judges(slug: str):
    """Judges with their organizations, recorded and detected conflicts."""
    judges_ = judge_services.event_judges(g.event)
    entries = entry_services.list_entries(g.event)
    conflict_form = ConflictForm()
    conflict_form.judge.choices = [(j.id, f"{j.name} <{j.email}>") for j in judges_]
    conflict_form.entry.choices = [(e.id, e.title(_locale())) for e in entries]
    profiles = {j.id: judge_services.judge_profile(g.event, j) for j in judges_}
    entry_titles = {e.id: e.title(_locale()) for e in entries}
    return render_template(
        "judging/judges.html",
        judges=judges_,
        profiles=profiles,
        conflicts=judge_services.recorded_conflicts(g.event),
        automatic=judge_services.automatic_conflicts(g.event),
        entry_titles=entry_titles,
        judge_names={j.id: j.name for j in judges_},
        conflict_form=conflict_form,
        org_form=JudgeOrganizationForm(),
    )


@bp.route(f"{MANAGE}/judges/<int:user_id>/organization", methods=["POST"])
@requires(ORGANIZER)
def judge_organization(slug: str, user_id: int):
    """Record the organization a judge works for."""
    form = JudgeOrganizationForm()
    user = db.session.get(User, user_id)
    if user is None or not form.validate_on_submit():
        abort(400, _("Choose a judge and an organization."))
    return act_and_redirect(
        lambda: judge_services.set_judge_organization(g.event, user, form.organization.data or ""),
        success=_("Organization saved."),
        to=url_for("judging.judges", slug=slug),
    )


@bp.route(f"{MANAGE}/conflicts", methods=["POST"])
@requires(ORGANIZER)
def add_conflict(slug: str):
    """Record a conflict of interest by hand."""
    form = ConflictForm()
    user = db.session.get(User, form.judge.data or 0)
    entry = entry_services.get_entry(g.event, form.entry.data or 0)
    if not form.validate_on_submit() or user is None or entry is None:
        abort(400, _("Choose a judge and an entry."))
    return act_and_redirect(
        lambda: judge_services.record_conflict(
            g.event, user, entry, ConflictSource.ORGANIZER, form.reason.data
        ),
        success=_("The conflict has been recorded."),
        to=url_for("judging.judges", slug=slug),
    )


@bp.route(f"{MANAGE}/conflicts/<int:conflict_id>/delete", methods=["POST"])
@requires(ORGANIZER)
def delete_conflict(slug: str, conflict_id: int):
    """Remove a recorded conflict."""
    conflict = db.session.get(Conflict, conflict_id)
    if conflict is None or conflict.event_id != g.event.id:
        abort(404)
    judge_services.remove_conflict(conflict)
    db.session.commit()
    flash(_("The conflict has been removed."), "success")
    return redirect(url_for("judging.judges", slug=slug))


# --- rounds -------------------------------------------------------------------------------


def _round_form_page(form: RoundForm, round_, status: int):
    return render_template("judging/round_form.html", form=form, round=round_), status


def _save_round(form: RoundForm, round_):
    try:
        if round_ is None:
            round_ = round_services.create_round(g.event, form.to_data())
        else:
            round_services.update_round(round_, form.to_data())
        db.session.commit()
    except JudgingError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc.message))
        return None, exc.status if exc.status != 409 else 409
    return round_, 200


@bp.route(f"{MANAGE}/rounds/new", methods=["GET", "POST"])
@requires(ORGANIZER)
def new_round(slug: str):
    """Create a round with criteria (weights must add up to 100)."""
    form = RoundForm.for_languages(g.event.languages)()
    if form.validate_on_submit():
        round_, status = _save_round(form, None)
        if round_ is not None:
            flash(_("The round has been created."), "success")
            return redirect(_round_url(round_))
        return _round_form_page(form, None, status)
    return _round_form_page(form, None, 400 if request.method == "POST" else 200)


@bp.route(f"{MANAGE}/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@requires(ORGANIZER)
def edit_round(slug: str, round_id: int):
    """Edit a round's settings and criteria."""
    round_ = _round(round_id)
    form = RoundForm.for_languages(g.event.languages)()
    if request.method == "GET":
        form.fill_from(round_)
    elif form.validate_on_submit():
        saved, status = _save_round(form, round_)
        if saved is not None:
            flash(_("The round has been saved."), "success")
            return redirect(_round_url(round_))
        return _round_form_page(form, round_, status)
    return _round_form_page(form, round_, 400 if request.method == "POST" else 200)


def _criterion(round_, criterion_id: int):
    criterion = next((c for c in round_.criteria if c.id == criterion_id), None)
    if criterion is None:
        abort(404)
    return criterion


@bp.route(
    f"{MANAGE}/rounds/<int:round_id>/criteria/<int:criterion_id>/rubric", methods=["GET", "POST"]
)
@requires(ORGANIZER)
def edit_rubric(slug: str, round_id: int, criterion_id: int):
    """A criterion's rubric: its description and level bands in every content language. It may
    change while scoring runs (it changes no score); the change is audited."""
    round_ = _round(round_id)
    criterion = _criterion(round_, criterion_id)
    form = RubricForm.for_languages(g.event.languages)()
    if request.method == "GET":
        form.fill_from(criterion)
    elif form.validate_on_submit():

        def save():
            round_services.set_rubric(
                criterion, form.description(), form.level_data(), form.languages
            )
            record_audit(
                "judging.rubric_edit",
                event=g.event,
                target=f"criterion:{criterion.id}",
                details={
                    "round_id": round_.id,
                    "levels": len(criterion.levels),
                    "languages_missing": rubric_missing(criterion, g.event.languages),
                },
            )

        saved = commit_and_redirect(
            save,
            success=_("The rubric has been saved."),
            to=_round_url(round_, "rubric"),
            errors=JudgingError,
        )
        if saved is not None:
            return saved
    status = 400 if request.method == "POST" else 200
    return render_template(
        "judging/rubric_form.html",
        form=form,
        round=round_,
        criterion=criterion,
        missing=rubric_missing(criterion, g.event.languages),
    ), status


@bp.route(f"{MANAGE}/rounds/<int:round_id>/")
@requires(ORGANIZER)
def round_page(slug: str, round_id: int):
    """A round: entries, assignment, progress, ranking, advancement, awards, live final."""
    round_ = _round(round_id)
    overview = assignment_services.assignment_overview(round_)
    in_round = {e.id for e in overview.entries}
    eligible = [
        e
        for e in entry_services.list_entries(g.event)
        if e.eligibility == Eligibility.ELIGIBLE and e.id not in in_round
    ]
    assignment_form = AssignmentForm()
    assignment_form.judge.choices = [(j.id, j.name) for j in overview.judges]
    assignment_form.entry.choices = [(e.id, e.title(_locale())) for e in overview.entries]
    sheets = overview.sheet_status
    submitted = sum(1 for s in sheets.values() if s == "submitted")
    lines = ranking_services.result_lines(round_)
    preview = advancement_services.advancement_preview_lines(round_)
    rubric = round_rubric(round_, g.event, _locale())
    # Conflict reasons are listed under the matrix and numbered in its cells (no hover needed).
    judge_of = {j.id: j for j in overview.judges}
    entry_of = {e.id: e for e in overview.entries}
    conflicts = sorted(
        (pair for pair in overview.conflicts if pair[0] in entry_of and pair[1] in judge_of),
        key=lambda pair: (overview.entries.index(entry_of[pair[0]]), pair[1]),
    )
    conflict_numbers = {pair: n for n, pair in enumerate(conflicts, start=1)}
    conflict_list = [
        (
            conflict_numbers[pair],
            judge_of[pair[1]].name,
            entry_of[pair[0]].title(_locale()),
            overview.conflicts[pair],
        )
        for pair in conflicts
    ]
    return render_template(
        "judging/round.html",
        conflict_numbers=conflict_numbers,
        conflict_list=conflict_list,
        rubric=rubric,
        rubric_missing_of={c.id: rubric_missing(c, g.event.languages) for c in round_.criteria},
        citations=cite_levels(round_, rubric, [r.entry.id for r in preview]),
        round=round_,
        overview=overview,
        eligible=eligible,
        assignment_form=assignment_form,
        submitted=submitted,
        lines=lines,
        incomplete=ranking_services.incomplete_lines(lines),
        line_of={r.entry.id: r.line for r in lines},
        ranking=ranking_services.round_ranking(round_),
        calibration=calibration_services.round_calibration(round_),
        calibration_limits=calibration_services.LIMITS,
        judge_names={j.id: j.name for j in overview.judges},
        preview=preview,
        advance_form=OverrideForm(),
        next_round=round_services.next_round(round_),
        awards=award_services.round_awards(round_),
        awards_form=AwardsForm(),
        award_labels=AWARD_LABELS,
        draw_form=DrawForm(),
        tracks=ranking_services.round_tracks(round_),
        method_labels=dict(AGGREGATION_CHOICES),
        criteria_names={c.id: translate(c.name) for c in round_.criteria},
        SheetStatus=SheetStatus,
    )


@bp.route(f"{MANAGE}/rounds/<int:round_id>/entries", methods=["POST"])
@requires(ORGANIZER)
def add_round_entries(slug: str, round_id: int):
    """Put every eligible entry (or the chosen ones) into the round."""
    round_ = _round(round_id)
    ids = [int(v) for v in request.form.getlist("entry_id") if v.isdigit()]
    return act_and_redirect(
        lambda: (
            round_services.add_entries_to_round(round_, ids)
            if ids
            else round_services.add_eligible_entries(round_)
        ),
        success=lambda added: _("%(n)d entries added to the round.", n=added),
        to=_round_url(round_, "entries"),
        refused_to=_round_url(round_),
    )


@bp.route(f"{MANAGE}/rounds/<int:round_id>/entries/<int:entry_id>/remove", methods=["POST"])
@requires(ORGANIZER)
def remove_round_entry(slug: str, round_id: int, entry_id: int):
    """Take an entry out of the round (not once scores are submitted)."""
    round_ = _round(round_id)
    return act_and_redirect(
        lambda: round_services.remove_entry_from_round(round_, entry_id),
        success=_("The entry has been taken out of the round."),
        to=_round_url(round_, "entries"),
    )


@bp.route(f"{MANAGE}/rounds/<int:round_id>/assign", methods=["POST"])
@requires(ORGANIZER)
def assign(slug: str, round_id: int):
    """Assign judges automatically (balanced, conflict-free)."""
    round_ = _round(round_id)
    try:
        result = assignment_services.assign_automatically(round_)
        db.session.commit()
    except JudgingError as exc:
        return _refused(exc, _round_url(round_, "assignment"))
    if result.short_entries:
        flash(
            _(
                "%(n)d entries could not get enough judges without a conflict; add judges or "
                "assign by hand.",
                n=len(result.short_entries),
            ),
            "error",
        )
    else:
        flash(_("Judges assigned."), "success")
    return redirect(_round_url(round_, "assignment"))


@bp.route(f"{MANAGE}/rounds/<int:round_id>/assignments", methods=["POST"])
@requires(ORGANIZER)
def change_assignment(slug: str, round_id: int):
    """Add or remove one judge–entry pair by hand."""
    round_ = _round(round_id)
    form = AssignmentForm()
    if not form.validate_on_submit() or request.form.get("action") not in ("add", "remove"):
        abort(400, _("Choose a judge and an entry."))
    change = (
        assignment_services.add_assignment
        if request.form["action"] == "add"
        else assignment_services.remove_assignment
    )
    return act_and_redirect(
        lambda: change(round_, form.entry.data, form.judge.data),
        success=_("Assignment changed."),
        to=_round_url(round_, "assignment"),
    )


@bp.route(f"{MANAGE}/rounds/<int:round_id>/compare")
@requires(ORGANIZER)
def compare(slug: str, round_id: int):
    """The rankings the three aggregation methods give, side by side."""
    round_ = _round(round_id)
    rankings = ranking_services.compare_rankings(round_)
    entries = {e.id: e for e in round_services.round_entries(round_)}
    positions = {
        method: {line.entry_id: line.rank for line in ranking.entries}
        for method, ranking in rankings.items()
    }
    return render_template(
        "judging/compare.html",
        round=round_,
        rankings=rankings,
        positions=positions,
        entries=entries,
        methods=METHODS,
        method_labels=dict(AGGREGATION_CHOICES),
        criteria_names={c.id: translate(c.name) for c in round_.criteria},
    )


@bp.route(f"{MANAGE}/rounds/<int:round_id>/audit")
@requires(ORGANIZER)
def audit(slug: str, round_id: int):
    """Every version of every score sheet: who, when, old → new; reopen a submitted score."""
    round_ = _round(round_id)
    entry_id = request.args.get("entry", type=int)
    return render_template(
        "judging/audit.html",
        round=round_,
        lines=scoring_services.audit_trail(round_, entry_id),
        reopen_form=ReopenForm(),
    )


@bp.route(f"{MANAGE}/rounds/<int:round_id>/sheets/<int:sheet_id>/reopen", methods=["POST"])
@requires(ORGANIZER)
def reopen(slug: str, round_id: int, sheet_id: int):
    """Reopen a submitted score so the judge can change it."""
    round_ = _round(round_id)
    sheet = scoring_services.get_sheet(round_, sheet_id)
    if sheet is None:
        abort(404)
    form = ReopenForm()
    form.validate_on_submit()
    return act_and_redirect(
        lambda: scoring_services.reopen_sheet(sheet, current_user, form.note.data or ""),
        success=_("The score has been reopened."),
        to=url_for("judging.audit", slug=slug, round_id=round_id),
    )


@bp.route(f"{MANAGE}/rounds/<int:round_id>/advance", methods=["POST"])
@requires(ORGANIZER)
def advance(slug: str, round_id: int):
    """Send the previewed entries into the next round."""
    round_ = _round(round_id)
    form = OverrideForm()
    if not form.validate_on_submit():
        abort(400)
    return act_and_redirect(
        lambda: advancement_services.advance_round(
            round_, form.override_reason.data or "", current_user
        ),
        success=lambda advanced: _(
            "%(n)d entries advanced to %(round)s.",
            n=advanced[1],
            round=translate(advanced[0].name),
        ),
        to=lambda advanced: _round_url(advanced[0]),
        refused_to=_round_url(round_, "advancement"),
    )


@bp.route(f"{MANAGE}/rounds/<int:round_id>/awards", methods=["POST"])
@requires(ORGANIZER)
def awards(slug: str, round_id: int):
    """Give awards down the ranking."""
    round_ = _round(round_id)
    form = AwardsForm()
    if not form.validate_on_submit():
        abort(400, _("Give a number of awards for every level."))
    return act_and_redirect(
        lambda: award_services.assign_awards(
            round_, form.counts(), form.override_reason.data or "", current_user
        ),
        success=_("Awards assigned."),
        to=_round_url(round_, "awards"),
    )


@bp.route(f"{MANAGE}/rounds/<int:round_id>/awards/certificates", methods=["POST"])
@requires(ORGANIZER)
def award_certificates(slug: str, round_id: int):
    """Issue and mail award certificates to every team member of the awarded entries."""
    round_ = _round(round_id)
    return act_and_redirect(
        lambda: award_services.issue_award_certificates(round_, current_user),
        success=lambda run: _(
            "%(issued)d certificates issued and mailed, %(existing)d already existed, "
            "%(skipped)d members skipped (not confirmed).",
            issued=run.issued,
            existing=run.existing,
            skipped=len(run.skipped),
        ),
        to=_round_url(round_, "awards"),
    )


def _audit_results_export(round_, file_format: str) -> None:
    """Results name teams and their members: every export is in the audit log."""
    record_audit(
        "judging.results_export",
        event=g.event,
        target=f"round:{round_.id}",
        details={"format": file_format},
    )
    db.session.commit()


@bp.route(f"{MANAGE}/rounds/<int:round_id>/results.xlsx")
@requires(ORGANIZER)
def results_xlsx(slug: str, round_id: int):
    """The round's results per track as an XLSX workbook."""
    round_ = _round(round_id)
    data = export.results_workbook(round_, _locale())
    _audit_results_export(round_, "xlsx")
    return send_file(
        BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"results-round-{round_.id}.xlsx",
    )


@bp.route(f"{MANAGE}/rounds/<int:round_id>/results.pdf")
@requires(ORGANIZER)
def results_pdf(slug: str, round_id: int):
    """The round's results sheet as PDF."""
    round_ = _round(round_id)
    data = export.results_pdf(round_, _locale())
    _audit_results_export(round_, "pdf")
    return send_file(
        BytesIO(data),
        mimetype="application/pdf",
        as_attachment=request.args.get("download") == "1",
        download_name=f"results-round-{round_.id}.pdf",
        max_age=0,
    )


# --- live final: draw, stage, ranking screen ----------------------------------------------------


@bp.route(f"{MANAGE}/rounds/<int:round_id>/draw", methods=["POST"])
@requires(ORGANIZER)
def draw(slug: str, round_id: int):
    """Draw the pitch order with a recorded seed."""
    round_ = _round(round_id)
    form = DrawForm()
    if not form.validate_on_submit():
        abort(400, _("The seed is too long."))
    return act_and_redirect(
        lambda: live_services.draw_pitch_order(round_, form.seed.data or None),
        success=lambda seed: _("Pitch order drawn with seed %(seed)s.", seed=seed),
        to=_round_url(round_, "live"),
    )


@bp.route(f"{MANAGE}/rounds/<int:round_id>/ranking-state", methods=["POST"])
@requires(ORGANIZER)
def ranking_state(slug: str, round_id: int):
    """Switch the ranking screen between live, frozen and published."""
    round_ = _round(round_id)
    state = request.form.get("state", "")
    if state not in set(RankingState):
        abort(400, _("Choose live, frozen or published."))
    live_services.set_ranking_state(round_, RankingState(state), _locale())
    db.session.commit()
    flash(_("Ranking screen switched."), "success")
    return redirect(_round_url(round_, "live"))


@bp.route(f"{MANAGE}/rounds/<int:round_id>/host")
@requires(ORGANIZER)
def host(slug: str, round_id: int):
    """The host's control page: current team, timers, reveal."""
    round_ = _round(round_id)
    return render_template(
        "judging/host.html", round=round_, state=live_services.stage_state(round_, _locale())
    )


@bp.route(f"{MANAGE}/rounds/<int:round_id>/stage/control", methods=["POST"])
@requires(ORGANIZER)
def stage_control(slug: str, round_id: int):
    """Host action: next/previous team, choose a team, timer start/pause/resume/reset."""
    round_ = _round(round_id)
    action = request.form.get("action", "")
    try:
        if action in ("next", "previous"):
            live_services.step_current_entry(round_, 1 if action == "next" else -1)
        elif action == "choose":
            live_services.set_current_entry(round_, request.form.get("entry_id", type=int))
        else:
            live_services.control_timer(round_, action)
        db.session.commit()
    except JudgingError as exc:
        db.session.rollback()
        if request.accept_mimetypes.best == "application/json":
            return {"error": exc.code, "message": str(exc.message)}, exc.status
        flash(str(exc.message), "error")
    if request.accept_mimetypes.best == "application/json":
        return live_services.stage_state(round_, _locale())
    return redirect(url_for("judging.host", slug=slug, round_id=round_id))


@bp.route(f"{MANAGE}/rounds/<int:round_id>/stage")
@requires(ORGANIZER)
def stage(slug: str, round_id: int):
    """The projector page: current team, timer, revealed scores."""
    round_ = _round(round_id)
    return render_template(
        "judging/stage.html", round=round_, state=live_services.stage_state(round_, _locale())
    )


@bp.route(f"{MANAGE}/rounds/<int:round_id>/stage.json")
@requires(ORGANIZER)
def stage_json(slug: str, round_id: int):
    """The stage state as JSON (polled by the stage and host pages)."""
    return live_services.stage_state(_round(round_id), _locale())


@bp.route(f"{MANAGE}/rounds/<int:round_id>/screen")
@requires(ORGANIZER)
def screen(slug: str, round_id: int):
    """The ranking screen: updates live by server-sent events (polling as a fallback)."""
    round_ = _round(round_id)
    return render_template(
        "judging/screen.html", round=round_, data=live_services.screen_ranking(round_, _locale())
    )


def _screen_etag(round_, locale: str) -> str:
    # The score version changes with every score, stage and screen-state write.
    return f"{round_.id}-{round_.score_version}-{locale}"


@bp.route(f"{MANAGE}/rounds/<int:round_id>/screen.json")
@requires(ORGANIZER)
def screen_json(slug: str, round_id: int):
    """What the ranking screen shows now, as JSON; 304 for the If-None-Match of the last one."""
    round_ = _round(round_id)
    locale = _locale()
    etag = _screen_etag(round_, locale)
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = jsonify(live_services.screen_ranking(round_, locale))
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


def _since(header: str | None, query: str | None) -> int | None:
    """The score version the screen already shows: Last-Event-ID (EventSource sends it when it
    reconnects), else ?since= (the version the page was rendered with)."""
    for raw in (header, query):
        if raw is None:
            continue
        try:
            return database_integer(raw.strip())
        except ValueError:
            continue
    return None


@bp.route(f"{MANAGE}/rounds/<int:round_id>/events")
@requires(ORGANIZER)
def screen_events(slug: str, round_id: int):
    """Server-sent events for the ranking screen: short responses, resumed by Last-Event-ID.

    Each response answers at once: the ranking as a `ranking` event (id: the score version)
    when it changed since the version the screen shows, then it ends with `retry:` so the
    browser's EventSource reconnects after SSE_RETRY_MS and sends the last id back. A screen
    therefore costs one short request a second and never holds a sync or gthread worker.
    JUDGING_SSE_HOLD_SECONDS > 0 (async workers only) keeps an unchanged stream open that long
    and sends the change as soon as it is committed.
    """
    round_ = _round(round_id)
    locale = _locale()
    since = _since(request.headers.get("Last-Event-ID"), request.args.get("since"))
    retry = int(current_app.config.get("JUDGING_SSE_RETRY_MS", SSE_RETRY_MS))
    hold = float(current_app.config.get("JUDGING_SSE_HOLD_SECONDS", 0))
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    if round_.score_version != since or hold <= 0:
        body = f"retry: {retry}\n\n"
        if round_.score_version != since:
            payload = json.dumps(live_services.screen_ranking(round_, locale))
            body += f"id: {round_.score_version}\nevent: ranking\ndata: {payload}\n\n"
        return Response(body, mimetype="text/event-stream", headers=headers)

    app = current_app._get_current_object()
    round_pk = round_.id
    db.session.remove()

    def held_stream():
        yield f"retry: {retry}\n\n"
        deadline = time.monotonic() + hold
        while time.monotonic() < deadline:
            time.sleep(SSE_POLL)
            with app.app_context():
                version = live_services.current_score_version(round_pk)
                if version is None:
                    return
                if version != since:
                    fresh = db.session.get(Round, round_pk)
                    payload = json.dumps(live_services.screen_ranking(fresh, locale))
                    db.session.remove()
                    yield f"id: {version}\nevent: ranking\ndata: {payload}\n\n"
                    return
                db.session.remove()

    return Response(held_stream(), mimetype="text/event-stream", headers=headers)


# --- judges' tablet pages ---------------------------------------------------------------------


@bp.route("/judge/<slug>/")
@requires(JUDGE)
def judge_home(slug: str):
    """A judge's rounds with progress."""
    return render_template(
        "judging/judge_home.html", rounds=scoring_services.judge_rounds(g.event, current_user)
    )


@bp.route("/judge/<slug>/declaration", methods=["GET", "POST"])
@requires(JUDGE)
def declaration(slug: str):
    """A judge declares their organization and the entries they have a conflict with."""
    entries = entry_services.list_entries(g.event)
    form = DeclarationForm()
    form.entries.choices = [(e.id, e.title(_locale())) for e in entries]
    profile = judge_services.judge_profile(g.event, current_user)
    if request.method == "GET" and profile is not None:
        form.organization.data = profile.organization
    if form.validate_on_submit():
        try:
            judge_services.set_judge_organization(
                g.event, current_user, form.organization.data or ""
            )
            for entry_id in form.entries.data or []:
                entry = entry_services.get_entry(g.event, entry_id)
                if entry is None:
                    abort(400, _("No such entry."))
                judge_services.record_conflict(
                    g.event, current_user, entry, ConflictSource.DECLARED, form.reason.data or ""
                )
            db.session.commit()
        except JudgingError as exc:
            return _refused(exc, url_for("judging.declaration", slug=slug))
        flash(_("Thank you, your declaration has been saved."), "success")
        return redirect(url_for("judging.judge_home", slug=slug))
    declared = [
        c for c in judge_services.recorded_conflicts(g.event) if c.judge_user_id == current_user.id
    ]
    return render_template("judging/declaration.html", form=form, declared=declared)


def _judge_round(round_id: int):
    round_ = _round(round_id)
    return round_


def _tablet_data(round_) -> dict:
    locale = _locale()
    entries = scoring_services.judge_entries(round_, current_user)
    return {
        "round": {"id": round_.id, "name": translate(round_.name)},
        "api": url_for("judging.api_round", slug=g.event.slug, round_id=round_.id),
        "criteria": rubric_json(round_rubric(round_, g.event, locale)),
        "entries": [
            {
                "id": entry.id,
                "title": entry.title(locale),
                "team": entry.team_name,
                "track": entry.track,
                "summary": entry.summary,
                "video": entry.video_url,
                "deck": url_for(
                    "judging.judge_deck", slug=g.event.slug, round_id=round_.id, entry_id=entry.id
                )
                if entry.deck_file
                else None,
                "members": [
                    {
                        "name": m.registration.native_name,
                        "latin": m.registration.latin_name,
                        "country": m.registration.country,
                        "leader": m.is_leader,
                    }
                    for m in entry.members
                ],
                "sheet": scoring_services.sheet_state(round_, entry.id, current_user),
            }
            for entry, _sheet in entries
        ],
    }


@bp.route("/judge/<slug>/rounds/<int:round_id>/")
@requires(JUDGE)
def judge_round(slug: str, round_id: int):
    """The tablet scoring page: the judge's entries, one at a time, autosaving."""
    round_ = _judge_round(round_id)
    data = _tablet_data(round_)
    if not data["entries"]:
        abort(403, _("You have no entries to score in this round."))
    # The sheet opens on the first entry the judge has not submitted yet.
    focus = next(
        (e["id"] for e in data["entries"] if e["sheet"]["status"] != "submitted"),
        data["entries"][0]["id"],
    )
    return render_template(
        "judging/tablet.html", round=round_, data=data, focus=focus, explicit=False
    )


@bp.route("/judge/<slug>/rounds/<int:round_id>/entries/<int:entry_id>")
@requires(JUDGE)
def judge_entry(slug: str, round_id: int, entry_id: int):
    """The tablet page opened on one entry; 403 unless assigned and free of conflicts."""
    round_ = _judge_round(round_id)
    if not scoring_services.can_score(round_, entry_id, current_user):
        abort(
            403,
            _("You are not assigned to this entry, or you have a conflict of interest with it."),
        )
    return render_template(
        "judging/tablet.html",
        round=round_,
        data=_tablet_data(round_),
        focus=entry_id,
        explicit=True,
    )


@bp.route("/judge/<slug>/rounds/<int:round_id>/entries/<int:entry_id>/deck.pdf")
@requires(JUDGE)
def judge_deck(slug: str, round_id: int, entry_id: int):
    """An assigned entry's pitch deck; 403 otherwise."""
    round_ = _judge_round(round_id)
    if not scoring_services.can_score(round_, entry_id, current_user):
        abort(403)
    return _send_deck(_entry(entry_id))
