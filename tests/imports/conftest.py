"""Fixtures of the import tests."""

import pytest
import sqlalchemy as sa

from nscal.accounts.models import AccountRole
from nscal.db import db
from nscal.events.models import Event


@pytest.fixture
def imported(demo):
    """Find imported events by their title (in start order), leaving the demo's aside."""
    demo_ids = set(db.session.execute(sa.select(Event.id)).scalars())

    def find(title: str) -> list[Event]:
        events = db.session.execute(
            sa.select(Event).where(Event.title == title).order_by(Event.starts_at)
        ).scalars()
        return [event for event in events if event.id not in demo_ids]

    return find


@pytest.fixture
def coordinator(demo, make_user, auth):
    """A coordinator, logged in."""
    user = make_user("coordinator@example.org", account_role=AccountRole.coordinator)
    auth.login(user.email)
    return user
