"""A domain contributes its part of a person's data from its own `init_app`: privacy includes
it in the download and runs its anonymizer without naming it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app import create_app
from app.audit.models import AuditEntry
from app.contributions import Anonymization, add_anonymizer, add_personal_data, personal_data
from app.extensions import db
from app.privacy.services import (
    ANONYMIZED_LATIN_NAME,
    ANONYMIZED_NATIVE_NAME,
    anonymize_registration,
    anonymized_email,
)
from app.registration.models import Registration
from tests.conftest import form_data, manage_token_from


class LockerDomain:
    """A new domain that lends lockers at the venue; it keeps who holds which locker."""

    def __init__(self) -> None:
        self.lockers: dict[int, list[str]] = {}  # registration id -> locker numbers
        self.told: list[Anonymization] = []

    def init_app(self, app) -> None:
        add_personal_data(app, "lockers", self.export_lockers, order=650)
        add_anonymizer(app, self.empty_lockers, order=650)

    def export_lockers(self, registration: Registration) -> list[str]:
        return self.lockers.get(registration.id, [])

    def empty_lockers(self, registration: Registration, anonymization: Anonymization) -> dict:
        self.told.append(anonymization)
        return {"lockers_emptied": len(self.lockers.pop(registration.id, []))}


@pytest.fixture
def app_with_lockers(app, config_class):
    """A second app built like production, with the locker domain registered on it."""
    lockers = LockerDomain()
    built = create_app(config_class)
    lockers.init_app(built)
    with built.app_context():
        yield built, lockers
        db.session.remove()
        db.engine.dispose()


def test_a_contributed_section_and_anonymizer_take_part_without_privacy_naming_them(
    app, app_with_lockers, make_event, make_category, make_user
):
    built, lockers = app_with_lockers
    event = make_event()
    category = make_category(event)
    client = built.test_client()
    response = client.post(
        f"/e/{event.slug}/register?lang=en", data=form_data(category, email=" Mei@Example.org ")
    )
    token = manage_token_from(response)
    me = db.session.scalars(select(Registration).where(Registration.event_id == event.id)).one()
    lockers.lockers[me.id] = ["B-17"]

    data = json.loads(client.get(f"/r/{token}/data.json").get_data(as_text=True))
    assert data["lockers"] == ["B-17"]
    # Placed by its order among the sections the other domains contribute.
    assert list(data) == [
        "format",
        "generated_at",
        "event",
        "registration",
        "answers",
        "history",
        "checkins",
        "online_attendance",
        "mails",
        "lockers",
        "certificates",
        "competition_entries",
        "press_accreditation",
        "deletion_requests",
    ]

    organizer = make_user()
    assert anonymize_registration(me, organizer, reason="organizer")
    db.session.commit()
    assert lockers.lockers == {}
    (told,) = lockers.told
    assert (told.old_email, told.email, told.actor_id, told.reason) == (
        "mei@example.org",
        anonymized_email(me.id),
        organizer.id,
        "organizer",
    )
    assert (told.native_name, told.latin_name) == (ANONYMIZED_NATIVE_NAME, ANONYMIZED_LATIN_NAME)
    assert told.now == db.session.get(Registration, me.id).anonymized_at
    audit = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "privacy.anonymize_registration")
    ).one()
    assert audit.details == {"reason": "organizer", "mails_purged": 1, "lockers_emptied": 1}
    # The registries belong to the app they were filled on: the suite's app has no lockers.
    registration_id = me.id
    db.session.close()  # SQLite: one writer at a time, and each app has its own connection
    with app.app_context():
        assert "lockers" not in personal_data(db.session.get(Registration, registration_id))


def test_two_domains_cannot_contribute_the_same_section(app):
    with pytest.raises(ValueError, match="mails"):
        add_personal_data(app, "mails", lambda registration: None, order=1)
