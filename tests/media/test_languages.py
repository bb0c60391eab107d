"""Outlet names in the event's content languages (#17): one input per language on the outlet
form, lists in the reader's language with the event's fallback, imports with one name column
per language (the old single "outlet" column still works), and the migration both ways."""

from __future__ import annotations

import json
import re

import flask_migrate
import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.extensions import db
from app.media.models import CoverageItem, Outlet
from app.translated import Translated
from tests.media.test_import import preview
from tests.migration_support import as_json, insert_row
from tests.test_migrations import MIGRATIONS
from tests.test_migrations import empty_database_url as empty_database_url
from tests.test_migrations import migrations_app as migrations_app


def _trilingual(event):
    event.content_languages = ["zh", "ru", "en"]
    db.session.commit()


def test_the_outlet_form_has_a_name_per_content_language(organizer_client):
    client, event = organizer_client
    _trilingual(event)
    base = f"/manage/{event.slug}/media"
    form = client.get(f"{base}/outlets/new").text
    for language in ("zh", "ru", "en"):
        assert re.search(
            rf'name="name_{language}"[^>]*lang="{language}"|lang="{language}"[^>]*name="name_{language}"',
            form,
        )

    nameless = client.post(
        f"{base}/outlets/new", data={"level": "overseas", "type": "news_website"}
    )
    assert nameless.status_code == 400 and "Enter the outlet" in nameless.text

    response = client.post(
        f"{base}/outlets/new",
        data={"name_zh": "塔斯社", "name_ru": "ТАСС", "level": "overseas", "type": "news_website"},
    )
    assert response.status_code == 302, response.text
    outlet = db.session.scalar(select(Outlet))
    assert outlet.name == {"zh": "塔斯社", "ru": "ТАСС"}
    page = client.get(f"{base}/outlets/{outlet.id}/?lang=en").text
    assert "Missing in: English" in page
    # A name taken in another language is refused.
    taken = client.post(
        f"{base}/outlets/new",
        data={"name_en": "ТАСС", "level": "overseas", "type": "news_website"},
    )
    assert taken.status_code == 400 and "already exists" in taken.text

    # Lists read the reader's language; English readers get the next one, marked as Russian.
    assert "ТАСС" in client.get(f"{base}/outlets/?lang=ru").text
    listing = client.get(f"{base}/outlets/?lang=en").text
    assert "塔斯社" in listing  # zh comes before ru in this event's order


def test_a_fourth_language_needs_no_migration(organizer_client):
    client, event = organizer_client
    event.content_languages = ["kk", "ru", "zh"]
    db.session.commit()
    base = f"/manage/{event.slug}/media"
    response = client.post(
        f"{base}/outlets/new",
        data={
            "name_kk": "Қазақпарат",
            "name_ru": "Казинформ",
            "level": "overseas",
            "type": "news_website",
        },
    )
    assert response.status_code == 302, response.text
    db.session.expire_all()
    assert db.session.scalar(select(Outlet)).name == {"kk": "Қазақпарат", "ru": "Казинформ"}


def test_an_import_with_a_name_column_per_language_creates_the_outlet_with_every_name(
    organizer_client, make_outlet
):
    client, event = organizer_client
    _trilingual(event)
    make_outlet(event, "新华网", "Xinhuanet")
    data = (
        "outlet,outlet_ru,媒体名称（英文）,date,title\n"
        "塔斯社,ТАСС,TASS,2020-11-23,Открытие конференции\n"
        ",,Xinhuanet,2020-11-24,Opening\n"  # an existing outlet by its English name only
    )
    url, html = preview(client, event, data.encode(), "names.csv")
    number = re.search(r'name="create-(\d+)" value="塔斯社"', html).group(1)
    client.post(
        url,
        data={
            "action": "confirm",
            f"create-{number}": "塔斯社",
            f"level-{number}": "overseas",
            f"type-{number}": "news_website",
        },
    )
    tass = db.session.scalar(select(Outlet).where(Outlet.name_key == "塔斯社"))
    assert tass.name == Translated(zh="塔斯社", ru="ТАСС", en="TASS")
    items = db.session.scalars(select(CoverageItem).order_by(CoverageItem.published_on)).all()
    assert [(i.outlet.name.get("en"), i.title) for i in items] == [
        ("TASS", "Открытие конференции"),
        ("Xinhuanet", "Opening"),
    ]


def test_an_unknown_cyrillic_name_in_the_old_column_is_taken_as_russian(organizer_client):
    client, event = organizer_client
    _trilingual(event)
    url, html = preview(
        client, event, "媒体,日期,标题\nСпутник,2020-11-23,Репортаж\n".encode(), "ru.csv"
    )
    number = re.search(r'name="create-(\d+)" value="Спутник"', html).group(1)
    client.post(
        url,
        data={
            "action": "confirm",
            f"create-{number}": "Спутник",
            f"level-{number}": "overseas",
            f"type-{number}": "news_website",
        },
    )
    assert db.session.scalar(select(Outlet)).name == {"ru": "Спутник"}


def test_outlet_names_move_into_one_value_and_back(migrations_app):
    before, translated = "3c9d5e7f1a24", "4d0e6f8a2b35"
    flask_migrate.upgrade(directory=str(MIGRATIONS), revision=before)
    metadata = sa.MetaData()
    metadata.reflect(db.engine, only=["event", "outlet"])
    with db.engine.begin() as conn:
        event_id = insert_row(conn, metadata.tables["event"], 1, slug="old-event")

        def outlet(n, zh, en):
            return insert_row(
                conn,
                metadata.tables["outlet"],
                n,
                event_id=event_id,
                name_zh=zh,
                name_en=en,
                level="CENTRAL",
                type="TV",
            )

        both = outlet(2, "《青岛日报》", "Qingdao Daily")
        only_zh = outlet(3, "观海新闻", "")

    flask_migrate.upgrade(directory=str(MIGRATIONS), revision=translated)
    with db.engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(sa.text("SELECT id, name, name_key FROM outlet"))}
        columns = {c["name"] for c in sa.inspect(conn).get_columns("outlet")}
    assert as_json(rows[both].name) == {"zh": "《青岛日报》", "en": "Qingdao Daily"}
    assert rows[both].name_key == "青岛日报"
    assert (as_json(rows[only_zh].name), rows[only_zh].name_key) == ({"zh": "观海新闻"}, "观海新闻")
    assert not {"name_zh", "name_en"} & columns
    duplicate = sa.text(
        "INSERT INTO outlet (event_id, name, name_key, level, type, website, created_at) "
        "VALUES (:e, :n, '青岛日报', 'CENTRAL', 'TV', '', '2026-01-01')"
    )
    with db.engine.connect() as conn, pytest.raises(sa.exc.IntegrityError):
        conn.execute(duplicate, {"e": event_id, "n": "{}"})

    with db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE outlet SET name = :name WHERE id = :id"),
            {"name": json.dumps({"ru": "Гуаньхай", "en": "Guanhai News"}), "id": only_zh},
        )
    flask_migrate.downgrade(directory=str(MIGRATIONS), revision=before)
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, name_zh, name_en FROM outlet ORDER BY id")).all()
        columns = {c["name"] for c in sa.inspect(conn).get_columns("outlet")}
    assert [tuple(r) for r in rows] == [
        (both, "《青岛日报》", "Qingdao Daily"),
        (only_zh, "Guanhai News", "Guanhai News"),  # no Chinese: the English name is kept
    ]
    assert not {"name", "name_key"} & columns
