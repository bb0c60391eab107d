"""Migrations 7a1c2e9d4b30 and 8b3e5f1a2c47 on existing rows (SQLite and PostgreSQL): criterion
and round names move from name_zh/name_en into one translated JSON value and back; events get
content languages."""

from __future__ import annotations

import json

import flask_migrate
import sqlalchemy as sa

from app.extensions import db
from tests.migration_support import as_json, insert_row, reflected
from tests.test_migrations import MIGRATIONS
from tests.test_migrations import empty_database_url as empty_database_url
from tests.test_migrations import migrations_app as migrations_app

BEFORE_RUBRICS = "6c4bc33ff621"
RUBRICS = "8b3e5f1a2c47"  # and 7a1c2e9d4b30 before it


def test_criterion_names_move_into_one_value_and_back(migrations_app):
    flask_migrate.upgrade(directory=str(MIGRATIONS), revision=BEFORE_RUBRICS)
    event, round_, criterion = reflected("event", "round", "criterion")
    with db.engine.begin() as conn:
        event_id = insert_row(conn, event, 1, slug="old-event")
        round_id = insert_row(
            conn,
            round_,
            2,
            event_id=event_id,
            name_zh="初赛",
            name_en="Prelim",
            advancement_value=10.0,
            timer_elapsed=0.0,
        )
        scores = {"min_score": 0.0, "max_score": 10.0, "step": 0.5}
        both = insert_row(
            conn,
            criterion,
            3,
            round_id=round_id,
            name_zh="创新性",
            name_en="Innovation",
            weight=60,
            **scores,
        )
        only_zh = insert_row(
            conn, criterion, 4, round_id=round_id, name_zh="团队", name_en="", weight=40, **scores
        )

    flask_migrate.upgrade(directory=str(MIGRATIONS), revision=RUBRICS)
    with db.engine.connect() as conn:
        names = dict(conn.execute(sa.text("SELECT id, name FROM criterion ORDER BY id")).all())
        descriptions = conn.execute(sa.text("SELECT description FROM criterion")).scalars().all()
        languages = conn.execute(sa.text("SELECT content_languages FROM event")).scalar_one()
        round_name = conn.execute(sa.text("SELECT name FROM round")).scalar_one()
        columns = {c["name"] for c in sa.inspect(conn).get_columns("criterion")}
        tables = sa.inspect(conn).get_table_names()
    assert as_json(names[both]) == {"zh": "创新性", "en": "Innovation"}
    assert as_json(names[only_zh]) == {"zh": "团队"}
    assert [as_json(d) for d in descriptions] == [{}, {}]
    assert as_json(languages) == ["zh", "en"]
    assert as_json(round_name) == {"zh": "初赛", "en": "Prelim"}
    assert "name_zh" not in columns and "name_en" not in columns
    assert "criterion_level" in tables

    with db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE criterion SET name = :name WHERE id = :id"),
            {"name": json.dumps({"ru": "Команда", "zh": "团队"}), "id": only_zh},
        )
    flask_migrate.downgrade(directory=str(MIGRATIONS), revision=BEFORE_RUBRICS)
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, name_zh, name_en FROM criterion ORDER BY id")).all()
        event_columns = {c["name"] for c in sa.inspect(conn).get_columns("event")}
        round_names = conn.execute(sa.text("SELECT name_zh, name_en FROM round")).one()
    assert [tuple(r) for r in rows] == [
        (both, "创新性", "Innovation"),
        (only_zh, "团队", "团队"),  # no English: the old form's "one of the two" is kept
    ]
    assert "content_languages" not in event_columns
    assert tuple(round_names) == ("初赛", "Prelim")
