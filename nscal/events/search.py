"""Text search over events (``/events/?q=``, the feeds' ``q``) through an index.

What matches has not changed: an event matches when its title, description or venue
contains the text typed, ignoring case, as a plain substring (``%``, ``_``, quotes,
``OR``, ``*`` and ``-`` are just characters). Substrings matter in Nordic languages,
whose compound words hide the word searched for ("møde" in "årsmøde"), so the index
is one of trigrams rather than of whole words:

- PostgreSQL: ``pg_trgm`` GIN indexes on the three columns, which the planner uses for
  the very same ``ILIKE`` predicate (it re-checks every candidate row);
- SQLite: an FTS5 table with the ``trigram`` tokenizer and external content (the
  ``event`` table itself), kept in step by triggers, so every writer (services,
  imports, migrations) updates it. A phrase query finds the candidates, which the
  substring predicate then re-checks, so the result is exactly that of the predicate.

Texts shorter than three characters have no trigram: they are matched by the
predicate alone, as before. Migration ``0024_search_index`` builds the index for
existing events; the index objects are not models, so Alembic's comparison leaves
them out (``include_object``).
"""

import sqlalchemy as sa

# SQLite: the FTS5 table (its shadow tables are named after it).
FTS_TABLE = "event_search"
# PostgreSQL: the trigram indexes, one per searched column.
TRIGRAM_INDEXES = {
    "ix_event_search_title": "title",
    "ix_event_search_description": "description",
    "ix_event_search_venue": "venue",
}
# Trigram indexes need at least three characters to narrow anything down.
SHORTEST_INDEXED = 3


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter: the search index is built by its migration, not by the models."""
    if type_ == "table" and name is not None and name.startswith(FTS_TABLE):
        return False
    return not (type_ == "index" and name in TRIGRAM_INDEXES)


def include_name(name, type_, parent_names) -> bool:
    """The same filter for reflected names (the FTS shadow tables are never reflected)."""
    return not (type_ == "table" and name is not None and name.startswith(FTS_TABLE))


def fts_phrase(needle: str) -> str:
    """``needle`` as one FTS5 phrase: every character literal, quotes doubled."""
    return '"' + needle.replace('"', '""') + '"'


def sqlite_contains(column, needle: str) -> sa.ColumnElement[bool]:
    """``column.icontains(needle, autoescape=True)`` on SQLite, without its ``lower()``.

    SQLite's ``LIKE`` already ignores the case of ASCII letters and only of those, as its
    ``lower()`` does (Python's SQLite has no ICU), so ``col LIKE '%needle%'`` matches
    exactly what ``lower(col) LIKE lower('%needle%')`` matches, without copying every
    text it checks in lower case (a third of the search's time over many candidates).
    """
    escaped = needle.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return column.like(f"%{escaped}%", escape="/")


def text_matches(columns, needle: str, dialect_name: str, event_id) -> sa.ColumnElement[bool]:
    """Events whose ``columns`` contain ``needle`` (stripped, non-empty), ignoring case.

    On SQLite, texts of three characters or more are first looked up in the FTS5 table;
    ``event_id`` is the id column the candidates' rowids are compared with.
    """
    if dialect_name == "sqlite":
        contains = sa.or_(*(sqlite_contains(column, needle) for column in columns))
    else:
        contains = sa.or_(*(column.icontains(needle, autoescape=True) for column in columns))
    if dialect_name != "sqlite" or len(needle) < SHORTEST_INDEXED:
        return contains
    candidates = (
        sa.select(sa.column("rowid"))
        .select_from(sa.table(FTS_TABLE))
        .where(sa.literal_column(FTS_TABLE).op("MATCH")(fts_phrase(needle)))
    )
    return sa.and_(event_id.in_(candidates), contains)
