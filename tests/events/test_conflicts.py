"""Conflict detection for the yearly calendar: pure functions over unsaved events."""

from datetime import UTC, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from nscal.cities.models import City, ParticipantRole
from nscal.events.conflicts import (
    _RoleNames,
    find_conflicts,
    format_when,
    participating_zones,
    shared_audience,
    summarise_conflicts,
    zone_label,
)
from nscal.events.models import Event, EventFormat, EventStatus
from nscal.timeutil import NORDIC_ZONES

MEMBER_ZONES = [zone for zone, _label in NORDIC_ZONES]
MAYOR = ParticipantRole(id=1, slug="mayor", name="Mayor")
PRACTITIONER = ParticipantRole(id=2, slug="practitioner", name="Practitioner")
LEADER = ParticipantRole(id=3, slug="leader", name="Leader")
NUUK = City(id=1, name="Nuuk", slug="nuuk", country="Greenland", timezone="America/Nuuk")
AARHUS = City(id=2, name="Aarhus", slug="aarhus", country="Denmark", timezone="Europe/Copenhagen")

_ids = count(1)


def event(
    start: datetime,
    end: datetime,
    *,
    zone: str = "Europe/Copenhagen",
    title: str = "Meeting",
    audience=(),
    format: EventFormat = EventFormat.online,
    host_city: City | None = None,
    status: EventStatus = EventStatus.published,
    all_day: bool = False,
) -> Event:
    """An unsaved event; ``start`` and ``end`` are wall-clock times in ``zone``."""
    tz = ZoneInfo(zone)
    return Event(
        id=next(_ids),
        title=title,
        timezone=zone,
        starts_at=start.replace(tzinfo=tz).astimezone(UTC),
        ends_at=end.replace(tzinfo=tz).astimezone(UTC),
        start_date=start.date() if all_day else None,
        end_date=end.date() if all_day else None,
        all_day=all_day,
        audience=list(audience),
        format=format,
        host_city=host_city,
        status=status,
    )


def wall(*args) -> datetime:
    return datetime(*args)  # noqa: DTZ001 - wall-clock time, placed in a zone by event()


# Without member zones an online event is checked in its own zone only, which keeps
# these overlap cases free of office-hours messages (10:00 CET is 07:00 in Nuuk).


def test_overlap_for_the_same_audience_is_flagged_on_both_events():
    board = event(wall(2027, 1, 13, 10), wall(2027, 1, 13, 11, 30), title="Board", audience=[MAYOR])
    summit = event(
        wall(2027, 1, 13, 11), wall(2027, 1, 13, 12), title="Summit", audience=[MAYOR, LEADER]
    )

    conflicts = find_conflicts([board, summit])

    assert conflicts[board.id] == [
        "Overlaps “Summit” (13 Jan 2027, 11:00–12:00 CET), same audience: Mayor."
    ]
    assert conflicts[summit.id] == [
        "Overlaps “Board” (13 Jan 2027, 10:00–11:30 CET), same audience: Mayor."
    ]


def test_overlap_for_disjoint_audiences_is_fine():
    mayors = event(wall(2027, 1, 13, 10), wall(2027, 1, 13, 12), audience=[MAYOR])
    practitioners = event(wall(2027, 1, 13, 10), wall(2027, 1, 13, 12), audience=[PRACTITIONER])

    assert find_conflicts([mayors, practitioners]) == {
        mayors.id: [],
        practitioners.id: [],
    }


def test_an_event_for_everyone_overlaps_every_audience():
    everyone = event(wall(2027, 1, 13, 10), wall(2027, 1, 13, 12), title="All hands")
    mayors = event(wall(2027, 1, 13, 11), wall(2027, 1, 13, 13), audience=[MAYOR])

    conflicts = find_conflicts([everyone, mayors])

    assert conflicts[mayors.id] == [
        "Overlaps “All hands” (13 Jan 2027, 10:00–12:00 CET), same audience: Mayor."
    ]
    assert shared_audience(everyone, everyone) == "everyone"


