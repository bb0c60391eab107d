"""The suite's own reset between tests (tests/conftest.py empty_database): every row goes, and
ids start at 1 again, also after an insert that was rolled back and left no row."""

from __future__ import annotations

from sqlalchemy import func, select

from app.events.models import Event
from app.extensions import db
from app.registration.models import Category
from tests.conftest import empty_database


def test_rows_go_and_ids_restart_after_kept_and_rolled_back_inserts(make_event, make_category):
    event = make_event()
    make_category(event)
    make_event()
    db.session.add(Event(**{**_event_values(event), "slug": "rolled-back"}))
    db.session.flush()  # takes an id from the sequence …
    db.session.rollback()  # … and keeps no row

    empty_database()

    assert db.session.scalar(select(func.count()).select_from(Event)) == 0
    assert db.session.scalar(select(func.count()).select_from(Category)) == 0
    again = make_event()
    assert again.id == 1
    assert make_category(again).id == 1


def _event_values(event: Event) -> dict:
    columns = [c.key for c in Event.__table__.columns if c.key != "id"]
    return {key: getattr(event, key) for key in columns}
