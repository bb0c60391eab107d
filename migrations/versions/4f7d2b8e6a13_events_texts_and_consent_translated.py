"""events: the event's title, description, venue and privacy notice, and each consent
version's text, become one translated value each (a JSON map language → text); a registration
records the language of the notice text it agreed to

Revision ID: 4f7d2b8e6a13
Revises: 4d0e6f8a2b35
Create Date: 2026-12-07 23:55:00

Upgrade moves every <name>_zh/_en(/_ru) column into <name> (empty texts are not kept) and
drops the old columns. Existing registrations get consent_language "" (unknown: the old form
picked the text by the page's language, which was not recorded). Downgrade moves the zh, en
(and ru) texts back; a text in another language (kk …) has no column to go back to and is
lost, and a title (NOT NULL, the old form required both) without its language takes the
Chinese, English or Russian one, or any.
"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4f7d2b8e6a13'
down_revision = '4d0e6f8a2b35'
branch_labels = None
depends_on = None

# new column: (the languages of its old columns, their type)
EVENT_TEXTS = {
    'title': (('zh', 'en'), sa.String(length=300)),
    'description': (('zh', 'en'), sa.Text()),
    'venue': (('zh', 'en'), sa.String(length=300)),
    'privacy_text': (('zh', 'en', 'ru'), sa.Text()),
}
CONSENT_TEXTS = {'text': (('zh', 'en', 'ru'), sa.Text())}


def _table(name, texts):
    columns = [sa.column('id', sa.Integer)]
    for new, (languages, kind) in texts.items():
        columns.append(sa.column(new, sa.JSON))
        columns += [sa.column(f'{new}_{language}', sa.Text) for language in languages]
    return sa.table(name, *columns)


def _as_dict(value):
    if value is None:
        return {}
    return value if isinstance(value, dict) else json.loads(value or '{}')


def _to_json(name, texts):
    with op.batch_alter_table(name, schema=None) as batch_op:
        for new in texts:
            batch_op.add_column(sa.Column(new, sa.JSON(), nullable=True))
    conn = op.get_bind()
    table = _table(name, texts)
    old = [table.c[f'{new}_{lang}'] for new, (langs, _) in texts.items() for lang in langs]
    for row in conn.execute(sa.select(table.c.id, *old)).mappings().all():
        values = {
            new: {
                lang: row[f'{new}_{lang}'].strip()
                for lang in langs
                if row[f'{new}_{lang}'] and row[f'{new}_{lang}'].strip()
            }
            for new, (langs, _) in texts.items()
        }
        conn.execute(table.update().where(table.c.id == row['id']).values(**values))
    with op.batch_alter_table(name, schema=None) as batch_op:
        for new, (langs, _) in texts.items():
            batch_op.alter_column(new, existing_type=sa.JSON(), nullable=False)
            for lang in langs:
                batch_op.drop_column(f'{new}_{lang}')


def _from_json(name, texts, required=()):
    with op.batch_alter_table(name, schema=None) as batch_op:
        for new, (langs, kind) in texts.items():
            for lang in langs:
                batch_op.add_column(sa.Column(f'{new}_{lang}', kind, nullable=True))
    conn = op.get_bind()
    table = _table(name, texts)
    for row in conn.execute(sa.select(table.c.id, *(table.c[new] for new in texts))).mappings():
        values = {}
        for new, (langs, kind) in texts.items():
            texts_of = _as_dict(row[new])
            length = getattr(kind, 'length', None)
            for lang in langs:
                text = texts_of.get(lang, '')
                if not text and new in required:
                    text = next((texts_of[o] for o in ('zh', 'en', 'ru') if texts_of.get(o)), '')
                    text = text or next(iter(texts_of.values()), '')
                values[f'{new}_{lang}'] = text[:length] if length else text
        conn.execute(table.update().where(table.c.id == row['id']).values(**values))
    with op.batch_alter_table(name, schema=None) as batch_op:
        for new, (langs, kind) in texts.items():
            for lang in langs:
                batch_op.alter_column(f'{new}_{lang}', existing_type=kind, nullable=False)
            batch_op.drop_column(new)


def upgrade():
    _to_json('event', EVENT_TEXTS)
    _to_json('consent_version', CONSENT_TEXTS)
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('consent_language', sa.String(length=10), nullable=False, server_default='')
        )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.alter_column('consent_language', existing_type=sa.String(length=10),
                              server_default=None)


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('consent_language')
    _from_json('consent_version', CONSENT_TEXTS)
    _from_json('event', EVENT_TEXTS, required=('title',))
