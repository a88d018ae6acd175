"""participant messages: what coordinators wrote, and the outbox mail each person got

Revision ID: 0009_participant_messages
Revises: 0006_single_sign_on
Create Date: 2026-12-01 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import nscal.db


# revision identifiers, used by Alembic.
revision = '0009_participant_messages'
down_revision = '0006_single_sign_on'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('participant_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('sender_id', sa.Integer(), nullable=True),
    sa.Column('sender_name', sa.String(length=200), nullable=False),
    sa.Column('sender_email', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('selection', sa.JSON(), nullable=False),
    sa.Column('selection_text', sa.String(length=500), nullable=False),
    sa.Column('status', sa.Enum('draft', 'sent', name='participant_message_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('recipient_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', nscal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attachment_name', sa.String(length=255), nullable=True),
    sa.Column('attachment_type', sa.String(length=120), nullable=True),
    sa.Column('attachment_size', sa.Integer(), nullable=True),
    sa.Column('attachment_key', sa.String(length=32), nullable=True),
    sa.Column('attachment_data', sa.LargeBinary(), nullable=True),
    sa.CheckConstraint('(event_id IS NULL) <> (series_id IS NULL)', name=op.f('ck_participant_message_event_or_series')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_participant_message_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sender_id'], ['user_account.id'], name=op.f('fk_participant_message_sender_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['series_id'], ['event_series.id'], name=op.f('fk_participant_message_series_id_event_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant_message')),
    sa.UniqueConstraint('attachment_key', name=op.f('uq_participant_message_attachment_key'))
    )
    with op.batch_alter_table('participant_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participant_message_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_participant_message_series_id'), ['series_id'], unique=False)

    op.create_table('participant_message_mail',
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['participant_message.id'], name=op.f('fk_participant_message_mail_message_id_participant_message'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_id'], ['mail_outbox.id'], name=op.f('fk_participant_message_mail_outbox_id_mail_outbox'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_participant_message_mail_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('message_id', 'user_id', name=op.f('pk_participant_message_mail')),
    sa.UniqueConstraint('outbox_id', name=op.f('uq_participant_message_mail_outbox_id'))
    )


def downgrade():
    op.drop_table('participant_message_mail')
    with op.batch_alter_table('participant_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_message_series_id'))
        batch_op.drop_index(batch_op.f('ix_participant_message_event_id'))

    op.drop_table('participant_message')
