"""Our VTIMEZONEs say what zoneinfo says, at every transition and every day, 2024–2040,
in the shape Outlook reads: one STANDARD, at most one DAYLIGHT, yearly RRULEs, no RDATEs."""

import bisect
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.rrule import rrulestr

from nscal.feeds.vtimezone import is_supported, vtimezone_bytes
from nscal.timeutil import NORDIC_ZONES

NORDIC = [name for name, _label in NORDIC_ZONES]
YEARS = range(2024, 2041)
MINUTE = timedelta(minutes=1)


def vtimezone_for(zone_name: str) -> icalendar.Timezone:
    """Our VTIMEZONE as a calendar app gets it: serialized, then parsed."""
    return icalendar.Timezone.from_ical(vtimezone_bytes(zone_name))


def zoneinfo_transitions(zone_name: str, years: range) -> list[datetime]:
    """The instants (UTC) at which zoneinfo changes the zone's offset: day by day, then
    minute by minute through the day of a change."""
    zone = ZoneInfo(zone_name)
    found = []
    moment = datetime(years.start, 1, 1, tzinfo=UTC)
    end = datetime(years.stop, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(zone).utcoffset()
    while moment < end:
        after = moment + timedelta(days=1)
        if after.astimezone(zone).utcoffset() != offset:
            minute = moment
            while minute.astimezone(zone).utcoffset() == offset:
                minute += MINUTE
            found.append(minute)
            offset = minute.astimezone(zone).utcoffset()
        moment = after
    return found


class VtimezoneClock:
    """Reads a VTIMEZONE the way a calendar app does: expand each observance's RRULE
    (dateutil) from its DTSTART in local time; the offset at an instant is the
    TZOFFSETTO of the last onset before it."""

    def __init__(self, vtimezone: icalendar.Timezone, years: range):
        onsets = []
        window = (datetime(years.start - 1, 1, 1), datetime(years.stop + 1, 1, 1))  # noqa: DTZ001
        for observance in vtimezone.subcomponents:
            start = observance["DTSTART"].dt
            assert start.tzinfo is None, "an observance's DTSTART is local time"
            offset_from = observance["TZOFFSETFROM"].td
            offset_to = observance["TZOFFSETTO"].td
            if "RRULE" in observance:
                rule = rrulestr(observance["RRULE"].to_ical().decode(), dtstart=start)
                locals_ = rule.between(*window, inc=True)
            else:
                locals_ = [start]
            onsets += [((local - offset_from).replace(tzinfo=UTC), offset_to) for local in locals_]
        onsets.sort()
        self.instants = [instant for instant, _offset in onsets]
        self.offsets = [offset for _instant, offset in onsets]

    def offset_at(self, instant: datetime) -> timedelta:
        index = bisect.bisect_right(self.instants, instant) - 1
        assert index >= 0, f"no observance before {instant}"
        return self.offsets[index]


@pytest.mark.parametrize("zone_name", NORDIC)
def test_the_vtimezone_has_the_shape_outlook_reads(zone_name):
    vtimezone = vtimezone_for(zone_name)
    kinds = [component.name for component in vtimezone.subcomponents]
    assert kinds.count("STANDARD") == 1
    assert kinds.count("DAYLIGHT") <= 1
    assert str(vtimezone["TZID"]) == zone_name
    for observance in vtimezone.subcomponents:
        assert "RDATE" not in observance
        if "RRULE" in observance:
            assert observance["RRULE"]["FREQ"] == ["YEARLY"]
            assert "UNTIL" not in observance["RRULE"] and "COUNT" not in observance["RRULE"]
    text = vtimezone_bytes(zone_name).decode()
    assert "RDATE" not in text


@pytest.mark.parametrize("zone_name", NORDIC)
def test_the_vtimezone_agrees_with_zoneinfo_at_every_transition_2024_to_2040(zone_name):
    zone = ZoneInfo(zone_name)
    clock = VtimezoneClock(vtimezone_for(zone_name), YEARS)
    transitions = zoneinfo_transitions(zone_name, YEARS)
    expected_count = 0 if zone_name == "Atlantic/Reykjavik" else 2 * len(YEARS)
    assert len(transitions) == expected_count
    for transition in transitions:
        for instant in (transition - MINUTE, transition, transition + MINUTE):
            assert clock.offset_at(instant) == instant.astimezone(zone).utcoffset(), (
                f"{zone_name} at {instant:%Y-%m-%d %H:%M}Z"
            )


@pytest.mark.parametrize("zone_name", NORDIC)
def test_the_vtimezone_agrees_with_zoneinfo_at_noon_every_day_2024_to_2040(zone_name):
    zone = ZoneInfo(zone_name)
    clock = VtimezoneClock(vtimezone_for(zone_name), YEARS)
    day = datetime(YEARS.start, 1, 1, 12, tzinfo=UTC)
    while day.year < YEARS.stop:
        assert clock.offset_at(day) == day.astimezone(zone).utcoffset(), f"{zone_name} {day}"
        day += timedelta(days=1)


def test_central_european_time_changes_at_two_on_the_last_sunday_of_march():
    text = vtimezone_bytes("Europe/Copenhagen").decode()
    assert "DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n" in text
    assert "DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n" in text


def test_nuuk_springs_forward_on_the_saturday_before_the_last_sunday():
    """At 23:00 on Saturday night, local time: in 2029 March ends on a Saturday (the
    31st), so that Saturday is the 24th and not the last Saturday of the month."""
    text = vtimezone_bytes("America/Nuuk").decode()
    assert "RRULE:FREQ=YEARLY;BYDAY=SA;BYMONTHDAY=24,25,26,27,28,29,30;BYMONTH=3" in text
    assert "TZOFFSETFROM:-0200\r\nTZOFFSETTO:-0100" in text
    clock = VtimezoneClock(vtimezone_for("America/Nuuk"), range(2029, 2030))
    change = datetime(2029, 3, 25, 1, 0, tzinfo=UTC)  # Saturday 24th, 23:00 at -02
    assert clock.offset_at(change - MINUTE) == timedelta(hours=-2)
    assert clock.offset_at(change) == timedelta(hours=-1)


def test_a_zone_without_daylight_saving_has_one_standard_observance():
    vtimezone = vtimezone_for("Atlantic/Reykjavik")
    (standard,) = vtimezone.subcomponents
    assert standard.name == "STANDARD"
    assert standard["TZOFFSETFROM"].td == standard["TZOFFSETTO"].td == timedelta(0)
    assert "RRULE" not in standard


def test_a_zone_that_dropped_daylight_saving_gets_only_its_current_rule():
    """Mexico City kept summer time until 2022: from 2024 on it is UTC-6 all year."""
    vtimezone = vtimezone_for("America/Mexico_City")
    (standard,) = vtimezone.subcomponents
    assert standard["TZOFFSETTO"].td == timedelta(hours=-6)
    clock = VtimezoneClock(vtimezone, YEARS)
    day = datetime(2024, 1, 1, 12, tzinfo=UTC)
    while day.year < 2041:
        assert clock.offset_at(day) == day.astimezone(ZoneInfo("America/Mexico_City")).utcoffset()
        day += timedelta(days=7)


@pytest.mark.parametrize(
    "zone_name", ["America/New_York", "Australia/Sydney", "America/Santiago", "Europe/Dublin"]
)
def test_other_zones_agree_with_zoneinfo_too(zone_name):
    zone = ZoneInfo(zone_name)
    clock = VtimezoneClock(vtimezone_for(zone_name), YEARS)
    for transition in zoneinfo_transitions(zone_name, YEARS):
        for instant in (transition - MINUTE, transition, transition + MINUTE):
            assert clock.offset_at(instant) == instant.astimezone(zone).utcoffset()


def test_zones_no_yearly_rule_describes_are_written_in_utc_instead():
    assert not is_supported("Africa/Casablanca")  # follows Ramadan, not a weekday rule
    assert not is_supported("UTC")
    assert all(is_supported(name) for name in NORDIC)
