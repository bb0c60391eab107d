"""Organizer desk rules: bulk state changes, category and custom-question management.

State changes go through registration.services (approve/reject/cancel, set_category_capacity)
so capacity, the waiting list, the history and the mails stay right; nothing here commits.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.audit.services import record_audit
from app.events.models import Event
from app.extensions import db
from app.registration.models import (
    AttendanceRule,
    Category,
    Question,
    QuestionKind,
    Registration,
)
from app.registration.queries import registrations_of_event
from app.registration.services import (
    RegistrationError,
    approve_registration,
    cancel_registration,
    reject_registration,
    set_category_capacity,
)
from app.security.sensitive import is_id_like_label
from app.translated import Translated


class DeskAction(enum.StrEnum):
    """What an organizer can do to a registration from the desk."""

    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"


_ACTIONS: dict[DeskAction, Callable[[Registration, User, str], bool]] = {
    DeskAction.APPROVE: approve_registration,
    DeskAction.REJECT: reject_registration,
    DeskAction.CANCEL: lambda registration, actor, note: cancel_registration(
        registration, actor=actor, note=note
    ),
}


@dataclass
class BulkResult:
    """How many registrations a bulk action changed and how many it skipped."""

    done: int
    skipped: int


def apply_action(
    registration: Registration, action: DeskAction, actor: User, note: str = ""
) -> bool:
    """Approve, reject or cancel one registration as `actor`; False when its state forbids it."""
    return _ACTIONS[action](registration, actor, note.strip())


def apply_bulk_action(
    event: Event, action: DeskAction, ids: Iterable[int], actor: User, note: str = ""
) -> BulkResult:
    """Apply `action` to the event's registrations among `ids` in the caller's transaction.

    Ids of other events, unknown ids and registrations whose state does not allow the action
    are skipped and counted, never an error. The caller commits once for the whole batch.
    """
    wanted = sorted(set(ids))
    done = 0
    for registration in registrations_of_event(event, wanted):
        if apply_action(registration, action, actor, note):
            done += 1
    record_audit(
        "registrations.bulk_action",
        event=event,
        user=actor,
        details={"action": action.value, "done": done, "skipped": len(wanted) - done},
    )
    return BulkResult(done=done, skipped=len(wanted) - done)


@dataclass
class CategoryData:
    """Validated category fields as the organizer form hands them over (times in UTC)."""

    code: str
    name: Translated
    description: Translated = field(default_factory=Translated)
    capacity: int | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    requires_approval: bool = False
    attendance_rule: AttendanceRule = AttendanceRule.EITHER
    is_public: bool = True
    color: str = "#1f6feb"
    position: int = 0


_CATEGORY_FIELDS = (
    "code",
    "name",
    "description",
    "opens_at",
    "closes_at",
    "requires_approval",
    "attendance_rule",
    "is_public",
    "color",
    "position",
)


def _duplicate_code_error() -> RegistrationError:
    return RegistrationError(_l("Another category of this event already uses this code."), "code")


def _check_code_free(event_id: int, code: str, category_id: int | None) -> None:
    query = select(Category.id).where(Category.event_id == event_id, Category.code == code)
    if category_id is not None:
        query = query.where(Category.id != category_id)
    if db.session.scalar(query) is not None:
        raise _duplicate_code_error()


def _flush_category() -> None:
    try:
        db.session.flush()
    except IntegrityError:
        # Only reachable when another organizer saved the same code at the same moment.
        db.session.rollback()
        raise _duplicate_code_error() from None


def _check_named(name: Translated, what: object) -> None:
    if not name:
        raise RegistrationError(what)


_NAME_NEEDED = _l("Write the category's name in at least one language.")
_LABEL_NEEDED = _l("Write the question in at least one language.")


def create_category(event: Event, data: CategoryData) -> Category:
    """Add a registration category to `event`; raises RegistrationError for a taken code."""
    _check_named(data.name, _NAME_NEEDED)
    _check_code_free(event.id, data.code, None)
    category = Category(event_id=event.id, capacity=data.capacity, places_taken=0)
    for name in _CATEGORY_FIELDS:
        setattr(category, name, getattr(data, name))
    db.session.add(category)
    _flush_category()
    return category


def update_category(category: Category, data: CategoryData) -> list[Registration]:
    """Change a category; a capacity change promotes waitlisted registrations (returned).

    Raises RegistrationError for a taken code or a capacity below the places already held;
    the caller then rolls back so nothing of the edit is kept.
    """
    _check_named(data.name, _NAME_NEEDED)
    _check_code_free(category.event_id, data.code, category.id)
    for name in _CATEGORY_FIELDS:
        setattr(category, name, getattr(data, name))
    _flush_category()
    if data.capacity != category.capacity:
        return set_category_capacity(category, data.capacity)
    return []


CHOICE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})


@dataclass
class QuestionData:
    """Validated custom-question fields as the organizer form hands them over."""

    kind: QuestionKind
    label: Translated
    required: bool = False
    position: int = 0
    choices: list[dict[str, str]] = field(default_factory=list)
    sensitive: bool = False


def _apply_question(question: Question, data: QuestionData) -> None:
    if data.kind in CHOICE_KINDS and not data.choices:
        raise RegistrationError(_l("A choice question needs at least one choice."), "choices")
    _check_named(data.label, _LABEL_NEEDED)
    question.kind = data.kind
    question.label = data.label
    question.required = data.required
    question.position = data.position
    question.choices = list(data.choices) if data.kind in CHOICE_KINDS else []
    # An ID-like question is sensitive whatever the organizer ticked.
    question.sensitive = (
        data.sensitive
        or data.kind == QuestionKind.ID_NUMBER
        or is_id_like_label(*data.label.values())
    )


def create_question(event: Event, data: QuestionData) -> Question:
    """Add a custom question to `event`; raises RegistrationError for choices missing."""
    question = Question(event_id=event.id)
    _apply_question(question, data)
    db.session.add(question)
    db.session.flush()
    return question


def update_question(question: Question, data: QuestionData) -> None:
    """Change a custom question; raises RegistrationError for a choice kind without choices."""
    _apply_question(question, data)
    db.session.flush()


def delete_question(question: Question) -> None:
    """Remove a custom question; answers already given stay in the registrations' data."""
    db.session.delete(question)
    db.session.flush()
