"""reminders: plans per event, series and kind; what was sent; feed alarms

Revision ID: 0008_reminders
Revises: 0005_account_security
Create Date: 2026-12-01 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import nscal.db


# revision identifiers, used by Alembic.
revision = '0008_reminders'
down_revision = '0005_account_security'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminder_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('event_kind', sa.Enum('city-meeting', 'summit', 'kick-off', 'workshop', 'webinar', 'other', name='reminder_event_kind', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('offsets', sa.String(length=200), nullable=False),
    sa.Column('updated_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(CASE WHEN event_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN series_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN event_kind IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_reminder_plan_one_owner')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_reminder_plan_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['series_id'], ['event_series.id'], name=op.f('fk_reminder_plan_series_id_event_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_plan')),
    sa.UniqueConstraint('event_id', name=op.f('uq_reminder_plan_event_id')),
    sa.UniqueConstraint('event_kind', name=op.f('uq_reminder_plan_event_kind')),
    sa.UniqueConstraint('series_id', name=op.f('uq_reminder_plan_series_id'))
    )
    op.create_table('reminder_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('reminder_key', sa.String(length=10), nullable=False),
    sa.Column('event_starts_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_reminder_sent_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_sent')),
    sa.UniqueConstraint('registration_id', 'reminder_key', name='uq_reminder_sent_once')
    )
    op.create_table('feed_alarm',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('minutes_before', sa.Integer(), nullable=False),
    sa.Column('updated_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_feed_alarm_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_feed_alarm'))
    )


def downgrade():
    op.drop_table('feed_alarm')
    op.drop_table('reminder_sent')
    op.drop_table('reminder_plan')
