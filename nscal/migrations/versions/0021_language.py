"""each person's language of pages and mails

Revision ID: 0021_language
Revises: 0020_wiring
Create Date: 2026-12-03 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_language'
down_revision = '0020_wiring'
branch_labels = None
depends_on = None


def upgrade():
    # Existing accounts have not chosen: NULL, they read the browser's language and are
    # written to in their city's national language until they choose.
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('language')
