"""events, registration: reminder mail N days before the start, sent once per registration

Revision ID: 7d2a9c4e1b05
Revises: 5c8e1f3a9d72
Create Date: 2026-12-07 23:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d2a9c4e1b05'
down_revision = '5c8e1f3a9d72'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_days_before', sa.Integer(), nullable=True))
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_sent_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('reminder_sent_at')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('reminder_days_before')
