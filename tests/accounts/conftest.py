"""Fixtures for the account security tests: the app's clock, and a second worker."""

import re

import pytest

from nscal import create_app
from nscal.db import clock as app_clock
from nscal.db import db
from tests.conftest import AuthActions, test_config


@pytest.fixture
def clock():
    """The clock every time rule reads (``nscal.db.utcnow``); ``clock.advance(delta)``
    moves it forward for the app, its workers and its links alike."""
    yield app_clock
    app_clock.reset()


@pytest.fixture
def other_worker(app, database_url):
    """A second app instance on the same database, as a second gunicorn worker or
    app server would be: it shares nothing with ``app`` but the database."""
    second = create_app(test_config(database_url))
    yield second
    with second.app_context():
        db.session.remove()
        db.engine.dispose()


def login_as(client, email, password):
    return AuthActions(client).login(email, password)


def text_without_tokens(response) -> str:
    """The page's text with its CSRF tokens blanked (they differ on every page)."""
    return re.sub(r'value="[^"]{40,}"', 'value=""', response.get_data(as_text=True))
