"""Migration 3c9d5e7f1a24 on existing rows (SQLite and PostgreSQL): the certificate issuer and
the award names move from their _zh/_en columns into one translated value and back, and the
active key of valid certificates is recomputed both ways."""

from __future__ import annotations

import json

import flask_migrate
import sqlalchemy as sa

from app.certificates.models import CertificateKind
from app.certificates.services import active_key
from app.extensions import db
from tests.migration_support import as_json, insert_row
from tests.test_migrations import MIGRATIONS
from tests.test_migrations import empty_database_url as empty_database_url
from tests.test_migrations import migrations_app as migrations_app

BEFORE = "c4d2a7e9f315"
TRANSLATED = "3c9d5e7f1a24"


def test_certificate_texts_move_into_one_value_and_back(migrations_app):
    flask_migrate.upgrade(directory=str(MIGRATIONS), revision=BEFORE)
    metadata = sa.MetaData()
    metadata.reflect(
        db.engine, only=["event", "category", "registration", "certificate_settings", "certificate"]
    )
    tables = metadata.tables
    with db.engine.begin() as conn:
        event_id = insert_row(conn, tables["event"], 1, slug="old-event")
        category_id = insert_row(conn, tables["category"], 2, event_id=event_id)
        registration_id = insert_row(
            conn, tables["registration"], 3, event_id=event_id, category_id=category_id
        )
        insert_row(
            conn,
            tables["certificate_settings"],
            4,
            event_id=event_id,
            number_prefix="OLD",
            issuer_zh="青岛市科学技术局",
            issuer_en="Qingdao Science and Technology Bureau",
        )

        def certificate(n, kind, zh, en, key):
            return insert_row(
                conn,
                tables["certificate"],
                n,
                event_id=event_id,
                registration_id=registration_id,
                kind=kind,
                sequence=n,
                number=f"OLD-{n}",
                award_name_zh=zh,
                award_name_en=en,
                active_key=key,
                verification_token=f"token-{n}",
            )

        gold = certificate(5, "AWARD", "金奖", "Gold Award", "award|金奖|gold award")
        only_zh = certificate(6, "AWARD", "银奖", "", None)  # revoked: no key
        participation = certificate(7, "PARTICIPATION", "", "", "participation||")

    flask_migrate.upgrade(directory=str(MIGRATIONS), revision=TRANSLATED)
    with db.engine.connect() as conn:
        issuer = conn.execute(sa.text("SELECT issuer FROM certificate_settings")).scalar_one()
        rows = {
            row.id: row
            for row in conn.execute(sa.text("SELECT id, award_name, active_key FROM certificate"))
        }
        columns = {c["name"] for c in sa.inspect(conn).get_columns("certificate")}
        settings_columns = {c["name"] for c in sa.inspect(conn).get_columns("certificate_settings")}
    assert as_json(issuer) == {
        "zh": "青岛市科学技术局",
        "en": "Qingdao Science and Technology Bureau",
    }
    assert as_json(rows[gold].award_name) == {"zh": "金奖", "en": "Gold Award"}
    assert as_json(rows[only_zh].award_name) == {"zh": "银奖"}
    assert as_json(rows[participation].award_name) == {}
    # The keys the app computes now, so issuing the same award again finds the certificate.
    assert rows[gold].active_key == active_key(
        CertificateKind.AWARD, {"zh": "金奖", "en": "Gold Award"}
    )
    assert rows[only_zh].active_key is None
    assert rows[participation].active_key == active_key(CertificateKind.PARTICIPATION)
    assert not {"award_name_zh", "award_name_en"} & columns
    assert not {"issuer_zh", "issuer_en"} & settings_columns

    with db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE certificate SET award_name = :name WHERE id = :id"),
            {"name": json.dumps({"ru": "Серебряная награда", "zh": "银奖"}), "id": only_zh},
        )
        conn.execute(
            sa.text("UPDATE certificate_settings SET issuer = :issuer"),
            {"issuer": json.dumps({"ru": "Оргкомитет", "en": "Organizing committee"})},
        )
    flask_migrate.downgrade(directory=str(MIGRATIONS), revision=BEFORE)
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT id, award_name_zh, award_name_en, active_key FROM certificate ORDER BY id"
            )
        ).all()
        issuer = conn.execute(
            sa.text("SELECT issuer_zh, issuer_en FROM certificate_settings")
        ).one()
        columns = {c["name"] for c in sa.inspect(conn).get_columns("certificate")}
    assert [tuple(r) for r in rows] == [
        (gold, "金奖", "Gold Award", "award|金奖|gold award"),
        (only_zh, "银奖", "银奖", None),  # no English: the Chinese name takes its place
        (participation, "", "", "participation||"),
    ]
    assert tuple(issuer) == ("", "Organizing committee")
    assert "award_name" not in columns