def test_a_plans_role_names_are_worded_once_and_reused(app):
    """The plan hands ``shared_audience`` one ``_RoleNames`` for all its overlaps: it is
    filled by the first overlap (even though it starts empty) and read by the next."""
    first = event(wall(2027, 1, 13, 10), wall(2027, 1, 13, 12), audience=[MAYOR, LEADER])
    second = event(wall(2027, 1, 13, 11), wall(2027, 1, 13, 13), audience=[MAYOR])
    names = _RoleNames()

    with app.test_request_context(headers={"Accept-Language": "da"}):
        assert shared_audience(first, second, name=names) == "Borgmester"
        assert names == {MAYOR.id: "Borgmester"}
        names[MAYOR.id] = "worded before"
        assert shared_audience(second, first, name=names) == "worded before"


def test_overlap_is_found_across_zones_by_instant():
    # 10:00 in Helsinki is 09:00 in Copenhagen.
    helsinki = event(wall(2027, 1, 13, 10), wall(2027, 1, 13, 11), zone="Europe/Helsinki")
    copenhagen = event(wall(2027, 1, 13, 9, 30), wall(2027, 1, 13, 10, 30))

    assert find_conflicts([helsinki, copenhagen], MEMBER_ZONES)[helsinki.id]


def test_back_to_back_and_cancelled_events_do_not_conflict():
    first = event(wall(2027, 1, 13, 10), wall(2027, 1, 13, 11))
    second = event(wall(2027, 1, 13, 11), wall(2027, 1, 13, 12))
    cancelled = event(wall(2027, 1, 13, 10), wall(2027, 1, 13, 12), status=EventStatus.cancelled)

    assert all(not messages for messages in find_conflicts([first, second, cancelled]).values())


def test_an_all_day_summit_overlaps_a_meeting_that_day():
    summit = event(wall(2027, 6, 2), wall(2027, 6, 3), all_day=True, title="Summit")
    call = event(wall(2027, 6, 2, 10), wall(2027, 6, 2, 11), title="Call")

    conflicts = find_conflicts([summit, call])

    assert conflicts[call.id] == [
        "Overlaps “Summit” (2 Jun 2027 (all day)), same audience: everyone."
    ]


def test_an_online_morning_meeting_in_copenhagen_is_at_dawn_in_nuuk():
    call = event(wall(2027, 1, 13, 9), wall(2027, 1, 13, 10), title="Morning call")

    assert find_conflicts([call], MEMBER_ZONES)[call.id] == [
        "Outside 08:00–18:00: starts 06:00 in Nuuk."
    ]


def test_an_online_afternoon_meeting_ends_late_in_helsinki():
    call = event(wall(2027, 1, 13, 16), wall(2027, 1, 13, 17, 30))

    assert find_conflicts([call], MEMBER_ZONES)[call.id] == [
        "Outside 08:00–18:00: ends 18:30 in Helsinki."
    ]


def test_zones_reading_the_same_clock_are_named_together():
    call = event(wall(2027, 1, 13, 7), wall(2027, 1, 13, 8), zone="Atlantic/Reykjavik")

    messages = find_conflicts([call], MEMBER_ZONES)[call.id]

    # 07:00 GMT: Nuuk 05:00, Reykjavík and Tórshavn 07:00; Scandinavia and Helsinki are fine.
    assert messages == [
        "Outside 08:00–18:00: starts 05:00 in Nuuk.",
        "Outside 08:00–18:00: starts 07:00 in Reykjavík and Tórshavn.",
    ]


def test_an_in_person_meeting_is_checked_only_in_its_host_city():
    in_nuuk = event(
        wall(2027, 1, 13, 9),
        wall(2027, 1, 13, 10),
        zone="America/Nuuk",
        format=EventFormat.in_person,
        host_city=NUUK,
    )
    evening_in_aarhus = event(
        wall(2027, 1, 13, 17),
        wall(2027, 1, 13, 19),
        format=EventFormat.in_person,
        host_city=AARHUS,
    )

    conflicts = find_conflicts([in_nuuk, evening_in_aarhus], MEMBER_ZONES)

    assert conflicts[in_nuuk.id] == []
    assert conflicts[evening_in_aarhus.id] == ["Outside 08:00–18:00: ends 19:00 in Aarhus."]


