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

import json
import sqlite3
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import compress, islice, repeat
from operator import eq, le
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
    # unixepoch() (SQLite 3.38) is half the work of strftime('%s').
    seconds = (
        f"unixepoch({column})"
        if sqlite3.sqlite_version_info >= (3, 38)
        else f"CAST(strftime('%s', {column}) AS INTEGER)"
    )
    return f"({seconds} * 1000000 + CAST(substr({column}, 21, 6) AS INTEGER))"


@compiles(_Micros)
def _micros_default(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT(EPOCH FROM {column}) * 1000000 AS BIGINT)"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY = 86_400_000_000  # microseconds
# The columns read, in this order, each as one aggregated value (see ``_read_year``).
_START, _ID, _END, _ALL_DAY, _START_DATE, _END_DATE, _ZONE, _STATUS, _FORMAT, _HOST, _TITLE = range(
    11
)
_COLUMNS = [
    _Micros(Event.starts_at),
    Event.id,
    _Micros(Event.ends_at),
    sa.cast(Event.all_day, sa.Integer),
    # As text ('' for none): only the few entries made parse them.
    Event.start_date,
    Event.end_date,
    Event.timezone,
    Event.status,
    Event.format,
    Event.host_city_id,
]
_NUMBERS = (_START, _ID, _END, _ALL_DAY)  # decoded as ints, the others kept as text
_STATUSES = {member.value: member for member in EventStatus}
_FORMATS = {member.value: member for member in EventFormat}


class _Concat(FunctionElement):
    """The values of a column over the rows read, in the rows' order, as one text
    separated by commas, '' for NULL (SQLite ``group_concat``, PostgreSQL
    ``string_agg``): one value to split in C rather than a row object per event."""

    type = sa.String()
    inherit_cache = True


