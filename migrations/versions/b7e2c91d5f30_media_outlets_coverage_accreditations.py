"""media: outlets, coverage items, press accreditations

Revision ID: b7e2c91d5f30
Revises: adcef4a654cd
Create Date: 2026-11-26 20:30:12.326117

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e2c91d5f30'
down_revision = 'adcef4a654cd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outlet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('level', sa.Enum('CENTRAL', 'PROVINCIAL', 'MUNICIPAL', 'INDUSTRY', 'OVERSEAS', name='outletlevel', native_enum=False, length=20), nullable=False),
    sa.Column('type', sa.Enum('TV', 'NEWSPAPER', 'NEWS_WEBSITE', 'NEW_MEDIA', 'VIDEO_PLATFORM', name='outlettype', native_enum=False, length=20), nullable=False),
    sa.Column('website', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_outlet_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outlet')),
    sa.UniqueConstraint('event_id', 'name_zh', name=op.f('uq_outlet_event_id_name_zh'))
    )
    with op.batch_alter_table('outlet', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outlet_event_id'), ['event_id'], unique=False)

    op.create_table('coverage_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('outlet_id', sa.Integer(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=True),
    sa.Column('kind', sa.Enum('ORIGINAL', 'REPOST', 'VIDEO', 'LIVE_STREAM', name='coveragekind', native_enum=False, length=20), nullable=False),
    sa.Column('plays', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('ceremony_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('plays IS NULL OR plays >= 0', name=op.f('ck_coverage_item_plays_non_negative')),
    sa.ForeignKeyConstraint(['ceremony_id'], ['ceremony.id'], name=op.f('fk_coverage_item_ceremony_id_ceremony'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_coverage_item_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_coverage_item_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outlet_id'], ['outlet.id'], name=op.f('fk_coverage_item_outlet_id_outlet'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coverage_item')),
    sa.UniqueConstraint('event_id', 'outlet_id', 'published_on', 'title', name=op.f('uq_coverage_item_event_id_outlet_id_published_on_title')),
    sa.UniqueConstraint('event_id', 'url', name=op.f('uq_coverage_item_event_id_url'))
    )
    with op.batch_alter_table('coverage_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coverage_item_ceremony_id'), ['ceremony_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coverage_item_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coverage_item_outlet_id'), ['outlet_id'], unique=False)

    op.create_table('press_accreditation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outlet_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('linked_by_id', sa.Integer(), nullable=True),
    sa.Column('linked_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['linked_by_id'], ['user.id'], name=op.f('fk_press_accreditation_linked_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['outlet_id'], ['outlet.id'], name=op.f('fk_press_accreditation_outlet_id_outlet'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_press_accreditation_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_press_accreditation')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_press_accreditation_registration_id'))
    )
    with op.batch_alter_table('press_accreditation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_press_accreditation_outlet_id'), ['outlet_id'], unique=False)


def downgrade():
    with op.batch_alter_table('press_accreditation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_press_accreditation_outlet_id'))

    op.drop_table('press_accreditation')
    with op.batch_alter_table('coverage_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coverage_item_outlet_id'))
        batch_op.drop_index(batch_op.f('ix_coverage_item_event_id'))
        batch_op.drop_index(batch_op.f('ix_coverage_item_ceremony_id'))

    op.drop_table('coverage_item')
    with op.batch_alter_table('outlet', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outlet_event_id'))

    op.drop_table('outlet')
