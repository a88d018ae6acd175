"""publishing: conflicts a coordinator accepted

Revision ID: 0015_publishing
Revises: 0017_coordinator_home
Create Date: 2026-12-05 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import nscal.db


# revision identifiers, used by Alembic.
revision = '0015_publishing'
down_revision = '0017_coordinator_home'
branch_labels = None
depends_on = None


def upgrade():
    # A new table: existing events simply have no accepted conflicts yet.
    op.create_table('accepted_conflict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('conflict_key', sa.String(length=40), nullable=False),
    sa.Column('other_event_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('accepted_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['user_account.id'], name=op.f('fk_accepted_conflict_accepted_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_accepted_conflict_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['other_event_id'], ['event.id'], name=op.f('fk_accepted_conflict_other_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accepted_conflict')),
    sa.UniqueConstraint('event_id', 'conflict_key', name=op.f('uq_accepted_conflict_event_id'))
    )
    with op.batch_alter_table('accepted_conflict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accepted_conflict_other_event_id'), ['other_event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('accepted_conflict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accepted_conflict_other_event_id'))

    op.drop_table('accepted_conflict')
