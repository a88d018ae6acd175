"""Fixtures for the coordinators' home: a coordinator, events that need approval, the
app's clock moved forward as time would pass."""

from datetime import datetime

import pytest

from nscal.accounts.models import AccountRole
from nscal.db import clock as app_clock
from nscal.db import db
from nscal.registrations.models import RegistrationSettings
from nscal.registrations.services import register_for_event


class MovableClock:
    def now(self) -> datetime:
        return app_clock.now()

    def advance(self, delta) -> None:
        assert delta.total_seconds() >= 0, "the clock only moves forward"
        app_clock.advance(delta)

    def move_to(self, instant: datetime) -> None:
        self.advance(instant - app_clock.now())


@pytest.fixture
def clock():
    app_clock.reset()
    yield MovableClock()
    app_clock.reset()


@pytest.fixture
def coordinator(network, make_user, auth):
    user = make_user(
        "cora@example.org",
        name="Cora Coordinator",
        account_role=AccountRole.coordinator,
        city="copenhagen",
    )
    auth.login("cora@example.org")
    return user


@pytest.fixture
def approval_event(network, make_event):
    """A published summit for mayors whose registrations a coordinator approves."""

    def make(title="Mayors' summit", **fields):
        event = make_event(title, audience=fields.pop("audience", ("mayor",)), **fields)
        db.session.add(RegistrationSettings(event_id=event.id, requires_approval=True))
        db.session.commit()
        return event

    return make


def ask_for_a_place(event, user):
    registration = register_for_event(event.id, user.id)
    db.session.commit()
    return registration
