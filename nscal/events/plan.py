"""A year's plan as rows: what the coordinators' yearly calendar needs of every event
to find conflicts and count them, without loading thousands of ``Event`` objects.

``plan_entries_in_year`` reads the year's events in a few queries (the events' columns,
their audiences, the cities and roles they point to); the page then loads as ``Event``
objects only the events it shows. The conflict rules read entries and events alike
(``nscal.events.conflicts`` takes anything with the attributes of ``Event``).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from nscal.cities.models import City, ParticipantRole
from nscal.db import db
from nscal.events.models import Event, EventFormat, EventStatus, event_audience


@dataclass(slots=True)
class PlanEntry:
    """One event of a year's plan: the attributes of ``Event`` the conflict rules, the
    counts and the month index read, and the month it counts in."""

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
    audience: Sequence[ParticipantRole] = ()
    month: int = 0  # on its own wall clock (its date's when all-day)

    @property
    def is_cancelled(self) -> bool:
        return self.status is EventStatus.cancelled

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(ZoneInfo(self.timezone))


def plan_day(entry) -> date:
    """The day an event counts in, on its own wall clock (its date when all-day)."""
    if entry.all_day and entry.start_date is not None:
        return entry.start_date
    return entry.local_start.date()


# The columns as the database driver gives them: a year is thousands of rows, and the
# column types' conversions (enums, SQLite's datetimes as text) cost more than the
# little done with them here (``_instant``, ``_day``, the enums by value).
_RAW = {"starts_at": sa.String, "ends_at": sa.String, "start_date": sa.String}
_RAW_ENUMS = {"status": EventStatus, "format": EventFormat}
_COLUMNS = [
    sa.type_coerce(column, _RAW[column.name]()).label(column.name)
    if column.name in _RAW
    else sa.type_coerce(column, sa.String()).label(column.name)
    if column.name in _RAW_ENUMS
    else column
    for column in (Event.__table__.c[name] for name in PlanEntry.__slots__[:11])
]


def _instant(value) -> datetime:
    """A stored instant as an aware UTC datetime (SQLite gives text, PostgreSQL a
    datetime)."""
    if isinstance(value, str):  # naive UTC ("replace(tzinfo=UTC)" costs 8× the parse)
        return datetime.fromisoformat(f"{value}+00:00")
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _day(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value[:10])


def plan_entries_in_year(year: int) -> list[PlanEntry]:
    """Every event starting in ``year`` on its own wall clock, by start (as
    ``nscal.events.services.events_in_year``), with its host city, audience and month."""
    window_start = datetime(year, 1, 1, tzinfo=UTC) - timedelta(hours=14)
    window_end = datetime(year + 1, 1, 1, tzinfo=UTC) + timedelta(hours=12)
    in_window = sa.and_(Event.starts_at >= window_start, Event.starts_at < window_end)
    # By id, the table's own order (read through the index in its order, the rows
    # would be fetched at random); sorted by start here.
    in_year = sa.select(Event.id).where(in_window).scalar_subquery()
    rows = db.session.execute(sa.select(*_COLUMNS).where(Event.id.in_(in_year)))
    statuses = {member.value: member for member in EventStatus}
    formats = {member.value: member for member in EventFormat}
    zones: dict[str, ZoneInfo] = {}
    entries = []
    for row in rows:
        entry = PlanEntry(*row)
        entry.starts_at = starts = _instant(entry.starts_at)
        entry.ends_at = _instant(entry.ends_at)
        entry.status = statuses[entry.status]
        entry.format = formats[entry.format]
        if entry.all_day:
            entry.start_date, entry.end_date = _day(entry.start_date), _day(entry.end_date)
        if entry.all_day and entry.start_date is not None:
            day = entry.start_date
        else:
            zone = zones.get(entry.timezone)
            if zone is None:
                zone = zones[entry.timezone] = ZoneInfo(entry.timezone)
            day = starts.astimezone(zone)
        if day.year == year:
            entry.month = day.month
            entries.append(entry)
    entries.sort(key=_by_start)
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
        entry.audience = audiences.get(entry.id, ())
    return entries


def _by_start(entry: PlanEntry) -> tuple[datetime, int]:
    return entry.starts_at, entry.id
