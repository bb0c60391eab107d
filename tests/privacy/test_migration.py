"""The privacy migration on existing data: events keep their notice as version 1, existing
registrations keep their consent time and get no version (the text they saw is unknown)."""

from __future__ import annotations

from datetime import datetime

import flask_migrate
import sqlalchemy as sa

from app.extensions import db
from tests.migration_support import insert_row, reflected
from tests.test_migrations import MIGRATIONS
from tests.test_migrations import empty_database_url as empty_database_url
from tests.test_migrations import migrations_app as migrations_app

BEFORE_PRIVACY = "1d8dbca5ac68"
PRIVACY = "38d082561e94"


def test_existing_events_get_version_1_and_registrations_keep_consent_without_a_version(
    migrations_app,
):
    flask_migrate.upgrade(directory=str(MIGRATIONS), revision=BEFORE_PRIVACY)
    event, category, registration = reflected("event", "category", "registration")
    consent_at = datetime(2025, 5, 1, 8, 0)
    with db.engine.begin() as conn:
        with_notice = insert_row(
            conn,
            event,
            1,
            slug="with-notice",
            privacy_text_zh="旧的说明",
            privacy_text_en="Old notice",
        )
        insert_row(conn, event, 2, slug="without-notice", privacy_text_zh="", privacy_text_en="")
        category_id = insert_row(conn, category, 3, event_id=with_notice, code="guests")
        insert_row(
            conn,
            registration,
            4,
            event_id=with_notice,
            category_id=category_id,
            state="CONFIRMED",
            attendance="ONSITE",
            consent_at=consent_at,
        )

    flask_migrate.upgrade(directory=str(MIGRATIONS), revision=PRIVACY)

    with db.engine.connect() as conn:
        versions = conn.execute(
            sa.text("SELECT event_id, number, text_zh, text_en, text_ru FROM consent_version")
        ).all()
        registrations = conn.execute(
            sa.text("SELECT consent_at, consent_version_id, anonymized_at FROM registration")
        ).all()
    assert [tuple(v) for v in versions] == [(with_notice, 1, "旧的说明", "Old notice", "")]
    assert [tuple(r)[1:] for r in registrations] == [(None, None)]
    kept = registrations[0][0]
    if isinstance(kept, str):  # SQLite hands raw text back
        kept = datetime.fromisoformat(kept)
    assert kept.replace(tzinfo=None) == consent_at
