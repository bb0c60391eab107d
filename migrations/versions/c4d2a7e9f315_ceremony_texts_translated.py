"""ceremonies: the organizer's texts become translated values (a JSON map language → text):
ceremony title and venue, segment title and performer, signing item title, party organization
and signatory's title, witness's title and organization; the host's language becomes a
language code

Revision ID: c4d2a7e9f315
Revises: fe2492ca7034
Create Date: 2026-12-07 23:55:00

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d2a7e9f315'
down_revision = 'fe2492ca7034'
branch_labels = None
depends_on = None

# table → [(translated column, its zh column, its en column)]
PAIRS = {
    'ceremony': [('title', 'title_zh', 'title_en'), ('venue', 'venue_zh', 'venue_en')],
    'agenda_segment': [('title', 'title_zh', 'title_en')],
    'signing_item': [('title', 'title_zh', 'title_en')],
    'signing_party': [('organization', 'organization_zh', 'organization_en')],
}
# Texts written once (the agenda printed the speaker under both languages; a signatory's or
# witness's position and a witness's organization were read as typed) go to the event's first
# content language, and come back from it (or from whatever language there is).
SINGLES = {
    'agenda_segment': [('performer', 300)],
    'signing_party': [('signatory_title', 200)],
    'witness': [('title', 200), ('organization', 300)],
}
EVENT_OF = {
    'agenda_segment': 'JOIN ceremony ON ceremony.id = agenda_segment.ceremony_id',
    'signing_party': 'JOIN signing_item ON signing_item.id = signing_party.item_id '
                     'JOIN ceremony ON ceremony.id = signing_item.ceremony_id',
    'witness': 'JOIN signing_item ON signing_item.id = witness.item_id '
               'JOIN ceremony ON ceremony.id = signing_item.ceremony_id',
}


def _tmp(column):
    return f'{column}_texts'


def _texts(value):
    if value is None:
        return {}
    return value if isinstance(value, dict) else json.loads(value or '{}')


def _first(texts, *languages):
    for language in languages:
        if texts.get(language):
            return texts[language]
    return next(iter(texts.values()), '')


def _first_languages(conn, table):
    """Row id of `table` → the first content language of its event ('zh' without one)."""
    rows = conn.execute(sa.text(
        f'SELECT {table}.id, event.content_languages FROM {table} {EVENT_OF[table]} '
        'JOIN event ON event.id = ceremony.event_id'
    )).all()
    first = {}
    for row_id, languages in rows:
        languages = languages if isinstance(languages, list) else json.loads(languages or '[]')
        first[row_id] = (languages or ['zh'])[0]
    return first


def upgrade():
    conn = op.get_bind()
    for table, pairs in PAIRS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _zh, _en in pairs:
                batch_op.add_column(sa.Column(name, sa.JSON(), nullable=True))
        columns = {c for pair in pairs for c in pair}
        t = sa.table(table, sa.column('id', sa.Integer), *(
            sa.column(c, sa.JSON if c in {p[0] for p in pairs} else sa.String) for c in columns))
        for row in conn.execute(sa.select(t)).mappings().all():
            values = {}
            for name, zh, en in pairs:
                values[name] = {k: row[c].strip() for k, c in (('zh', zh), ('en', en))
                                if row[c] and row[c].strip()}
            conn.execute(t.update().where(t.c.id == row['id']).values(**values))
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, zh, en in pairs:
                batch_op.alter_column(name, existing_type=sa.JSON(), nullable=False)
                batch_op.drop_column(zh)
                batch_op.drop_column(en)

    for table, columns in SINGLES.items():
        names = [name for name, _length in columns]
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in names:
                batch_op.add_column(sa.Column(_tmp(name), sa.JSON(), nullable=True))
        t = sa.table(table, sa.column('id', sa.Integer), *(sa.column(n, sa.String) for n in names),
                     *(sa.column(_tmp(n), sa.JSON) for n in names))
        languages = _first_languages(conn, table)
        for row in conn.execute(sa.select(t.c.id, *(t.c[n] for n in names))).mappings().all():
            values = {}
            for name in names:
                text = (row[name] or '').strip()
                values[_tmp(name)] = {languages.get(row['id'], 'zh'): text} if text else {}
            conn.execute(t.update().where(t.c.id == row['id']).values(**values))
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in names:
                batch_op.drop_column(name)
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in names:
                batch_op.alter_column(_tmp(name), new_column_name=name,
                                      existing_type=sa.JSON(), nullable=False)

    # The host's language was stored as the enum's name ('ZH', 'EN'); now a language code.
    conn.execute(sa.text('UPDATE ceremony SET host_language = LOWER(host_language)'))


def downgrade():
    # Texts go back to their Chinese and English columns; a missing one takes the other (or
    # any language there is: a Russian-only title becomes both). The host's language keeps
    # Chinese or English; any other becomes English, the old choice closest to a foreign host.
    conn = op.get_bind()
    conn.execute(sa.text(
        "UPDATE ceremony SET host_language = CASE WHEN host_language = 'zh' THEN 'ZH' "
        "ELSE 'EN' END"))

    for table, columns in SINGLES.items():
        names = [name for name, _length in columns]
        languages = _first_languages(conn, table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in names:
                batch_op.alter_column(name, new_column_name=_tmp(name),
                                      existing_type=sa.JSON(), nullable=True)
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, length in columns:
                batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
        t = sa.table(table, sa.column('id', sa.Integer), *(sa.column(n, sa.String) for n in names),
                     *(sa.column(_tmp(n), sa.JSON) for n in names))
        for row in conn.execute(sa.select(t.c.id, *(t.c[_tmp(n)] for n in names))).mappings().all():
            values = {}
            for name, length in columns:
                texts = _texts(row[_tmp(name)])
                values[name] = _first(texts, languages.get(row['id'], 'zh'), 'zh', 'en')[:length]
            conn.execute(t.update().where(t.c.id == row['id']).values(**values))
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, length in columns:
                batch_op.alter_column(name, existing_type=sa.String(length=length),
                                      nullable=False)
                batch_op.drop_column(_tmp(name))

    for table, pairs in PAIRS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for _name, zh, en in pairs:
                batch_op.add_column(sa.Column(zh, sa.String(length=300), nullable=True))
                batch_op.add_column(sa.Column(en, sa.String(length=300), nullable=True))
        columns = {c for pair in pairs for c in pair}
        t = sa.table(table, sa.column('id', sa.Integer), *(
            sa.column(c, sa.JSON if c in {p[0] for p in pairs} else sa.String) for c in columns))
        for row in conn.execute(sa.select(t)).mappings().all():
            values = {}
            for name, zh, en in pairs:
                texts = _texts(row[name])
                values[zh] = _first(texts, 'zh', 'en')[:300]
                values[en] = _first(texts, 'en', 'zh')[:300]
            conn.execute(t.update().where(t.c.id == row['id']).values(**values))
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, zh, en in pairs:
                batch_op.alter_column(zh, existing_type=sa.String(length=300), nullable=False)
                batch_op.alter_column(en, existing_type=sa.String(length=300), nullable=False)
                batch_op.drop_column(name)
