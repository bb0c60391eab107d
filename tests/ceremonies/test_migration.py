"""Migration c4d2a7e9f315 on existing rows (SQLite and PostgreSQL): a ceremony's title and
venue, its segments' titles and speakers, its items' titles and its parties' organizations move
from the zh/en columns into one translated JSON value each and back, and the texts written once
(speaker, signatory's and witness's title, witness's organization) go to the event's first
content language and back; the host's language becomes a language code and back."""

from __future__ import annotations

import json

import flask_migrate
import sqlalchemy as sa

from app.extensions import db
from tests.migration_support import as_json, insert_row
from tests.test_migrations import MIGRATIONS
from tests.test_migrations import empty_database_url as empty_database_url
from tests.test_migrations import migrations_app as migrations_app

BEFORE = "fe2492ca7034"
AFTER = "c4d2a7e9f315"
TABLES = ["event", "ceremony", "agenda_segment", "signing_item", "signing_party", "witness"]


def _columns(conn, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(conn).get_columns(table)}


def _insert_old_rows() -> dict[str, int]:
    metadata = sa.MetaData()
    metadata.reflect(db.engine, only=TABLES)
    event, ceremony, segment, item, party, witness = (metadata.tables[n] for n in TABLES)
    with db.engine.begin() as conn:
        # An event whose first content language is Russian: the old one-language speaker text
        # goes there.
        ru_first = insert_row(conn, event, 1, slug="ru-first", content_languages=["ru", "zh"])
        ids = {
            "ceremony": insert_row(
                conn,
                ceremony,
                2,
                event_id=ru_first,
                title_zh="签约仪式",
                title_en="Signing ceremony",
                venue_zh="一楼多功能厅",
                venue_en="",
                host_name="林晓雯",
                host_language="EN",
                slot_minutes=60,
            )
        }
        ids["zh_host"] = insert_row(
            conn,
            ceremony,
            3,
            event_id=ru_first,
            title_zh="第二场",
            title_en="",
            venue_zh="",
            venue_en="",
            host_language="ZH",
            slot_minutes=30,
        )
        ids["segment"] = insert_row(
            conn,
            segment,
            4,
            ceremony_id=ids["ceremony"],
            kind="SPEECH",
            title_zh="致辞",
            title_en="Address",
            performer="Д-р Петров",
            duration_minutes=5,
        )
        ids["bare_segment"] = insert_row(
            conn,
            segment,
            5,
            ceremony_id=ids["ceremony"],
            kind="SIGNING",
            title_zh="",
            title_en="",
            performer="",
            duration_minutes=20,
        )
        ids["item"] = insert_row(
            conn,
            item,
            6,
            ceremony_id=ids["ceremony"],
            title_zh="合作协议",
            title_en="Cooperation agreement",
            status="PROPOSED",
            duration_minutes=3,
        )
        ids["party"] = insert_row(
            conn,
            party,
            7,
            item_id=ids["item"],
            organization_zh="甲方",
            organization_en="Party A",
            country="CN",
            signatory_name="Алексей Петров",
            signatory_title="Проректор",
        )
        ids["en_party"] = insert_row(
            conn,
            party,
            8,
            item_id=ids["item"],
            organization_zh="",
            organization_en="Party B",
            country="KZ",
            signatory_title="",
        )
        ids["witness"] = insert_row(
            conn,
            witness,
            9,
            item_id=ids["item"],
            name="Олег Смирнов",
            title="Советник",
            organization="Секретариат ШОС",
        )
    return ids


