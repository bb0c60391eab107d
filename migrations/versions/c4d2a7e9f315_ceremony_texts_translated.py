"""ceremonies: the organizer's texts become translated values (a JSON map language → text):
ceremony title and venue, segment title and performer, signing item title, party organization;
the host's language becomes a language code

Revision ID: c4d2a7e9f315
Revises: 5c8e1f3a9d72
Create Date: 2026-12-07 23:55:00

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d2a7e9f315'
down_revision = '5c8e1f3a9d72'
branch_labels = None
depends_on = None

# table → [(translated column, its zh column, its en column)]
PAIRS = {
    'ceremony': [('title', 'title_zh', 'title_en'), ('venue', 'venue_zh', 'venue_en')],
    'agenda_segment': [('title', 'title_zh', 'title_en')],
    'signing_item': [('title', 'title_zh', 'title_en')],
    'signing_party': [('organization', 'organization_zh', 'organization_en')],
}
# The old agenda printed the one performer text under both languages; it goes to the event's
# first content language (and comes back from it, or from whatever language there is).
PERFORMER_TMP = 'performer_texts'


def _texts(value):
    if value is None:
        return {}
    return value if isinstance(value, dict) else json.loads(value or '{}')


def _first(texts, *languages):
    for language in languages:
        if texts.get(language):
            return texts[language]
    return next(iter(texts.values()), '')


def _segment_languages(conn):
    """agenda_segment id → the first content language of its event ('zh' without one)."""
    rows = conn.execute(sa.text(
        'SELECT agenda_segment.id, event.content_languages FROM agenda_segment '
        'JOIN ceremony ON ceremony.id = agenda_segment.ceremony_id '
        'JOIN event ON event.id = ceremony.event_id'
    )).all()
    first = {}
    for segment_id, languages in rows:
        languages = languages if isinstance(languages, list) else json.loads(languages or '[]')
        first[segment_id] = (languages or ['zh'])[0]
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

    with op.batch_alter_table('agenda_segment', schema=None) as batch_op:
        batch_op.add_column(sa.Column(PERFORMER_TMP, sa.JSON(), nullable=True))
    segment = sa.table('agenda_segment', sa.column('id', sa.Integer),
                       sa.column('performer', sa.String), sa.column(PERFORMER_TMP, sa.JSON))
    languages = _segment_languages(conn)
    for row in conn.execute(sa.select(segment.c.id, segment.c.performer)).all():
        text = (row.performer or '').strip()
        value = {languages.get(row.id, 'zh'): text} if text else {}
        conn.execute(segment.update().where(segment.c.id == row.id).values(
            **{PERFORMER_TMP: value}))
    with op.batch_alter_table('agenda_segment', schema=None) as batch_op:
        batch_op.drop_column('performer')
        batch_op.alter_column(PERFORMER_TMP, new_column_name='performer',
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

    languages = _segment_languages(conn)
    with op.batch_alter_table('agenda_segment', schema=None) as batch_op:
        batch_op.alter_column('performer', new_column_name=PERFORMER_TMP,
                              existing_type=sa.JSON(), nullable=True)
    with op.batch_alter_table('agenda_segment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('performer', sa.String(length=300), nullable=True))
    segment = sa.table('agenda_segment', sa.column('id', sa.Integer),
                       sa.column('performer', sa.String), sa.column(PERFORMER_TMP, sa.JSON))
    for row in conn.execute(sa.select(segment.c.id, segment.c[PERFORMER_TMP])).all():
        texts = _texts(row[1])
        text = _first(texts, languages.get(row.id, 'zh'), 'zh', 'en')
        conn.execute(segment.update().where(segment.c.id == row.id).values(performer=text[:300]))
    with op.batch_alter_table('agenda_segment', schema=None) as batch_op:
        batch_op.alter_column('performer', existing_type=sa.String(length=300), nullable=False)
        batch_op.drop_column(PERFORMER_TMP)

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
