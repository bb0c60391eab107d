"""Security fixtures: furnished events shared by a whole module (the route walks only need one
set of data, and building it per test would make them slow)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.extensions import db
from tests.conftest import empty_database
from tests.security.matrix_support import ROLES, Walker
from tests.security.world import (
    EventWorld,
    build_event_world,
    instance_files,
    new_user,
    remove_files_added_since,
)


@dataclass
class MatrixSetup:
    """The app, one walker and test client per role, and the events behind them."""

    app: object
    walkers: dict[str, tuple[Walker, object]]
    user_ids: dict[str, str]  # role → Flask-Login id (id:session token)
    own: EventWorld  # walked by everyone but the site admin
    foreign: EventWorld  # the other organizer's event: never walked, lends its ids
    admin_world: EventWorld  # walked by the site admin (POSTs change what they touch)

    def sign_in(self, client, role: str) -> None:
        """Put the role's user in the client's session (anonymous roles: nobody)."""
        with client.session_transaction() as session:
            session.clear()
            if role in self.user_ids:
                session["_user_id"] = self.user_ids[role]
                session["_fresh"] = True


@pytest.fixture(autouse=True)
def _no_files_left_behind(_app):
    """Remove the uploads and sheets a test wrote."""
    before = instance_files(_app)
    yield
    remove_files_added_since(_app, before)


@pytest.fixture(scope="module")
def matrix_setup(_app):
    """Three furnished events and a user per role; emptied after the module."""
    files_before = instance_files(_app)
    with _app.app_context():
        organizer = new_user("organizer")
        other_organizer = new_user("other")
        judge = new_user("judge")
        staff = new_user("staff")
        admin = new_user("admin", admin=True)
        spare = new_user("spare")
        own = build_event_world(organizer=organizer, judge=judge, staff=staff)
        foreign = build_event_world(organizer=other_organizer)
        admin_world = build_event_world()
        user_ids = {
            "checkin_staff": staff.get_id(),
            "judge": judge.get_id(),
            "other_organizer": other_organizer.get_id(),
            "organizer": organizer.get_id(),
            "site_admin": admin.get_id(),
        }
        spare_id = spare.id
        db.session.commit()
        db.session.remove()
    # Requests run outside any app context of the test: each gets its own (and its own session).
    walkers = {
        role: (
            Walker(role, admin_world if role == "site_admin" else own, spare_id),
            _app.test_client(),
        )
        for role in ROLES
    }
    yield MatrixSetup(_app, walkers, user_ids, own, foreign, admin_world)
    with _app.app_context():
        empty_database()
    remove_files_added_since(_app, files_before)
