"""Backup and restore of one event (`flask event export` / `flask event import`): a round trip
of the demo event with every kind of row, on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import json
import uuid
from collections import Counter

import pytest
from sqlalchemy import delete, func, select

from app import create_app
from app.accounts.models import User
from app.audit.services import record_audit
from app.certificates.models import CertificateKind
from app.certificates.services import issue_certificate
from app.checkin.models import Checkin, CheckinList, CheckinStatus
from app.clock import utcnow
from app.demo import DEMO_SLUG, load_demo
from app.events.backup import (
    BackupError,
    _scope_condition,
    _scope_paths,
    export_event,
    restore_event,
    scoped_tables,
)
from app.events.models import Event
from app.extensions import db
from app.privacy.models import DeletionRequest
from app.registration.models import Category, Registration, RegistrationState
from app.registration.services import manage_token, registration_from_token
from app.registration.tickets import TicketStatus, check_ticket, ticket_code
from app.translated import Translated
from tests.conftest import scratch_database


def remove_event(slug: str) -> None:
    """Delete every row of an event, children first, and its upload folders."""
    event_id = db.session.scalar(select(Event.id).where(Event.slug == slug))
    paths = _scope_paths()
    for table in reversed(scoped_tables()):
        db.session.execute(delete(table).where(_scope_condition(table, event_id, paths)))
    db.session.commit()


@pytest.fixture
def demo(app):
    """The demo event, plus what the demo does not make: a check-in, a certificate, mails,
    a deletion request, an audit entry and an uploaded logo."""
    load_demo()
    event = db.session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
    guest = db.session.scalars(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.state == RegistrationState.CONFIRMED)
        .order_by(Registration.id)
        .limit(1)
    ).one()
    checkin_list = db.session.scalars(
        select(CheckinList).where(CheckinList.event_id == event.id).limit(1)
    ).one()
    db.session.add(
        Checkin(
            list_id=checkin_list.id,
            registration_id=guest.id,
            active_registration_id=guest.id,
            code=ticket_code(guest),
            status=CheckinStatus.OK,
            station="Gate A",
            nonce=uuid.uuid4().hex,
            scanned_at=utcnow(),
        )
    )
    issue_certificate(guest, CertificateKind.PARTICIPATION)
    db.session.add(DeletionRequest(event_id=event.id, registration_id=guest.id))
    record_audit("registrations.export", event=event, actor="cli", details={"rows": 1})
    logo = app.config["INSTANCE_DIR"] / "uploads" / str(event.id) / "logo.png"
    logo.parent.mkdir(parents=True, exist_ok=True)
    logo.write_bytes(b"\x89PNG fake logo bytes")
    event.badge_logo = "logo.png"
    db.session.commit()
    yield event, guest
    if logo.exists():
        logo.unlink()


def assert_new_rows_get_new_ids(event_id: int, data: dict) -> None:
    highest = max(row["id"] for row in data["tables"]["category"])
    category = Category(event_id=event_id, code="after-restore", name=Translated(zh="新", en="New"))
    db.session.add(category)
    db.session.commit()
    assert category.id > highest


def comparable(data: dict) -> dict:
    return {"tables": data["tables"], "files": data["files"], "users": data["users"]}


def test_round_trip_restores_every_row_file_ticket_and_link(app, demo):
    event, guest = demo
    slug, event_id, guest_id = event.slug, event.id, guest.id
    code, token = ticket_code(guest), manage_token(guest)
    before = export_event(slug)
    counts = {name: len(rows) for name, rows in before["tables"].items() if rows}
    # Every domain of the event is in the backup.
    for table in (
        "event",
        "category",
        "question",
        "registration",
        "registration_change",
        "consent_version",
        "checkin_list",
        "checkin",
        "entry",
        "team_member",
        "round",
        "criterion",
        "assignment",
        "score_sheet",
        "ceremony",
        "signing_item",
        "outlet",
        "coverage_item",
        "certificate",
        "outbox_message",
        "event_role",
        "deletion_request",
        "audit_entry",
    ):
        assert counts.get(table), f"the demo backup has no {table} rows"
    assert list(before["files"]) == [f"uploads/{event_id}/logo.png"]
    assert all("password" not in key for user in before["users"] for key in user)

    remove_event(slug)
    (app.config["INSTANCE_DIR"] / "uploads" / str(event_id) / "logo.png").unlink()
    assert db.session.scalar(select(func.count(Registration.id))) == 0

    result = restore_event(json.loads(json.dumps(before)))
    db.session.commit()
    assert result.rows == counts
    assert comparable(export_event(slug)) == comparable(before)

    # Ids kept: the badge people carry still scans, the link in their mailbox still opens.
    db.session.expire_all()
    assert check_ticket(db.session.get(Event, event_id), code).status == TicketStatus.VALID
    assert registration_from_token(token).id == guest_id
    # New rows get fresh ids (PostgreSQL sequences were moved past the restored ones).
    assert_new_rows_get_new_ids(event_id, before)


def test_restore_over_an_existing_event_is_refused_and_writes_nothing(app, demo):
    event, _guest = demo
    data = export_event(event.slug)
    rows_before = db.session.scalar(select(func.count(Registration.id)))
    with pytest.raises(BackupError, match="exists already"):
        restore_event(data)
    db.session.rollback()
    data["event"]["slug"] = data["tables"]["event"][0]["slug"] = "renamed-copy"
    with pytest.raises(BackupError, match="row ids of the backup are in use"):
        restore_event(data)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Registration.id))) == rows_before
    assert db.session.scalar(select(func.count(Event.id))) == 1


def test_a_backup_with_an_unknown_table_or_column_is_refused(app, demo):
    event, _guest = demo
    data = export_event(event.slug)
    remove_event(event.slug)
    data["tables"]["registration"][0]["shoe_size"] = 42
    with pytest.raises(BackupError, match="columns this database lacks"):
        restore_event(data)
    del data["tables"]["registration"][0]["shoe_size"]
    data["tables"]["spaceship"] = [{"id": 1}]
    with pytest.raises(BackupError, match="table this database lacks: spaceship"):
        restore_event(data)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_cli_writes_gzip_and_restores_it(app, demo, tmp_path):
    event, _guest = demo
    slug = event.slug
    runner = app.test_cli_runner()
    path = tmp_path / "demo.json.gz"
    result = runner.invoke(args=["event", "export", "--event", slug, "-o", str(path)])
    assert result.exit_code == 0, result.output
    raw = path.read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    exported = json.loads(gzip.decompress(raw))
    before = Counter({name: len(rows) for name, rows in exported["tables"].items()})

    again = runner.invoke(args=["event", "import", str(path)])
    assert again.exit_code != 0 and "exists already" in again.output

    remove_event(slug)
    result = runner.invoke(args=["event", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert f"restored {slug}" in result.output
    after = export_event(slug)
    restored = Counter({name: len(rows) for name, rows in after["tables"].items()})
    before["audit_entry"] += 1  # the import itself is audited
    assert restored == before

    missing = runner.invoke(args=["event", "export", "--event", "nope", "-o", str(tmp_path / "x")])
    assert missing.exit_code != 0 and "no event with slug 'nope'" in missing.output


@pytest.fixture
def second_database(database_url, tmp_path):
    """An empty database of the same kind as the suite's."""
    with scratch_database(database_url, "huiwu_restore", tmp_path) as url:
        yield url


def test_restore_into_an_empty_database_creates_staff_accounts_without_passwords(
    app, demo, config_class, second_database, tmp_path
):
    event, guest = demo
    event_id, guest_id, guest_email = event.id, guest.id, guest.email
    data = json.loads(json.dumps(export_event(event.slug)))
    staff = sorted(user["email"] for user in data["users"])

    class TargetConfig(config_class):
        SQLALCHEMY_DATABASE_URI = second_database
        INSTANCE_DIR = tmp_path / "target-instance"

    target = create_app(TargetConfig)
    with target.app_context():
        db.create_all()
        try:
            result = restore_event(data)
            db.session.commit()
            assert sorted(result.users_created) == staff
            users = db.session.scalars(select(User)).all()
            assert all(not user.check_password("huiwu-demo-2020") for user in users)
            assert db.session.get(Registration, guest_id).email == guest_email
            assert (TargetConfig.INSTANCE_DIR / "uploads" / str(event_id) / "logo.png").exists()
            assert_new_rows_get_new_ids(event_id, data)
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
