"""The event's judges and their conflicts of interest: declared, added by hand or detected
(a judge working where a team member does). Flushes, never commits; refusals raise
JudgingError.
"""

from __future__ import annotations

from collections import defaultdict

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import EventRole, Role, User
from app.events.models import Event
from app.extensions import db
from app.judging.errors import JudgingError
from app.judging.models import (
    Assignment,
    Conflict,
    ConflictSource,
    Entry,
    JudgeProfile,
    ScoreSheet,
    SheetStatus,
    TeamMember,
)
from app.registration.models import Registration


def normalize_organization(name: str) -> str:
    """Organization names compared case- and whitespace-insensitively."""
    return " ".join(name.split()).casefold()


def event_judges(event: Event) -> list[User]:
    """Users holding the judge role on the event, by name."""
    return db.session.scalars(
        select(User)
        .join(EventRole, EventRole.user_id == User.id)
        .where(EventRole.event_id == event.id, EventRole.role == Role.JUDGE)
        .order_by(User.name, User.id)
    ).all()


def is_judge(event: Event, user: User) -> bool:
    """True when the user holds the judge role on the event."""
    return (
        db.session.scalar(
            select(EventRole.id).where(
                EventRole.event_id == event.id,
                EventRole.user_id == user.id,
                EventRole.role == Role.JUDGE,
            )
        )
        is not None
    )


def judge_profile(event: Event, user: User) -> JudgeProfile | None:
    """What the judge declared for the event, if anything."""
    return db.session.scalar(
        select(JudgeProfile).where(
            JudgeProfile.event_id == event.id, JudgeProfile.user_id == user.id
        )
    )


def set_judge_organization(event: Event, user: User, organization: str) -> JudgeProfile:
    """Record the organization a judge works for (used for automatic conflict detection)."""
    if not is_judge(event, user):
        raise JudgingError(_l("This person is not a judge of the event."), status=404)
    profile = judge_profile(event, user)
    if profile is None:
        profile = JudgeProfile(event_id=event.id, user_id=user.id)
        db.session.add(profile)
    profile.organization = organization.strip()[:200]
    db.session.flush()
    return profile


def record_conflict(
    event: Event, judge: User, entry: Entry, source: ConflictSource, reason: str = ""
) -> Conflict:
    """Record a conflict between a judge and an entry (idempotent) and drop open assignments.

    Raises JudgingError when the user is not a judge or the entry is not the event's.
    """
    if not is_judge(event, judge):
        raise JudgingError(_l("This person is not a judge of the event."), status=404)
    if entry.event_id != event.id:
        raise JudgingError(_l("No such entry."), status=404)
    conflict = db.session.scalar(
        select(Conflict).where(Conflict.judge_user_id == judge.id, Conflict.entry_id == entry.id)
    )
    if conflict is None:
        conflict = Conflict(
            event_id=event.id,
            judge_user_id=judge.id,
            entry_id=entry.id,
            source=source,
            reason=reason.strip()[:300],
        )
        db.session.add(conflict)
    _drop_unscored_assignments(judge.id, entry.id)
    db.session.flush()
    return conflict


def _drop_unscored_assignments(judge_id: int, entry_id: int) -> None:
    """Remove a conflicted judge's assignments to the entry where nothing was submitted."""
    assignments = db.session.scalars(
        select(Assignment).where(
            Assignment.judge_user_id == judge_id, Assignment.entry_id == entry_id
        )
    ).all()
    for assignment in assignments:
        sheet = sheet_of(assignment.round_id, entry_id, judge_id)
        if sheet is None or sheet.status != SheetStatus.SUBMITTED:
            if sheet is not None:
                db.session.delete(sheet)
            db.session.delete(assignment)


def remove_conflict(conflict: Conflict) -> None:
    """Delete a recorded conflict."""
    db.session.delete(conflict)
    db.session.flush()


def recorded_conflicts(event: Event) -> list[Conflict]:
    """The event's declared and hand-added conflicts."""
    return db.session.scalars(
        select(Conflict).where(Conflict.event_id == event.id).order_by(Conflict.id)
    ).all()


def automatic_conflicts(event: Event) -> dict[tuple[int, int], str]:
    """(entry id, judge id) → organization, where a judge works where a team member does."""
    profiles = db.session.scalars(
        select(JudgeProfile).where(JudgeProfile.event_id == event.id)
    ).all()
    judge_orgs: dict[str, list[int]] = defaultdict(list)
    for profile in profiles:
        key = normalize_organization(profile.organization)
        if key:
            judge_orgs[key].append(profile.user_id)
    if not judge_orgs:
        return {}
    found: dict[tuple[int, int], str] = {}
    rows = db.session.execute(
        select(TeamMember.entry_id, Registration.organization)
        .join(Registration, Registration.id == TeamMember.registration_id)
        .join(Entry, Entry.id == TeamMember.entry_id)
        .where(Entry.event_id == event.id)
    ).all()
    for entry_id, organization in rows:
        for judge_id in judge_orgs.get(normalize_organization(organization or ""), []):
            found[(entry_id, judge_id)] = organization.strip()
    return found


def conflict_pairs(event: Event) -> set[tuple[int, int]]:
    """Every (entry id, judge id) pair that must not be assigned."""
    pairs = set(automatic_conflicts(event))
    pairs.update((c.entry_id, c.judge_user_id) for c in recorded_conflicts(event))
    return pairs


def has_conflict(event: Event, judge_id: int, entry_id: int) -> bool:
    """True when the judge has a recorded or detected conflict with the entry."""
    if db.session.scalar(
        select(Conflict.id).where(Conflict.judge_user_id == judge_id, Conflict.entry_id == entry_id)
    ):
        return True
    profile = db.session.scalar(
        select(JudgeProfile.organization).where(
            JudgeProfile.event_id == event.id, JudgeProfile.user_id == judge_id
        )
    )
    key = normalize_organization(profile or "")
    if not key:
        return False
    organizations = db.session.scalars(
        select(Registration.organization)
        .join(TeamMember, TeamMember.registration_id == Registration.id)
        .where(TeamMember.entry_id == entry_id)
    ).all()
    return any(normalize_organization(o or "") == key for o in organizations)


def sheet_of(round_id: int, entry_id: int, judge_id: int) -> ScoreSheet | None:
    """The judge's sheet for the entry in the round, if one was started."""
    return db.session.scalar(
        select(ScoreSheet).where(
            ScoreSheet.round_id == round_id,
            ScoreSheet.entry_id == entry_id,
            ScoreSheet.judge_user_id == judge_id,
        )
    )
