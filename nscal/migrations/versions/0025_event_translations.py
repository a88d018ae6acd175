"""events' titles and descriptions in other languages

Revision ID: 0025_event_translations
Revises: 0024_search_index
Create Date: 2026-12-04 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025_event_translations'
down_revision = '0024_search_index'
branch_labels = None
depends_on = None


def upgrade():
    # Existing events have their original text only: no rows, nothing to move.
    op.create_table('event_translation',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_translation_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'language', name=op.f('pk_event_translation'))
    )


def downgrade():
    op.drop_table('event_translation')
