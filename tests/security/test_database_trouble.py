"""A busy, stalled or unmigrated database: a clear 503 within seconds, never a 500."""

import socket
import sqlite3
import threading
import time
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from nscal import create_app
from nscal.accounts.models import User
from nscal.db import db
from nscal.events.models import Event
from nscal.main.views import migration_heads
from tests.conftest import PASSWORD, csrf_token_from, test_config
from tests.security.conftest import postgresql_only, sqlite_only


def assert_busy_page(response, started: float) -> None:
    assert response.status_code == 503
    assert "Busy, please try again" in response.text
    assert "Nothing was saved" in response.text
    assert response.headers["Retry-After"] == "5"
    assert time.monotonic() - started < 5


@contextmanager
def sqlite_writer_holding_the_lock(app):
    """Another process's connection, inside BEGIN IMMEDIATE, until the block ends."""
    path = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.rollback()
        other.close()


@contextmanager
def postgresql_row_locked(app, model, row_id: int):
    """Another connection holding a row lock (SELECT … FOR UPDATE) until the block ends."""
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.connect() as other:
            other.execute(sa.select(model.id).where(model.id == row_id).with_for_update())
            try:
                yield
            finally:
                other.rollback()
    finally:
        engine.dispose()


def log_in(client, email):
    token = csrf_token_from(client.get("/auth/login"))
    started = time.monotonic()
    response = client.post(
        "/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    return response, started


def register(client, event_id):
    token = csrf_token_from(client.get(f"/events/{event_id}"))
    started = time.monotonic()
    response = client.post(f"/events/{event_id}/register", data={"csrf_token": token})
    return response, started


@sqlite_only
def test_login_on_a_locked_sqlite_database_says_busy(impatient_app, make_user):
    make_user("busy@example.org")
    client = impatient_app.test_client()
    with sqlite_writer_holding_the_lock(impatient_app):
        response, started = log_in(client, "busy@example.org")
    assert_busy_page(response, started)
    response, _ = log_in(client, "busy@example.org")  # once the writer is done, it works
    assert response.status_code == 302


@sqlite_only
def test_registering_on_a_locked_sqlite_database_says_busy(impatient_app, make_user, make_event):
    event = make_event("Summit")
    make_user("busy@example.org")
    client = impatient_app.test_client()
    log_in(client, "busy@example.org")
    with sqlite_writer_holding_the_lock(impatient_app):
        response, started = register(client, event.id)
    assert_busy_page(response, started)
    response, _ = register(client, event.id)
    assert response.status_code == 302


@postgresql_only
def test_login_behind_a_postgresql_row_lock_says_busy(impatient_app, make_user):
    user = make_user("busy@example.org")
    client = impatient_app.test_client()
    with postgresql_row_locked(impatient_app, User, user.id):
        response, started = log_in(client, "busy@example.org")
    assert_busy_page(response, started)
    response, _ = log_in(client, "busy@example.org")
    assert response.status_code == 302


@postgresql_only
def test_registering_behind_a_postgresql_row_lock_says_busy(impatient_app, make_user, make_event):
    event = make_event("Summit")
    make_user("busy@example.org")
    client = impatient_app.test_client()
    log_in(client, "busy@example.org")
    with postgresql_row_locked(impatient_app, Event, event.id):
        response, started = register(client, event.id)
    assert_busy_page(response, started)
    response, _ = register(client, event.id)
    assert response.status_code == 302


def test_the_api_says_busy_in_json(app, client, monkeypatch):
    def locked(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(db.session, "execute", locked)
    response = client.get("/api/events")
    assert response.status_code == 503
    assert response.json["error"] == "Busy, please try again"
    assert response.headers["Retry-After"] == "5"


def test_a_sqlite_mistake_is_still_a_500_not_a_busy_page(app, client):
    app.testing = False

    @app.get("/bad-sql")
    def bad_sql():
        db.session.execute(sa.text("SELECT * FROM no_such_table"))

    response = client.get("/bad-sql")
    assert response.status_code == 500


# --- /healthz -------------------------------------------------------------------------


def test_healthz_says_503_on_a_database_that_was_never_migrated(app, tmp_path):
    empty = create_app(test_config(f"sqlite:///{tmp_path / 'empty.sqlite'}"))
    with empty.app_context():
        response = empty.test_client().get("/healthz")
        db.engine.dispose()
    assert response.status_code == 503
    assert response.json["database"] == "ok"
    assert "flask db upgrade" in response.json["schema"]


@postgresql_only
def test_healthz_says_503_on_a_postgresql_schema_that_was_never_migrated(app, database_url):
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS nscal_empty CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA nscal_empty"))
    url = sa.make_url(database_url).update_query_dict({"options": "-csearch_path=nscal_empty"})
    empty = create_app(test_config(url.render_as_string(hide_password=False)))
    try:
        with empty.app_context():
            response = empty.test_client().get("/healthz")
            db.engine.dispose()
    finally:
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA nscal_empty CASCADE"))
    assert response.status_code == 503
    assert response.json["revision"] == []


def test_healthz_says_503_when_the_schema_is_behind_the_migrations(app, client):
    (head,) = migration_heads(app.extensions["migrate"].directory)
    with db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = 'older'"))
    try:
        response = client.get("/healthz")
    finally:
        with db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE alembic_version SET version_num = :h"), {"h": head})
    assert response.status_code == 503
    assert response.json["revision"] == ["older"]
    assert response.json["head"] == [head]
    assert client.get("/healthz").status_code == 200


@pytest.fixture
def silent_server():
    """A TCP server on loopback that accepts connections and never says a word."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_healthz_says_503_quickly_when_postgresql_accepts_but_never_answers(
    app, silent_server, monkeypatch
):
    monkeypatch.setenv("NSCAL_DATABASE_URL", f"postgresql://nscal@127.0.0.1:{silent_server}/nscal")
    monkeypatch.setenv("NSCAL_DB_CONNECT_TIMEOUT", "2")
    stalled = create_app({"TESTING": True, "SECRET_KEY": "test", "MAIL_BACKEND": "memory"})
    started = time.monotonic()
    with stalled.app_context():
        response = stalled.test_client().get("/healthz")
        db.engine.dispose()
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"
    assert time.monotonic() - started < 6  # the 2 s connect timeout, and a retry's margin
