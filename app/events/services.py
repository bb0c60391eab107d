"""Event rules: listing, lookup, and the numbers an organizer watches."""

from __future__ import annotations

from sqlalchemy import func, select

from app.events.models import Event, EventStatus
from app.extensions import db
from app.registration.models import Category, Registration, RegistrationState


def list_public_events() -> list[Event]:
    """Events open or closed (not drafts), newest first."""
    return db.session.scalars(
        select(Event).where(Event.status != EventStatus.DRAFT).order_by(Event.starts_at.desc())
    ).all()


def category_counts(event: Event) -> list[dict]:
    """Per category: capacity, places taken and a count per registration state."""
    rows = db.session.execute(
        select(Registration.category_id, Registration.state, func.count(Registration.id))
        .where(Registration.event_id == event.id)
        .group_by(Registration.category_id, Registration.state)
    ).all()
    by_category: dict[int, dict[str, int]] = {}
    for category_id, state, count in rows:
        by_category.setdefault(category_id, {})[RegistrationState(state).value] = count
    categories = db.session.scalars(
        select(Category)
        .where(Category.event_id == event.id)
        .order_by(Category.position, Category.id)
    ).all()
    return [
        {
            "category": category,
            "capacity": category.capacity,
            "places_taken": category.places_taken,
            "states": {
                s.value: by_category.get(category.id, {}).get(s.value, 0) for s in RegistrationState
            },
        }
        for category in categories
    ]
