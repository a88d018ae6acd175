"""How times, dates and text of events read: pure functions of nscal.events.display."""

from datetime import UTC, date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from nscal.events.display import (
    display_zone,
    event_days,
    events_by_day,
    format_date_range,
    format_day_time,
    format_event_time,
    listed_days,
    paragraphs,
    viewer_zone,
    zone_place,
)
from nscal.events.models import Event


def timed(zone: str, start: datetime, end: datetime, **fields) -> Event:
    """An unsaved timed event; ``start`` and ``end`` are wall-clock times in ``zone``."""
    tz = ZoneInfo(zone)
    return Event(
        title=fields.pop("title", "Meeting"),
        timezone=zone,
        starts_at=start.replace(tzinfo=tz).astimezone(UTC),
        ends_at=end.replace(tzinfo=tz).astimezone(UTC),
        all_day=False,
        **fields,
    )


def all_day(zone: str, first: date, end_exclusive: date) -> Event:
    tz = ZoneInfo(zone)
    return Event(
        title="Summit",
        timezone=zone,
        all_day=True,
        start_date=first,
        end_date=end_exclusive,
        starts_at=datetime.combine(first, datetime.min.time(), tz).astimezone(UTC),
        ends_at=datetime.combine(end_exclusive, datetime.min.time(), tz).astimezone(UTC),
    )


def wall(*args) -> datetime:
    return datetime(*args)  # noqa: DTZ001 - wall-clock time, given a zone by the caller


COPENHAGEN_JANUARY = ("Europe/Copenhagen", wall(2027, 1, 13, 10), wall(2027, 1, 13, 11, 30))
COPENHAGEN_JULY = ("Europe/Copenhagen", wall(2027, 7, 14, 10), wall(2027, 7, 14, 11, 30))


def person(zone=None, city_zone=None, coordinator=False):
    city = SimpleNamespace(timezone=city_zone) if city_zone else None
    return SimpleNamespace(
        is_authenticated=True,
        is_coordinator=coordinator,
        display_timezone=zone or (city.timezone if city else None),
    )


ANONYMOUS = SimpleNamespace(is_authenticated=False)


# --- times in the viewer's zone, the event's own beside them ---------------------------


def test_a_copenhagen_meeting_reads_an_hour_later_in_helsinki():
    when = format_event_time(timed(*COPENHAGEN_JANUARY), "Europe/Helsinki")
    assert when.primary_text == "Wednesday 13 January 2027, 11:00–12:30 EET"
    assert when.secondary_text == "10:00–11:30 CET in Copenhagen"
    assert when.text == (
        "Wednesday 13 January 2027, 11:00–12:30 EET · 10:00–11:30 CET in Copenhagen"
    )


def test_a_copenhagen_meeting_reads_three_hours_earlier_in_nuuk():
    when = format_event_time(timed(*COPENHAGEN_JANUARY), "America/Nuuk")
    assert when.primary_text == "Wednesday 13 January 2027, 07:00–08:30 UTC−2 (Nuuk)"
    assert when.secondary_text == "10:00–11:30 CET in Copenhagen"


@pytest.mark.parametrize(
    ("event", "zone", "primary", "secondary"),
    [
        (COPENHAGEN_JANUARY, "Europe/Helsinki", "11:00–12:30 EET", "10:00–11:30 CET"),
        (COPENHAGEN_JULY, "Europe/Helsinki", "11:00–12:30 EEST", "10:00–11:30 CEST"),
        (COPENHAGEN_JULY, "Atlantic/Reykjavik", "08:00–09:30 GMT", "10:00–11:30 CEST"),
        (COPENHAGEN_JANUARY, "Atlantic/Reykjavik", "09:00–10:30 GMT", "10:00–11:30 CET"),
        (COPENHAGEN_JULY, "America/Nuuk", "07:00–08:30 UTC−1 (Nuuk)", "10:00–11:30 CEST"),
    ],
)
def test_summer_and_winter_abbreviations(event, zone, primary, secondary):
    when = format_event_time(timed(*event), zone)
    assert when.primary_text.endswith(primary)
    assert when.secondary_text.startswith(secondary)


