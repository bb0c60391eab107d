"""Migration 4f7d2b8e6a13 on existing rows (SQLite and PostgreSQL): an event's title,
description, venue and privacy notice and a consent version's text move from their
_zh/_en/_ru columns into one translated JSON value each, and back; registrations get an
empty consent language."""

from __future__ import annotations

import json

import flask_migrate
import sqlalchemy as sa

from app.extensions import db
from tests.migration_support import as_json, insert_row, reflected
from tests.test_migrations import MIGRATIONS
from tests.test_migrations import empty_database_url as empty_database_url
from tests.test_migrations import migrations_app as migrations_app

BEFORE = "4d0e6f8a2b35"
TEXTS = "4f7d2b8e6a13"


def test_event_and_consent_texts_move_into_one_value_each_and_back(migrations_app):
    flask_migrate.upgrade(directory=str(MIGRATIONS), revision=BEFORE)
    event, version, category, registration = reflected(
        "event", "consent_version", "category", "registration"
    )
    with db.engine.begin() as conn:
        full = insert_row(
            conn,
            event,
            1,
            slug="full",
            title_zh="青岛大会",
            title_en="Qingdao conference",
            description_zh="技术转移",
            description_en="Technology transfer",
            venue_zh="青岛",
            venue_en="Qingdao",
            privacy_text_zh="隐私说明",
            privacy_text_en="Privacy notice",
            privacy_text_ru="Уведомление",
        )
        sparse = insert_row(
            conn,
            event,
            2,
            slug="sparse",
            title_zh="只有中文",
            title_en="  ",
            description_zh="",
            description_en="",
            venue_zh="",
            venue_en="Online",
            privacy_text_zh="",
            privacy_text_en="",
            privacy_text_ru="",
        )
        version_id = insert_row(
            conn,
            version,
            3,
            event_id=full,
            number=1,
            text_zh="隐私说明",
            text_en="Privacy notice",
            text_ru="Уведомление",
        )
        ru_missing = insert_row(
            conn, version, 4, event_id=full, number=2, text_zh="第二版", text_en="", text_ru=""
        )
        category_id = insert_row(conn, category, 5, event_id=full, code="guests")
        insert_row(
            conn,
            registration,
            6,
            event_id=full,
            category_id=category_id,
            state="CONFIRMED",
            attendance="ONSITE",
            consent_version_id=version_id,
        )

    flask_migrate.upgrade(directory=str(MIGRATIONS), revision=TEXTS)
    with db.engine.connect() as conn:
        events = {
            row.id: {k: as_json(v) for k, v in row._mapping.items() if k != "id"}
            for row in conn.execute(
                sa.text("SELECT id, title, description, venue, privacy_text FROM event")
            )
        }
        versions = dict(conn.execute(sa.text("SELECT id, text FROM consent_version")).all())
        languages = conn.execute(sa.text("SELECT consent_language FROM registration")).all()
        event_columns = {c["name"] for c in sa.inspect(conn).get_columns("event")}
        version_columns = {c["name"] for c in sa.inspect(conn).get_columns("consent_version")}
    assert events[full] == {
        "title": {"zh": "青岛大会", "en": "Qingdao conference"},
        "description": {"zh": "技术转移", "en": "Technology transfer"},
        "venue": {"zh": "青岛", "en": "Qingdao"},
        "privacy_text": {"zh": "隐私说明", "en": "Privacy notice", "ru": "Уведомление"},
    }
    assert events[sparse] == {
        "title": {"zh": "只有中文"},
        "description": {},
        "venue": {"en": "Online"},
        "privacy_text": {},
    }
    assert as_json(versions[version_id]) == {
        "zh": "隐私说明",
        "en": "Privacy notice",
        "ru": "Уведомление",
    }
    assert as_json(versions[ru_missing]) == {"zh": "第二版"}
    assert [tuple(r) for r in languages] == [("",)]  # unknown for earlier registrations
    assert not {c for c in event_columns if c.endswith(("_zh", "_en", "_ru"))}
    assert not {c for c in version_columns if c.startswith("text_")}

    with db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE event SET title = :t, venue = :v WHERE id = :id"),
            {
                "t": json.dumps({"kk": "Цзиндао конференциясы", "ru": "Конференция"}),
                "v": json.dumps({"ru": "Циндао"}),
                "id": sparse,
            },
        )
        conn.execute(sa.text("UPDATE registration SET consent_language = 'ru'"))
    flask_migrate.downgrade(directory=str(MIGRATIONS), revision=BEFORE)
    with db.engine.connect() as conn:
        rows = {
            row.id: tuple(row)[1:]
            for row in conn.execute(
                sa.text(
                    "SELECT id, title_zh, title_en, description_zh, description_en, venue_zh, "
                    "venue_en, privacy_text_zh, privacy_text_en, privacy_text_ru FROM event"
                )
            )
        }
        old_versions = {
            row.id: tuple(row)[1:]
            for row in conn.execute(
                sa.text("SELECT id, text_zh, text_en, text_ru FROM consent_version")
            )
        }
        registration_columns = {c["name"] for c in sa.inspect(conn).get_columns("registration")}
    assert rows[full] == (
        "青岛大会",
        "Qingdao conference",
        "技术转移",
        "Technology transfer",
        "青岛",
        "Qingdao",
        "隐私说明",
        "Privacy notice",
        "Уведомление",
    )
    # No Chinese or English title any more: both required columns take the Russian one (the
    # Kazakh text has no column to go back to); an optional text without them stays empty.
    assert rows[sparse] == ("Конференция", "Конференция", "", "", "", "", "", "", "")
    assert old_versions[version_id] == ("隐私说明", "Privacy notice", "Уведомление")
    assert old_versions[ru_missing] == ("第二版", "", "")
    assert "consent_language" not in registration_columns
