"""statistics: the counts of registrations the retention purge deletes

Revision ID: 0014_statistics
Revises: 0015_publishing
Create Date: 2026-12-10 12:00:00.000000

Existing data: the table starts empty; registrations purged before this revision are
gone and cannot be counted (the statistics page says its figures count what is kept).
"""
from alembic import op
import sqlalchemy as sa

import nscal.db


# revision identifiers, used by Alembic.
revision = '0014_statistics'
down_revision = '0015_publishing'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('purged_registration_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=True),
    sa.Column('participant_role_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('confirmed', 'waitlisted', 'pending', 'cancelled', 'rejected', name='purged_registration_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('was_waitlisted', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('purged_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['city_id'], ['city.id'], name=op.f('fk_purged_registration_count_city_id_city')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_purged_registration_count_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_role_id'], ['participant_role.id'], name=op.f('fk_purged_registration_count_participant_role_id_participant_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purged_registration_count'))
    )
    with op.batch_alter_table('purged_registration_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purged_registration_count_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('purged_registration_count', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purged_registration_count_event_id'))
    op.drop_table('purged_registration_count')
