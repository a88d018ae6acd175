"""people and data: status history, anonymous registrations, deleted accounts,
the daily purge's last run

Revision ID: 0007_people_and_data
Revises: 0009_participant_messages
Create Date: 2026-12-01 11:43:12.521109

"""
from alembic import op
import sqlalchemy as sa

import nscal.db


# revision identifiers, used by Alembic.
revision = '0007_people_and_data'
down_revision = '0009_participant_messages'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('maintenance_run',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('last_run_at', nscal.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_maintenance_run'))
    )
    op.create_table('registration_status_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.Enum('confirmed', 'waitlisted', 'pending', 'cancelled', 'rejected', name='from_status', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('to_status', sa.Enum('confirmed', 'waitlisted', 'pending', 'cancelled', 'rejected', name='to_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'], name=op.f('fk_registration_status_change_changed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_registration_status_change_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_status_change'))
    )
    with op.batch_alter_table('registration_status_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_status_change_changed_by_id'), ['changed_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_status_change_registration_id'), ['registration_id'], unique=False)

    # SQLite rebuilds the table: the partial unique index is dropped first and made
    # again after, so it keeps its WHERE (NULL user ids never clash in it).
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('uq_registration_active_person')
        batch_op.alter_column('user_id',
               existing_type=sa.INTEGER(),
               nullable=True)
    _active_person_index()

    # The history starts with one "created" entry per existing registration: its
    # present status, when it was made, by whom (the coordinator, else the person).
    op.execute(
        "INSERT INTO registration_status_change"
        " (registration_id, from_status, to_status, changed_by_id, changed_at)"
        " SELECT id, NULL, status, COALESCE(registered_by_id, user_id), created_at"
        " FROM registration"
    )

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', nscal.db.UTCDateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')

    # Anonymous registrations cannot exist without the nullable column.
    op.execute("DELETE FROM registration WHERE user_id IS NULL")
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('uq_registration_active_person')
        batch_op.alter_column('user_id',
               existing_type=sa.INTEGER(),
               nullable=False)
    _active_person_index()

    with op.batch_alter_table('registration_status_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_status_change_registration_id'))
        batch_op.drop_index(batch_op.f('ix_registration_status_change_changed_by_id'))

    op.drop_table('registration_status_change')
    op.drop_table('maintenance_run')


def _active_person_index():
    active = sa.text("status IN ('confirmed', 'waitlisted', 'pending')")
    op.create_index(
        'uq_registration_active_person', 'registration', ['event_id', 'user_id'],
        unique=True, sqlite_where=active, postgresql_where=active,
    )
