"""events: map link of the venue

Revision ID: 5c8e1f3a9d72
Revises: 8b3e5f1a2c47
Create Date: 2026-12-07 21:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c8e1f3a9d72'
down_revision = '8b3e5f1a2c47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('map_url', sa.String(length=500), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('map_url')
