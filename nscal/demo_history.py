"""The demo's past years (2023–2026) for the statistics' trends: meetings with
registrations, waiting lists, cancellations, attendance marks and a few deleted
accounts. Idempotent (events found by their UID) and quick: a few hundred rows.

The people are demo participants without a password (they cannot log in); their
registrations are made here directly, with their status history, as if they had
come through the registration service over the years.
"""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from nscal.accounts.models import AccountRole, User
from nscal.attendance.models import Attendance, AttendanceStatus
from nscal.cities.models import City, ParticipantRole
from nscal.db import db
from nscal.events.models import Event, EventFormat, EventKind, EventStatus, Visibility
from nscal.registrations.models import Registration, RegistrationStatus, RegistrationStatusChange

HISTORY_YEARS = (2023, 2024, 2025, 2026)
PEOPLE = 60  # demo participants, spread over the member cities and roles

# (month, day, hour, kind, format, title): the shape of each past year.
MEETINGS = [
    (1, 18, 10, EventKind.kick_off, EventFormat.online, "Kick-off City Meeting {year}"),
    (3, 15, 9, EventKind.city_meeting, EventFormat.in_person, "Network meeting {year}"),
    (5, 10, 14, EventKind.webinar, EventFormat.online, "Webinar: polarisation online {year}"),
    (6, 12, 10, EventKind.workshop, EventFormat.hybrid, "Workshop on local prevention {year}"),
    (9, 20, 10, EventKind.city_meeting, EventFormat.hybrid, "Autumn City Meeting {year}"),
    (11, 8, 9, EventKind.summit, EventFormat.in_person, "Mayors' summit {year}"),
]
FIRST_NAMES = [
    "Aino",
    "Anders",
    "Birta",
    "Elias",
    "Freja",
    "Hanna",
    "Ingrid",
    "Jonas",
    "Kari",
    "Lars",
    "Linnea",
    "Mikkel",
    "Nanna",
    "Olli",
    "Pia",
    "Rasmus",
    "Sigrid",
    "Tove",
    "Ulla",
    "Vilja",
]
FAMILY_NAMES = [
    "Berg",
    "Dahl",
    "Eklund",
    "Hansen",
    "Jensen",
    "Korhonen",
    "Lind",
    "Nielsen",
    "Olsen",
    "Virtanen",
    "Jónsson",
    "Poulsen",
]


def _people(cities: list[City], roles: list[ParticipantRole]) -> list[User]:
    existing = {
        user.email: user
        for user in db.session.execute(
            sa.select(User).where(User.email.like("demo-participant-%@nscal.example"))
        ).scalars()
    }
    rng = random.Random(2023)
    people = []
    for number in range(1, PEOPLE + 1):
        email = f"demo-participant-{number}@nscal.example"
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(FAMILY_NAMES)}"
        city, role = cities[(number * 7) % len(cities)], roles[number % len(roles)]
        user = existing.get(email)
        if user is None:
            user = User(
                email=email,
                name=name,
                city_id=city.id,
                participant_role_id=role.id,
                account_role=AccountRole.member,
            )
            db.session.add(user)
        people.append(user)
    db.session.flush()
    return people


def seed_demo_history(cities: dict[str, City], roles: dict[str, ParticipantRole]) -> int:
    """Add the past years' meetings that are missing; returns how many registrations."""
    uids = {
        f"demo-history-{year}-{index}@nscal": (year, index)
        for year in HISTORY_YEARS
        for index in range(len(MEETINGS))
    }
    present = set(db.session.execute(sa.select(Event.uid).where(Event.uid.in_(uids))).scalars())
    missing = [uid for uid in uids if uid not in present]
    if not missing:
        return 0
    city_list = sorted(cities.values(), key=lambda city: city.slug)
    people = _people(city_list, sorted(roles.values(), key=lambda role: role.slug))
    added = 0
    for uid in missing:
        year, index = uids[uid]
        added += _meeting(uid, year, index, people, city_list)
    db.session.flush()
    return added


def _meeting(uid: str, year: int, index: int, people: list[User], cities: list[City]) -> int:
    month, day, hour, kind, fmt, title = MEETINGS[index]
    rng = random.Random(f"{year}-{index}")
    host = cities[(year + index) % len(cities)]
    start = datetime(year, month, day, hour, tzinfo=ZoneInfo(host.timezone)).astimezone(UTC)
    event = Event(
        uid=uid,
        title=title.format(year=year),
        kind=kind,
        format=fmt,
        timezone=host.timezone,
        host_city_id=host.id if fmt is not EventFormat.online else None,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        visibility=Visibility.public if index % 2 == 0 else Visibility.members,
        status=EventStatus.published,
        capacity=30,
    )
    db.session.add(event)
    db.session.flush()
    # The network grows: more people each year, and a few cities drift away.
    pool = people[: 30 + 8 * (year - HISTORY_YEARS[0])]
    pool = [p for p in pool if not (year >= 2026 and p.city_id in {cities[0].id, cities[1].id})]
    chosen = rng.sample(pool, min(len(pool), rng.randint(18, 34)))
    made = []
    for place, person in enumerate(chosen):
        waitlisted = place >= 30
        steps = [RegistrationStatus.waitlisted] if waitlisted else [RegistrationStatus.confirmed]
        roll = rng.random()
        if roll < 0.1:
            steps.append(RegistrationStatus.cancelled)
        elif waitlisted and roll < 0.6:
            steps.append(RegistrationStatus.confirmed)
        created = start - timedelta(days=30 - place % 20)
        registration = Registration(
            event_id=event.id,
            # About one in twelve deleted their account since: an anonymous count.
            user_id=None if rng.random() < 0.08 else person.id,
            city_id=person.city_id,
            participant_role_id=person.participant_role_id,
            status=steps[-1],
            created_at=created,
            cancelled_at=created + timedelta(days=3)
            if steps[-1] is RegistrationStatus.cancelled
            else None,
        )
        made.append((registration, steps, rng.random()))
    db.session.add_all([registration for registration, _steps, _mark in made])
    db.session.flush()
    for registration, steps, mark in made:
        previous = None
        for step in steps:
            db.session.add(
                RegistrationStatusChange(
                    registration_id=registration.id,
                    from_status=previous,
                    to_status=step,
                    changed_at=registration.created_at,
                )
            )
            previous = step
        if steps[-1] is RegistrationStatus.confirmed:
            status = (
                AttendanceStatus.attended
                if mark < 0.82
                else AttendanceStatus.absent
                if mark < 0.93
                else AttendanceStatus.excused
            )
            db.session.add(Attendance(registration_id=registration.id, status=status))
    return len(made)
