"""The plan's fast paths give the answers of the slow ones.

The coordinators' plan counts each event's overlaps with bisections over sorted starts
and ends (no pair enumerated) and finds only the first few partners; the year page
words each event's time with the clocks and abbreviations looked up once a page. Here
both are held to the obvious way on random years: every pair compared, every time
worded by ``format_day_time``.
"""

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from nscal.cities.models import City, ParticipantRole
from nscal.events.conflicts import (
    office_hours_messages,
    participating_zones,
    plan_conflicts,
    summarise_conflicts,
)
from nscal.events.display import DayTimes, event_days
from nscal.events.models import Event, EventFormat, EventStatus
from nscal.i18n import LANGUAGES, in_language
from nscal.timedisplay import format_day_time

ROLES = [ParticipantRole(id=n, slug=f"role-{n}", name=f"Role {n}") for n in range(1, 7)]
CITIES = [
    City(id=1, name="Nuuk", slug="nuuk", country="Greenland", timezone="America/Nuuk"),
    City(id=2, name="Malmö", slug="malmo", country="Sweden", timezone="Europe/Stockholm"),
    City(id=3, name="Helsinki", slug="helsinki", country="Finland", timezone="Europe/Helsinki"),
]
MEMBER_ZONES = {city.timezone: [city.name] for city in CITIES}


def random_year(seed: int, count: int) -> list[Event]:
    """``count`` events in a few busy weeks of 2027: short and long, some sharing a
    start, for nobody in particular or for up to six roles, some cancelled."""
    rng = random.Random(seed)
    first = datetime(2027, 3, 1, tzinfo=UTC)
    events = []
    for n in range(count):
        if events and rng.random() < 0.1:
            start = rng.choice(events).starts_at  # the same start as another
        else:
            start = first + timedelta(minutes=15 * rng.randrange(4 * 24 * 21))
        length = timedelta(minutes=15 * rng.choice((1, 2, 4, 6, 8, 40, 96, 300, 3000)))
        city = rng.choice([*CITIES, None])
        events.append(
            Event(
                id=n + 1,
                title=f"Event {n}",
                timezone=city.timezone if city else "Europe/Oslo",
                starts_at=start,
                ends_at=start + length,
                all_day=False,
                audience=rng.sample(ROLES, rng.choice((0, 0, 1, 1, 2, 3, 5, 6))),
                format=rng.choice(list(EventFormat)),
                host_city=city,
                status=rng.choice(
                    (EventStatus.published, EventStatus.draft, EventStatus.cancelled)
                ),
            )
        )
    return events


def partners_by_comparing_every_pair(events: list[Event]) -> dict[int, list[int]]:
    """Each event's overlapping partners for the same audience, in order of start."""
    active = sorted(
        (event for event in events if event.status is not EventStatus.cancelled),
        key=lambda event: (event.starts_at, event.ends_at),
    )
    found: dict[int, list[int]] = {event.id: [] for event in active}
    for one in active:
        for other in active:
            if other is one:
                continue
            in_time = one.starts_at < other.ends_at and other.starts_at < one.ends_at
            roles = {role.id for role in one.audience}
            others = {role.id for role in other.audience}
            for_both = not roles or not others or roles & others
            if in_time and for_both:
                found[one.id].append(other.id)
    return found


@pytest.mark.parametrize("seed", range(6))
def test_the_plans_counts_and_named_overlaps_are_those_of_every_pair(app, seed):
    events = random_year(seed, 300)
    expected = partners_by_comparing_every_pair(events)
    assert sum(map(len, expected.values())) > 300  # a busy year: many overlaps

    with app.test_request_context():
        plan = plan_conflicts(events, MEMBER_ZONES, worded=[event.id for event in events])

        for event in events:
            summary = plan.summaries[event.id]
            if event.status is EventStatus.cancelled:
                assert not summary and not plan.has_warnings(event)
                continue
            partners = expected[event.id]
            assert plan.counts[event.id] == len(partners)
            assert summary.overlap_ids == partners[:3]
            assert summary.more_overlaps == len(partners) - len(partners[:3])
            outside = office_hours_messages(event, participating_zones(event, MEMBER_ZONES))
            assert summary.outside_hours == outside
            assert plan.has_warnings(event) == bool(partners or outside)


