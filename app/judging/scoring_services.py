"""Score sheets: what a judge may score, validated values, saves with a version history (a
resent save stores nothing), reopening and the audit trail. Flushes, never commits;
refusals raise JudgingError.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.audit.services import record_audit
from app.clock import utcnow
from app.events.models import Event
from app.extensions import db
from app.judging import aggregation
from app.judging.errors import JudgingError
from app.judging.judge_services import conflict_pairs, has_conflict, sheet_of
from app.judging.models import (
    Assignment,
    Entry,
    Round,
    RoundEntry,
    ScoreSheet,
    ScoreVersion,
    SheetStatus,
)
from app.judging.ranking_cache import bump_score_version
from app.judging.round_services import criterion_specs, list_rounds
from app.templating import translate

MAX_COMMENT = 4000
MAX_DB_ID = 2**31 - 1  # the largest value of an integer primary key column
CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")


def can_score(round_: Round, entry_id: int, user: User) -> bool:
    """True when the user is assigned to the entry in this round and has no conflict with it."""
    assigned = db.session.scalar(
        select(Assignment.id).where(
            Assignment.round_id == round_.id,
            Assignment.entry_id == entry_id,
            Assignment.judge_user_id == user.id,
        )
    )
    if not assigned:
        return False
    return not has_conflict(db.session.get(Event, round_.event_id), user.id, entry_id)


def check_can_score(round_: Round, entry_id: int, user: User) -> None:
    """Raise JudgingError (403) unless the user may score this entry in this round."""
    if not can_score(round_, entry_id, user):
        raise JudgingError(
            _l("You are not assigned to this entry, or you have a conflict of interest with it."),
            status=403,
            code="not_assigned",
        )


def judge_rounds(event: Event, user: User) -> list[tuple[Round, int, int]]:
    """Rounds where the judge has entries: (round, submitted, assigned)."""
    result = []
    for round_ in list_rounds(event):
        entries = judge_entries(round_, user)
        if not entries:
            continue
        submitted = sum(
            1 for _, sheet in entries if sheet and sheet.status == SheetStatus.SUBMITTED
        )
        result.append((round_, submitted, len(entries)))
    return result


def judge_entries(round_: Round, user: User) -> list[tuple[Entry, ScoreSheet | None]]:
    """The judge's scorable entries in a round (conflicted ones left out) with their sheets."""
    event = db.session.get(Event, round_.event_id)
    conflicted = {e for e, j in conflict_pairs(event) if j == user.id}
    rows = db.session.execute(
        select(Entry, RoundEntry.draw_position)
        .join(Assignment, Assignment.entry_id == Entry.id)
        .join(
            RoundEntry,
            (RoundEntry.entry_id == Entry.id) & (RoundEntry.round_id == Assignment.round_id),
        )
        .where(Assignment.round_id == round_.id, Assignment.judge_user_id == user.id)
    ).all()
    sheets = {
        s.entry_id: s
        for s in db.session.scalars(
            select(ScoreSheet).where(
                ScoreSheet.round_id == round_.id, ScoreSheet.judge_user_id == user.id
            )
        )
    }
    rows = sorted(
        (r for r in rows if r[0].id not in conflicted),
        key=lambda r: (r[1] is None, r[1] or 0, r[0].title_en.casefold()),
    )
    return [(entry, sheets.get(entry.id)) for entry, _ in rows]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def validate_values(round_: Round, raw: Any, *, complete: bool) -> dict[str, float]:
    """Check submitted scores against the round's criteria; returns {"<criterion id>": value}.

    Raises JudgingError (422) for unknown criteria, non-numbers, out-of-range or off-step
    values and, when `complete`, missing criteria.
    """
    if not isinstance(raw, dict):
        raise JudgingError(_l("Scores must be an object of criterion → score."), status=422)
    criteria = {str(c.id): c for c in round_.criteria}
    clean: dict[str, float] = {}
    for key, value in raw.items():
        criterion = criteria.get(str(key))
        if criterion is None:
            raise JudgingError(_l("Unknown criterion: %(key)s.", key=str(key)[:40]), status=422)
        if value is None and not complete:
            continue
        number = _number(value)
        name = translate(criterion.name)
        if number is None:
            raise JudgingError(
                _l("The score for %(name)s must be a number.", name=name),
                status=422,
                code="not_a_number",
            )
        if not criterion.min_score <= number <= criterion.max_score:
            raise JudgingError(
                _l(
                    "The score for %(name)s must be between %(min)s and %(max)s.",
                    name=name,
                    min=f"{criterion.min_score:g}",
                    max=f"{criterion.max_score:g}",
                ),
                status=422,
                code="out_of_range",
            )
        steps = (number - criterion.min_score) / criterion.step
        if abs(steps - round(steps)) > 1e-6:
            raise JudgingError(
                _l(
                    "The score for %(name)s must be in steps of %(step)s.",
                    name=name,
                    step=f"{criterion.step:g}",
                ),
                status=422,
                code="off_step",
            )
        clean[str(criterion.id)] = number
    if complete:
        missing = [translate(c.name) for cid, c in criteria.items() if cid not in clean]
        if missing:
            raise JudgingError(
                _l("Score every criterion before submitting: %(names)s.", names=", ".join(missing)),
                status=422,
                code="incomplete",
            )
    return clean


