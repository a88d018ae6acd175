"""coordinators' home: the daily digest of requests for a place

A new table only: no digest was sent before, so the first digest lists every request
that is waiting.

Revision ID: 0017_coordinator_home
Revises: 0010_questions
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import nscal.db


# revision identifiers, used by Alembic.
revision = '0017_coordinator_home'
down_revision = '0010_questions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('coordinator_digest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('sent_at', nscal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_coordinator_digest_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coordinator_digest')),
    sa.UniqueConstraint('user_id', 'day', name='uq_coordinator_digest_day')
    )


def downgrade():
    op.drop_table('coordinator_digest')
