"""Fixtures: an app on a migrated database (SQLite, or PostgreSQL when
NSCAL_TEST_DATABASE_URL is set), emptied after every test."""

import os
import re
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from nscal import create_app
from nscal.accounts.models import AccountRole, User
from nscal.accounts.services import create_user
from nscal.cities.models import City, ParticipantRole
from nscal.config import database_url as normalized_database_url
from nscal.db import db
from nscal.demo import seed_demo, seed_network

PASSWORD = "correct horse battery"
CATALOGS = Path(__file__).resolve().parent.parent / "nscal" / "translations"


def compile_catalogs() -> None:
    """Compile each catalog whose .po is newer than its .mo (the .mo files are built, not
    committed), so that `pytest` alone serves every language, as `make` does."""
    for po_path in CATALOGS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)


compile_catalogs()


def test_config(url: str) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "BASE_URL": "https://calendar.test",
        "MAIL_BACKEND": "memory",
        # Fast hashes keep the suite quick; production uses scrypt.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


test_config.__test__ = False  # not a test, despite its name


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """A database migrated from empty by the Alembic chain, once per test session."""
    url = os.environ.get("NSCAL_TEST_DATABASE_URL")
    if url:
        url = normalized_database_url(url, Path())
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    os.environ["NSCAL_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    app = create_app(test_config(url))
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def app(database_url, tmp_path, monkeypatch):
    for variable in list(os.environ):
        if variable.startswith("NSCAL_"):
            monkeypatch.delenv(variable)
    monkeypatch.setenv("NSCAL_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(test_config(database_url))
    with app.app_context():
        yield app
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app):
    """The demo cities, participant roles and accounts."""
    seed_demo()
    db.session.commit()


@pytest.fixture
def network(app):
    """The demo's member cities and participant roles, without its accounts and events."""
    seed_network()
    db.session.commit()


@pytest.fixture
def make_user(app):
    """Create and commit an account; every field has a sensible default."""
    counter = iter(range(1, 10_000))

    def make(
        email: str | None = None,
        *,
        name: str = "Test Person",
        account_role: AccountRole = AccountRole.member,
        city: str | None = None,
        participant_role: str | None = None,
        password: str | None = PASSWORD,
        **fields,
    ) -> User:
        user = create_user(
            email=email or f"person{next(counter)}@example.org",
            name=name,
            account_role=account_role,
            city=_one(City, city),
            participant_role=_one(ParticipantRole, participant_role),
            password=password,
        )
        for key, value in fields.items():
            setattr(user, key, value)
        db.session.commit()
        return user

    return make


def _one(model, slug: str | None):
    if slug is None:
        return None
    return db.session.execute(sa.select(model).where(model.slug == slug)).scalar_one()


CSRF_INPUT = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def stored_long_ago(event, start, end) -> None:
    """Give ``event`` times the services now refuse (outside FIRST_YEAR..LAST_YEAR), as
    data stored before the bound existed, or written by other tools, would have them.
    ``start`` and ``end`` are wall-clock times in the event's zone."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(event.timezone)
    event.starts_at = start.replace(tzinfo=zone)
    event.ends_at = end.replace(tzinfo=zone)
    db.session.commit()


def count_statements(client, path: str) -> int:
    """The SQL statements one GET of ``path`` runs (it must answer 200)."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def csrf_token_from(response) -> str:
    match = CSRF_INPUT.search(response.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1) or match.group(2)


class AuthActions:
    def __init__(self, client):
        self.client = client

    def csrf_token(self, path: str = "/auth/login") -> str:
        return csrf_token_from(self.client.get(path))

    def login(self, email: str, password: str = PASSWORD, **kwargs):
        token = self.csrf_token()
        return self.client.post(
            "/auth/login",
            data={"email": email, "password": password, "csrf_token": token},
            **kwargs,
        )

    def logout(self):
        token = self.csrf_token("/")
        return self.client.post("/auth/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def make_event(app):
    """Create and commit an event through the service; times are wall-clock in ``timezone``.

    ``audience`` and ``host_city`` take slugs; ``status`` defaults to published.
    """
    from datetime import datetime

    from nscal.events.models import EventFormat, EventKind, EventStatus, Visibility
    from nscal.events.services import EventData, create_event

    def make(
        title: str = "City meeting",
        *,
        start=datetime(2027, 1, 13, 10, 0),  # noqa: DTZ001 - wall-clock in `timezone`
        end=datetime(2027, 1, 13, 11, 30),  # noqa: DTZ001
        timezone: str = "Europe/Copenhagen",
        kind: EventKind = EventKind.city_meeting,
        format: EventFormat = EventFormat.online,
        audience: tuple[str, ...] = (),
        host_city: str | None = None,
        visibility: Visibility = Visibility.public,
        status: EventStatus = EventStatus.published,
        **fields,
    ):
        data = EventData(
            title=title,
            kind=kind,
            timezone=timezone,
            start=start,
            end=end,
            format=format,
            audience=[_one(ParticipantRole, slug) for slug in audience],
            host_city=_one(City, host_city),
            visibility=visibility,
            **fields,
        )
        event, _notes = create_event(data, status=status)
        db.session.commit()
        return event

    return make


@pytest.fixture
def deliver_outbox(app):
    """Run the mail worker once (memory backend); returns the messages it delivered.

    Mail is queued in the transaction of the change it reports and goes out when
    ``flask send-mail`` runs: tests call this where a person would wait for their mail.
    """
    from nscal.mail.outbox import deliver_due
    from nscal.mail.sender import sent_messages

    def deliver():
        # The worker uses its own connection; end this session's transaction first, as
        # a request would, so later reads here see what the worker wrote.
        db.session.commit()
        already = len(sent_messages())
        deliver_due()
        return sent_messages()[already:]

    return deliver
