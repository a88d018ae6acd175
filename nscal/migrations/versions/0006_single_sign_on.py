"""single sign-on: the provider accounts linked to each person

Revision ID: 0006_single_sign_on
Revises: 0008_reminders
Create Date: 2026-11-25 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import nscal.db


# revision identifiers, used by Alembic.
revision = '0006_single_sign_on'
down_revision = '0008_reminders'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sso_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('created_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', nscal.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sso_identity_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_identity')),
    sa.UniqueConstraint('provider', 'subject', name=op.f('uq_sso_identity_provider')),
    sa.UniqueConstraint('user_id', 'provider', name=op.f('uq_sso_identity_user_id'))
    )


def downgrade():
    op.drop_table('sso_identity')
