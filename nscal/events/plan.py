"""A year's plan as rows: what the coordinators' yearly calendar needs of every event
to find conflicts and count them, without loading thousands of ``Event`` objects.

``plan_entries_in_year`` reads the year's events in a few queries (the events' columns,
their audiences, the cities and roles they point to); the page then loads as ``Event``
objects only the events it shows. The conflict rules read entries and events alike
(``nscal.events.conflicts`` takes anything with the attributes of ``Event``).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from nscal.cities.models import City, ParticipantRole
from nscal.db import db
from nscal.events.models import Event, EventFormat, EventStatus, event_audience


@dataclass(slots=True)
class PlanEntry:
    """One event of a year's plan: the attributes of ``Event`` the conflict rules, the
    counts and the month index read."""

    id: int
    title: str
    timezone: str
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    start_date: date | None
    end_date: date | None
    status: EventStatus
    format: EventFormat
    host_city_id: int | None
    host_city: City | None = None
    audience: list[ParticipantRole] = field(default_factory=list)

    @property
    def is_cancelled(self) -> bool:
        return self.status is EventStatus.cancelled

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(ZoneInfo(self.timezone))


_COLUMNS = [Event.__table__.c[name] for name in PlanEntry.__slots__[:11]]


def plan_day(entry) -> date:
    """The day an event counts in, on its own wall clock (its date when all-day)."""
    if entry.all_day and entry.start_date is not None:
        return entry.start_date
    return entry.local_start.date()


def plan_entries_in_year(year: int) -> list[PlanEntry]:
    """Every event starting in ``year`` on its own wall clock, by start (as
    ``nscal.events.services.events_in_year``), with its host city and audience."""
    window_start = datetime(year, 1, 1, tzinfo=UTC) - timedelta(hours=14)
    window_end = datetime(year + 1, 1, 1, tzinfo=UTC) + timedelta(hours=12)
    in_window = sa.and_(Event.starts_at >= window_start, Event.starts_at < window_end)
    rows = db.session.execute(
        sa.select(*_COLUMNS).where(in_window).order_by(Event.starts_at, Event.id)
    )
    entries = [PlanEntry(*row) for row in rows]
    entries = [entry for entry in entries if plan_day(entry).year == year]
    if not entries:
        return entries
    cities = {city.id: city for city in db.session.execute(sa.select(City)).scalars()}
    roles = {role.id: role for role in db.session.execute(sa.select(ParticipantRole)).scalars()}
    audiences: dict[int, list[ParticipantRole]] = defaultdict(list)
    pairs = db.session.execute(
        sa.select(event_audience.c.event_id, event_audience.c.participant_role_id)
        .join(Event, Event.id == event_audience.c.event_id)
        .where(in_window)
        .order_by(event_audience.c.event_id, event_audience.c.participant_role_id)
    )
    for event_id, role_id in pairs:
        audiences[event_id].append(roles[role_id])
    for entry in entries:
        entry.host_city = cities.get(entry.host_city_id)
        entry.audience = audiences.get(entry.id, [])
    return entries