@compiles(_Concat, "sqlite")
def _concat_sqlite(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"group_concat(ifnull({column}, ''), ',')"


@compiles(_Concat)
def _concat_default(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"string_agg(coalesce(CAST({column} AS TEXT), ''), ',')"


class _JsonList(FunctionElement):
    """The values of a text column over the rows read as a JSON array (titles hold any
    character, commas too)."""

    type = sa.String()
    inherit_cache = True


@compiles(_JsonList, "sqlite")
def _json_list_sqlite(element, compiler, **kw):
    return f"json_group_array({compiler.process(element.clauses, **kw)})"


@compiles(_JsonList)
def _json_list_default(element, compiler, **kw):
    return f"CAST(json_agg({compiler.process(element.clauses, **kw)}) AS TEXT)"


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


@lru_cache(maxsize=256)
def _month_bands(zone: str, year: int) -> tuple[tuple[int, ...], tuple[int | None, ...]]:
    """``_timed_month`` as one bisection: the edges of the two days either side of each
    month start, and the month for each gap between them (None: near a month start,
    where ``_timed_month`` asks the wall clock)."""
    edges = []
    for start in _month_starts(zone, year):
        edges += (start - 2 * _DAY, start + 2 * _DAY)
    # Gap k lies between edges k - 1 and k: even gaps are between the bands (month
    # k // 2, 0 before the year, 13 after it), odd ones within a band.
    months = tuple(None if k % 2 else k // 2 for k in range(len(edges) + 1))
    return tuple(edges), months


def _months(year: int, columns: list[list]) -> list[int]:
    """The month of ``year`` each event counts in (0 before it, 13 after it): an
    all-day event's date's, a timed one's on its own zone's wall clock."""
    starts, zones, all_day, days = (
        columns[_START],
        columns[_ZONE],
        columns[_ALL_DAY],
        columns[_START_DATE],
    )
    months = [0] * len(starts)
    by_zone: dict[str, list[int]] = defaultdict(list)
    prefix = f"{year:04d}-"
    for i, dated, day in zip(range(len(starts)), all_day, days, strict=True):
        if dated and day:  # "2027-03-01"
            if day.startswith(prefix):
                months[i] = int(day[5:7])
        else:
            by_zone[zones[i]].append(i)
    # Per zone, one bisection per event over the zone's bands, in C.
    for zone, positions in by_zone.items():
        edges, gaps = _month_bands(zone, year)
        zone_starts = list(map(starts.__getitem__, positions))
        found = map(gaps.__getitem__, map(bisect_right, repeat(edges), zone_starts))
        for i, micros, month in zip(positions, zone_starts, found, strict=True):
            months[i] = _timed_month(micros, zone, year) if month is None else month
    return months


@dataclass
class YearPlan:
    """Every event of a year as parallel columns, by start (as
    ``nscal.events.services.events_in_year``): the ``PlanRows`` of
    ``nscal.events.conflicts.plan_conflicts``, with each event's month and status."""

    columns: list[Sequence]  # as read (the columns above)
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
        self.cancelled = list(map(EventStatus.cancelled.value.__eq__, statuses))
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
            host = int(row[_HOST]) if row[_HOST] else None
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
                host_city_id=host,
                host_city=self.cities.get(host),
                audience=[self.roles[key] for key in sorted(self.keys[i])],
                month=self.months[i],
            )
        return found


def _read_year(connection, in_window) -> list[list]:
    """The columns of the events ``in_window`` (``_COLUMNS``, then the titles), by
    (start, id): one row of one aggregated value per column, split in C (thousands of
    rows, and a row object for each, cost more than the values)."""
    rows = sa.select(*_COLUMNS, Event.title).where(in_window).order_by(Event.starts_at, Event.id)
    rows = rows.subquery()
    # One statement: every aggregate steps over the same rows in the same order, so
    # the columns line up (and come in the subquery's order; checked below).
    *values, titles = rows.c
    found = connection.execute(
        sa.select(sa.func.count(), *map(_Concat, values), _JsonList(titles))
    ).one()
    if not found[0]:
        return [[] for _ in range(_TITLE + 1)]
    columns = [text.split(",") for text in found[1:-1]]
    for number in _NUMBERS:
        columns[number] = list(map(int, columns[number]))
    columns.append(json.loads(found[-1]))
    starts, ids = columns[_START], columns[_ID]
    if not _in_order(starts, ids):  # as asked, but no aggregate promises to keep it
        order = sorted(range(len(ids)), key=lambda i: (starts[i], ids[i]))
        columns = [[column[i] for i in order] for column in columns]
    return columns


def _in_order(starts: list[int], ids: list[int]) -> bool:
    """Whether the rows are by (start, id): starts never going down, ids going up
    among equal starts (looked at in C but for those few)."""
    following = islice(starts, 1, None)
    if not all(map(le, starts, following)):
        return False
    ties = compress(range(len(ids) - 1), map(eq, starts, islice(starts, 1, None)))
    return all(ids[i] < ids[i + 1] for i in ties)


def year_plan(year: int) -> YearPlan:
    """Every event starting in ``year`` on its own wall clock, by start (as
    ``nscal.events.services.events_in_year``), as columns."""
    window_start = datetime(year, 1, 1, tzinfo=UTC) - timedelta(hours=14)
    window_end = datetime(year + 1, 1, 1, tzinfo=UTC) + timedelta(hours=12)
    in_window = sa.and_(Event.starts_at >= window_start, Event.starts_at < window_end)
    # Through the connection: the session's ORM result machinery is not needed. The
    # columns are those of the index ix_event_plan, which the database reads alone (the
    # table's rows are wide: the description comes first).
    connection = db.session.connection()
    columns = _read_year(connection, in_window)
    if not columns[_ID]:
        return YearPlan(columns, [], [])
    months = _months(year, columns)
    if min(months) < 1 or max(months) > 12:
        kept = [1 <= month <= 12 for month in months]  # the window's edges
        columns = [list(compress(column, kept)) for column in columns]
        months = list(compress(months, kept))
    cities = {city.id: city for city in db.session.execute(sa.select(City)).scalars()}
    roles = {role.id: role for role in db.session.execute(sa.select(ParticipantRole)).scalars()}
    # The audiences as two aggregated columns, event ids and role ids, paired.
    pairs = (
        sa.select(event_audience.c.event_id, event_audience.c.participant_role_id)
        .join(Event, Event.id == event_audience.c.event_id)
        .where(in_window)
        .subquery()
    )
    event_ids, role_ids = connection.execute(sa.select(*map(_Concat, pairs.c))).one()
    audiences: dict[int, set[int]] = defaultdict(set)
    if event_ids:
        for event_id, role_id in zip(
            map(int, event_ids.split(",")), map(int, role_ids.split(",")), strict=True
        ):
            audiences[event_id].add(role_id)
    # Few audiences, many events: one set for each.
    shared: dict[frozenset, frozenset] = {}
    empty: frozenset = frozenset()
    by_event = {
        event_id: shared.setdefault(key, key)
        for event_id, key in zip(audiences, map(frozenset, audiences.values()), strict=True)
    }
    keys = list(map(by_event.get, columns[_ID], repeat(empty)))
    return YearPlan(columns, months, keys, cities, roles)
