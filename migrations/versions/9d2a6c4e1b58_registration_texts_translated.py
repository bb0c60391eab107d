"""registration: a category's name and description and a question's label become translated
values (a JSON map language → text) instead of one column per language

Revision ID: 9d2a6c4e1b58
Revises: 4f7d2b8e6a13
Create Date: 2026-12-07 23:55:00

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d2a6c4e1b58'
down_revision = '4f7d2b8e6a13'
branch_labels = None
depends_on = None

LANGUAGES = ("zh", "en", "ru")
# table → (translated column, its old per-language columns' length (None: TEXT), required)
MOVED = {
    'category': [('name', 200, True), ('description', None, False)],
    'question': [('label', 300, True)],
}


def _old_type(length):
    return sa.String(length=length) if length else sa.Text()


def _table(name, columns):
    return sa.table(name, sa.column('id', sa.Integer), *(sa.column(c) for c in columns))


def upgrade():
    conn = op.get_bind()
    for name, fields in MOVED.items():
        with op.batch_alter_table(name, schema=None) as batch_op:
            for field, _length, _required in fields:
                batch_op.add_column(sa.Column(field, sa.JSON(), nullable=True))
        old = [f'{field}_{language}' for field, _l, _r in fields for language in LANGUAGES]
        table = sa.table(
            name, sa.column('id', sa.Integer), *(sa.column(c, sa.Text) for c in old),
            *(sa.column(field, sa.JSON) for field, _l, _r in fields),
        )
        for row in conn.execute(sa.select(table.c.id, *(table.c[c] for c in old))).all():
            values = {}
            for field, _length, _required in fields:
                texts = {}
                for language in LANGUAGES:
                    text = getattr(row, f'{field}_{language}')
                    if text and text.strip():
                        texts[language] = text.strip()
                values[field] = texts
            conn.execute(table.update().where(table.c.id == row.id).values(**values))
        with op.batch_alter_table(name, schema=None) as batch_op:
            for field, length, _required in fields:
                batch_op.alter_column(field, existing_type=sa.JSON(), nullable=False)
                for language in LANGUAGES:
                    batch_op.drop_column(f'{field}_{language}')


def downgrade():
    # Texts go back to their Chinese, English and Russian columns. The old Chinese and English
    # names and labels were required: a missing one takes the other (or any language there is);
    # a language other than these three has no column to go to and is lost.
    conn = op.get_bind()
    for name, fields in MOVED.items():
        with op.batch_alter_table(name, schema=None) as batch_op:
            for field, length, _required in fields:
                for language in LANGUAGES:
                    batch_op.add_column(
                        sa.Column(f'{field}_{language}', _old_type(length), nullable=True)
                    )
        old = [f'{field}_{language}' for field, _l, _r in fields for language in LANGUAGES]
        table = sa.table(
            name, sa.column('id', sa.Integer), *(sa.column(c, sa.Text) for c in old),
            *(sa.column(field, sa.JSON) for field, _l, _r in fields),
        )
        for row in conn.execute(
            sa.select(table.c.id, *(table.c[field] for field, _l, _r in fields))
        ).all():
            values = {}
            for field, length, required in fields:
                raw = getattr(row, field)
                texts = raw if isinstance(raw, dict) else json.loads(raw or "{}")
                any_text = next(iter(texts.values()), "")
                for language in LANGUAGES:
                    text = texts.get(language, "")
                    if required and language != "ru":
                        other = "en" if language == "zh" else "zh"
                        text = text or texts.get(other) or any_text
                    values[f'{field}_{language}'] = text[:length] if length else text
            conn.execute(table.update().where(table.c.id == row.id).values(**values))
        with op.batch_alter_table(name, schema=None) as batch_op:
            for field, length, required in fields:
                for language in LANGUAGES:
                    batch_op.alter_column(
                        f'{field}_{language}', existing_type=_old_type(length), nullable=False
                    )
                batch_op.drop_column(field)
