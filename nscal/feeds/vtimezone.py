"""VTIMEZONE components derived from the tz database, in the shape Outlook reads.

One STANDARD and at most one DAYLIGHT sub-component, each with a yearly RRULE and no
RDATE lists (Outlook keeps only the first rule of each kind; the ``icalendar``
library's own VTIMEZONEs list RDATEs that end in 2038). The rules are not written by
hand: the transitions of a few recent years are found by scanning ``zoneinfo``
offsets, and the yearly rule they follow is inferred and checked against every one
of them. Only the current rule is described: older history is left out, which is
right for every event from ``SAMPLE_YEARS`` on.
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import icalendar

# The years whose transitions define a zone's current rule: 28 years, so that every
# month starts on every weekday in them and no two rules can both fit (the Saturday
# before the last Sunday is the last Saturday in most years, not in all). After 2037
# zoneinfo follows the tz database's rule for the future (the TZif footer), so these
# years describe the rule in force now. The tests check the rule against zoneinfo at
# every transition from 2024 to 2040.
SAMPLE_YEARS = range(2025, 2053)

# Zones whose instants are written in UTC ("...Z") and need no VTIMEZONE.
UTC_ZONES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "Universal"})

_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Offsets are sampled this often and each change is then bisected to the second: no
# zone changes its offset twice within a week (DST lasts months, and even Morocco's
# Ramadan pause weeks), and a week keeps the scan of 28 years to some 1,500 samples,
# a few milliseconds for the first feed a worker serves.
_SCAN_STEP = timedelta(days=7)
# A component's DTSTART is the first onset in this year, by the usual convention.
_EPOCH_YEAR = 1970


class UnsupportedZone(ValueError):
    """The zone's current rules cannot be written as one STANDARD and one DAYLIGHT rule."""


@dataclass(frozen=True)
class Transition:
    """One change of a zone's UTC offset."""

    at: datetime  # the instant, UTC
    offset_from: timedelta
    offset_to: timedelta
    name: str  # the abbreviation in force after it (CEST, -01 …)

    @property
    def local_before(self) -> datetime:
        """The wall-clock time at which it happens, read on the clock before the change
        (naive: a time on that clock), as RFC 5545 writes a component's DTSTART."""
        return (self.at + self.offset_from).replace(tzinfo=None)


@dataclass(frozen=True)
class YearlyRule:
    """When a transition happens each year: the month, weekday and which of them."""

    month: int
    weekday: int  # 0 = Monday
    ordinal: int | None  # 1..4 or -1 (last); None when ``month_days`` says which
    month_days: tuple[int, ...] = ()  # the weekday that falls on one of these days
    clock: tuple[int, int, int] = (0, 0, 0)  # hour, minute, second on the clock before

    def rrule(self) -> dict:
        rule = {"FREQ": "YEARLY", "BYMONTH": self.month}
        day = _DAY_CODES[self.weekday]
        if self.ordinal is not None:
            rule["BYDAY"] = f"{self.ordinal}{day}"
        else:
            rule["BYDAY"] = day
            rule["BYMONTHDAY"] = list(self.month_days)
        return rule

    def date_in(self, year: int) -> date:
        """The date the rule gives in ``year``."""
        days = [
            date(year, self.month, day)
            for day in range(1, calendar.monthrange(year, self.month)[1] + 1)
            if date(year, self.month, day).weekday() == self.weekday
        ]
        if self.ordinal is not None:
            return days[self.ordinal - 1] if self.ordinal > 0 else days[self.ordinal]
        (day,) = [d for d in days if d.day in self.month_days]
        return day


def transitions(zone_name: str, years: range) -> list[Transition]:
    """Every offset change of the zone in ``years``, found by scanning and bisecting."""
    zone = ZoneInfo(zone_name)
    start = datetime(years.start, 1, 1, tzinfo=UTC)
    end = datetime(years.stop, 1, 1, tzinfo=UTC)
    found = []
    moment, offset = start, start.astimezone(zone).utcoffset()
    while moment < end:
        step_end = moment + _SCAN_STEP
        next_offset = step_end.astimezone(zone).utcoffset()
        if next_offset != offset:
            low, high = moment, step_end  # offset(low) == offset, offset(high) != offset
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if middle.astimezone(zone).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            found.append(Transition(high, offset, next_offset, high.astimezone(zone).tzname()))
        moment, offset = step_end, next_offset
    return found


def _infer_rule(changes: list[Transition]) -> YearlyRule:
    """The one yearly rule all ``changes`` (one per year) follow, or UnsupportedZone."""
    locals_ = [change.local_before for change in changes]
    first = locals_[0]
    clock = (first.hour, first.minute, first.second)
    if any(
        (moment.month, moment.weekday(), (moment.hour, moment.minute, moment.second))
        != (first.month, first.weekday(), clock)
        for moment in locals_
    ):
        raise UnsupportedZone("the transitions do not follow one month, weekday and time")
    candidates = [YearlyRule(first.month, first.weekday(), -1, clock=clock)]
    candidates += [YearlyRule(first.month, first.weekday(), n, clock=clock) for n in (1, 2, 3, 4)]
    # "The weekday on or after day N" (e.g. the Saturday before the last Sunday),
    # which is no n-th or last weekday when the month ends on that weekday.
    shortest_month = calendar.monthrange(2025, first.month)[1]  # 2025: February has 28
    candidates += [
        YearlyRule(first.month, first.weekday(), None, tuple(range(n, n + 7)), clock)
        for n in range(1, shortest_month - 5)
    ]
    for rule in candidates:
        if all(rule.date_in(moment.year) == moment.date() for moment in locals_):
            return rule
    raise UnsupportedZone("the transitions follow no yearly weekday rule")


