"""A year's plan as columns: what the coordinators' yearly calendar needs of every event
to find conflicts and count them, without making an object per event.

``year_plan`` reads the year's events in a few queries (the events' columns, their
audiences, the cities and roles they point to) into parallel lists: instants as
integer microseconds (converted by the database), months found by bisection over each
zone's month starts, audiences as sets of role ids. A ``PlanEntry`` (the attributes of
``Event`` the conflict rules and their messages read) is made only for the few events
that are worded or looked at one by one; the page then loads as ``Event`` objects only
the events it shows (``nscal.events.conflicts`` takes anything with the attributes of
``Event``).
"""

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import compress
from operator import itemgetter
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from nscal.cities.models import City, ParticipantRole
from nscal.db import db
from nscal.events.models import Event, EventFormat, EventStatus, event_audience


@dataclass(slots=True)
class PlanEntry:
    """One event of a year's plan: the attributes of ``Event`` the conflict rules and
    their messages read, and the month it counts in."""

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


class _Micros(FunctionElement):
    """A stored instant as integer microseconds since 1970 (UTC), computed by the
    database: thousands of rows read as numbers, no datetime made for them."""

    type = sa.BigInteger()
    inherit_cache = True


@compiles(_Micros, "sqlite")
def _micros_sqlite(element, compiler, **kw):
    # Stored as naive UTC text, "2027-01-08 12:15:00.000000": seconds, then the digits.
    column = compiler.process(element.clauses, **kw)
    return (
        f"(CAST(strftime('%s', {column}) AS INTEGER) * 1000000"
        f" + CAST(substr({column}, 21, 6) AS INTEGER))"
    )


@compiles(_Micros)
def _micros_default(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT(EPOCH FROM {column}) * 1000000 AS BIGINT)"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY = 86_400_000_000  # microseconds
# The columns of a row, in this order; sorted as read, by (start, id).
_START, _ID, _END, _ALL_DAY, _START_DATE, _END_DATE, _ZONE, _STATUS, _FORMAT, _HOST, _TITLE = range(
    11
)
_COLUMNS = [
    _Micros(Event.starts_at),
    Event.id,
    _Micros(Event.ends_at),
    Event.all_day,
    # As the driver gives them (text on SQLite): only the few entries made parse them.
    sa.type_coerce(Event.start_date, sa.String()),
    sa.type_coerce(Event.end_date, sa.String()),
    Event.timezone,
    sa.type_coerce(Event.status, sa.String()),
    sa.type_coerce(Event.format, sa.String()),
    Event.host_city_id,
    Event.title,
]
_STATUSES = {member.value: member for member in EventStatus}
_FORMATS = {member.value: member for member in EventFormat}


