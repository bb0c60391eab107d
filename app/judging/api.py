"""The tablet's JSON API: read and save a judge's score sheet, and the judge's progress.

Described in the OpenAPI document (generated from schemas.py, served at /api/openapi.json).
Cookie-authenticated (the judge's session; 401 without one) with the CSRF token in
X-CSRFToken. Every save carries a client id; a resend of an already stored save answers 200
with `duplicate: true` and stores nothing. Refusals are 4xx {"error": code, "message":
localized text}; nothing is stored for a refused request.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import ValidationError

from app.accounts.models import Role
from app.accounts.permissions import event_role, requires
from app.extensions import db
from app.jsonapi import json_body
from app.judging import (
    round_services,
    scoring_services,
    submission_routes,  # noqa: F401  (the team entry pages, same blueprint)
)
from app.judging.errors import JudgingError
from app.judging.routes import bp
from app.judging.schemas import MAX_BODY, ScoreSave

API = "/api/events/<slug>/judging/rounds/<int:round_id>"
JUDGE = event_role(Role.JUDGE)


@bp.errorhandler(JudgingError)
def _judging_error(error: JudgingError):
    db.session.rollback()
    if request.path.startswith("/api/"):
        return jsonify(error=error.code, message=str(error.message)), error.status
    return (
        render_template("errors/error.html", code=error.status, message=str(error.message)),
        error.status,
    )


def _signed_in(view):
    """An anonymous call gets 401 JSON, not the login page's redirect (the tablet asks again
    after signing in). Keeps the view's permission rule for the route checks."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            message = _("Your session has ended; sign in again as a judge.")
            return jsonify(error="not_signed_in", message=message), 401
        return view(*args, **kwargs)

    return wrapped


def _round(round_id: int):
    round_ = round_services.get_round(g.event, round_id)
    if round_ is None:
        abort(404, _("No such round."))
    return round_


@bp.route(f"{API}/", methods=["GET"])
@_signed_in
@requires(JUDGE)
def api_round(slug: str, round_id: int):
    """The judge's progress in a round: how many of the assigned entries are submitted."""
    round_ = _round(round_id)
    entries = scoring_services.judge_entries(round_, current_user)
    submitted = sum(1 for _, s in entries if s is not None and s.status == "submitted")
    return {"round_id": round_.id, "assigned": len(entries), "submitted": submitted}


@bp.route(f"{API}/sheets/<int:entry_id>", methods=["GET"])
@_signed_in
@requires(JUDGE)
def api_sheet(slug: str, round_id: int, entry_id: int):
    """The judge's sheet for an entry; 403 unless assigned and free of conflicts."""
    round_ = _round(round_id)
    scoring_services.check_can_score(round_, entry_id, current_user)
    return scoring_services.sheet_state(round_, entry_id, current_user)


@bp.route(f"{API}/sheets/<int:entry_id>", methods=["POST"])
@_signed_in
@requires(JUDGE)
def api_save_sheet(slug: str, round_id: int, entry_id: int):
    """Save a draft ({"action": "draft"}) or submit and lock ({"action": "submit"}).

    Body: {"client_id", "action", "values": {"<criterion id>": number}, "comment"}.
    403 not assigned or conflicted, 409 locked, 422 bad values, 415/400 bad body.
    """
    round_ = _round(round_id)
    try:
        save = ScoreSave.model_validate(json_body(MAX_BODY))
    except ValidationError:  # the action: the other fields are save_sheet's to check
        raise JudgingError(_("The action must be draft or submit."), 422, "bad_action") from None
    result = scoring_services.save_sheet(
        round_,
        entry_id,
        current_user,
        values=save.values,
        comment=save.comment,
        submit=save.action == "submit",
        client_id=save.client_id,
    )
    db.session.commit()
    state = scoring_services.sheet_state(round_, entry_id, current_user)
    state["duplicate"] = result.duplicate
    return state
