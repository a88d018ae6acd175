"""A small network whose figures are computed by hand in the tests.

2026: E0, a workshop in Oslo (5 May): Aino and Carl take part.
2027: E1, a city meeting in Copenhagen (10 March, public, in person);
      E2, a webinar (2 June 14:00 Helsinki, members only, online);
      E3, a summit at 00:30 on 1 January 2027 in Helsinki (still 2026 in UTC), hybrid;
      a draft, which never counts.

People: Aino (Helsinki, practitioner), Bo (Malmö, mayor), Carl (Oslo, leader),
Dorte (Copenhagen, practitioner; deleted her account: her registration is anonymous),
Eva (Stockholm, politician).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from nscal.accounts.models import AccountRole
from nscal.attendance.models import Attendance, AttendanceStatus
from nscal.db import db
from nscal.events.models import Event, EventFormat, EventKind, EventStatus, Visibility
from nscal.registrations.models import Registration, RegistrationStatus, RegistrationStatusChange

S = RegistrationStatus


@dataclass
class Seed:
    events: dict[str, Event]
    people: dict[str, object]
    coordinator: object


def add_event(title, kind, fmt, zone, wall, *, visibility=Visibility.public, status=None):
    """An event starting at ``wall`` (year, month, day, hour[, minute]) on ``zone``'s clock."""
    start = datetime(*wall, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    event = Event(
        title=title,
        kind=kind,
        format=fmt,
        timezone=zone,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        visibility=visibility,
        status=status or EventStatus.published,
    )
    db.session.add(event)
    db.session.flush()
    return event


def register(event, user, *steps, attendance=None):
    """A registration that went through ``steps`` (statuses), with its history."""
    registration = Registration(
        event_id=event.id,
        user_id=user.id,
        city_id=user.city_id,
        participant_role_id=user.participant_role_id,
        status=steps[-1],
        cancelled_at=event.starts_at if steps[-1] is S.cancelled else None,
    )
    db.session.add(registration)
    db.session.flush()
    previous = None
    for step in steps:
        db.session.add(
            RegistrationStatusChange(
                registration_id=registration.id, from_status=previous, to_status=step
            )
        )
        previous = step
    if attendance is not None:
        db.session.add(Attendance(registration_id=registration.id, status=attendance))
    db.session.flush()
    return registration


@pytest.fixture
def seed(network, make_user):
    people = {
        "aino": make_user(name="Aino", city="helsinki", participant_role="practitioner"),
        "bo": make_user(name="Bo", city="malmo", participant_role="mayor"),
        "carl": make_user(name="Carl", city="oslo", participant_role="leader"),
        "dorte": make_user(name="Dorte", city="copenhagen", participant_role="practitioner"),
        "eva": make_user(name="Eva", city="stockholm", participant_role="politician"),
    }
    coordinator = make_user(
        "coordinator@example.org", name="Coordinator", account_role=AccountRole.coordinator
    )
    K, F = EventKind, EventFormat
    events = {
        "E0": add_event("Oslo workshop", K.workshop, F.in_person, "Europe/Oslo", (2026, 5, 5, 10)),
        "E1": add_event(
            "Copenhagen city meeting",
            K.city_meeting,
            F.in_person,
            "Europe/Copenhagen",
            (2027, 3, 10, 10),
        ),
        "E2": add_event(
            "Webinar on hate speech",
            K.webinar,
            F.online,
            "Europe/Helsinki",
            (2027, 6, 2, 14),
            visibility=Visibility.members,
        ),
        "E3": add_event(
            "New Year summit", K.summit, F.hybrid, "Europe/Helsinki", (2027, 1, 1, 0, 30)
        ),
        "draft": add_event(
            "A draft",
            K.other,
            F.online,
            "Europe/Oslo",
            (2027, 4, 1, 10),
            status=EventStatus.draft,
        ),
    }
    p, e, A = people, events, AttendanceStatus
    register(e["E0"], p["aino"], S.confirmed, attendance=A.attended)
    register(e["E0"], p["carl"], S.confirmed)
    register(e["E1"], p["aino"], S.confirmed, attendance=A.attended)
    register(e["E1"], p["bo"], S.confirmed, attendance=A.absent)
    register(e["E1"], p["carl"], S.confirmed, S.cancelled)
    dorte = register(e["E1"], p["dorte"], S.confirmed, attendance=A.excused)
    register(e["E2"], p["aino"], S.confirmed)
    register(e["E2"], p["bo"], S.waitlisted)
    register(e["E2"], p["carl"], S.waitlisted, S.confirmed, attendance=A.absent)
    register(e["E2"], p["eva"], S.waitlisted, S.cancelled)
    register(e["E3"], p["bo"], S.confirmed, attendance=A.attended)
    register(e["E3"], p["carl"], S.confirmed, attendance=A.attended)
    register(e["draft"], p["aino"], S.confirmed)
    # Dorte deleted her account: what nscal.people.data_rights.delete_account does to
    # a past registration (it stays, without the person).
    db.session.execute(
        sa.update(Registration).where(Registration.id == dorte.id).values(user_id=None)
    )
    db.session.delete(p["dorte"])
    db.session.commit()
    return Seed(events, people, coordinator)


@pytest.fixture
def coordinator_client(client, auth, seed):
    from tests.conftest import PASSWORD

    auth.login("coordinator@example.org", PASSWORD)
    return client