def test_no_second_time_when_the_clocks_read_the_same():
    # Stockholm and Copenhagen share CET: saying it twice helps no one.
    when = format_event_time(timed(*COPENHAGEN_JANUARY), "Europe/Stockholm")
    assert when.secondary == ()
    assert format_event_time(timed(*COPENHAGEN_JANUARY)).text == (
        "Wednesday 13 January 2027, 10:00–11:30 CET"
    )


def test_the_event_zone_is_named_with_its_date_when_the_day_differs():
    # 00:30 in Helsinki is still the evening before in Copenhagen.
    event = timed("Europe/Helsinki", wall(2027, 1, 14, 0, 30), wall(2027, 1, 14, 1))
    when = format_event_time(event, "Europe/Copenhagen")
    assert when.primary_text == "Wednesday 13 January 2027, 23:30–00:00 CET"
    assert when.secondary_text == "Thursday 14 January 2027, 00:30–01:00 EET in Helsinki"


def test_a_meeting_across_midnight_names_both_days():
    event = timed("Europe/Helsinki", wall(2027, 1, 14, 0, 30), wall(2027, 1, 14, 1, 30))
    assert format_event_time(event, "Europe/Copenhagen").primary_text == (
        "Wednesday 13 January 2027, 23:30 CET – Thursday 14 January 2027, 00:30 CET"
    )


def test_a_meeting_across_the_spring_change_shows_both_abbreviations():
    event = timed("Europe/Oslo", wall(2027, 3, 28, 1, 0), wall(2027, 3, 28, 4, 0))
    assert format_event_time(event).primary_text == "Sunday 28 March 2027, 01:00 CET–04:00 CEST"


def test_a_timed_event_over_several_days_names_both_days():
    event = timed("Europe/Oslo", wall(2027, 5, 3, 9), wall(2027, 5, 5, 16))
    assert format_event_time(event).primary_text == (
        "Monday 3 May 2027, 09:00 CEST – Wednesday 5 May 2027, 16:00 CEST"
    )


def test_times_carry_iso_instants_with_their_offset():
    when = format_event_time(timed(*COPENHAGEN_JANUARY), "Europe/Helsinki")
    instants = [piece.iso for piece in when.primary if piece.iso]
    assert instants == ["2027-01-13T11:00:00+02:00", "2027-01-13T12:30:00+02:00"]
    own = [piece.iso for piece in when.secondary if piece.iso]
    assert own == ["2027-01-13T10:00:00+01:00", "2027-01-13T11:30:00+01:00"]


# --- all-day events: dates, never shifted -----------------------------------------------


@pytest.mark.parametrize(
    ("first", "end", "text"),
    [
        (date(2027, 3, 29), date(2027, 3, 31), "29–30 March 2027"),
        (date(2027, 3, 29), date(2027, 3, 30), "Monday 29 March 2027"),
        (date(2027, 3, 30), date(2027, 4, 3), "30 March – 2 April 2027"),
        (date(2027, 12, 30), date(2028, 1, 2), "30 December 2027 – 1 January 2028"),
        (date(2027, 3, 29), date(2027, 3, 29), "Monday 29 March 2027"),
    ],
)
def test_date_ranges_read_inclusive(first, end, text):
    assert format_date_range(first, end) == text


@pytest.mark.parametrize("zone", [None, "Europe/Helsinki", "America/Nuuk", "Pacific/Auckland"])
def test_all_day_events_show_the_same_dates_in_every_zone(zone):
    when = format_event_time(
        all_day("Europe/Copenhagen", date(2027, 3, 29), date(2027, 3, 31)), zone
    )
    assert when.all_day
    assert when.text == "29–30 March 2027"
    assert when.primary[0].iso == "2027-03-29"


def test_an_all_day_event_covers_each_of_its_days_in_any_zone():
    summit = all_day("Europe/Helsinki", date(2027, 3, 29), date(2027, 3, 31))
    for zone in (None, "America/Nuuk", "Europe/Helsinki"):
        assert event_days(summit, zone) == [date(2027, 3, 29), date(2027, 3, 30)]


def test_a_late_meeting_falls_on_the_next_day_for_helsinki():
    event = timed("Europe/Copenhagen", wall(2027, 1, 13, 23, 30), wall(2027, 1, 14, 0, 30))
    assert event_days(event) == [date(2027, 1, 13), date(2027, 1, 14)]
    assert event_days(event, "Europe/Helsinki") == [date(2027, 1, 14)]
    assert event_days(event, "America/Nuuk") == [date(2027, 1, 13)]