def test_a_hybrid_meeting_counts_its_host_city_and_every_member_zone():
    hybrid = event(wall(2027, 1, 13, 10), wall(2027, 1, 13, 11), format=EventFormat.hybrid)
    hybrid.host_city = City(name="Boston", timezone="America/New_York")

    places = [place for _zone, place in participating_zones(hybrid, MEMBER_ZONES)]

    assert places[-1] == "Boston" and "Nuuk" in places and "Helsinki" in places


def test_all_day_events_are_not_checked_for_office_hours():
    summit = event(wall(2027, 6, 2), wall(2027, 6, 4), all_day=True)

    assert find_conflicts([summit], MEMBER_ZONES)[summit.id] == []


def test_summer_time_in_nuuk_changes_the_local_hour():
    # In summer Copenhagen is UTC+2 and Nuuk UTC−1: 10:00 in Copenhagen is 07:00 in Nuuk.
    call = event(wall(2027, 6, 9, 10), wall(2027, 6, 9, 11))

    assert find_conflicts([call], MEMBER_ZONES)[call.id] == [
        "Outside 08:00–18:00: starts 07:00 in Nuuk."
    ]


@pytest.mark.parametrize(
    ("start", "end", "zone", "all_day", "expected"),
    [
        (wall(2027, 1, 13, 10), wall(2027, 1, 13, 11, 30), "Europe/Copenhagen", False,
         "13 Jan 2027, 10:00–11:30 CET"),
        (wall(2027, 6, 9, 14), wall(2027, 6, 9, 15), "Europe/Helsinki", False,
         "9 Jun 2027, 14:00–15:00 EEST"),
        (wall(2027, 10, 31, 1), wall(2027, 10, 31, 4), "Europe/Copenhagen", False,
         "31 Oct 2027, 01:00 CEST–04:00 CET"),
        (wall(2027, 1, 13, 18), wall(2027, 1, 14, 9), "Europe/Oslo", False,
         "13 Jan 2027, 18:00 CET – 14 Jan 2027, 09:00 CET"),
        (wall(2027, 6, 2), wall(2027, 6, 3), "Europe/Stockholm", True, "2 Jun 2027 (all day)"),
        (wall(2027, 6, 2), wall(2027, 6, 5), "Europe/Stockholm", True,
         "2–4 Jun 2027 (all day)"),
        (wall(2027, 6, 29), wall(2027, 7, 2), "Europe/Stockholm", True,
         "29 Jun – 1 Jul 2027 (all day)"),
    ],
)  # fmt: skip
def test_times_read_in_the_events_own_zone(start, end, zone, all_day, expected):
    assert format_when(event(start, end, zone=zone, all_day=all_day)) == expected


def test_zone_labels_name_places():
    assert zone_label("America/Nuuk") == "Nuuk"
    assert zone_label("Atlantic/Faroe") == "Tórshavn"
    assert zone_label("America/New_York") == "New York"


def test_the_sweep_finds_the_overlaps_comparing_every_pair_finds():
    import random

    rng = random.Random(11)  # within office hours: only overlaps to find
    audiences = [(), (MAYOR,), (PRACTITIONER,), (MAYOR, LEADER), (LEADER, PRACTITIONER)]
    events = []
    for _ in range(120):
        start = wall(2027, 3, 1 + rng.randrange(5), rng.randrange(8, 14), rng.choice((0, 30)))
        minutes = rng.choice((0, 30, 60, 90, 240))
        status = EventStatus.cancelled if rng.random() < 0.1 else EventStatus.published
        events.append(
            event(start, start + timedelta(minutes=minutes), title=f"Meeting {len(events)}",
                  audience=rng.choice(audiences), status=status)
        )  # fmt: skip

    def every_pair() -> dict[int, list[str]]:
        expected = {each.id: [] for each in events}
        ordered = sorted(
            (each for each in events if each.status != EventStatus.cancelled),
            key=lambda each: (each.starts_at, each.ends_at),
        )
        for index, first in enumerate(ordered):
            for second in ordered[index + 1 :]:
                shared = shared_audience(first, second)
                if second.starts_at < first.ends_at and shared is not None:
                    for one, other in ((first, second), (second, first)):
                        expected[one.id].append(
                            f"Overlaps “{other.title}” ({format_when(other)}), "
                            f"same audience: {shared}."
                        )
        return expected

    found = find_conflicts(events)

    assert found == every_pair()
    assert sum(len(messages) for messages in found.values()) > 100


