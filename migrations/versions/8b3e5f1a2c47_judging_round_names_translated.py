"""judging: a round's name becomes one translated value (a JSON map language → text) like its
criteria's names

Revision ID: 8b3e5f1a2c47
Revises: 7a1c2e9d4b30
Create Date: 2026-12-07 21:30:00

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8b3e5f1a2c47'
down_revision = '7a1c2e9d4b30'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.JSON(), nullable=True))
    conn = op.get_bind()
    round_ = sa.table(
        'round', sa.column('id', sa.Integer), sa.column('name_zh', sa.String),
        sa.column('name_en', sa.String), sa.column('name', sa.JSON),
    )
    for row in conn.execute(sa.select(round_.c.id, round_.c.name_zh, round_.c.name_en)).all():
        names = {k: v.strip() for k, v in (("zh", row.name_zh), ("en", row.name_en)) if v and v.strip()}
        conn.execute(round_.update().where(round_.c.id == row.id).values(name=names))
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.alter_column('name', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('name_zh')
        batch_op.drop_column('name_en')


def downgrade():
    # Names go back to their Chinese and English columns; a missing one takes the other.
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_zh', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('name_en', sa.String(length=200), nullable=True))
    conn = op.get_bind()
    round_ = sa.table(
        'round', sa.column('id', sa.Integer), sa.column('name_zh', sa.String),
        sa.column('name_en', sa.String), sa.column('name', sa.JSON),
    )
    for row in conn.execute(sa.select(round_.c.id, round_.c.name)).all():
        names = row.name if isinstance(row.name, dict) else json.loads(row.name or "{}")
        zh = names.get("zh") or names.get("en") or next(iter(names.values()), "")
        en = names.get("en") or names.get("zh") or next(iter(names.values()), "")
        conn.execute(round_.update().where(round_.c.id == row.id).values(
            name_zh=zh[:200], name_en=en[:200]))
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.alter_column('name_zh', existing_type=sa.String(length=200), nullable=False)
        batch_op.alter_column('name_en', existing_type=sa.String(length=200), nullable=False)
        batch_op.drop_column('name')
