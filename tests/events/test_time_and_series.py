# ruff: noqa: DTZ001 - naive datetimes here are wall-clock times in an event's zone
"""Time is right to the minute in all seven Nordic zones: DST, gaps, folds, series."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from nscal.events.models import EventKind
from nscal.events.services import (
    EventData,
    EventError,
    create_event,
    create_series,
    update_event,
    update_series,
)
from nscal.timeutil import LocalTimeError, local_to_utc

# (zone, winter offset, summer offset, spring gap (wall clock), autumn fold (wall clock))
# 2027: Europe changes on Sunday 28 March and 31 October at 01:00 UTC; Nuuk at the same
# instant, which is Saturday night on its clocks; Iceland never changes.
NORDIC_ZONES = [
    ("Europe/Copenhagen", 1, 2, datetime(2027, 3, 28, 2, 30), datetime(2027, 10, 31, 2, 30)),
    ("Europe/Stockholm", 1, 2, datetime(2027, 3, 28, 2, 30), datetime(2027, 10, 31, 2, 30)),
    ("Europe/Oslo", 1, 2, datetime(2027, 3, 28, 2, 30), datetime(2027, 10, 31, 2, 30)),
    ("Europe/Helsinki", 2, 3, datetime(2027, 3, 28, 3, 30), datetime(2027, 10, 31, 3, 30)),
    ("Atlantic/Faroe", 0, 1, datetime(2027, 3, 28, 1, 30), datetime(2027, 10, 31, 1, 30)),
    ("America/Nuuk", -2, -1, datetime(2027, 3, 27, 23, 30), datetime(2027, 10, 30, 23, 30)),
]
ALL_ZONES = [zone for zone, *_ in NORDIC_ZONES] + ["Atlantic/Reykjavik"]


def meeting(zone, start, end, **fields) -> EventData:
    fields.setdefault("title", "Meeting")
    return EventData(kind=EventKind.city_meeting, timezone=zone, start=start, end=end, **fields)


@pytest.mark.parametrize(
    ("zone", "winter", "summer", "gap", "fold"),
    [*NORDIC_ZONES, ("Atlantic/Reykjavik", 0, 0, None, None)],
)
def test_ten_oclock_is_ten_oclock_in_winter_and_summer(app, zone, winter, summer, gap, fold):
    january, _ = create_event(meeting(zone, datetime(2027, 1, 13, 10), datetime(2027, 1, 13, 11)))
    july, _ = create_event(meeting(zone, datetime(2027, 7, 14, 10), datetime(2027, 7, 14, 11)))
    assert january.starts_at == datetime(2027, 1, 13, 10 - winter, tzinfo=UTC)
    assert july.starts_at == datetime(2027, 7, 14, 10 - summer, tzinfo=UTC)
    assert (january.local_start.hour, july.local_start.hour) == (10, 10)


@pytest.mark.parametrize(("zone", "winter", "summer", "gap", "fold"), NORDIC_ZONES)
def test_the_spring_gap_is_refused_and_named(app, zone, winter, summer, gap, fold):
    end = (
        gap.replace(hour=(gap.hour + 2) % 24)
        if gap.hour < 22
        else gap.replace(day=gap.day + 1, hour=2)
    )
    with pytest.raises(EventError, match=rf"{gap:%Y-%m-%d %H:%M} does not exist in {zone}"):
        create_event(meeting(zone, gap, end))


@pytest.mark.parametrize(("zone", "winter", "summer", "gap", "fold"), NORDIC_ZONES)
def test_the_autumn_fold_takes_the_first_and_says_so(app, zone, winter, summer, gap, fold):
    end = fold.replace(minute=50)
    event, notes = create_event(meeting(zone, fold, end))
    # The first 02:30 (say) is still on summer time.
    assert event.starts_at == fold.replace(tzinfo=UTC) - (
        datetime(2000, 1, 1, summer + 12) - datetime(2000, 1, 1, 12)
    )
    assert any("happens twice" in note and "first" in note for note in notes)


def test_iceland_has_neither_gap_nor_fold(app):
    spring, notes = create_event(
        meeting("Atlantic/Reykjavik", datetime(2027, 3, 28, 2, 30), datetime(2027, 3, 28, 3, 30))
    )
    autumn, more_notes = create_event(
        meeting("Atlantic/Reykjavik", datetime(2027, 10, 31, 1, 30), datetime(2027, 10, 31, 2, 30))
    )
    assert spring.starts_at == datetime(2027, 3, 28, 2, 30, tzinfo=UTC)
    assert autumn.starts_at == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    assert notes == more_notes == []


def test_nuuk_changes_on_saturday_night():
    before = datetime(2027, 3, 27, 22, 59)
    after = datetime(2027, 3, 28, 0, 0)
    with pytest.raises(LocalTimeError, match="jump from 23:00 to 00:00"):
        local_to_utc(datetime(2027, 3, 27, 23, 15), "America/Nuuk")
    assert local_to_utc(before, "America/Nuuk")[0] == datetime(2027, 3, 28, 0, 59, tzinfo=UTC)
    assert local_to_utc(after, "America/Nuuk")[0] == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)


def test_an_event_across_the_change_keeps_its_true_length(app):
    # 00:00–06:00 on the night clocks go forward in Copenhagen lasts five hours.
    event, _ = create_event(
        meeting("Europe/Copenhagen", datetime(2027, 3, 28, 0), datetime(2027, 3, 28, 6))
    )
    assert (event.ends_at - event.starts_at).total_seconds() == 5 * 3600


def test_end_must_follow_start(app):
    with pytest.raises(EventError, match="end must be after the start"):
        create_event(meeting("Europe/Oslo", datetime(2027, 5, 1, 10), datetime(2027, 5, 1, 9)))


def test_unknown_zone_is_refused(app):
    with pytest.raises(EventError, match="Unknown time zone 'Europe/Atlantis'"):
        create_event(meeting("Europe/Atlantis", datetime(2027, 5, 1, 10), datetime(2027, 5, 1, 11)))


def test_all_day_multi_day_event_keeps_its_local_dates(app):
    event, _ = create_event(
        meeting("Europe/Stockholm", date(2027, 3, 29), date(2027, 3, 31), all_day=True)
    )
    assert (event.start_date, event.end_date) == (date(2027, 3, 29), date(2027, 3, 31))
    assert event.starts_at == datetime(2027, 3, 28, 22, 0, tzinfo=UTC)  # midnight CEST
    assert event.ends_at == datetime(2027, 3, 30, 22, 0, tzinfo=UTC)


def test_all_day_end_before_start_is_refused(app):
    with pytest.raises(EventError, match="last day is before the first day"):
        create_event(meeting("Europe/Oslo", date(2027, 3, 30), date(2027, 3, 29), all_day=True))


@pytest.mark.parametrize("zone", ALL_ZONES)
def test_a_monthly_series_stays_at_14_local_through_both_changes(app, zone):
    data = meeting(
        zone,
        datetime(2027, 1, 6, 14),
        datetime(2027, 1, 6, 15),
        rrule="FREQ=MONTHLY;BYDAY=1WE;COUNT=12",
    )
    series, _ = create_series(data)
    starts = [event.starts_at.astimezone(ZoneInfo(zone)) for event in series.occurrences]
    assert len(starts) == 12
    assert {(start.hour, start.minute) for start in starts} == {(14, 0)}
    assert all(start.weekday() == 2 and start.day <= 7 for start in starts)
    offsets = {start.utcoffset() for start in starts}
    assert len(offsets) == (1 if zone == "Atlantic/Reykjavik" else 2)


def test_a_weekly_series_on_the_gap_moves_forward_like_rfc5545(app):
    # Sundays at 02:30 in Copenhagen: on 28 March 2027 that time does not exist.
    data = meeting(
        "Europe/Copenhagen",
        datetime(2027, 3, 21, 2, 30),
        datetime(2027, 3, 21, 3, 0),
        rrule="FREQ=WEEKLY;COUNT=3",
    )
    series, _ = create_series(data)
    gap_day = series.occurrences[1]
    assert gap_day.local_start.strftime("%Y-%m-%d %H:%M %Z") == "2027-03-28 03:30 CEST"


def test_editing_one_occurrence_detaches_it_from_series_edits(app):
    data = meeting(
        "Europe/Helsinki",
        datetime(2027, 1, 6, 14),
        datetime(2027, 1, 6, 15),
        rrule="FREQ=MONTHLY;BYDAY=1WE;COUNT=6",
    )
    series, _ = create_series(data)
    moved = series.occurrences[2]
    update_event(
        moved,
        meeting(
            "Europe/Helsinki", datetime(2027, 3, 4, 9), datetime(2027, 3, 4, 10), title="Moved call"
        ),
    )
    assert moved.detached
    later = meeting(
        "Europe/Helsinki",
        datetime(2027, 1, 6, 15),
        datetime(2027, 1, 6, 16),
        rrule="FREQ=MONTHLY;BYDAY=1WE;COUNT=6",
        title="Prevention call",
    )
    update_series(series, later, now=datetime(2027, 1, 1, tzinfo=UTC))
    hours = [e.local_start.hour for e in series.occurrences]
    assert hours == [15, 15, 9, 15, 15, 15]
    assert moved.title == "Moved call"
    assert series.occurrences[0].sequence == 1  # the time changed


def test_series_edits_leave_past_occurrences_alone(app):
    data = meeting(
        "Europe/Oslo",
        datetime(2027, 1, 6, 14),
        datetime(2027, 1, 6, 15),
        rrule="FREQ=MONTHLY;BYDAY=1WE;COUNT=4",
    )
    series, _ = create_series(data)
    later = meeting(
        "Europe/Oslo",
        datetime(2027, 1, 6, 10),
        datetime(2027, 1, 6, 11),
        rrule="FREQ=MONTHLY;BYDAY=1WE;COUNT=4",
    )
    update_series(series, later, now=datetime(2027, 2, 15, tzinfo=UTC))
    assert [e.local_start.hour for e in series.occurrences] == [14, 14, 10, 10]


def test_a_bad_rule_is_refused(app):
    with pytest.raises(EventError, match="repeat rule"):
        create_series(
            meeting(
                "Europe/Oslo",
                datetime(2027, 1, 6, 14),
                datetime(2027, 1, 6, 15),
                rrule="FREQ=SOMETIMES",
            )
        )


def test_until_in_utc_is_honoured_in_local_time(app):
    data = meeting(
        "Europe/Copenhagen",
        datetime(2027, 1, 6, 14),
        datetime(2027, 1, 6, 15),
        rrule="FREQ=WEEKLY;UNTIL=20270120T130000Z",
    )
    series, _ = create_series(data)
    assert len(series.occurrences) == 3  # 6, 13 and 20 January (20 Jan 14:00 CET = 13:00Z)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL must be 1 or more"),
        ("FREQ=DAILY;BYHOUR=9,10", "time of day from its first start"),
        ("FREQ=HOURLY;COUNT=3", "repeats daily at most"),
    ],
)
def test_rules_that_do_not_make_a_series_of_meetings_are_refused(app, rule, message):
    with pytest.raises(EventError, match=message):
        create_series(
            meeting("Europe/Oslo", datetime(2027, 1, 6, 14), datetime(2027, 1, 6, 15), rrule=rule)
        )


def test_monthly_last_weekday_with_bysetpos_is_a_valid_series(app):
    series, _ = create_series(
        meeting(
            "Europe/Oslo",
            datetime(2027, 1, 29, 14),
            datetime(2027, 1, 29, 15),
            rrule="FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3",
        )
    )
    assert [e.local_start.day for e in series.occurrences] == [29, 26, 31]