def test_a_year_counted_without_words_counts_the_same(app):
    events = random_year(7, 400)
    expected = partners_by_comparing_every_pair(events)
    shown = {event.id for event in events[:40]}

    with app.test_request_context():
        plan = plan_conflicts(events, MEMBER_ZONES, worded=shown)
        every = summarise_conflicts(events, MEMBER_ZONES, named=None)

        assert set(plan.summaries) == shown  # no summary for the events only counted
        for event in events:
            if event.status is EventStatus.cancelled:
                continue
            assert plan.counts[event.id] == len(expected[event.id])
            assert every[event.id].overlap_ids == expected[event.id]
            assert plan.has_warnings(event) == bool(every[event.id].warnings)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("zone", [None, "Europe/Helsinki", "America/Nuuk"])
def test_the_year_pages_times_read_as_the_formatter_words_them(app, language, zone):
    events = random_year(11, 200)
    for event in events[::7]:  # some all day, and some crossing midnight
        event.all_day = True
        event.start_date = event.starts_at.date()
        event.end_date = event.start_date + timedelta(days=1)

    with app.test_request_context(), in_language(language):
        times = DayTimes(zone)
        for event in events:
            for day in event_days(event, zone) + [date(2027, 12, 31)]:
                assert times(event, day) == format_day_time(event, day, zone)


@pytest.mark.parametrize("seed", range(4))
def test_whether_an_event_overlaps_is_asked_as_every_pair_answers(app, seed):
    # The plan asks each event only whether it overlaps (one role's index at a time),
    # and counts only the events it summarises: both as every pair compared.
    events = random_year(seed + 20, 300)
    expected = partners_by_comparing_every_pair(events)

    with app.test_request_context():
        plan = plan_conflicts(events, MEMBER_ZONES)
        overlapping = plan.overlaps.overlapping()
        for event in events:
            if event.status is EventStatus.cancelled:
                continue
            me = plan.overlaps.position(plan.rows.index(event.id))
            assert overlapping[me] == bool(expected[event.id])
            assert plan.overlaps.count(me) == len(expected[event.id])


