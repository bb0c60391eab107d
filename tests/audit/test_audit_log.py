"""The audit log of organizer actions: role grants, exports of personal data, score
reopenings, bulk mails and certificate revocations are recorded in the transaction of the
action (a refused action leaves no entry); organizers read their event's log, filtered by
action; site administrators read everything."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.accounts.models import Role, User
from app.accounts.services import grant_role
from app.audit.models import AuditEntry
from app.events.models import Event
from app.extensions import db
from tests.security.world import (
    PASSWORD,
    build_event_world,
    instance_files,
    new_user,
    remove_files_added_since,
)


@pytest.fixture
def world(app):
    before = instance_files(app)
    yield build_event_world()
    remove_files_added_since(app, before)


@pytest.fixture
def organizer_client(app, world):
    client = app.test_client()
    email = db.session.get(User, world.organizer_id).email
    db.session.commit()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    client.get("/?lang=en")
    return client


def entries(action: str | None = None) -> list[AuditEntry]:
    db.session.expire_all()
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query))


def test_granting_and_revoking_a_role_is_recorded_with_who_and_whom(app, world, organizer_client):
    colleague = new_user("colleague")
    email, colleague_id = colleague.email, colleague.id
    db.session.commit()
    base = f"/admin/events/{world.slug}/roles"
    organizer_client.post(base, data={"email": email, "role": "checkin_staff"})
    organizer_client.post(f"{base}/revoke", data={"user_id": colleague_id, "role": "checkin_staff"})
    granted, revoked = entries("roles.grant")[-1], entries("roles.revoke")[-1]
    organizer_email = db.session.get(User, world.organizer_id).email
    for entry in (granted, revoked):
        assert entry.event_id == world.event_id
        assert entry.actor == organizer_email and entry.actor_user_id == world.organizer_id
        assert entry.target == f"user:{colleague_id}"
        assert entry.details == {"email": email, "role": "checkin_staff"}


def test_reopening_a_score_is_recorded(world, organizer_client):
    values = world.values
    url = f"/manage/{world.slug}/judging/rounds/{values['round_id']}/sheets/{values['sheet_id']}"
    assert organizer_client.post(f"{url}/reopen", data={"note": "typo"}).status_code == 302
    (entry,) = entries("judging.sheet_reopen")
    assert entry.target == f"sheet:{values['sheet_id']}"
    assert entry.details["entry_id"] == values["entry_id"]


def test_a_refused_reopening_leaves_no_entry(world, organizer_client):
    values = world.values
    url = f"/manage/{world.slug}/judging/rounds/{values['round_id']}/sheets/{values['sheet_id']}"
    organizer_client.post(f"{url}/reopen", data={"note": "first"})
    organizer_client.post(f"{url}/reopen", data={"note": "again: the sheet is a draft now"})
    assert len(entries("judging.sheet_reopen")) == 1


def test_a_bulk_mail_is_recorded_with_its_recipient_count(world, organizer_client):
    response = organizer_client.post(
        f"/manage/{world.slug}/mailings",
        data={
            "subject": "Hello {name}",
            "body": "Dear {name}",
            "state": "",
            "client_token": "audit-1",
            "action": "send",
        },
    )
    assert response.status_code == 302
    (entry,) = entries("mailings.send")
    assert entry.details["recipients"] >= 4
    assert entry.target.startswith("mailing:")


def test_revoking_a_certificate_is_recorded_and_a_refused_revocation_is_not(
    world, organizer_client
):
    url = f"/manage/{world.slug}/certificates/{world.values['certificate_id']}/revoke"
    organizer_client.post(url, data={"reason": ""})  # refused: a reason is required
    assert entries("certificates.revoke") == []
    organizer_client.post(url, data={"reason": "issued twice"})
    (entry,) = entries("certificates.revoke")
    assert entry.details["reason"] == "issued twice"
    assert entry.target == f"certificate:{world.values['certificate_id']}"


@pytest.mark.parametrize(
    ("path", "action"),
    [
        ("registrations/export.xlsx", "registrations.export"),
        ("judging/rounds/{round_id}/results.xlsx", "judging.results_export"),
        ("judging/rounds/{round_id}/results.pdf", "judging.results_export"),
        ("certificates/{certificate_id}.pdf", "certificates.download"),
    ],
)
def test_exports_of_personal_data_are_recorded(world, organizer_client, path, action):
    response = organizer_client.get(f"/manage/{world.slug}/" + path.format(**world.values))
    assert response.status_code == 200
    assert [entry.event_id for entry in entries(action)] == [world.event_id]


def test_the_entry_is_part_of_the_actions_transaction(app, world):
    user = new_user("rolled-back")
    db.session.commit()
    event = db.session.get(Event, world.event_id)
    grant_role(user, event, Role.JUDGE)
    db.session.rollback()
    assert [e for e in entries("roles.grant") if e.target == f"user:{user.id}"] == []


def test_organizer_reads_their_events_log_filtered_by_action(app, world, organizer_client):
    other = build_event_world()
    organizer_client.get(f"/manage/{world.slug}/registrations/export.csv")
    page = organizer_client.get(f"/manage/{world.slug}/audit").text
    assert 'data-action="registrations.export"' in page
    assert 'data-action="roles.grant"' in page
    assert "Registrations exported" in page
    assert other.slug not in page
    other_events_grants = [e for e in entries("roles.grant") if e.event_id == other.event_id]
    assert other_events_grants  # recorded, but not shown on this event's page
    filtered = organizer_client.get(f"/manage/{world.slug}/audit?action=roles").text
    assert 'data-action="roles.grant"' in filtered
    assert 'data-action="registrations.export"' not in filtered


def test_the_log_speaks_the_organizers_language(world, organizer_client):
    page = organizer_client.get(f"/manage/{world.slug}/audit?lang=zh_CN").text
    with force_locale("zh_CN"):
        from app.audit.labels import action_label

        assert action_label("roles.grant") in page


def test_site_admin_reads_every_event_and_account_action(app, world):
    other = build_event_world()
    admin = new_user("admin", admin=True)
    email = admin.email
    db.session.commit()
    client = app.test_client()
    client.post("/login", data={"email": email, "password": PASSWORD})
    page = client.get("/admin/audit?lang=en").text
    assert world.slug in page and other.slug in page
    assert 'data-action="accounts.user_create"' in page
    only_accounts = client.get("/admin/audit?action=accounts").text
    assert 'data-action="roles.grant"' not in only_accounts


def test_organizers_cannot_read_the_site_wide_log(world, organizer_client):
    assert organizer_client.get("/admin/audit").status_code == 403
