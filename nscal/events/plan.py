"""A year's plan as columns: what the coordinators' yearly calendar needs of every event
to find conflicts and count them, without making an object per event.

``year_plan`` reads the year's events in a few queries (the events' columns, their
audiences, the cities and roles they point to) into parallel lists: instants as
integer microseconds (converted by the database), months found by bisection over each
zone's month starts, audiences as sets of role ids. A ``PlanEntry`` (the attributes of
``Event`` the conflict rules and their messages read) is made only for the few events
that are worded or looked at one by one, and the page writes its rows from those of the
events it shows (``nscal.events.conflicts`` takes anything with the attributes of
``Event``): no event of the year is loaded as an ``Event``.
"""

import json
import sqlite3
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache, partial
from itertools import compress, islice, repeat
from operator import eq, is_, le, lt, not_
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
# The columns read, in this order, each as one aggregated value (see ``_read_year``):
# for every event, as numbers ...
_START, _ID, _END, _ALL_DAY, _CANCELLED = range(5)
# ... and as text ('' for none): the zone, an all-day event's date ...
_ZONE, _START_DATE = range(5, 7)
# ... and, split only when an entry is made (``_Lazy``), as text:
_END_DATE, _STATUS, _FORMAT, _HOST, _TITLE = range(7, 12)
_COLUMNS = [
    _Micros(Event.starts_at),
    Event.id,
    _Micros(Event.ends_at),
    sa.cast(Event.all_day, sa.Integer),
    sa.cast(Event.status == EventStatus.cancelled, sa.Integer),
    Event.timezone,
    sa.case((Event.all_day, Event.start_date)),
    Event.end_date,
    Event.status,
    Event.format,
    Event.host_city_id,
]
_NUMBERS, _EAGER = _ZONE, _END_DATE  # where the texts and the lazy columns begin
_STATUSES = {member.value: member for member in EventStatus}
_FORMATS = {member.value: member for member in EventFormat}


class _Concat(FunctionElement):
    """The values of a column over the rows read, in the rows' order, as one text
    separated by a separator (``_concat``), '' for NULL (SQLite ``group_concat``,
    PostgreSQL ``string_agg``): one value to split in C, not a row object per event."""

    type = sa.String()
    inherit_cache = True


def _concat(column, separator: str = ",") -> _Concat:
    return _Concat(column, sa.literal_column(f"'{separator}'"))


@compiles(_Concat, "sqlite")
def _concat_sqlite(element, compiler, **kw):
    column, separator = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"group_concat(ifnull({column}, ''), {separator})"


@compiles(_Concat)
def _concat_default(element, compiler, **kw):
    column, separator = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"string_agg(coalesce(CAST({column} AS TEXT), ''), {separator})"


class _JsonList(FunctionElement):
    """The values of a column over the rows read as a JSON array (titles hold any
    character, commas too; numbers are parsed in C)."""

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
def _month_edges(zone: str, year: int) -> tuple[int, ...]:
    """The edges of the two days either side of each of ``zone``'s month starts in
    ``year`` (``_month_starts``): ``_timed_month`` as one bisection (``_GAPS``)."""
    edges: list[int] = []
    for start in _month_starts(zone, year):
        edges += (start - 2 * _DAY, start + 2 * _DAY)
    return tuple(edges)


