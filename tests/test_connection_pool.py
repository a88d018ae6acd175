"""Database connections: no ping per request; idle ones are tested, old ones replaced."""

import time

import pytest
import sqlalchemy as sa

from nscal import create_app
from nscal.db import PING_AFTER_IDLE, _test_if_it_was_idle


def test_postgresql_connections_are_recycled_not_pinged_on_every_request(app, monkeypatch):
    monkeypatch.setenv("NSCAL_DATABASE_URL", "postgresql://u@db.example/nscal")
    options = create_app().config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert "pool_pre_ping" not in options
    assert options["pool_recycle"] == 1800
    # The bounded waits stay: connecting, and each statement (a stall becomes a 503).
    assert options["connect_args"]["connect_timeout"] == 5
    assert options["connect_args"]["options"] == "-c statement_timeout=15000"

    monkeypatch.setenv("NSCAL_DB_POOL_RECYCLE", "300")
    assert create_app().config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_recycle"] == 300


class FakeConnection:
    """A DBAPI connection that records what is sent, or fails like a dead one."""

    def __init__(self, dead: bool = False):
        self.dead = dead
        self.sent: list[str] = []

    def cursor(self):
        if self.dead:
            raise OSError("server closed the connection unexpectedly")
        return self

    def execute(self, statement):
        self.sent.append(statement)

    def close(self):
        pass

    def rollback(self):
        self.sent.append("ROLLBACK")


class FakeRecord:
    def __init__(self, idle_for: float | None):
        self.info = {} if idle_for is None else {"idle_since": time.monotonic() - idle_for}


def test_a_connection_in_steady_use_is_handed_out_untested():
    for record in (FakeRecord(idle_for=None), FakeRecord(idle_for=0.01)):
        connection = FakeConnection()
        _test_if_it_was_idle(connection, record, None)
        assert connection.sent == []


def test_a_connection_that_sat_idle_is_tested_first():
    connection = FakeConnection()
    _test_if_it_was_idle(connection, FakeRecord(idle_for=PING_AFTER_IDLE + 1), None)
    assert connection.sent == ["SELECT 1", "ROLLBACK"]


def test_an_idle_connection_that_died_is_replaced_by_the_pool():
    with pytest.raises(sa.exc.DisconnectionError):
        _test_if_it_was_idle(FakeConnection(dead=True), FakeRecord(PING_AFTER_IDLE + 1), None)


def test_connections_go_back_to_the_pool_marked_idle(app):
    from nscal.db import db

    with db.engine.connect() as connection:
        record = connection.connection._connection_record
    assert time.monotonic() - record.info["idle_since"] < 5


def test_a_connection_that_died_while_idle_is_replaced_before_a_request_uses_it(
    app, client, monkeypatch
):
    import nscal.db
    from nscal.db import db

    pooled = []

    def note(dbapi_connection, _record):
        pooled.append(dbapi_connection)

    sa.event.listen(db.engine, "checkin", note)
    try:
        assert client.get("/healthz").status_code == 200
    finally:
        sa.event.remove(db.engine, "checkin", note)
    assert pooled
    # The database ends them while they sit in the pool (a restart, a proxy's idle limit).
    if db.engine.dialect.name == "postgresql":
        admin = sa.create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as other:
            for connection in pooled:
                other.execute(
                    sa.text("SELECT pg_terminate_backend(:pid)"),
                    {"pid": connection.info.backend_pid},
                )
        admin.dispose()
    else:
        for connection in pooled:
            connection.close()
    monkeypatch.setattr(nscal.db, "PING_AFTER_IDLE", 0.0)
    assert client.get("/healthz").status_code == 200


def test_every_sqlite_connection_enforces_foreign_keys_and_keeps_a_large_page_cache(tmp_path):
    """Each new connection of the pool: foreign keys on, readers beside a writer, and a
    page cache that holds a busy year's rows (a search re-checks thousands of them)."""
    from nscal import SQLITE_PAGE_CACHE_KIB

    engine = sa.create_engine(f"sqlite:///{tmp_path}/pragmas.sqlite")
    try:
        for _ in range(2):  # a second connection, as a pool opens more
            with engine.connect() as connection:
                pragma = connection.exec_driver_sql
                assert pragma("PRAGMA foreign_keys").scalar() == 1
                assert pragma("PRAGMA journal_mode").scalar() == "wal"
                assert pragma("PRAGMA cache_size").scalar() == -SQLITE_PAGE_CACHE_KIB
                connection.invalidate()
    finally:
        engine.dispose()
    assert SQLITE_PAGE_CACHE_KIB >= 32 * 1024  # the event table at 20,000 events: 11 MB
