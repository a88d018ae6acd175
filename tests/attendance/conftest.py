"""Fixtures for attendance: the app's clock, a Malmö meeting with people registered."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from nscal.accounts.models import AccountRole, User
from nscal.db import clock as app_clock
from nscal.db import db
from nscal.events.models import Event, EventFormat
from nscal.registrations.models import Registration, RegistrationStatus
from nscal.registrations.services import register_for_event


@pytest.fixture
def clock():
    """The clock every time rule reads; ``clock.set(instant)`` moves "now" there."""

    class MovableClock:
        def set(self, instant: datetime) -> None:
            app_clock.reset()
            app_clock.advance(instant - datetime.now(UTC))

    yield MovableClock()
    app_clock.reset()


@dataclass
class Meeting:
    event: Event
    coordinator: User
    aino: User  # confirmed, Helsinki
    mats: User  # confirmed, Malmö
    sigrid: User  # waitlisted
    outsider: User  # not registered

    def registration(self, user: User) -> Registration:
        return db.session.execute(
            db.select(Registration).where(
                Registration.event_id == self.event.id, Registration.user_id == user.id
            )
        ).scalar_one()


@pytest.fixture
def meeting(network, make_event, make_user) -> Meeting:
    """The two-day Malmö network meeting, 29–30 March 2027, 09:00–16:00 in Stockholm time,
    for two people: two confirmed, one on the waiting list and one not registered."""
    event = make_event(
        "City network meeting in Malmö",
        start=datetime(2027, 3, 29, 9, 0),  # noqa: DTZ001 - wall clock in the event's zone
        end=datetime(2027, 3, 30, 16, 0),  # noqa: DTZ001
        timezone="Europe/Stockholm",
        host_city="malmo",
        format=EventFormat.in_person,
        venue="Malmö City Hall",
        capacity=2,
    )
    coordinator = make_user(
        "coordinator@example.org", name="Cora Coordinator", account_role=AccountRole.coordinator
    )
    aino = make_user("aino@example.org", name="Aino Virtanen", city="helsinki")
    mats = make_user("mats@example.org", name="Mats Persson", city="malmo")
    sigrid = make_user("sigrid@example.org", name="Sigrid Olsen", city="oslo")
    outsider = make_user("outsider@example.org", name="Olli Outsider", city="turku")
    for person in (aino, mats, sigrid):
        register_for_event(event.id, person.id)
    db.session.commit()
    meeting = Meeting(event, coordinator, aino, mats, sigrid, outsider)
    assert meeting.registration(sigrid).status is RegistrationStatus.waitlisted
    return meeting
