"""deferred mail: outbox rows that the worker builds after the commit

Revision ID: 0022_deferred_mail
Revises: 0025_event_translations
Create Date: 2026-12-03 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_deferred_mail'
down_revision = '0025_event_translations'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows hold their complete message: NULL, nothing to convert.
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deferred', sa.JSON(), nullable=True))


def downgrade():
    # A deferred row not built yet would be sent empty by the older worker: run
    # `flask send-mail` first; whatever is left is marked failed, with the reason.
    op.execute(
        "UPDATE mail_outbox SET status = 'failed', "
        "last_error = 'not built before the downgrade' "
        "WHERE deferred IS NOT NULL AND status = 'pending'"
    )
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_column('deferred')
