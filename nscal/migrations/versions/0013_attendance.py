"""attendance: marks per registration, check-in codes and wrong-code counts

Revision ID: 0013_attendance
Revises: 0011_programme
Create Date: 2026-12-01 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import nscal.db


# revision identifiers, used by Alembic.
revision = '0013_attendance'
down_revision = '0011_programme'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('check_in_code',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('created_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_check_in_code_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_check_in_code'))
    )
    op.create_table('check_in_failure',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_check_in_failure_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_check_in_failure_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'user_id', name=op.f('pk_check_in_failure'))
    )
    op.create_table('attendance',
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('attended', 'absent', 'excused', name='attendance_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('checked_in_at', nscal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['marked_by_id'], ['user_account.id'], name=op.f('fk_attendance_marked_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_attendance_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('registration_id', name=op.f('pk_attendance'))
    )


def downgrade():
    op.drop_table('attendance')
    op.drop_table('check_in_failure')
    op.drop_table('check_in_code')