def sheet_total(round_: Round, values: dict[str, float]) -> float:
    """The weighted total (0…100) of a sheet's values."""
    return round(
        aggregation.weighted_total(values, criterion_specs(round_)),
        aggregation.SCORE_DIGITS,
    )


def value_list(round_: Round, values: dict[str, float]) -> str:
    """A sheet's values as ScoreSheet.value_list stores them: criterion order, space-separated,
    a missing value as the criterion's minimum."""
    return " ".join(repr(float(values.get(str(c.id), c.min_score))) for c in round_.criteria)


@dataclass
class SaveResult:
    """The sheet after a save, and whether the request was a resend already stored."""

    sheet: ScoreSheet
    duplicate: bool


def save_sheet(
    round_: Round,
    entry_id: int,
    judge: User,
    *,
    values: Any,
    comment: Any = "",
    submit: bool = False,
    client_id: Any,
) -> SaveResult:
    """Save a judge's draft or submit it (locks it); a resent client id returns the stored one.

    Raises JudgingError: 403 when not assigned or conflicted, 409 when the sheet is locked,
    422 for bad values, a bad comment or a bad client id.
    """
    if not isinstance(client_id, str) or not CLIENT_ID_RE.match(client_id):
        raise JudgingError(
            _l("Every save needs a client id of 8 to 64 letters, digits or - _ . :"),
            status=422,
            code="bad_client_id",
        )
    if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
        raise JudgingError(
            _l("The comment must be text of at most %(n)d characters.", n=MAX_COMMENT), status=422
        )
    check_can_score(round_, entry_id, judge)
    # The assignment row lock serialises saves of one sheet (two tabs, a resend racing the
    # original) on PostgreSQL; SQLite's BEGIN IMMEDIATE does it for the whole database.
    db.session.scalar(
        select(Assignment.id)
        .where(
            Assignment.round_id == round_.id,
            Assignment.entry_id == entry_id,
            Assignment.judge_user_id == judge.id,
        )
        .with_for_update()
    )
    sheet = sheet_of(round_.id, entry_id, judge.id)
    if sheet is not None:
        seen = db.session.scalar(
            select(ScoreVersion.id).where(
                ScoreVersion.sheet_id == sheet.id, ScoreVersion.client_id == client_id
            )
        )
        if seen:
            return SaveResult(sheet, True)
        if sheet.status == SheetStatus.SUBMITTED:
            raise JudgingError(
                _l("This score is submitted and locked; ask an organizer to reopen it."),
                status=409,
                code="locked",
            )
    clean = validate_values(round_, values, complete=submit)
    if sheet is None:
        sheet = ScoreSheet(round_id=round_.id, entry_id=entry_id, judge_user_id=judge.id)
        db.session.add(sheet)
        merged = clean
    else:
        # A draft may carry only the criteria that changed; submit carries all of them.
        merged = dict(sheet.values or {})
        merged.update(clean)
        merged = {k: v for k, v in merged.items() if k in {str(c.id) for c in round_.criteria}}
    now = utcnow()
    sheet.values = merged
    sheet.value_list = value_list(round_, merged)
    sheet.comment = comment.strip()
    sheet.version = (sheet.version or 0) + 1
    sheet.total = sheet_total(round_, merged)
    sheet.updated_at = now
    if submit:
        sheet.status = SheetStatus.SUBMITTED
        sheet.submitted_at = now
    else:
        sheet.status = SheetStatus.DRAFT
    db.session.flush()
    db.session.add(
        ScoreVersion(
            sheet_id=sheet.id,
            version=sheet.version,
            action="submit" if submit else "draft",
            values=dict(merged),
            comment=sheet.comment,
            status=sheet.status,
            client_id=client_id,
            actor_user_id=judge.id,
            created_at=now,
        )
    )
    if submit:
        bump_score_version(round_)
    db.session.flush()
    return SaveResult(sheet, False)


