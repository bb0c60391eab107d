"""Security fixtures: furnished events shared by a whole module (the route walks only need one
set of data, and building it per test would make them slow)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.accounts.models import User
from app.accounts.sessions import user_for_session
from app.extensions import db
from tests.conftest import empty_database, signed_in_id
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
    user_ids: dict[str, int]  # role → user id
    login_ids: dict[str, str]  # role → Flask-Login id of a session begun on the server
    own: EventWorld  # walked by everyone but the site admin
    foreign: EventWorld  # the other organizer's event: never walked, lends its ids
    admin_world: EventWorld  # walked by the site admin (POSTs change what they touch)

    def sign_in(self, client, role: str) -> None:
        """Put the role's user in the client's session (anonymous roles: nobody); a new
        server-side session only when the walk signed the last one out."""
        login_id = self.login_ids.get(role)
        if login_id is not None:
            with self.app.app_context():
                if user_for_session(login_id) is None:
                    user = db.session.get(User, self.user_ids[role])
                    login_id = self.login_ids[role] = signed_in_id(user)
                db.session.remove()
        with client.session_transaction() as session:
            session.clear()
            if login_id:
                session["_user_id"] = login_id
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
            "checkin_staff": staff.id,
            "judge": judge.id,
            "other_organizer": other_organizer.id,
            "organizer": organizer.id,
            "site_admin": admin.id,
        }
        spare_id = spare.id
        db.session.commit()
        login_ids = {
            role: signed_in_id(db.session.get(User, user_id)) for role, user_id in user_ids.items()
        }
        db.session.remove()
    # Requests run outside any app context of the test: each gets its own (and its own session).
    walkers = {
        role: (
            Walker(role, admin_world if role == "site_admin" else own, spare_id),
            _app.test_client(),
        )
        for role in ROLES
    }
    yield MatrixSetup(_app, walkers, user_ids, login_ids, own, foreign, admin_world)
    with _app.app_context():
        empty_database()
    remove_files_added_since(_app, files_before)
