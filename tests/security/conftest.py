"""Fixtures of the security tests: an app with short database waits, and engine marks."""

import os

import pytest

from nscal import create_app
from nscal.db import db
from tests.conftest import test_config

ON_POSTGRESQL = bool(os.environ.get("NSCAL_TEST_DATABASE_URL"))
sqlite_only = pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite's file lock does not exist there")
postgresql_only = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="needs PostgreSQL (NSCAL_TEST_DATABASE_URL)"
)


@pytest.fixture
def impatient_app(app, database_url):
    """The test app's database with short waits: SQLite gives up on a locked database
    after half a second, PostgreSQL cancels a statement after one."""
    quick = create_app(
        test_config(database_url) | {"DB_BUSY_TIMEOUT": 0.5, "DB_STATEMENT_TIMEOUT": 1}
    )
    with quick.app_context():
        yield quick
        db.session.remove()
        db.engine.dispose()