def reopen_sheet(sheet: ScoreSheet, actor: User, note: str = "") -> None:
    """Unlock a submitted score so the judge can change it (kept as a new version).

    Raises JudgingError (409) when the sheet is not submitted.
    """
    db.session.scalar(
        select(Assignment.id)
        .where(
            Assignment.round_id == sheet.round_id,
            Assignment.entry_id == sheet.entry_id,
            Assignment.judge_user_id == sheet.judge_user_id,
        )
        .with_for_update()
    )
    db.session.refresh(sheet)
    if sheet.status != SheetStatus.SUBMITTED:
        raise JudgingError(_l("Only a submitted score can be reopened."), status=409)
    sheet.status = SheetStatus.DRAFT
    sheet.submitted_at = None
    sheet.version += 1
    sheet.updated_at = utcnow()
    db.session.add(
        ScoreVersion(
            sheet_id=sheet.id,
            version=sheet.version,
            action="reopen",
            values=dict(sheet.values or {}),
            comment=sheet.comment,
            status=SheetStatus.DRAFT,
            actor_user_id=actor.id,
            note=note.strip()[:300],
            created_at=sheet.updated_at,
        )
    )
    round_ = db.session.get(Round, sheet.round_id)
    bump_score_version(round_)
    record_audit(
        "judging.sheet_reopen",
        event_id=round_.event_id,
        user=actor,
        target=f"sheet:{sheet.id}",
        details={
            "round_id": sheet.round_id,
            "entry_id": sheet.entry_id,
            "judge_user_id": sheet.judge_user_id,
            "version": sheet.version,
        },
    )
    db.session.flush()


def get_sheet(round_: Round, sheet_id: int) -> ScoreSheet | None:
    """The round's score sheet with this id, or None."""
    sheet = db.session.get(ScoreSheet, sheet_id)
    return sheet if sheet is not None and sheet.round_id == round_.id else None


def sheet_state(round_: Round, entry_id: int, judge: User) -> dict[str, Any]:
    """The judge's sheet for an entry as JSON-ready data (empty draft when none yet)."""
    sheet = sheet_of(round_.id, entry_id, judge.id)
    if sheet is None:
        return {
            "entry_id": entry_id,
            "status": "new",
            "version": 0,
            "values": {},
            "comment": "",
            "total": None,
        }
    return {
        "entry_id": entry_id,
        "status": str(sheet.status),
        "version": sheet.version,
        "values": sheet.values or {},
        "comment": sheet.comment,
        "total": sheet.total,
    }


@dataclass
class VersionChange:
    """One line of the audit trail: a version with what changed from the one before."""

    version: ScoreVersion
    sheet: ScoreSheet
    # (what changed, old, new): a Criterion, or "comment" / "status" (with SheetStatus values)
    changes: list[tuple[Any, Any, Any]]


def audit_trail(round_: Round, entry_id: int | None = None) -> list[VersionChange]:
    """Every saved version of the round's sheets, newest first, with old → new values."""
    query = (
        select(ScoreVersion, ScoreSheet)
        .join(ScoreSheet, ScoreSheet.id == ScoreVersion.sheet_id)
        .where(ScoreSheet.round_id == round_.id)
        .order_by(ScoreVersion.sheet_id, ScoreVersion.version)
    )
    if entry_id is not None:
        query = query.where(ScoreSheet.entry_id == entry_id)
    names = {str(c.id): c for c in round_.criteria}
    lines: list[VersionChange] = []
    previous: dict[int, ScoreVersion] = {}
    for version, sheet in db.session.execute(query).all():
        before = previous.get(sheet.id)
        old_values = before.values if before else {}
        changes: list[tuple[Any, Any, Any]] = []
        for key in sorted(set(old_values) | set(version.values or {}), key=lambda k: int(k)):
            old, new = old_values.get(key), (version.values or {}).get(key)
            if old != new:
                criterion = names.get(key)
                changes.append((criterion or key, old, new))
        if (before.comment if before else "") != version.comment:
            changes.append(("comment", before.comment if before else "", version.comment))
        if (before.status if before else None) != version.status:
            changes.append(("status", before.status if before else None, version.status))
        lines.append(VersionChange(version, sheet, changes))
        previous[sheet.id] = version
    lines.sort(key=lambda line: (line.version.created_at, line.version.id), reverse=True)
    return lines