def test_a_crowded_hour_names_three_overlaps_per_event_and_counts_the_rest():
    crowd = [
        event(wall(2027, 5, 5, 10), wall(2027, 5, 5, 11), title=f"Meeting {n}", audience=[MAYOR])
        for n in range(40)
    ]

    summaries = summarise_conflicts(crowd)

    for one in crowd:
        summary = summaries[one.id]
        assert len(summary.overlaps) == 3
        assert summary.more_overlaps == 36
        assert summary.count == 39
    assert summaries[crowd[0].id].overlaps[0].startswith("Overlaps “Meeting 1” ")
    assert summaries[crowd[-1].id].overlaps[0].startswith("Overlaps “Meeting 0” ")


# --- several days, and the cities affected ------------------------------------------------

MALMO = City(id=3, name="Malmö", slug="malmo", country="Sweden", timezone="Europe/Stockholm")
MEMBER_CITIES = {
    "Atlantic/Reykjavik": ["Reykjavík"],
    "America/Nuuk": ["Nuuk"],
    "Europe/Stockholm": ["Stockholm", "Malmö"],
    "Europe/Helsinki": ["Helsinki"],
}


def in_malmo(start: datetime, end: datetime) -> Event:
    return event(start, end, zone="Europe/Stockholm", format=EventFormat.in_person, host_city=MALMO)


def test_a_two_day_meeting_in_malmo_within_office_hours_each_day_is_fine():
    meeting = in_malmo(wall(2027, 3, 29, 9), wall(2027, 3, 30, 15))

    assert find_conflicts([meeting], MEMBER_ZONES)[meeting.id] == []


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (wall(2027, 3, 29, 7), wall(2027, 3, 30, 19), "runs 07:00–19:00 the next day in Malmö"),
        (wall(2027, 3, 29, 7), wall(2027, 3, 29, 19), "runs 07:00–19:00 in Malmö"),
        (wall(2027, 3, 29, 9), wall(2027, 3, 31, 20), "ends 20:00 on 31 Mar in Malmö"),
        (wall(2027, 3, 29, 22), wall(2027, 3, 30, 1), "runs 22:00–01:00 the next day in Malmö"),
        (wall(2027, 3, 29, 9), wall(2027, 3, 30, 0), "ends 00:00 the next day in Malmö"),
    ],
)
def test_each_day_of_a_meeting_is_held_to_office_hours(start, end, expected):
    meeting = in_malmo(start, end)

    assert find_conflicts([meeting], MEMBER_ZONES)[meeting.id] == [
        f"Outside 08:00–18:00: {expected}."
    ]


def test_conflicts_name_the_member_cities_affected():
    # 07:30 in Copenhagen in January: 06:30 in Reykjavík, 04:30 in Nuuk; 09:00 in Helsinki.
    early = event(wall(2027, 1, 13, 7, 30), wall(2027, 1, 13, 9))

    assert find_conflicts([early], MEMBER_CITIES)[early.id] == [
        "Outside 08:00–18:00: starts 04:30 in Nuuk.",
        "Outside 08:00–18:00: starts 06:30 in Reykjavík.",
        "Outside 08:00–18:00: starts 07:30 in Stockholm and Malmö.",
    ]


def test_an_accepted_conflict_stops_counting_as_a_warning():
    first = event(wall(2027, 3, 10, 12), wall(2027, 3, 10, 13))
    second = event(wall(2027, 3, 10, 12), wall(2027, 3, 10, 13))
    summary = summarise_conflicts([first, second])[first.id]
    assert (summary.warnings, [c.key for c in summary.conflicts]) == (1, [f"overlap:{second.id}"])

    summary.accepted.add(f"overlap:{second.id}")

    assert summary.warnings == 0
    assert summary.conflicts[0].accepted
    assert bool(summary)  # still a conflict, shown as accepted
