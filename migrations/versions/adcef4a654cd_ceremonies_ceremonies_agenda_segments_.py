"""ceremonies: ceremonies, agenda segments, signing items, parties, witnesses, documents, status history

Revision ID: adcef4a654cd
Revises: d16fbf851b44
Create Date: 2026-11-26 20:30:12.326117

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'adcef4a654cd'
down_revision = 'd16fbf851b44'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ceremony',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('title_zh', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('venue_zh', sa.String(length=300), nullable=False),
    sa.Column('venue_en', sa.String(length=300), nullable=False),
    sa.Column('host_name', sa.String(length=200), nullable=False),
    sa.Column('host_language', sa.Enum('ZH', 'EN', name='hostlanguage', native_enum=False, length=5), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('slot_minutes > 0', name=op.f('ck_ceremony_slot_minutes_positive')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_ceremony_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ceremony'))
    )
    with op.batch_alter_table('ceremony', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ceremony_event_id'), ['event_id'], unique=False)

    op.create_table('agenda_segment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ceremony_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('OPENING', 'SPEECH', 'VIDEO', 'SIGNING', 'WITNESS_PHOTO', 'CLOSING', 'OTHER', name='segmentkind', native_enum=False, length=20), nullable=False),
    sa.Column('title_zh', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('performer', sa.String(length=300), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_agenda_segment_duration_positive')),
    sa.ForeignKeyConstraint(['ceremony_id'], ['ceremony.id'], name=op.f('fk_agenda_segment_ceremony_id_ceremony'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_segment'))
    )
    with op.batch_alter_table('agenda_segment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_segment_ceremony_id'), ['ceremony_id'], unique=False)

    op.create_table('signing_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ceremony_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title_zh', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('with_previous', sa.Boolean(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('PROPOSED', 'CONFIRMED', 'DOCUMENTS_READY', 'SIGNED', name='signingstatus', native_enum=False, length=20), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_signing_item_duration_positive')),
    sa.ForeignKeyConstraint(['ceremony_id'], ['ceremony.id'], name=op.f('fk_signing_item_ceremony_id_ceremony'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_item'))
    )
    with op.batch_alter_table('signing_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signing_item_ceremony_id'), ['ceremony_id'], unique=False)

    op.create_table('signing_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['signing_item.id'], name=op.f('fk_signing_document_item_id_signing_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_signing_document_uploaded_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_document')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_signing_document_stored_name'))
    )
    with op.batch_alter_table('signing_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signing_document_item_id'), ['item_id'], unique=False)

    op.create_table('signing_party',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('organization_zh', sa.String(length=300), nullable=False),
    sa.Column('organization_en', sa.String(length=300), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('signatory_name', sa.String(length=200), nullable=False),
    sa.Column('signatory_title', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['signing_item.id'], name=op.f('fk_signing_party_item_id_signing_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_party'))
    )
    with op.batch_alter_table('signing_party', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signing_party_item_id'), ['item_id'], unique=False)

    op.create_table('signing_status_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.Enum('PROPOSED', 'CONFIRMED', 'DOCUMENTS_READY', 'SIGNED', name='signingstatus', native_enum=False, length=20), nullable=True),
    sa.Column('to_status', sa.Enum('PROPOSED', 'CONFIRMED', 'DOCUMENTS_READY', 'SIGNED', name='signingstatus', native_enum=False, length=20), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user.id'], name=op.f('fk_signing_status_change_changed_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['signing_item.id'], name=op.f('fk_signing_status_change_item_id_signing_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_status_change'))
    )
    with op.batch_alter_table('signing_status_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signing_status_change_item_id'), ['item_id'], unique=False)

    op.create_table('witness',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('organization', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['signing_item.id'], name=op.f('fk_witness_item_id_signing_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_witness'))
    )
    with op.batch_alter_table('witness', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_witness_item_id'), ['item_id'], unique=False)


def downgrade():
    with op.batch_alter_table('witness', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_witness_item_id'))

    op.drop_table('witness')
    with op.batch_alter_table('signing_status_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signing_status_change_item_id'))

    op.drop_table('signing_status_change')
    with op.batch_alter_table('signing_party', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signing_party_item_id'))

    op.drop_table('signing_party')
    with op.batch_alter_table('signing_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signing_document_item_id'))

    op.drop_table('signing_document')
    with op.batch_alter_table('signing_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signing_item_ceremony_id'))

    op.drop_table('signing_item')
    with op.batch_alter_table('agenda_segment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_segment_ceremony_id'))

    op.drop_table('agenda_segment')
    with op.batch_alter_table('ceremony', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ceremony_event_id'))

    op.drop_table('ceremony')
