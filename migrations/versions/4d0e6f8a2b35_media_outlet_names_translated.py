"""media: an outlet's name becomes one translated value (a JSON map language → text); the
per-event unique name moves to name_key, the compared form of the outlet's first name

Revision ID: 4d0e6f8a2b35
Revises: 3c9d5e7f1a24
Create Date: 2026-12-08 00:30:00

"""
import json
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4d0e6f8a2b35'
down_revision = '3c9d5e7f1a24'
branch_labels = None
depends_on = None


def _name_key(name):
    # As app.media.services.name_key (frozen here).
    name = unicodedata.normalize("NFKC", name or "").casefold()
    return re.sub(r"[\s《》〈〉<>\"'“”‘’「」『』]", "", name)


def _outlet():
    return sa.table(
        'outlet', sa.column('id', sa.Integer), sa.column('event_id', sa.Integer),
        sa.column('name_zh', sa.String), sa.column('name_en', sa.String),
        sa.column('name', sa.JSON), sa.column('name_key', sa.String),
    )


def upgrade():
    with op.batch_alter_table('outlet', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('name_key', sa.String(length=200), nullable=True))
    conn = op.get_bind()
    outlet = _outlet()
    seen = set()
    rows = conn.execute(
        sa.select(outlet.c.id, outlet.c.event_id, outlet.c.name_zh, outlet.c.name_en)
        .order_by(outlet.c.id)
    ).all()
    for row in rows:
        names = {k: v.strip() for k, v in (("zh", row.name_zh), ("en", row.name_en))
                 if v and v.strip()}
        key = _name_key(names.get("zh") or names.get("en") or "")[:200]
        if (row.event_id, key) in seen:  # only if two old names compared equal
            key = f"{key[:190]}#{row.id}"
        seen.add((row.event_id, key))
        conn.execute(outlet.update().where(outlet.c.id == row.id)
                     .values(name=names, name_key=key))
    with op.batch_alter_table('outlet', schema=None) as batch_op:
        batch_op.drop_constraint('uq_outlet_event_id_name_zh', type_='unique')
        batch_op.alter_column('name', existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column('name_key', existing_type=sa.String(length=200), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f('uq_outlet_event_id_name_key'), ['event_id', 'name_key']
        )
        batch_op.drop_column('name_zh')
        batch_op.drop_column('name_en')


def downgrade():
    # Names go back to their Chinese and English columns; an outlet without a Chinese name
    # takes its English one (or any) as the required Chinese name.
    with op.batch_alter_table('outlet', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_zh', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('name_en', sa.String(length=200), nullable=True))
    conn = op.get_bind()
    outlet = _outlet()
    for row in conn.execute(sa.select(outlet.c.id, outlet.c.name)).all():
        names = row.name if isinstance(row.name, dict) else json.loads(row.name or "{}")
        names = {k: v for k, v in names.items() if v}
        zh = names.get("zh") or names.get("en") or next(iter(names.values()), "")
        conn.execute(outlet.update().where(outlet.c.id == row.id)
                     .values(name_zh=zh[:200], name_en=names.get("en", "")[:200]))
    with op.batch_alter_table('outlet', schema=None) as batch_op:
        batch_op.drop_constraint('uq_outlet_event_id_name_key', type_='unique')
        batch_op.alter_column('name_zh', existing_type=sa.String(length=200), nullable=False)
        batch_op.alter_column('name_en', existing_type=sa.String(length=200), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f('uq_outlet_event_id_name_zh'), ['event_id', 'name_zh']
        )
        batch_op.drop_column('name')
        batch_op.drop_column('name_key')
