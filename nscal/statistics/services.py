"""The figures of /manage/statistics: grouped aggregates in SQL, a fixed number of queries.

What is counted:

- Only published events (drafts and cancelled events are left out). An event belongs
  to the year and month of its start in its own time zone (a meeting at 00:30 on
  1 January in Helsinki is a 2027 meeting, although it is still 2026 in UTC).
- "Registrations" are every registration made, whatever became of it (confirmed, on
  the waiting list, awaiting approval, cancelled, rejected); "participants" are the
  confirmed ones. Deleted accounts leave their registrations as anonymous counts with
  their city and role, so they stay in every figure; cancelled and rejected
  registrations the retention purge deleted are counted from the table it fills
  first (``purged_registration_count``), so the figures stay the same after a purge.
- Attendance: marks on confirmed registrations. The no-show rate is "absent" among
  the marked ones (attended, absent, excused); unmarked registrations do not count.
- The waiting-list rate: the registrations that were on the waiting list at some
  time, among all registrations made.
- New or returning: a person is new in a year when they had no confirmed
  registration at a published event of an earlier year (any kind, any format).
  Deleted accounts cannot be followed from year to year: their confirmed
  registrations are counted apart, as "anonymous registrations".

The queries: cities, roles, the events of the years shown, the zones in use, then one
GROUP BY each for cities, roles, events, city × month, city × year and new versus
returning people: always the same number, whatever the data.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from nscal.attendance.models import Attendance, AttendanceStatus
from nscal.cities.models import City, ParticipantRole
from nscal.db import db
from nscal.events.models import Event, EventFormat, EventKind, EventStatus, Visibility
from nscal.registrations.models import Registration, RegistrationStatus
from nscal.statistics.models import PurgedRegistrationCount
from nscal.statistics.tally import was_waitlisted

TREND_YEARS = 5  # the "over the years" figures show at least this many years


@dataclass(frozen=True)
class Filters:
    year_from: int
    year_to: int
    kind: EventKind | None = None
    format: EventFormat | None = None
    role_id: int | None = None
    city_id: int | None = None

    @property
    def years(self) -> range:
        return range(self.year_from, self.year_to + 1)

    @property
    def trend_years(self) -> range:
        return range(min(self.year_from, self.year_to - TREND_YEARS + 1), self.year_to + 1)

    @property
    def label(self) -> str:
        if self.year_from == self.year_to:
            return str(self.year_to)
        return f"{self.year_from}–{self.year_to}"


@dataclass
class Counts:
    """The measures of one group (a city, a role, an event, a month …)."""

    registrations: int = 0
    participants: int = 0  # confirmed
    waitlisted: int = 0  # on the waiting list at some time
    cancelled: int = 0  # cancelled or rejected
    attended: int = 0
    absent: int = 0
    excused: int = 0

    @property
    def marked(self) -> int:
        return self.attended + self.absent + self.excused

    @property
    def no_show_rate(self) -> float | None:
        return self.absent / self.marked if self.marked else None

    @property
    def waitlist_rate(self) -> float | None:
        return self.waitlisted / self.registrations if self.registrations else None

    def add(self, other: "Counts") -> None:
        for name in MEASURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


MEASURES = (
    "registrations",
    "participants",
    "waitlisted",
    "cancelled",
    "attended",
    "absent",
    "excused",
)


@dataclass
class EventFigures:
    id: int
    title: str
    kind: EventKind
    format: EventFormat
    year: int
    month: int
    local_start: datetime
    counts: Counts = field(default_factory=Counts)
    cities: int = 0  # cities represented among the participants


@dataclass
class YearPeople:
    year: int
    people: int = 0
    new: int = 0
    anonymous: int = 0  # confirmed registrations of deleted accounts

    @property
    def returning(self) -> int:
        return self.people - self.new


@dataclass
class Statistics:
    filters: Filters
    cities: list[City]
    roles: list[ParticipantRole]
    total: Counts
    by_city: dict[int | None, Counts]
    by_role: dict[int | None, Counts]
    by_kind: dict[EventKind, Counts]
    by_format: dict[EventFormat, Counts]
    by_month: dict[tuple[int, int], Counts]
    events: list[EventFigures]
    city_month: dict[tuple[int | None, int, int], int]  # participants
    city_year: dict[tuple[int | None, int], int]  # participants
    people: dict[int, YearPeople]
    cities_represented: int

    @property
    def months(self) -> list[tuple[int, int]]:
        return [(year, month) for year in self.filters.years for month in range(1, 13)]

    @property
    def member_cities(self) -> list[City]:
        return [city for city in self.cities if city.active]

    def idle_cities(self) -> list[City]:
        """Member cities with no participant in the last year shown."""
        last = self.filters.year_to
        return [c for c in self.member_cities if not self.city_year.get((c.id, last))]


def _counts_columns(facts) -> list:
    confirmed = facts.c.status == RegistrationStatus.confirmed.value

    def total(condition=None):
        value = facts.c.n if condition is None else sa.case((condition, facts.c.n), else_=0)
        return sa.func.coalesce(sa.func.sum(value), 0)

    def marked(status: AttendanceStatus):
        return total(sa.and_(confirmed, facts.c.attendance == status.value))

    return [
        total().label("registrations"),
        total(confirmed).label("participants"),
        total(facts.c.waitlisted == sa.true()).label("waitlisted"),
        total(
            facts.c.status.in_(
                [RegistrationStatus.cancelled.value, RegistrationStatus.rejected.value]
            )
        ).label("cancelled"),
        marked(AttendanceStatus.attended).label("attended"),
        marked(AttendanceStatus.absent).label("absent"),
        marked(AttendanceStatus.excused).label("excused"),
    ]


def _counts(row) -> Counts:
    return Counts(**{name: int(getattr(row, name)) for name in MEASURES})


def _facts(filters: Filters, ev):
    """Every registration (one row each) and the purged counts (one row per group) of
    the events in ``ev``, with the same columns and the event's local year and month:
    the source of every figure. Each branch joins ``ev`` itself, so the database walks
    the registrations of those events by index instead of matching every row."""
    live = (
        sa.select(
            Registration.event_id.label("event_id"),
            ev.c.year.label("year"),
            ev.c.month.label("month"),
            ev.c.selected.label("selected"),
            Registration.city_id.label("city_id"),
            Registration.participant_role_id.label("role_id"),
            Registration.user_id.label("user_id"),
            sa.cast(Registration.status, sa.String).label("status"),
            sa.case((was_waitlisted(), True), else_=False).label("waitlisted"),
            sa.cast(Attendance.status, sa.String).label("attendance"),
            sa.literal(1).label("n"),
        )
        .select_from(ev)
        .join(Registration, Registration.event_id == ev.c.event_id)
        .outerjoin(Attendance, Attendance.registration_id == Registration.id)
    )
    purged = (
        sa.select(
            PurgedRegistrationCount.event_id,
            ev.c.year,
            ev.c.month,
            ev.c.selected,
            PurgedRegistrationCount.city_id,
            PurgedRegistrationCount.participant_role_id,
            sa.cast(sa.null(), sa.Integer),
            sa.cast(PurgedRegistrationCount.status, sa.String),
            PurgedRegistrationCount.was_waitlisted,
            sa.cast(sa.null(), sa.String),
            PurgedRegistrationCount.count,
        )
        .select_from(ev)
        .join(PurgedRegistrationCount, PurgedRegistrationCount.event_id == ev.c.event_id)
    )
    if filters.city_id is not None:
        live = live.where(Registration.city_id == filters.city_id)
        purged = purged.where(PurgedRegistrationCount.city_id == filters.city_id)
    if filters.role_id is not None:
        live = live.where(Registration.participant_role_id == filters.role_id)
        purged = purged.where(PurgedRegistrationCount.participant_role_id == filters.role_id)
    return sa.union_all(live, purged).subquery("facts")


def _local_year_start(year: int, zone: str) -> datetime:
    return datetime(year, 1, 1, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _events(filters: Filters) -> list[EventFigures]:
    """The published events of the trend years (kind and format filtered), with their
    local year and month."""
    years = filters.trend_years
    query = sa.select(
        Event.id, Event.title, Event.kind, Event.format, Event.starts_at, Event.timezone
    ).where(
        Event.status == EventStatus.published,
        # A day either side: the year is decided in the event's own zone below.
        Event.starts_at >= datetime(years.start, 1, 1, tzinfo=UTC) - timedelta(days=1),
        Event.starts_at < datetime(years.stop, 1, 1, tzinfo=UTC) + timedelta(days=1),
    )
    if filters.kind is not None:
        query = query.where(Event.kind == filters.kind)
    if filters.format is not None:
        query = query.where(Event.format == filters.format)
    events = []
    for row in db.session.execute(query.order_by(Event.starts_at, Event.id)):
        local = row.starts_at.astimezone(ZoneInfo(row.timezone))
        if local.year in years:
            events.append(
                EventFigures(
                    row.id, row.title, row.kind, row.format, local.year, local.month, local
                )
            )
    return events


def _event_table(rows: list[tuple[int, int, int, bool]]):
    """The events as a table (event_id, year, month, selected) to join in SQL.

    Written as literal numbers: bound parameters for hundreds of rows would cost more
    to compile (in SQLAlchemy) than the query costs to run. Every value is an ``int``
    made here, never text from anyone. SQLite and PostgreSQL both name the columns of
    VALUES column1, column2 …; a row that matches no event stands in for none.
    """
    rows = rows or [(0, 0, 0, False)]
    values = ", ".join(
        f"({int(event_id)}, {int(year)}, {int(month)}, {int(bool(selected))})"
        for event_id, year, month, selected in rows
    )
    return (
        sa.text(
            "SELECT column1 AS event_id, column2 AS year, column3 AS month,"
            f" column4 AS selected FROM (VALUES {values}) AS event_rows"
        )
        .columns(
            sa.column("event_id", sa.Integer),
            sa.column("year", sa.Integer),
            sa.column("month", sa.Integer),
            sa.column("selected", sa.Integer),
        )
        .cte("ev")
    )


def all_cities() -> list[City]:
    return list(db.session.execute(sa.select(City).order_by(City.country, City.name)).scalars())


def all_roles() -> list[ParticipantRole]:
    return list(
        db.session.execute(sa.select(ParticipantRole).order_by(ParticipantRole.id)).scalars()
    )


def statistics(
    filters: Filters,
    *,
    cities: list[City] | None = None,
    roles: list[ParticipantRole] | None = None,
) -> Statistics:
    """Every figure of the page for ``filters`` (``cities`` and ``roles``: all of them,
    when the caller has them already)."""
    cities = all_cities() if cities is None else cities
    roles = all_roles() if roles is None else roles
    events = _events(filters)
    ev = _event_table([(e.id, e.year, e.month, e.year in filters.years) for e in events])
    facts = _facts(filters, ev)
    joined = facts
    columns = _counts_columns(facts)
    selected = facts.c.selected == 1
    confirmed = facts.c.status == RegistrationStatus.confirmed.value

    def grouped(*keys, where=selected):
        return db.session.execute(
            sa.select(*keys, *columns).select_from(joined).where(where).group_by(*keys)
        )

    by_city = {row.city_id: _counts(row) for row in grouped(facts.c.city_id)}
    by_role = {row.role_id: _counts(row) for row in grouped(facts.c.role_id)}

    by_event = {}
    cities_at = sa.func.count(sa.distinct(sa.case((confirmed, facts.c.city_id))))
    for row in db.session.execute(
        sa.select(facts.c.event_id, cities_at.label("cities"), *columns)
        .select_from(joined)
        .where(selected)
        .group_by(facts.c.event_id)
    ):
        by_event[row.event_id] = (_counts(row), int(row.cities))

    participants = sa.func.coalesce(sa.func.sum(sa.case((confirmed, facts.c.n), else_=0)), 0)
    city_month = {
        (row.city_id, row.year, row.month): int(row.participants)
        for row in db.session.execute(
            sa.select(
                facts.c.city_id, facts.c.year, facts.c.month, participants.label("participants")
            )
            .select_from(joined)
            .where(selected, confirmed)
            .group_by(facts.c.city_id, facts.c.year, facts.c.month)
        )
    }
    city_year = {}
    people = {year: YearPeople(year) for year in filters.trend_years}
    anonymous = sa.func.coalesce(
        sa.func.sum(sa.case((facts.c.user_id.is_(None), facts.c.n), else_=0)), 0
    )
    for row in db.session.execute(
        sa.select(
            facts.c.city_id,
            facts.c.year,
            participants.label("participants"),
            anonymous.label("anonymous"),
        )
        .select_from(joined)
        .where(confirmed)
        .group_by(facts.c.city_id, facts.c.year)
    ):
        city_year[(row.city_id, row.year)] = int(row.participants)
        people[row.year].anonymous += int(row.anonymous)
    _new_and_returning(filters, facts, people)

    # Roll the events up by kind, format and month (a loop over events, not rows).
    selected_events = [e for e in events if e.year in filters.years]
    by_kind: dict[EventKind, Counts] = defaultdict(Counts)
    by_format: dict[EventFormat, Counts] = defaultdict(Counts)
    by_month = {month: Counts() for year in filters.years for month in _months_of(year)}
    total = Counts()
    for event in selected_events:
        event.counts, event.cities = by_event.get(event.id, (Counts(), 0))
        by_kind[event.kind].add(event.counts)
        by_format[event.format].add(event.counts)
        by_month[(event.year, event.month)].add(event.counts)
        total.add(event.counts)
    return Statistics(
        filters=filters,
        cities=cities,
        roles=roles,
        total=total,
        by_city=by_city,
        by_role=by_role,
        by_kind={kind: by_kind[kind] for kind in EventKind if kind in by_kind},
        by_format={fmt: by_format[fmt] for fmt in EventFormat if fmt in by_format},
        by_month=by_month,
        events=selected_events,
        city_month=city_month,
        city_year=city_year,
        people=people,
        cities_represented=sum(
            1 for key, counts in by_city.items() if key is not None and counts.participants
        ),
    )


def _months_of(year: int) -> list[tuple[int, int]]:
    return [(year, month) for month in range(1, 13)]


def _new_and_returning(filters: Filters, facts, people: dict[int, YearPeople]) -> None:
    """People with a confirmed registration in each trend year (filters applied), and
    how many of them had none at a published event of an earlier year."""
    zones = list(db.session.execute(sa.select(Event.timezone).distinct()).scalars())
    # When each year began in each zone in use: "earlier" is decided in the event's zone.
    starts = [
        (year, zone, _local_year_start(year, zone))
        for year in filters.trend_years
        for zone in zones
    ] or [(0, "UTC", datetime(1970, 1, 1, tzinfo=UTC))]
    year_start = (
        sa.values(
            sa.column("year", sa.Integer),
            sa.column("zone", sa.String),
            sa.column("starts_at", Event.starts_at.type),
            name="year_start",
        )
        .data(starts)
        .cte("year_start")
    )
    person_years = (
        sa.select(facts.c.user_id, facts.c.year)
        .select_from(facts)
        .where(facts.c.status == RegistrationStatus.confirmed.value, facts.c.user_id.isnot(None))
        .distinct()
        .subquery("person_years")
    )
    earlier = sa.exists(
        sa.select(1)
        .select_from(Registration)
        .join(Event, Event.id == Registration.event_id)
        .join(
            year_start,
            sa.and_(year_start.c.zone == Event.timezone, year_start.c.year == person_years.c.year),
        )
        .where(
            Registration.user_id == person_years.c.user_id,
            Registration.status == RegistrationStatus.confirmed,
            Event.status == EventStatus.published,
            Event.starts_at < year_start.c.starts_at,
        )
    )
    for row in db.session.execute(
        sa.select(
            person_years.c.year,
            sa.func.count().label("people"),
            sa.func.coalesce(sa.func.sum(sa.case((earlier, 0), else_=1)), 0).label("new"),
        ).group_by(person_years.c.year)
    ):
        people[row.year].people = int(row.people)
        people[row.year].new = int(row.new)


@dataclass
class PublicFigures:
    year: int
    member_cities: int
    meetings: int
    participants: int
    cities_represented: int


def public_figures(year: int) -> PublicFigures:
    """The figures the network may publish: numbers only, published public events only
    (year by each event's start in its own zone); participants are confirmed
    registrations."""
    filters = Filters(year, year)
    window = (
        Event.status == EventStatus.published,
        Event.visibility == Visibility.public,
        Event.starts_at >= datetime(year, 1, 1, tzinfo=UTC) - timedelta(days=1),
        Event.starts_at < datetime(year + 1, 1, 1, tzinfo=UTC) + timedelta(days=1),
    )
    events = [
        (row.id, year, 1, True)
        for row in db.session.execute(
            sa.select(Event.id, Event.starts_at, Event.timezone).where(*window)
        )
        if row.starts_at.astimezone(ZoneInfo(row.timezone)).year == year
    ]
    ev = _event_table(events)
    facts = _facts(filters, ev)
    confirmed = facts.c.status == RegistrationStatus.confirmed.value
    row = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(facts.c.n), 0).label("participants"),
            sa.func.count(sa.distinct(facts.c.city_id)).label("cities"),
        )
        .select_from(facts)
        .where(confirmed)
    ).one()
    members = db.session.scalar(sa.select(sa.func.count()).select_from(City).where(City.active))
    return PublicFigures(
        year=year,
        member_cities=members,
        meetings=len(events),
        participants=int(row.participants),
        cities_represented=int(row.cities),
    )