def test_ceremony_texts_move_into_one_value_and_back(migrations_app):
    flask_migrate.upgrade(directory=str(MIGRATIONS), revision=BEFORE)
    ids = _insert_old_rows()

    flask_migrate.upgrade(directory=str(MIGRATIONS), revision=AFTER)
    with db.engine.connect() as conn:
        ceremonies = {
            row.id: row
            for row in conn.execute(sa.text("SELECT id, title, venue, host_language FROM ceremony"))
        }
        segments = {
            row.id: row
            for row in conn.execute(sa.text("SELECT id, title, performer FROM agenda_segment"))
        }
        item_title = conn.execute(sa.text("SELECT title FROM signing_item")).scalar_one()
        parties = dict(conn.execute(sa.text("SELECT id, organization FROM signing_party")).all())
        titles = dict(conn.execute(sa.text("SELECT id, signatory_title FROM signing_party")).all())
        witness = conn.execute(sa.text("SELECT title, organization FROM witness")).one()
        columns = {table: _columns(conn, table) for table in TABLES[1:]}
    ceremony = ceremonies[ids["ceremony"]]
    assert as_json(ceremony.title) == {"zh": "签约仪式", "en": "Signing ceremony"}
    assert as_json(ceremony.venue) == {"zh": "一楼多功能厅"}
    assert ceremony.host_language == "en"
    assert ceremonies[ids["zh_host"]].host_language == "zh"
    assert as_json(ceremonies[ids["zh_host"]].title) == {"zh": "第二场"}
    assert as_json(ceremonies[ids["zh_host"]].venue) == {}
    assert as_json(segments[ids["segment"]].title) == {"zh": "致辞", "en": "Address"}
    assert as_json(segments[ids["segment"]].performer) == {"ru": "Д-р Петров"}
    assert as_json(segments[ids["bare_segment"]].title) == {}
    assert as_json(segments[ids["bare_segment"]].performer) == {}
    assert as_json(item_title) == {"zh": "合作协议", "en": "Cooperation agreement"}
    assert as_json(parties[ids["party"]]) == {"zh": "甲方", "en": "Party A"}
    assert as_json(parties[ids["en_party"]]) == {"en": "Party B"}
    assert as_json(titles[ids["party"]]) == {"ru": "Проректор"}
    assert as_json(titles[ids["en_party"]]) == {}
    assert [as_json(v) for v in witness] == [{"ru": "Советник"}, {"ru": "Секретариат ШОС"}]
    old = {"title_zh", "title_en", "venue_zh", "venue_en", "organization_zh", "organization_en"}
    assert not any(old & names for names in columns.values())

    # Russian written after the upgrade; a Russian-speaking host.
    with db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE ceremony SET title = :t, host_language = 'ru' WHERE id = :id"),
            {"t": json.dumps({"ru": "Церемония подписания"}), "id": ids["zh_host"]},
        )
        conn.execute(
            sa.text("UPDATE agenda_segment SET performer = :p WHERE id = :id"),
            {"p": json.dumps({"zh": "彼得罗夫博士", "ru": "Д-р Петров"}), "id": ids["segment"]},
        )
        conn.execute(
            sa.text("UPDATE witness SET organization = :o"),
            {"o": json.dumps({"zh": "上合组织秘书处"})},
        )

    flask_migrate.downgrade(directory=str(MIGRATIONS), revision=BEFORE)
    with db.engine.connect() as conn:
        ceremonies = {
            row.id: tuple(row[1:])
            for row in conn.execute(
                sa.text(
                    "SELECT id, title_zh, title_en, venue_zh, venue_en, host_language FROM ceremony"
                )
            )
        }
        segments = {
            row.id: tuple(row[1:])
            for row in conn.execute(
                sa.text("SELECT id, title_zh, title_en, performer FROM agenda_segment")
            )
        }
        item_row = conn.execute(sa.text("SELECT title_zh, title_en FROM signing_item")).one()
        parties = {
            row.id: tuple(row[1:])
            for row in conn.execute(
                sa.text(
                    "SELECT id, organization_zh, organization_en, signatory_title "
                    "FROM signing_party"
                )
            )
        }
        witness = conn.execute(sa.text("SELECT title, organization FROM witness")).one()
        columns = {table: _columns(conn, table) for table in TABLES[1:]}
    assert ceremonies[ids["ceremony"]] == (
        "签约仪式",
        "Signing ceremony",
        "一楼多功能厅",
        "一楼多功能厅",  # no English venue: the old form's "one of the two" is kept
        "EN",
    )
    # Only Russian: both old columns get it; a Russian host reads the English script.
    assert ceremonies[ids["zh_host"]] == (
        "Церемония подписания",
        "Церемония подписания",
        "",
        "",
        "EN",
    )
    assert segments[ids["segment"]] == ("致辞", "Address", "Д-р Петров")  # the first language's
    assert segments[ids["bare_segment"]] == ("", "", "")
    assert tuple(item_row) == ("合作协议", "Cooperation agreement")
    assert parties[ids["party"]] == ("甲方", "Party A", "Проректор")
    assert parties[ids["en_party"]] == ("Party B", "Party B", "")
    # Not in the first language (Russian) any more: whatever language there is.
    assert tuple(witness) == ("Советник", "上合组织秘书处")
    assert "organization" not in columns["signing_party"]
    assert "venue" not in columns["ceremony"]
    assert "performer_texts" not in columns["agenda_segment"]
    assert "title_texts" not in columns["witness"]