# The month of each gap between the edges: gap k lies between edges k - 1 and k; even
# gaps are between the bands (month k // 2: 0 before the year, 13 after it), odd ones
# within one, near a month start (None: the wall clock decides, ``_timed_month``).
_GAPS = tuple(None if k % 2 else k // 2 for k in range(27))


def _months(year: int, starts: Sequence[int], zones: Sequence[str], days: Sequence[str]):
    """The month of ``year`` each event counts in (0 before it, 13 after it): an
    all-day event's date's (``days``, '' for a timed one), else on its zone's clock."""
    # One bisection per event over its zone's edges, in C (map), not a loop.
    edges = {zone: _month_edges(zone, year) for zone in set(zones)}
    months = list(map(_GAPS.__getitem__, map(bisect_right, map(edges.__getitem__, zones), starts)))
    prefix = f"{year:04d}-"
    for i in compress(range(len(days)), days):  # "2027-03-01"
        day = days[i]
        months[i] = int(day[5:7]) if day.startswith(prefix) else 0
    for i in compress(range(len(months)), map(is_, months, repeat(None))):
        months[i] = _timed_month(starts[i], zones[i], year)
    return months


class _Lazy:
    """A column read as one text, split when first looked at (for the few entries
    made): thousands of strings nobody reads cost more than the text."""

    __slots__ = ("_load", "_values")

    def __init__(self, load: Callable[[], list]):
        self._load = load
        self._values: list | None = None

    def values(self) -> list:
        if self._values is None:
            self._values = self._load()
        return self._values

    def __getitem__(self, i: int):
        return self.values()[i]

    def __len__(self) -> int:
        return len(self.values())

    def kept(self, selectors: list[bool]) -> "_Lazy":
        return _Lazy(lambda: list(compress(self.values(), selectors)))

    def picked(self, order: list[int]) -> "_Lazy":
        return _Lazy(lambda: list(map(self.values().__getitem__, order)))


@dataclass
class YearPlan:
    """Every event of a year as parallel columns, by start (as
    ``nscal.events.services.events_in_year``): the ``PlanRows`` of
    ``nscal.events.conflicts.plan_conflicts``, with each event's month and status."""

    columns: list[Sequence]  # as read (the columns above; the last ones ``_Lazy``)
    months: list[int]
    keys: list[frozenset]  # role ids
    drafts: int = 0
    cities: dict[int, City] = field(default_factory=dict)
    roles: dict[int, ParticipantRole] = field(default_factory=dict)
    _entries: dict[int, PlanEntry] = field(default_factory=dict)
    _index: dict[int, int] | None = None

    def __post_init__(self):
        columns = self.columns
        self.ids, self.starts, self.ends = columns[_ID], columns[_START], columns[_END]
        self.all_day, self.cancelled = columns[_ALL_DAY], columns[_CANCELLED]

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


def _read_year(connection, in_window) -> tuple[list[Sequence], int]:
    """The columns of the events ``in_window`` (``_COLUMNS``, then the titles), by
    (start, id), and how many of them are drafts: one row of one aggregated value per
    column, split in C (thousands of rows, and a row object for each, cost more than
    the values)."""
    rows = sa.select(
        *_COLUMNS,
        sa.cast(Event.status == EventStatus.draft, sa.Integer).label("draft"),
        Event.title,
    )
    rows = rows.where(in_window).order_by(Event.starts_at, Event.id).subquery()
    *values, drafts, titles = rows.c
    # One statement: every aggregate steps over the same rows in the same order, so
    # the columns line up (and come in the subquery's order; checked below). The
    # numbers as JSON arrays: json.loads makes the ints in C, cheaper than splitting a
    # text and int() per value (and the database writes them as cheaply).
    numbers, words = values[:_NUMBERS], values[_NUMBERS:]
    found = connection.execute(
        sa.select(
            sa.func.count(),
            *map(_JsonList, numbers),
            *map(_concat, words),
            sa.func.sum(drafts),
            _JsonList(titles),
        )
    ).one()
    count, *texts, drafts, titles = found
    if not count:
        return [[] for _ in range(_TITLE + 1)], 0
    columns: list[Sequence] = [json.loads(text) for text in texts[:_NUMBERS]]
    columns += [text.split(",") for text in texts[_NUMBERS:_EAGER]]
    columns += [_Lazy(partial(str.split, text, ",")) for text in texts[_EAGER:]]
    columns.append(_Lazy(partial(json.loads, titles)))
    if not _in_order(columns[_START], columns[_ID]):  # no aggregate promises to keep it
        starts, ids = columns[_START], columns[_ID]
        order = sorted(range(count), key=lambda i: (starts[i], ids[i]))
        columns = [
            column.picked(order)
            if isinstance(column, _Lazy)
            else list(map(column.__getitem__, order))
            for column in columns
        ]
    return columns, int(drafts)


def _in_order(starts: list[int], ids: list[int]) -> bool:
    """Whether the rows are by (start, id): starts never going down, ids going up
    among equal starts (in C, map and compress, not a loop)."""
    if not all(map(le, starts, islice(starts, 1, None))):
        return False
    ties = list(map(eq, starts, islice(starts, 1, None)))
    return all(map(lt, compress(ids, ties), compress(islice(ids, 1, None), ties)))


def _audiences(connection, in_window, ids: Sequence[int]) -> list[frozenset]:
    """Each event's audience as a set of role ids, one set for each audience (few
    audiences, many events)."""
    # The (event, role) pairs as two aggregated values. (Grouped by event in SQL, the
    # database sorts them: dearer than pairing them here.)
    pairs = (
        sa.select(event_audience.c.event_id, event_audience.c.participant_role_id)
        .join(Event, Event.id == event_audience.c.event_id)
        .where(in_window)
        .subquery()
    )
    # As JSON arrays, the ints made in C (PostgreSQL's json_agg is NULL for no rows).
    arrays = connection.execute(sa.select(*map(_JsonList, pairs.c))).one()
    event_ids, role_ids = (json.loads(text or "[]") for text in arrays)
    empty: frozenset = frozenset()
    if not event_ids:
        return [empty] * len(ids)
    audiences: dict[int, set[int]] = {}
    for event_id, role_id in zip(event_ids, role_ids, strict=True):
        found = audiences.get(event_id)
        if found is None:
            audiences[event_id] = {role_id}
        else:
            found.add(role_id)
    shared: dict[frozenset, frozenset] = {}
    by_event = {
        event_id: shared.setdefault(key, key)
        for event_id, key in zip(audiences, map(frozenset, audiences.values()), strict=True)
    }
    return list(map(by_event.get, ids, repeat(empty)))


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
    columns, drafts = _read_year(connection, in_window)
    if not columns[_ID]:
        return YearPlan(columns, [], [])
    months = _months(year, columns[_START], columns[_ZONE], columns[_START_DATE])
    if min(months) < 1 or max(months) > 12:  # the window's edges
        kept = [1 <= month <= 12 for month in months]
        drafts -= sum(
            status == EventStatus.draft.value
            for status in compress(columns[_STATUS].values(), map(not_, kept))
        )
        columns = [
            column.kept(kept) if isinstance(column, _Lazy) else list(compress(column, kept))
            for column in columns
        ]
        months = list(compress(months, kept))
    cities = {city.id: city for city in db.session.execute(sa.select(City)).scalars()}
    roles = {role.id: role for role in db.session.execute(sa.select(ParticipantRole)).scalars()}
    keys = _audiences(connection, in_window, columns[_ID])
    return YearPlan(columns, months, keys, drafts, cities, roles)
