"""the plan's index: every column the year plan and the year page read of an event

Revision ID: 0026_plan_index
Revises: 0023_stored_vevents
Create Date: 2026-12-04 12:00:00.000000

``nscal.events.plan.year_plan`` and the year page (``nscal.events.views.calendar``) read a
year's events from this index alone (a covering index, in the order of start and id),
not from the table's wide rows, where reaching ``timezone`` or ``status`` means reading
past the description.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0026_plan_index"
down_revision = "0023_stored_vevents"
branch_labels = None
depends_on = None

# In the order the plan reads its rows, by (start, id): on PostgreSQL too (where the id
# is not implicit, as SQLite's rowid is) an index-only scan, already sorted.
COLUMNS = [
    "starts_at",
    "id",
    "ends_at",
    "all_day",
    "start_date",
    "end_date",
    "timezone",
    "status",
    "format",
    "host_city_id",
    "title",
    "visibility",
]


def upgrade():
    op.create_index("ix_event_plan", "event", COLUMNS, unique=False)


def downgrade():
    op.drop_index("ix_event_plan", table_name="event")
