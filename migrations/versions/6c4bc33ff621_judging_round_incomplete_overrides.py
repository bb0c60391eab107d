"""judging: a round keeps the overrides of advancement or awards decided while judging was
incomplete (reason, who, when, which entries)

Revision ID: 6c4bc33ff621
Revises: 9ba395998b26
Create Date: 2026-12-07 18:45:19.319205

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6c4bc33ff621'
down_revision = '9ba395998b26'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('incomplete_overrides', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_column('incomplete_overrides')
