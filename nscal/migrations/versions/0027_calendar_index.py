"""calendar index: the columns the year page reads, so SQLite reads only the index

Revision ID: 0027_calendar_index
Revises: 0026_plan_index
Create Date: 2026-12-01 19:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0027_calendar_index'
down_revision = '0026_plan_index'
branch_labels = None
depends_on = None

# As ``Event.__table_args__``: the window first (as ix_event_window), then the
# visibility filter's columns and the ones the year page shows or counts by.
COLUMNS = [
    'starts_at',
    'ends_at',
    'visibility',
    'status',
    'all_day',
    'timezone',
    'start_date',
    'end_date',
    'title',
]


def upgrade():
    op.create_index('ix_event_calendar', 'event', COLUMNS, unique=False)


def downgrade():
    op.drop_index('ix_event_calendar', table_name='event')
