"""Migration 9d2a6c4e1b58 on existing rows (SQLite and PostgreSQL): category names and
descriptions and question labels move from their _zh/_en/_ru columns into one translated JSON
value each, and back."""

from __future__ import annotations

import json

import flask_migrate
import sqlalchemy as sa

from app.extensions import db
from tests.migration_support import as_json, insert_row, reflected
from tests.test_migrations import MIGRATIONS
from tests.test_migrations import empty_database_url as empty_database_url
from tests.test_migrations import migrations_app as migrations_app

BEFORE = "4f7d2b8e6a13"
TEXTS = "9d2a6c4e1b58"


def test_category_and_question_texts_move_into_one_value_and_back(migrations_app):
    flask_migrate.upgrade(directory=str(MIGRATIONS), revision=BEFORE)
    event, category, question = reflected("event", "category", "question")
    with db.engine.begin() as conn:
        event_id = insert_row(conn, event, 1, slug="old-event")
        full = insert_row(
            conn,
            category,
            2,
            event_id=event_id,
            code="gov",
            name_zh="政府嘉宾",
            name_en="Government guest",
            name_ru="Представитель органов власти",
            description_zh="须经审核",
            description_en="After approval",
            description_ru="После одобрения",
        )
        partial = insert_row(
            conn,
            category,
            3,
            event_id=event_id,
            code="media",
            name_zh="媒体",
            name_en="  ",
            name_ru="",
            description_zh="",
            description_en="",
            description_ru="",
        )
        label = insert_row(
            conn,
            question,
            4,
            event_id=event_id,
            kind="single_choice",
            label_zh="餐饮需求",
            label_en="Dietary requirements",
            label_ru="Особенности питания",
            choices=[{"value": "veg", "zh": "素食", "en": "Vegetarian", "ru": "Вегетарианское"}],
        )

    flask_migrate.upgrade(directory=str(MIGRATIONS), revision=TEXTS)
    with db.engine.connect() as conn:
        categories = {
            row.id: (as_json(row.name), as_json(row.description))
            for row in conn.execute(sa.text("SELECT id, name, description FROM category"))
        }
        labels = dict(conn.execute(sa.text("SELECT id, label FROM question")).all())
        choices = conn.execute(sa.text("SELECT choices FROM question")).scalar_one()
        category_columns = {c["name"] for c in sa.inspect(conn).get_columns("category")}
        question_columns = {c["name"] for c in sa.inspect(conn).get_columns("question")}
    assert categories[full] == (
        {"zh": "政府嘉宾", "en": "Government guest", "ru": "Представитель органов власти"},
        {"zh": "须经审核", "en": "After approval", "ru": "После одобрения"},
    )
    assert categories[partial] == ({"zh": "媒体"}, {})
    assert as_json(labels[label]) == {
        "zh": "餐饮需求",
        "en": "Dietary requirements",
        "ru": "Особенности питания",
    }
    assert as_json(choices) == [
        {"value": "veg", "zh": "素食", "en": "Vegetarian", "ru": "Вегетарианское"}
    ]
    assert not {"name_zh", "name_en", "name_ru", "description_zh"} & category_columns
    assert not {"label_zh", "label_en", "label_ru"} & question_columns

    with db.engine.begin() as conn:
        # Written after the upgrade: Russian only, and a fourth language the old columns lack.
        conn.execute(
            sa.text("UPDATE category SET name = :name, description = :description WHERE id = :id"),
            {
                "name": json.dumps({"ru": "СМИ", "kk": "БАҚ"}),
                "description": json.dumps({"ru": "Только очно"}),
                "id": partial,
            },
        )
    flask_migrate.downgrade(directory=str(MIGRATIONS), revision=BEFORE)
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT id, name_zh, name_en, name_ru, description_zh, description_en,"
                " description_ru FROM category ORDER BY id"
            )
        ).all()
        question_row = conn.execute(
            sa.text("SELECT label_zh, label_en, label_ru FROM question")
        ).one()
        category_columns = {c["name"] for c in sa.inspect(conn).get_columns("category")}
    assert [tuple(r) for r in rows] == [
        (
            full,
            "政府嘉宾",
            "Government guest",
            "Представитель органов власти",
            "须经审核",
            "After approval",
            "После одобрения",
        ),
        # The required Chinese and English names take the Russian one; descriptions stay empty.
        (partial, "СМИ", "СМИ", "СМИ", "", "", "Только очно"),
    ]
    assert tuple(question_row) == ("餐饮需求", "Dietary requirements", "Особенности питания")
    assert "name" not in category_columns and "description" not in category_columns