def _instant(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


def _day(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value[:10])


@lru_cache(maxsize=256)
def _month_starts(zone: str, year: int) -> tuple[int, ...]:
    """The instants (microseconds) at which each month of ``year`` and the next year
    begin on ``zone``'s wall clock: 13 of them."""
    starts = [datetime(year, month, 1, tzinfo=ZoneInfo(zone)) for month in range(1, 13)]
    starts.append(datetime(year + 1, 1, 1, tzinfo=ZoneInfo(zone)))
    return tuple((moment - _EPOCH) // timedelta(microseconds=1) for moment in starts)


def _timed_month(micros: int, zone: str, year: int) -> int:
    """The month of ``year`` an instant falls in on ``zone``'s wall clock; 0 for one
    before the year, 13 for one after."""
    starts = _month_starts(zone, year)
    month = bisect_right(starts, micros)
    # Bisection over the month starts is exact away from them: a zone's clock moves
    # with UTC but for its offset's changes, far less than two days. Near one (a
    # change of offset could cross midnight there), the wall clock decides.
    if (month and micros - starts[month - 1] < 2 * _DAY) or (
        month < 13 and starts[month] - micros < 2 * _DAY
    ):
        local = _instant(micros).astimezone(ZoneInfo(zone))
        return local.month if local.year == year else (0 if local.year < year else 13)
    return month


@dataclass
class YearPlan:
    """Every event of a year as parallel columns, by start (as
    ``nscal.events.services.events_in_year``): the ``PlanRows`` of
    ``nscal.events.conflicts.plan_conflicts``, with each event's month and status."""

    columns: list[Sequence]  # as read (the columns above), each a tuple
    months: list[int]
    keys: list[frozenset]  # role ids
    cities: dict[int, City] = field(default_factory=dict)
    roles: dict[int, ParticipantRole] = field(default_factory=dict)
    _entries: dict[int, PlanEntry] = field(default_factory=dict)
    _index: dict[int, int] | None = None

    def __post_init__(self):
        columns = self.columns
        self.ids, self.starts, self.ends = columns[_ID], columns[_START], columns[_END]
        self.all_day = columns[_ALL_DAY]
        statuses = columns[_STATUS]
        cancelled = EventStatus.cancelled.value
        self.cancelled = [status == cancelled for status in statuses]
        self.drafts = statuses.count(EventStatus.draft.value)

    def __len__(self) -> int:
        return len(self.ids)

    def index(self, event_id: int) -> int:
        if self._index is None:
            self._index = dict(zip(self.ids, range(len(self.ids)), strict=True))
        return self._index[event_id]

    def has(self, event_id: int) -> bool:
        try:
            self.index(event_id)
        except KeyError:
            return False
        return True

    def entry(self, i: int) -> PlanEntry:
        """The event of row ``i`` with the attributes the conflicts' messages read."""
        found = self._entries.get(i)
        if found is None:
            row = [column[i] for column in self.columns]
            all_day = bool(row[_ALL_DAY])
            found = self._entries[i] = PlanEntry(
                id=row[_ID],
                title=row[_TITLE],
                timezone=row[_ZONE],
                starts_at=_instant(row[_START]),
                ends_at=_instant(row[_END]),
                all_day=all_day,
                start_date=_day(row[_START_DATE]) if all_day else None,
                end_date=_day(row[_END_DATE]) if all_day else None,
                status=_STATUSES[row[_STATUS]],
                format=_FORMATS[row[_FORMAT]],
                host_city_id=row[_HOST],
                host_city=self.cities.get(row[_HOST]),
                audience=[self.roles[key] for key in sorted(self.keys[i])],
                month=self.months[i],
            )
        return found


def year_plan(year: int) -> YearPlan:
    """Every event starting in ``year`` on its own wall clock, by start (as
    ``nscal.events.services.events_in_year``), as columns."""
    window_start = datetime(year, 1, 1, tzinfo=UTC) - timedelta(hours=14)
    window_end = datetime(year + 1, 1, 1, tzinfo=UTC) + timedelta(hours=12)
    in_window = sa.and_(Event.starts_at >= window_start, Event.starts_at < window_end)
    # Through the connection: the session's ORM result machinery costs more per row
    # than reading the row. The columns are those of the index ix_event_plan, which
    # SQLite reads alone (the table's rows are wide: the description comes first).
    connection = db.session.connection()
    rows = connection.execute(sa.select(*_COLUMNS).where(in_window)).all()
    if not rows:
        return YearPlan([()] * len(_COLUMNS), [], [])
    rows.sort(key=itemgetter(_START, _ID))
    columns = list(zip(*rows, strict=True))  # transposed in C, not row by row
    del rows
    months = []
    for start, zone, all_day, start_date in zip(
        columns[_START], columns[_ZONE], columns[_ALL_DAY], columns[_START_DATE], strict=True
    ):
        if all_day and start_date is not None:
            if isinstance(start_date, str):  # "2027-03-01" (SQLite)
                day_year, month = int(start_date[:4]), int(start_date[5:7])
            else:
                day_year, month = start_date.year, start_date.month
            months.append(month if day_year == year else 0)
        else:
            months.append(_timed_month(start, zone, year))
    if not all(1 <= month <= 12 for month in months):  # the window's edges
        kept = [1 <= month <= 12 for month in months]
        columns = [tuple(compress(column, kept)) for column in columns]
        months = list(compress(months, kept))
    cities = {city.id: city for city in db.session.execute(sa.select(City)).scalars()}
    roles = {role.id: role for role in db.session.execute(sa.select(ParticipantRole)).scalars()}
    audiences: dict[int, set[int]] = defaultdict(set)
    pairs = connection.execute(
        sa.select(event_audience.c.event_id, event_audience.c.participant_role_id)
        .join(Event, Event.id == event_audience.c.event_id)
        .where(in_window)
    ).all()
    for event_id, role_id in pairs:
        audiences[event_id].add(role_id)
    # Few audiences, many events: one set for each.
    shared: dict[frozenset, frozenset] = {}
    empty: frozenset = frozenset()
    keys = []
    for event_id in columns[_ID]:
        found = audiences.get(event_id)
        if found is None:
            keys.append(empty)
        else:
            key = frozenset(found)
            keys.append(shared.setdefault(key, key))
    return YearPlan(columns, months, keys, cities, roles)
