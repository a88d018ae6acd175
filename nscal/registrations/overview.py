"""Read-only views of registrations: an event's roster, a person's events, a city's year."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from nscal.accounts.models import User
from nscal.attendance.services import attendance_by_registration
from nscal.cities.models import City
from nscal.db import db
from nscal.events.models import Event
from nscal.exports import rows_as_csv
from nscal.questions.services import answer_columns, answer_text
from nscal.registrations.models import (
    ACTIVE_STATUSES,
    HOLDING_STATUSES,
    Registration,
    RegistrationStatus,
)
from nscal.registrations.services import (
    place_counts,
    quotas_for,
    settings_for,
    waitlist_position,
)


@dataclass
class RosterRow:
    registration: Registration
    waitlist_position: int | None


@dataclass
class RosterGroup:
    """People from one city (or in one role) with places held against its limit."""

    name: str
    held: int
    limit: int | None
    rows: list[RosterRow] = field(default_factory=list)


@dataclass
class Roster:
    rows: list[RosterRow]
    by_city: list[RosterGroup]
    by_role: list[RosterGroup]
    held: int
    capacity: int | None
    counts: dict[RegistrationStatus, int]


def event_roster(event: Event) -> Roster:
    """Everyone registered for ``event``, grouped by city and by role, with the limits."""
    registrations = list(
        db.session.execute(
            sa.select(Registration)
            .where(Registration.event_id == event.id)
            .order_by(Registration.created_at, Registration.id)
        ).scalars()
    )
    waiting = sorted(
        (r for r in registrations if r.status is RegistrationStatus.waitlisted),
        key=lambda r: (r.waitlist_order, r.id),
    )
    positions = {r.id: index for index, r in enumerate(waiting, start=1)}
    rows = [RosterRow(r, positions.get(r.id)) for r in registrations]
    settings = settings_for(event)
    quotas = quotas_for(event)
    counts = place_counts(event.id)

    by_city: dict[str, RosterGroup] = {}
    by_role: dict[str, RosterGroup] = {}
    no_city, no_role = _("No city"), _("No role")
    for row in rows:
        registration = row.registration
        if registration.status not in ACTIVE_STATUSES:
            continue
        city = registration.city
        city_group = by_city.setdefault(
            city.name if city else no_city,
            RosterGroup(
                city.name if city else no_city,
                counts.by_city.get(registration.city_id, 0),
                settings.city_limit if city else None,
            ),
        )
        city_group.rows.append(row)
        role = registration.participant_role
        role_group = by_role.setdefault(
            role.label if role else no_role,
            RosterGroup(
                role.label if role else no_role,
                counts.by_role.get(registration.participant_role_id, 0),
                quotas.get(registration.participant_role_id),
            ),
        )
        role_group.rows.append(row)
    status_counts = dict.fromkeys(RegistrationStatus, 0)
    for registration in registrations:
        status_counts[registration.status] += 1
    return Roster(
        rows=rows,
        by_city=sorted(by_city.values(), key=lambda group: group.name),
        by_role=sorted(by_role.values(), key=lambda group: group.name),
        held=counts.total,
        capacity=event.capacity,
        counts=status_counts,
    )


@dataclass
class MyEvents:
    upcoming: list[Registration]
    waitlisted: list[RosterRow]
    past: list[Registration]


def my_events(user: User, now: datetime) -> MyEvents:
    """A person's registrations: coming up, on a waiting list (with position), and past."""
    registrations = list(
        db.session.execute(
            sa.select(Registration)
            .join(Registration.event)
            .where(Registration.user_id == user.id)
            .order_by(Event.starts_at)
            .options(sa.orm.contains_eager(Registration.event))
        ).scalars()
    )
    upcoming, waitlisted, past = [], [], []
    for registration in registrations:
        if registration.event.ends_at < now:
            if registration.status in HOLDING_STATUSES:
                past.append(registration)
        elif registration.status is RegistrationStatus.waitlisted:
            waitlisted.append(RosterRow(registration, waitlist_position(registration)))
        elif registration.status in HOLDING_STATUSES or (
            registration.status is RegistrationStatus.cancelled
            and not _has_active(registrations, registration)
        ):
            upcoming.append(registration)
    past.reverse()
    return MyEvents(upcoming, waitlisted, past)


def _has_active(registrations: list[Registration], cancelled: Registration) -> bool:
    return any(
        other.event_id == cancelled.event_id and other.status in ACTIVE_STATUSES
        for other in registrations
    )


def city_overview(year: int) -> dict[int, list[tuple[Event, list[Registration]]]]:
    """For each city id: the events of ``year`` its people were confirmed for, and who
    (a deleted account still counts for its city, as "Deleted account")."""
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    rows = db.session.execute(
        sa.select(Registration)
        .join(Registration.event)
        .where(
            Registration.status == RegistrationStatus.confirmed,
            Event.starts_at >= start,
            Event.starts_at < end,
        )
        .order_by(Event.starts_at, Registration.id)
        .options(sa.orm.contains_eager(Registration.event))
    ).scalars()
    overview: dict[int, dict[int, tuple[Event, list[Registration]]]] = defaultdict(dict)
    for registration in rows:
        per_event = overview[registration.city_id]
        per_event.setdefault(registration.event_id, (registration.event, []))[1].append(
            registration
        )
    return {city_id: list(events.values()) for city_id, events in overview.items()}


def all_cities() -> list[City]:
    """Every city, by country and name: the rows of the cities' year page."""
    return list(db.session.execute(sa.select(City).order_by(City.country, City.name)).scalars())


def registrable_people() -> list[User]:
    """Active accounts by name: whom a coordinator may register on their behalf."""
    return list(
        db.session.execute(sa.select(User).where(User.active).order_by(User.name)).scalars()
    )


ROSTER_CSV_COLUMNS = (
    "email",
    "name",
    "city",
    "city_name",
    "participant_role",
    "status",
    "registered_at",
    "waitlist_position",
    "note",
    "registered_by",
    "attendance",
)


def roster_as_csv(event: Event) -> str:
    """The roster as CSV (one row per registration, in the order they came), safe to
    open in a spreadsheet whatever people wrote in their names and notes; after the
    fixed columns, one per registration question with the answers."""
    questions, _answers = answer_columns(event)
    header = [*ROSTER_CSV_COLUMNS, *(question.label for question in questions)]
    return rows_as_csv(header, _roster_rows(event))


def _roster_rows(event: Event):
    rows = event_roster(event).rows
    marks = attendance_by_registration(row.registration.id for row in rows)
    questions, answers = answer_columns(event)
    for row in rows:
        registration = row.registration
        mark = marks.get(registration.id)
        given = answers.get(registration.id, {})
        yield (
            [
                registration.person_email,
                registration.person_name,
                registration.city.slug if registration.city else "",
                registration.city.name if registration.city else "",
                registration.participant_role.slug if registration.participant_role else "",
                registration.status.value,
                registration.created_at.isoformat(timespec="seconds"),
                row.waitlist_position or "",
                registration.note,
                registration.registered_by.email if registration.by_coordinator else "",
                mark.status.value if mark else "",
                *(answer_text(question, given.get(question.id)) for question in questions),
            ]
        )


def roster_csv_filename(event: Event) -> str:
    return f"registrations-{event.id}-{event.local_start:%Y-%m-%d}.csv"