@dataclass(frozen=True)
class ZoneRules:
    """A zone's current rules: its standard offset and, with DST, the two yearly rules."""

    zone_name: str
    standard_offset: timedelta
    standard_name: str
    daylight_offset: timedelta | None = None
    daylight_name: str | None = None
    to_daylight: YearlyRule | None = None  # the onset of DAYLIGHT
    to_standard: YearlyRule | None = None  # the onset of STANDARD


@cache
def zone_rules(zone_name: str) -> ZoneRules:
    """Infer the current yearly rules of ``zone_name`` from its transitions in SAMPLE_YEARS."""
    zone = ZoneInfo(zone_name)
    changes = transitions(zone_name, SAMPLE_YEARS)
    if not changes:
        moment = datetime(SAMPLE_YEARS.start, 1, 1, tzinfo=UTC).astimezone(zone)
        return ZoneRules(zone_name, moment.utcoffset(), moment.tzname() or "")
    forward = [c for c in changes if c.offset_to > c.offset_from]
    backward = [c for c in changes if c.offset_to < c.offset_from]
    years = len(SAMPLE_YEARS)
    if len(forward) != years or len(backward) != years:
        raise UnsupportedZone(f"{zone_name} does not change its offset twice every year")
    kinds = {(c.offset_from, c.offset_to, c.name) for c in changes}
    spring, autumn = forward[0], backward[0]
    if len(kinds) != 2 or (spring.offset_to, spring.offset_from) != (
        autumn.offset_from,
        autumn.offset_to,
    ):
        raise UnsupportedZone(f"{zone_name} changes between more than two offsets")
    return ZoneRules(
        zone_name,
        standard_offset=autumn.offset_to,
        standard_name=autumn.name,
        daylight_offset=spring.offset_to,
        daylight_name=spring.name,
        to_daylight=_infer_rule(forward),
        to_standard=_infer_rule(backward),
    )


def is_supported(zone_name: str) -> bool:
    """True when events in ``zone_name`` can be written with a TZID and our VTIMEZONE."""
    if zone_name in UTC_ZONES:
        return False
    try:
        zone_rules(zone_name)
    except UnsupportedZone:
        return False
    return True


def _observance(
    kind: type[icalendar.TimezoneStandard] | type[icalendar.TimezoneDaylight],
    *,
    offset_from: timedelta,
    offset_to: timedelta,
    name: str,
    rule: YearlyRule | None,
) -> icalendar.Component:
    component = kind()
    if rule is None:
        start = datetime(_EPOCH_YEAR, 1, 1)  # noqa: DTZ001 - a wall-clock time, as RFC 5545 wants
    else:
        start = datetime.combine(rule.date_in(_EPOCH_YEAR), datetime.min.time()).replace(
            hour=rule.clock[0], minute=rule.clock[1], second=rule.clock[2]
        )
    component.add("dtstart", start)
    component.add("tzoffsetfrom", offset_from)
    component.add("tzoffsetto", offset_to)
    if name:
        component.add("tzname", name)
    if rule is not None:
        component.add("rrule", rule.rrule())
    return component


@cache
def vtimezone_bytes(zone_name: str) -> bytes:
    """The serialized VTIMEZONE of ``zone_name`` (cached: it depends only on tzdata)."""
    return vtimezone_for(zone_name).to_ical()


def vtimezone_for(zone_name: str) -> icalendar.Timezone:
    """The VTIMEZONE of ``zone_name``: one STANDARD, and one DAYLIGHT when it has DST."""
    rules = zone_rules(zone_name)
    timezone = icalendar.Timezone()
    timezone.add("tzid", zone_name)
    if rules.daylight_offset is None:
        timezone.add_component(
            _observance(
                icalendar.TimezoneStandard,
                offset_from=rules.standard_offset,
                offset_to=rules.standard_offset,
                name=rules.standard_name,
                rule=None,
            )
        )
        return timezone
    timezone.add_component(
        _observance(
            icalendar.TimezoneStandard,
            offset_from=rules.daylight_offset,
            offset_to=rules.standard_offset,
            name=rules.standard_name,
            rule=rules.to_standard,
        )
    )
    timezone.add_component(
        _observance(
            icalendar.TimezoneDaylight,
            offset_from=rules.standard_offset,
            offset_to=rules.daylight_offset,
            name=rules.daylight_name or "",
            rule=rules.to_daylight,
        )
    )
    return timezone