def test_an_event_ending_at_midnight_does_not_spill_into_the_next_day():
    event = timed("Europe/Oslo", wall(2027, 1, 13, 20), wall(2027, 1, 14, 0))
    assert event_days(event) == [date(2027, 1, 13)]
    assert format_day_time(event, date(2027, 1, 13), "Europe/Oslo") == "20:00–00:00"


def test_day_times_in_a_month_grid():
    event = timed("Europe/Oslo", wall(2027, 5, 3, 9), wall(2027, 5, 5, 16))
    assert format_day_time(event, date(2027, 5, 3), "Europe/Oslo") == "from 09:00"
    assert format_day_time(event, date(2027, 5, 4), "Europe/Oslo") == "all day"
    assert format_day_time(event, date(2027, 5, 5), "Europe/Oslo") == "until 16:00"
    assert format_day_time(event, date(2027, 5, 3), "Europe/Helsinki") == "from 10:00"
    # Read in each event's own zone, the abbreviation says which.
    assert format_day_time(event, date(2027, 5, 3)) == "from 09:00 CEST"
    summit = all_day("Europe/Oslo", date(2027, 5, 3), date(2027, 5, 5))
    assert format_day_time(summit, date(2027, 5, 4), "America/Nuuk") == "all day"


def test_events_by_day_lists_a_multi_day_event_on_every_day_it_covers():
    summit = all_day("Europe/Oslo", date(2027, 1, 30), date(2027, 2, 3))
    call = timed("Europe/Oslo", wall(2027, 1, 31, 9), wall(2027, 1, 31, 10))
    days = events_by_day([call, summit], "Europe/Oslo", date(2027, 1, 1), date(2027, 1, 31))
    assert list(days) == [date(2027, 1, 30), date(2027, 1, 31)]
    assert days[date(2027, 1, 31)] == [summit, call]  # all-day first


def test_the_year_lists_an_event_once_in_each_month_it_touches():
    # A summit from 30 January to 2 February (its end, 3 February, is exclusive).
    assert listed_days(date(2027, 1, 30), date(2027, 2, 2), 2027) == [
        date(2027, 1, 30),
        date(2027, 2, 1),
    ]
    assert listed_days(date(2026, 12, 30), date(2027, 1, 2), 2027) == [date(2027, 1, 1)]
    assert listed_days(date(2027, 3, 5), date(2027, 3, 6), 2027) == [date(2027, 3, 5)]


# --- whose clock -----------------------------------------------------------------------


def test_the_viewer_zone_is_the_account_then_the_picked_zone_then_the_event_zone():
    event = timed(*COPENHAGEN_JANUARY)
    assert viewer_zone(person("America/Nuuk"), "Europe/Oslo", event) == "America/Nuuk"
    assert viewer_zone(person(city_zone="Europe/Helsinki"), None, event) == "Europe/Helsinki"
    assert viewer_zone(ANONYMOUS, "Europe/Oslo", event) == "Europe/Oslo"
    assert viewer_zone(None, "Europe/Oslo", event) == "Europe/Oslo"
    assert viewer_zone(ANONYMOUS, None, event) == "Europe/Copenhagen"
    assert viewer_zone(ANONYMOUS, "Mars/Olympus_Mons", event) == "Europe/Copenhagen"
    assert viewer_zone(person(), None, event) == "Europe/Copenhagen"


def test_display_zone_says_where_the_zone_comes_from():
    assert display_zone(person("Europe/Oslo"), "America/Nuuk") == ("Europe/Oslo", "account")
    assert display_zone(None, "America/Nuuk") == ("America/Nuuk", "picked")
    assert display_zone(None, None) == (None, None)


def test_zone_places():
    assert zone_place("Europe/Copenhagen") == "Copenhagen"
    assert zone_place("Atlantic/Faroe") == "Tórshavn"
    assert zone_place("America/New_York") == "New York"


def test_descriptions_are_escaped_and_keep_their_line_breaks():
    html = paragraphs("Agenda:\n1. <b>Welcome</b>\n2. Talks\n\nBring & share.")
    assert str(html) == (
        "<p>Agenda:<br>\n1. &lt;b&gt;Welcome&lt;/b&gt;<br>\n2. Talks</p>\n<p>Bring &amp; share.</p>"
    )
    assert str(paragraphs("")) == ""
