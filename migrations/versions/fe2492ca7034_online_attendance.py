"""checkin: online attendance through the personal join link (first/last join, count)

Revision ID: fe2492ca7034
Revises: 7d2a9c4e1b05
Create Date: 2026-12-07 23:35:31.786975

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fe2492ca7034'
down_revision = '7d2a9c4e1b05'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('online_attendance',
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('first_joined_at', sa.DateTime(), nullable=False),
    sa.Column('last_joined_at', sa.DateTime(), nullable=False),
    sa.Column('join_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_online_attendance_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_online_attendance_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('registration_id', name=op.f('pk_online_attendance'))
    )
    with op.batch_alter_table('online_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_online_attendance_event_id'), ['event_id'], unique=False)



def downgrade():
    with op.batch_alter_table('online_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_online_attendance_event_id'))

    op.drop_table('online_attendance')