@pytest.mark.parametrize(
    "zone", ["Europe/Oslo", "America/Nuuk", "Atlantic/Reykjavik", "Pacific/Kiritimati"]
)
def test_a_plans_months_are_those_of_the_wall_clock(zone):
    # Months by bisection over the zone's month starts, exact near them too (where
    # the clock decides), for every quarter hour around each month's start.
    from nscal.events.plan import _EPOCH, _timed_month

    local = ZoneInfo(zone)
    for month in range(1, 14):
        first = datetime(2027 + month // 13, month % 13 or 1, 1, tzinfo=local)
        for quarter in range(-4 * 24 * 3, 4 * 24 * 3):
            moment = (first + timedelta(minutes=15 * quarter)).astimezone(UTC)
            micros = (moment - _EPOCH) // timedelta(microseconds=1)
            wall = moment.astimezone(local)
            expected = wall.month if wall.year == 2027 else (0 if wall.year < 2027 else 13)
            assert _timed_month(micros, zone, 2027) == expected


def test_a_plans_months_by_bisection_are_those_of_the_wall_clock():
    # ``_months`` (one bisection per event over its zone's bands) against the wall
    # clock, for every quarter hour within three days of every month start.
    from nscal.events.plan import _EPOCH, _months

    zones = ["Europe/Oslo", "America/Nuuk", "Atlantic/Reykjavik", "Pacific/Kiritimati"]
    starts, event_zones, expected = [], [], []
    for zone in zones:
        local = ZoneInfo(zone)
        for month in range(1, 14):
            first = datetime(2027 + month // 13, month % 13 or 1, 1, tzinfo=local)
            for quarter in range(-4 * 24 * 3, 4 * 24 * 3, 7):
                moment = (first + timedelta(minutes=15 * quarter)).astimezone(UTC)
                wall = moment.astimezone(local)
                starts.append((moment - _EPOCH) // timedelta(microseconds=1))
                event_zones.append(zone)
                expected.append(
                    wall.month if wall.year == 2027 else (0 if wall.year < 2027 else 13)
                )
    days = [""] * len(starts)
    assert _months(2027, starts, event_zones, days) == expected


def test_a_year_plan_reads_what_the_events_say(app, network, make_event, monkeypatch):
    # The aggregated columns, split apart, against the events read as events: order,
    # months, drafts, audiences and every attribute of an entry, at the year's edges
    # in far zones too, titles with the separators in them.
    from nscal.events.plan import year_plan
    from nscal.events.services import events_in_year

    wall = datetime  # wall-clock times in each event's zone
    made = [
        ("Kiritimati's new year", wall(2027, 1, 1, 0, 30), "Pacific/Kiritimati", {}),
        ("Pago Pago's old year", wall(2026, 12, 31, 23, 0), "Pacific/Pago_Pago", {}),
        ("Pago Pago's new year", wall(2027, 1, 1, 0, 15), "Pacific/Pago_Pago", {}),
        ('Commas, "quotes"; semi\u2028colons', wall(2027, 3, 31, 23, 30), "Europe/Oslo", {}),
        ("Nuuk, last of the year", wall(2027, 12, 31, 23, 0), "America/Nuuk", {}),
        ("Kiritimati, next year", wall(2028, 1, 1, 0, 30), "Pacific/Kiritimati", {}),
        ("Same start A", wall(2027, 6, 1, 12), "Europe/Helsinki", {"audience": ("mayor",)}),
        ("Same start B", wall(2027, 6, 1, 12), "Europe/Helsinki", {"host_city": "helsinki"}),
        (
            "A draft",
            wall(2027, 7, 1, 9),
            "Europe/Copenhagen",
            {"status": EventStatus.draft, "audience": ("mayor", "leader")},
        ),
        ("Cancelled", wall(2027, 8, 1, 9), "Europe/Oslo", {"status": EventStatus.cancelled}),
        ("Edge draft", wall(2026, 12, 31, 22), "Pacific/Pago_Pago", {"status": EventStatus.draft}),
    ]
    for title, start, zone, fields in made:
        make_event(title, start=start, end=start + timedelta(hours=1), timezone=zone, **fields)
    make_event(
        "All day in May",
        start=date(2027, 5, 31),
        end=date(2027, 6, 2),
        all_day=True,
        timezone="Atlantic/Reykjavik",
        status=EventStatus.draft,
    )

    with app.test_request_context():
        events = events_in_year(2027)
        plan = year_plan(2027)
        assert plan.ids == [event.id for event in events]
        assert plan.drafts == sum(event.status is EventStatus.draft for event in events)
        for i, event in enumerate(events):
            entry = plan.entry(i)
            day = event.start_date if event.all_day else event.local_start
            assert plan.months[i] == entry.month == day.month
            assert bool(plan.cancelled[i]) == (event.status is EventStatus.cancelled)
            assert plan.keys[i] == {role.id for role in event.audience}
            for name in ("id", "title", "timezone", "starts_at", "ends_at", "all_day"):
                assert getattr(entry, name) == getattr(event, name), name
            for name in ("start_date", "end_date", "status", "format", "host_city_id"):
                assert getattr(entry, name) == getattr(event, name), name
            assert entry.host_city == event.host_city
            assert [role.id for role in entry.audience] == [role.id for role in event.audience]
        assert "Kiritimati, next year" not in [event.title for event in events]
        assert "Pago Pago's old year" not in [event.title for event in events]

        # Were the aggregates out of order, the rows would be sorted again.
        monkeypatch.setattr("nscal.events.plan._in_order", lambda starts, ids: False)
        again = year_plan(2027)
        assert (again.ids, again.months, again.keys) == (plan.ids, plan.months, plan.keys)
        assert [again.entry(i) for i in range(len(again))] == [
            plan.entry(i) for i in range(len(plan))
        ]


def test_rows_out_of_order_are_seen_as_such():
    # What ``_read_year`` checks before trusting the aggregates' order.
    from nscal.events.plan import _in_order

    assert _in_order([1, 2, 2, 3], [9, 4, 5, 1])
    assert _in_order([], [])
    assert not _in_order([1, 3, 2], [1, 2, 3])
    assert not _in_order([1, 2, 2], [1, 5, 4])
    assert not _in_order([2, 2], [3, 3])
