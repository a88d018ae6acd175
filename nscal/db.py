"""The SQLAlchemy base, the naming convention and the UTC-aware datetime column type."""

import time
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic can find and drop them on every engine.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


class UTCDateTime(sa.types.TypeDecorator):
    """An instant: accepts only aware datetimes, stores UTC, returns aware UTC datetimes.

    SQLite has no time zone support, so the value goes in as naive UTC there;
    PostgreSQL gets a ``timestamptz``.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored as an instant")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(enum_class, name: str) -> sa.Enum:
    """A column type for a ``StrEnum``: its values stored as text with a CHECK constraint,
    the same on SQLite and PostgreSQL (no native enum types to migrate)."""
    return sa.Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [member.value for member in members],
    )


class Clock:
    """The app's source of the current time. Tests move it forward with ``advance``
    to see rules that depend on time (blocks that end, links that expire) take effect."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta

    def reset(self) -> None:
        self.offset = timedelta(0)


clock = Clock()


def utcnow() -> datetime:
    """The current instant, aware, in UTC."""
    return clock.now()


def take_sqlite_write_lock(session) -> None:
    """On SQLite, take the database's write lock now (``BEGIN IMMEDIATE``), waiting for
    other writers, so this transaction's counts cannot go stale before it writes.

    The driver starts transactions only at the first write, so reads before this are
    not part of a snapshot; a transaction that already wrote holds the lock already.
    PostgreSQL callers lock rows instead (``SELECT … FOR UPDATE``): nothing to do here.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    if not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# --- connections that were idle --------------------------------------------------------

# A pooled connection idle this long is tested (``SELECT 1``) before it is handed out
# again; busier ones are not, so a request under load pays no round trip for it (the
# price of ``pool_pre_ping``). A database restarted while connections were in use
# costs those requests a 503 (the pool then replaces all its connections).
PING_AFTER_IDLE = 10.0  # seconds


def _idle_from_now(dbapi_connection, connection_record) -> None:
    connection_record.info["idle_since"] = time.monotonic()


def _test_if_it_was_idle(dbapi_connection, connection_record, connection_proxy) -> None:
    idle_since = connection_record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()  # the driver may have begun a transaction for it
    except Exception as exc:
        # The pool drops this connection and takes (or opens) another one.
        raise sa.exc.DisconnectionError(f"idle connection is gone: {exc}") from exc


sa.event.listen(sa.pool.Pool, "checkin", _idle_from_now)
sa.event.listen(sa.pool.Pool, "checkout", _test_if_it_was_idle)


# --- several statements in one round trip (PostgreSQL) ---------------------------------

# A statement carrying this execution option, run inside ``pipelined``, is only queued:
# its results are never read, and it goes to the server with the next statement that
# is not queued, or with the COMMIT. Outside ``pipelined`` it runs as any other.
QUEUED = "nscal_queued"
_pipeline: ContextVar = ContextVar("nscal_pipeline", default=None)


def _open_pipeline(cursor):
    """The pipeline ``pipelined`` opened on this cursor's connection, if any."""
    opened = _pipeline.get()
    return opened[1] if opened is not None and opened[0] is cursor.connection else None


def _execute(cursor, statement, parameters, context) -> bool:
    """Inside ``pipelined``, a statement not queued is sent with those queued before it
    and its results awaited (one round trip), so SQLAlchemy reads it as usual."""
    pipeline = _open_pipeline(cursor)
    if pipeline is None or context.execution_options.get(QUEUED):
        return False  # SQLAlchemy runs it (in the pipeline: queued)
    cursor.execute(statement, parameters)
    pipeline.sync()
    return True


def _execute_many(cursor, statement, parameters, context) -> bool:
    pipeline = _open_pipeline(cursor)
    if pipeline is None:
        return False
    cursor.executemany(statement, parameters)
    pipeline.sync()
    return True


def _execute_no_parameters(cursor, statement, context) -> bool:
    pipeline = _open_pipeline(cursor)
    if pipeline is None:
        return False
    cursor.execute(statement)
    pipeline.sync()
    return True


sa.event.listen(sa.engine.Engine, "do_execute", _execute)
sa.event.listen(sa.engine.Engine, "do_executemany", _execute_many)
sa.event.listen(sa.engine.Engine, "do_execute_no_params", _execute_no_parameters)


@contextmanager
def pipelined(session):
    """PostgreSQL: psycopg's pipeline mode for this block, so that statements marked
    ``QUEUED`` cost no round trip of their own: they go with the next statement (or the
    COMMIT) in one. Every other statement behaves as outside the block. Nested blocks
    share the outer one; elsewhere than on PostgreSQL, or with a libpq older than 14
    (no pipeline mode), nothing changes: queued statements simply run at once."""
    if _pipeline.get() is not None or session.get_bind().dialect.name != "postgresql":
        yield
        return
    import psycopg

    if not psycopg.Pipeline.is_supported():
        yield
        return
    connection = session.connection().connection.driver_connection
    with connection.pipeline() as pipeline:
        token = _pipeline.set((connection, pipeline))
        try:
            yield
        finally:
            _pipeline.reset(token)
