"""registration questions and their answers, the participant list, feedback surveys

New tables only: existing events get no questions, a hidden participant list and no
feedback survey.

Revision ID: 0010_questions
Revises: 0012_materials
Create Date: 2026-12-01 11:45:25.281603

"""
from alembic import op
import sqlalchemy as sa

import nscal.db


# revision identifiers, used by Alembic.
revision = '0010_questions'
down_revision = '0012_materials'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feedback_survey',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('anonymous', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('sent_at', nscal.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_feedback_survey_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_feedback_survey'))
    )
    op.create_table('participant_list_setting',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('visible', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_participant_list_setting_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_participant_list_setting'))
    )
    op.create_table('question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('purpose', sa.Enum('registration', 'feedback', name='question_purpose', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('kind', sa.Enum('short-text', 'long-text', 'one-choice', 'several-choices', 'yes-no', 'number', 'date', name='question_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('help_text', sa.String(length=500), nullable=False),
    sa.Column('required', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('choices', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(event_id IS NULL) <> (series_id IS NULL)', name=op.f('ck_question_one_owner')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_question_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['series_id'], ['event_series.id'], name=op.f('fk_question_series_id_event_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question'))
    )
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_series_id'), ['series_id'], unique=False)

    op.create_table('feedback_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('responded', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_feedback_invitation_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_feedback_invitation_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_invitation')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_feedback_invitation_registration_id'))
    )
    with op.batch_alter_table('feedback_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_invitation_event_id'), ['event_id'], unique=False)

    op.create_table('feedback_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_feedback_response_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_feedback_response_registration_id_registration'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_response'))
    )
    with op.batch_alter_table('feedback_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_response_event_id'), ['event_id'], unique=False)

    op.create_table('participant_listing',
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('created_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_participant_listing_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('registration_id', name=op.f('pk_participant_listing'))
    )
    op.create_table('question_role',
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('participant_role_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['participant_role_id'], ['participant_role.id'], name=op.f('fk_question_role_participant_role_id_participant_role'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_question_role_question_id_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('question_id', 'participant_role_id', name=op.f('pk_question_role'))
    )
    op.create_table('question_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('response_id', sa.Integer(), nullable=True),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(registration_id IS NULL) <> (response_id IS NULL)', name=op.f('ck_question_answer_one_answerer')),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_question_answer_question_id_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_question_answer_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['feedback_response.id'], name=op.f('fk_question_answer_response_id_feedback_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_answer')),
    sa.UniqueConstraint('question_id', 'registration_id', name=op.f('uq_question_answer_question_id')),
    sa.UniqueConstraint('question_id', 'response_id', name='uq_question_answer_response')
    )
    with op.batch_alter_table('question_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_answer_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_answer_response_id'), ['response_id'], unique=False)



def downgrade():
    with op.batch_alter_table('question_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_answer_response_id'))
        batch_op.drop_index(batch_op.f('ix_question_answer_registration_id'))

    op.drop_table('question_answer')
    op.drop_table('question_role')
    op.drop_table('participant_listing')
    with op.batch_alter_table('feedback_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_response_event_id'))

    op.drop_table('feedback_response')
    with op.batch_alter_table('feedback_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_invitation_event_id'))

    op.drop_table('feedback_invitation')
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_series_id'))
        batch_op.drop_index(batch_op.f('ix_question_event_id'))

    op.drop_table('question')
    op.drop_table('participant_list_setting')
    op.drop_table('feedback_survey')
