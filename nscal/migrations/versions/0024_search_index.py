"""search index: trigrams of the events' title, description and venue

Revision ID: 0024_search_index
Revises: 0021_language
Create Date: 2026-12-03 12:00:00.000000

SQLite: an FTS5 table with the trigram tokenizer over the ``event`` table (external
content), three triggers keep it in step, and ``rebuild`` indexes the existing events.
PostgreSQL: ``pg_trgm`` and a GIN index per column (built from the existing rows).
Searching matches exactly what it matched before (see nscal/events/search.py); the
index only makes it fast. A later migration that recreates the ``event`` table on
SQLite (a batch "move and copy") drops the triggers with it and must create them again.
"""

import logging

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0024_search_index"
down_revision = "0021_language"
branch_labels = None
depends_on = None

logger = logging.getLogger("alembic.runtime.migration")

COLUMNS = ("title", "description", "venue")
PG_INDEXES = {f"ix_event_search_{column}": column for column in COLUMNS}

SQLITE_UP = [
    "CREATE VIRTUAL TABLE event_search USING fts5("
    "title, description, venue, content='event', content_rowid='id', tokenize='trigram')",
    "INSERT INTO event_search(event_search) VALUES ('rebuild')",
    "CREATE TRIGGER event_search_insert AFTER INSERT ON event BEGIN "
    "INSERT INTO event_search(rowid, title, description, venue) "
    "VALUES (new.id, new.title, new.description, new.venue); END",
    "CREATE TRIGGER event_search_delete AFTER DELETE ON event BEGIN "
    "INSERT INTO event_search(event_search, rowid, title, description, venue) "
    "VALUES ('delete', old.id, old.title, old.description, old.venue); END",
    "CREATE TRIGGER event_search_update AFTER UPDATE OF title, description, venue ON event "
    "BEGIN "
    "INSERT INTO event_search(event_search, rowid, title, description, venue) "
    "VALUES ('delete', old.id, old.title, old.description, old.venue); "
    "INSERT INTO event_search(rowid, title, description, venue) "
    "VALUES (new.id, new.title, new.description, new.venue); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS event_search_update",
    "DROP TRIGGER IF EXISTS event_search_delete",
    "DROP TRIGGER IF EXISTS event_search_insert",
    "DROP TABLE IF EXISTS event_search",
]


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
    elif bind.dialect.name == "postgresql":
        try:
            with bind.begin_nested():
                bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except sa.exc.DBAPIError as exc:
            # Searching works without the index, only slower: never block an upgrade.
            logger.warning("pg_trgm is not available (%s): events are searched unindexed", exc)
            return
        for name, column in PG_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON event USING gin ({column} gin_trgm_ops)")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    elif bind.dialect.name == "postgresql":
        for name in PG_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
