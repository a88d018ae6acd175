"""programme: the items of an event's programme and their speakers

Revision ID: 0011_programme
Revises: 0007_people_and_data
Create Date: 2026-12-01 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import nscal.db


# revision identifiers, used by Alembic.
revision = '0011_programme'
down_revision = '0007_people_and_data'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('programme_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('talk', 'session', 'break', 'workshop', 'other', name='programme_item_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('room', sa.String(length=200), nullable=False),
    sa.Column('online_url', sa.String(length=500), nullable=False),
    sa.Column('position', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_programme_item_ends_after_start')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_programme_item_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_item'))
    )
    with op.batch_alter_table('programme_item', schema=None) as batch_op:
        batch_op.create_index('ix_programme_item_event_start', ['event_id', 'starts_at'], unique=False)

    op.create_table('programme_speaker',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('affiliation', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['programme_item.id'], name=op.f('fk_programme_speaker_item_id_programme_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_programme_speaker_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_speaker'))
    )
    with op.batch_alter_table('programme_speaker', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_speaker_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_speaker_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('programme_speaker', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_speaker_user_id'))
        batch_op.drop_index(batch_op.f('ix_programme_speaker_item_id'))

    op.drop_table('programme_speaker')
    with op.batch_alter_table('programme_item', schema=None) as batch_op:
        batch_op.drop_index('ix_programme_item_event_start')

    op.drop_table('programme_item')
