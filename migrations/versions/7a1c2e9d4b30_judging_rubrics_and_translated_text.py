"""judging rubrics and translated text: a criterion's name becomes one translated value (a JSON
map language → text), it gains a description and level bands (criterion_level); an event
declares its content languages in fallback order

Revision ID: 7a1c2e9d4b30
Revises: 6c4bc33ff621
Create Date: 2026-12-07 21:05:00

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a1c2e9d4b30'
down_revision = '6c4bc33ff621'
branch_labels = None
depends_on = None


def _names(zh, en):
    return {language: text.strip() for language, text in (("zh", zh), ("en", en)) if text and text.strip()}


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_languages', sa.JSON(), nullable=True))
    op.execute(sa.text("UPDATE event SET content_languages = :languages").bindparams(
        sa.bindparam("languages", ["zh", "en"], type_=sa.JSON())))
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.alter_column('content_languages', existing_type=sa.JSON(), nullable=False)

    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('description', sa.JSON(), nullable=True))
    conn = op.get_bind()
    criterion = sa.table(
        'criterion', sa.column('id', sa.Integer), sa.column('name_zh', sa.String),
        sa.column('name_en', sa.String), sa.column('name', sa.JSON), sa.column('description', sa.JSON),
    )
    for row in conn.execute(sa.select(criterion.c.id, criterion.c.name_zh, criterion.c.name_en)).all():
        conn.execute(criterion.update().where(criterion.c.id == row.id).values(
            name=_names(row.name_zh, row.name_en), description={}))
    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.alter_column('name', existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column('description', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('name_zh')
        batch_op.drop_column('name_en')

    op.create_table(
        'criterion_level',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('criterion_id', sa.Integer(), nullable=False),
        sa.Column('low', sa.Float(), nullable=False),
        sa.Column('high', sa.Float(), nullable=False),
        sa.Column('title', sa.JSON(), nullable=False),
        sa.Column('descriptor', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['criterion_id'], ['criterion.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('criterion_level', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_criterion_level_criterion_id'), ['criterion_id'], unique=False)


def downgrade():
    # The rubric bands and descriptions have no place in the old schema; the names go back to
    # their Chinese and English columns (a missing one takes the other, as the old form required
    # one of the two).
    with op.batch_alter_table('criterion_level', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_criterion_level_criterion_id'))
    op.drop_table('criterion_level')

    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_zh', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('name_en', sa.String(length=200), nullable=True))
    conn = op.get_bind()
    criterion = sa.table(
        'criterion', sa.column('id', sa.Integer), sa.column('name_zh', sa.String),
        sa.column('name_en', sa.String), sa.column('name', sa.JSON),
    )
    for row in conn.execute(sa.select(criterion.c.id, criterion.c.name)).all():
        names = row.name if isinstance(row.name, dict) else json.loads(row.name or "{}")
        zh = names.get("zh") or names.get("en") or next(iter(names.values()), "")
        en = names.get("en") or names.get("zh") or next(iter(names.values()), "")
        conn.execute(criterion.update().where(criterion.c.id == row.id).values(
            name_zh=zh[:200], name_en=en[:200]))
    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.alter_column('name_zh', existing_type=sa.String(length=200), nullable=False)
        batch_op.alter_column('name_en', existing_type=sa.String(length=200), nullable=False)
        batch_op.drop_column('description')
        batch_op.drop_column('name')

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('content_languages')
