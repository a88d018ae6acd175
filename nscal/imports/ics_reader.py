"""Reading .ics exports (Google Calendar, Outlook, Apple Calendar, Thunderbird) into a plan.

Every TZID becomes an IANA zone: IANA names as they are, Windows names through the
icalendar library's Windows→Olson table, and anything else (Outlook's
"(UTC+01:00) Amsterdam, Berlin, …", "Customized Time Zone") from the cities in its
name or the offsets of its VTIMEZONE, Nordic zones first.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rruleset, rrulestr
from flask_babel import gettext as _
from flask_babel import ngettext
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from nscal.events.models import EventFormat, EventKind, Visibility
from nscal.events.repeat_rules import RepeatRuleError, check_rule, normalize_rule
from nscal.events.services import MAX_OCCURRENCES, SERIES_HORIZON, EventData, instant_in_zone
from nscal.imports.guesses import CORRECTED, Guess, Guesser, kept_fields, zone_guess
from nscal.imports.join_links import separate_join_link
from nscal.imports.plan import ImportPlan, PlannedImport, kind_from_text
from nscal.timedisplay import clock
from nscal.timeutil import (
    FIRST_YEAR,
    LAST_YEAR,
    NORDIC_ZONES,
    all_zone_names,
    is_valid_zone,
    year_in_range,
)

# Where a time carries no zone at all and the file names none (RFC 5545 "floating").
DEFAULT_ZONE = "Europe/Copenhagen"

# Windows zones whose rules the Nordic zones share: read them as the network's own city
# (the CLDR table would say Berlin, Paris, Kyiv, London), so a Helsinki workshop
# exported from Outlook is shown "in Helsinki", at the same instants.
NORDIC_WINDOWS_ZONES = {
    "W. Europe Standard Time": "Europe/Stockholm",
    "Romance Standard Time": "Europe/Copenhagen",
    "FLE Standard Time": "Europe/Helsinki",
    "Greenland Standard Time": "America/Nuuk",
    "Greenwich Standard Time": "Atlantic/Reykjavik",
}

NORDIC = tuple(name for name, _label in NORDIC_ZONES)
# Old names the tz database keeps as links; nscal shows the current ones.
CURRENT_NAMES = {
    "America/Godthab": "America/Nuuk",
    "Europe/Kiev": "Europe/Kyiv",
    "Atlantic/Faeroe": "Atlantic/Faroe",
    "Etc/UTC": "UTC",
    "Etc/GMT": "UTC",
    "GMT": "UTC",
    "Etc/Zulu": "UTC",
}
# Properties whose parse errors make an event unreadable (others, like CREATED, don't matter).
NEEDED = {"DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXRULE", "EXDATE", "RECURRENCE-ID"}
SINGLE = {
    "DTSTART": "start",
    "DTEND": "end",
    "DURATION": "length",
    "RECURRENCE-ID": "original date (RECURRENCE-ID)",
}
CONFERENCE_PROPERTIES = (
    "X-GOOGLE-CONFERENCE",
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    "X-MICROSOFT-ONLINEMEETINGEXTERNALLINK",
    "X-MICROSOFT-ONLINEMEETINGCONFLINK",
)
MEETING_HOSTS = (
    "teams.microsoft.com",
    "teams.live.com",
    "meet.google.com",
    "zoom.us",
    "whereby.com",
    "webex.com",
)
URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'\]]+", re.IGNORECASE)
# What Outlook, Zoom and Meet write as a LOCATION that is not a place.
NOT_A_PLACE = re.compile(
    r"^\s*((microsoft\s+)?teams(\s+meeting)?|zoom(\s+meeting)?|google\s+meet|skype\s+meeting)\s*$",
    re.IGNORECASE,
)
# RFC 5545 gives a timed event without an end no length: a point in time. nscal's
# events end after they start (the database checks it), so such an event is stored as
# one minute, the shortest length nscal shows; the preview, the pages and the feeds
# all show that same minute.
POINT_IN_TIME = timedelta(minutes=1)


class ComponentError(ValueError):
    """One VEVENT cannot be imported; the message says why."""


# --- the file's lines ----------------------------------------------------------------


def logical_lines(text: str) -> list[tuple[int, str]]:
    """Unfolded content lines with the physical line number each one starts on."""
    lines: list[tuple[int, str]] = []
    # Only CR and LF end lines (str.splitlines would also split on U+2028 and others).
    for number, physical in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        if physical[:1] in {" ", "\t"} and lines:
            start, content = lines[-1]
            lines[-1] = (start, content + physical[1:])
        elif physical.strip():
            lines.append((number, physical))
    return lines


def _check_structure(lines: list[tuple[int, str]], plan: ImportPlan) -> None:
    """Every BEGIN has its END; a missing one is reported where its component begins."""
    stack: list[tuple[str, int]] = []
    for number, content in lines:
        name, _colon, value = content.partition(":")
        name, value = name.strip().upper(), value.strip().upper()
        if name == "BEGIN":
            if value == "VEVENT" and stack and stack[-1][0] == "VEVENT":
                plan.error(
                    stack[-1][1],
                    _(
                        "BEGIN:VEVENT is never closed: another one begins on line %(line)s.",
                        line=number,
                    ),
                )
                return
            stack.append((value, number))
        elif name == "END":
            if stack and stack[-1][0] == value:
                stack.pop()
            elif any(open_name == value for open_name, _line in stack):
                open_name, line = stack[-1]
                plan.error(
                    line,
                    _("BEGIN:%(name)s is never closed with END:%(name)s.", name=open_name),
                )
                return
            else:
                plan.error(number, _("END:%(name)s has no matching BEGIN:%(name)s.", name=value))
                return
    for value, number in stack:
        plan.error(number, _("BEGIN:%(name)s is never closed with END:%(name)s.", name=value))


# --- time zones ----------------------------------------------------------------------


def current_name(zone: str) -> str:
    return CURRENT_NAMES.get(zone, zone)


@cache
def _zones_by_city() -> dict[str, list[str]]:
    """Zones by the city that ends their name: "stockholm" gives ["Europe/Stockholm"]."""
    index: dict[str, list[str]] = {}
    for zone in sorted(all_zone_names()):
        if "/" in zone:
            city = zone.rsplit("/", 1)[1].replace("_", " ").lower()
            index.setdefault(city, []).append(zone)
    return index


def _nordic_first(zones: list[str]) -> list[str]:
    return sorted(zones, key=lambda zone: zone not in NORDIC)


def _transitions(zone: ZoneInfo, year: int) -> list[datetime]:
    """The instants (to the hour) at which ``zone`` changes its offset during ``year``."""
    found = []
    day = datetime(year, 1, 1, tzinfo=UTC)
    while day.year == year:
        following = day + timedelta(days=1)
        if day.astimezone(zone).utcoffset() != following.astimezone(zone).utcoffset():
            hour = day
            while hour.astimezone(zone).utcoffset() == day.astimezone(zone).utcoffset():
                hour += timedelta(hours=1)
            found.append(hour)
        day = following
    return found


def _same_offsets(tz, zone: str, year: int) -> bool:
    """Whether the VTIMEZONE's ``tz`` and the IANA ``zone`` agree all through ``year``.

    Checked mid-month and an hour either side of each of the zone's transitions:
    a VTIMEZONE's tzinfo is slow, so it is asked a few dozen times, not thousands.
    """
    other = ZoneInfo(zone)
    moments = [datetime(year, month, 15, tzinfo=UTC) for month in range(1, 13)]
    for change in _transitions(other, year):
        moments += [change - timedelta(hours=1), change + timedelta(hours=1)]
    return all(
        moment.astimezone(tz).utcoffset() == moment.astimezone(other).utcoffset()
        for moment in moments
    )


def _display_name_offset(tzid: str) -> timedelta | None:
    match = re.match(r"^\(UTC(?:([+-])(\d{1,2}):(\d{2}))?\)", tzid.strip())
    if not match:
        return None
    if not match.group(1):
        return timedelta(0)
    offset = timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
    return -offset if match.group(1) == "-" else offset


def _tzinfo(vtimezone):
    """The VTIMEZONE's rules as a tzinfo, or None when it has none that can be read."""
    if vtimezone is None:
        return None
    try:
        return vtimezone.to_tz(lookup_tzid=False)
    except Exception:  # a VTIMEZONE without readable rules says nothing
        return None


def resolve_tzid(tzid: str, vtimezone, year: int) -> tuple[str | None, str | None]:
    """The IANA zone a TZID means, and a note when it had to be worked out."""
    name = tzid.strip().strip('"').strip()
    if is_valid_zone(name):
        return current_name(name), None
    # Globally unique TZIDs: "/mozilla.org/20070129_1/Europe/Berlin", "/Europe/Stockholm".
    parts = name.strip("/").split("/")
    for start in range(len(parts)):
        candidate = "/".join(parts[start:])
        if is_valid_zone(candidate):
            return current_name(candidate), None
    # Outlook names a second copy of a zone "W. Europe Standard Time 1".
    windows = re.sub(r"\s+\d+$", "", name)
    if windows in NORDIC_WINDOWS_ZONES or windows in WINDOWS_TO_OLSON:
        zone = current_name(NORDIC_WINDOWS_ZONES.get(windows) or WINDOWS_TO_OLSON[windows])
        return zone, _("Windows time zone %(name)s read as %(zone)s.", name=repr(name), zone=zone)
    tz = _tzinfo(vtimezone)
    # Outlook's display names: "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna".
    cities = [city.strip().lower() for city in re.sub(r"^\(UTC[^)]*\)", "", name).split(",")]
    named = _nordic_first([z for city in cities for z in _zones_by_city().get(city, [])])
    stated = _display_name_offset(name)
    for zone in named:
        if tz is not None:
            matches = _same_offsets(tz, zone, year)
        else:
            moments = (datetime(year, 1, 15, tzinfo=UTC), datetime(year, 7, 15, tzinfo=UTC))
            matches = stated is None or any(
                m.astimezone(ZoneInfo(zone)).utcoffset() == stated for m in moments
            )
        if matches:
            zone = current_name(zone)
            return zone, _("Time zone %(name)s read as %(zone)s.", name=repr(name), zone=zone)
    if tz is None:
        return None, None
    # A name no table knows ("Western/Central Europe", "MyTimezone"): the zone whose
    # offsets change on the same days, year after year, as the VTIMEZONE's rules say.
    years = (year, year + 1, year + 2)
    wanted = _rules_of(tz, years)
    for zone in _candidate_zones():
        if _zone_rules(zone, years) == wanted:
            zone = current_name(zone)
            return zone, _(
                "Time zone %(name)s read as %(zone)s from its offsets: its VTIMEZONE "
                "changes them on the same days as %(zone)s (%(first)s–%(last)s).",
                name=repr(name),
                zone=zone,
                first=year,
                last=year + 2,
            )
    return None, None


@cache
def _candidate_zones() -> tuple[str, ...]:
    """IANA zones a VTIMEZONE may stand for, the Nordic ones first."""
    others = sorted(
        zone
        for zone in all_zone_names() - set(NORDIC)
        if "/" in zone and not zone.startswith(("Etc/", "SystemV/"))
    )
    return (*NORDIC, *others)


def _rules_of(tz, years: tuple[int, ...]) -> tuple:
    """For each year: the offset in mid-January and each (day, new offset) change.

    Sampled mid-month and bisected to the day where the offset differs, so a
    VTIMEZONE's slow tzinfo is asked about twenty times a year, not 365.
    """
    rules = []
    for year in years:
        samples = [datetime(year, month, 15, 12, tzinfo=UTC) for month in range(1, 13)]
        samples.append(datetime(year + 1, 1, 15, 12, tzinfo=UTC))
        offsets = [sample.astimezone(tz).utcoffset() for sample in samples]
        changes = []
        for index in range(12):
            if offsets[index] == offsets[index + 1]:
                continue
            before, after = samples[index], samples[index + 1]
            while after - before > timedelta(days=1):
                middle = before + timedelta(days=(after - before).days // 2)
                if middle.astimezone(tz).utcoffset() == offsets[index]:
                    before = middle
                else:
                    after = middle
            changes.append((after.date(), offsets[index + 1]))
        rules.append((offsets[0], tuple(changes)))
    return tuple(rules)


@cache
def _zone_rules(zone: str, years: tuple[int, ...]) -> tuple:
    return _rules_of(ZoneInfo(zone), years)


# --- one VEVENT ----------------------------------------------------------------------


@dataclass
class _Calendar:
    """What the VCALENDAR around a VEVENT says: its default zone and its VTIMEZONEs."""

    plan: ImportPlan
    zone: str | None = None
    vtimezones: dict[str, object] = field(default_factory=dict)
    guesser: Guesser = field(default_factory=Guesser)
    resolved: dict[tuple[str, int], str | None] = field(default_factory=dict)

    def zone_for(self, tzid: str, year: int, line: int) -> str:
        key = (tzid, year)
        if key not in self.resolved:
            zone, note = resolve_tzid(tzid, self.vtimezones.get(tzid.strip('"')), year)
            self.resolved[key] = zone
            if note and not any(zone_note.message == note for zone_note in self.plan.notes):
                self.plan.note(line, note)
        zone = self.resolved[key]
        if zone is None and tzid.strip('"') in self.vtimezones:
            raise ComponentError(
                _(
                    "Unknown time zone %(tzid)s: it is not an IANA or Windows zone name, "
                    "and the rules of its VTIMEZONE match no zone of the tz database.",
                    tzid=repr(tzid),
                )
            )
        if zone is None:
            raise ComponentError(
                _(
                    "Unknown time zone %(tzid)s: it is not an IANA or Windows zone name "
                    "and the file has no VTIMEZONE that says what it means.",
                    tzid=repr(tzid),
                )
            )
        return zone


@dataclass
class _Moment:
    """A DTSTART-like value: a date, a wall-clock time in a zone, a UTC instant, or floating."""

    value: date | datetime
    zone: str | None = None  # for wall-clock times with a TZID
    utc: bool = False
    tzid: str = ""  # the TZID as the file writes it

    @property
    def names_iana_zone(self) -> bool:
        """Whether the TZID is itself an IANA name ("Europe/Oslo", "/mozilla.org/…/
        Europe/Oslo"), not a name nscal interpreted (Windows, Outlook, custom)."""
        tzid = self.tzid.strip('"')
        tail = "/".join(tzid.rsplit("/", 2)[-2:])
        return bool(self.zone) and self.zone in {tzid, tail, current_name(tail)}

    @property
    def is_date(self) -> bool:
        return not isinstance(self.value, datetime)

    @property
    def floating(self) -> bool:
        return not self.is_date and self.zone is None and not self.utc

    def instant(self, event_zone: str) -> datetime:
        """The UTC instant; dates and floating times are read in ``event_zone``."""
        if self.utc:
            return self.value.astimezone(UTC)
        if self.is_date:
            return datetime.combine(self.value, time(), ZoneInfo(event_zone)).astimezone(UTC)
        return instant_in_zone(self.value, self.zone or event_zone)

    def wall_clock(self, event_zone: str) -> datetime:
        """Local time on the clocks of ``event_zone`` (naive: the services want wall clock)."""
        if self.zone in {None, event_zone} and not self.utc:
            return self.value
        return self.instant(event_zone).astimezone(ZoneInfo(event_zone)).replace(tzinfo=None)


def _moment(value, calendar: _Calendar, line: int) -> _Moment:
    dt = value.dt
    if isinstance(dt, date) and not year_in_range(dt.year):
        # Shifting year 1 or 9999 between zones overflows; nscal handles fewer years.
        raise ComponentError(
            _(
                "%(day)s is not between %(first)s and %(last)s: "
                "nscal has no calendar for that year.",
                day=dt.isoformat()[:10],
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        )
    if not isinstance(dt, datetime):
        if not isinstance(dt, date):
            raise ComponentError(_("%(value)s is not a date or a date-time.", value=repr(dt)))
        return _Moment(dt)
    tzid = value.params.get("TZID")
    if tzid:
        zone = calendar.zone_for(tzid, dt.year, line)
        return _Moment(dt.replace(tzinfo=None), zone=zone, tzid=str(tzid))
    if dt.tzinfo is not None:
        if dt.utcoffset() != timedelta(0):
            raise ComponentError(_("%(value)s has an offset but no TZID.", value=dt))
        return _Moment(dt, utc=True)
    return _Moment(dt)


def _single(component, name: str):
    """The one value of ``name``, or None; several values make the event unreadable."""
    value = component.get(name)
    if isinstance(value, list):
        raise ComponentError(_given_more_than_once(name, len(value)))
    return value


def _given_more_than_once(name: str, times: int) -> str:
    if name == "DTSTART":
        return _("DTSTART is given %(times)s times; an event has only one start.", times=times)
    if name == "DTEND":
        return _("DTEND is given %(times)s times; an event has only one end.", times=times)
    if name == "DURATION":
        return _("DURATION is given %(times)s times; an event has only one length.", times=times)
    return _(
        "%(name)s is given %(times)s times; an event has only one original date (RECURRENCE-ID).",
        name=name,
        times=times,
    )


def _values(component, name: str) -> list:
    value = component.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(component, name: str) -> str:
    values = _values(component, name)
    return str(values[0]).strip() if values else ""


def _online_url(component, description: str, location: str) -> str:
    for name in CONFERENCE_PROPERTIES:
        value = _text(component, name)
        if re.match(r"^https?://", value, re.IGNORECASE):
            return value
    for candidate in URL_IN_TEXT.findall(description):
        candidate = candidate.rstrip(".,;)>")
        host = (urlsplit(candidate).hostname or "").lower()
        if any(host == known or host.endswith("." + known) for known in MEETING_HOSTS):
            return candidate
    url = _text(component, "URL")
    if re.match(r"^https?://\S+$", url, re.IGNORECASE):
        return url
    if re.match(r"^https?://\S+$", location, re.IGNORECASE):
        return location
    return ""


def _venue(location: str) -> str:
    """The place: without "Microsoft Teams Meeting" and the like, on one line."""
    if re.match(r"^https?://\S+$", location, re.IGNORECASE):
        return ""
    parts = [part.strip() for part in location.split(";")]
    parts = [part for part in parts if part and not NOT_A_PLACE.match(part)]
    lines = [line.strip() for line in "; ".join(parts).splitlines()]
    return ", ".join(line for line in lines if line)


def _kind(component) -> EventKind | None:
    for value in _values(component, "CATEGORIES"):
        for category in getattr(value, "cats", [value]):
            kind = kind_from_text(str(category))
            if kind is not None:
                return kind
    return None


def _same_clocks(zone: str, other: str, year: int) -> bool:
    """Whether two IANA zones keep the same clocks through ``year`` and the next."""
    return zone == other or all(
        _same_offsets(ZoneInfo(zone), other, each) for each in (year, year + 1)
    )


def _event_zone(
    start: _Moment,
    calendar: _Calendar,
    has_rule: bool,
    host_zone: str | None,
    kept_zone: str | None,
) -> tuple[str, str | None, Guess]:
    """The event's zone, a note when the reader assumed something, and the guess the
    preview shows. The file's zone fixes the instants; see nscal.imports.guesses for
    when the host city's zone names them."""

    def named(zone: str, given: str, same_clocks: str) -> tuple[str, Guess]:
        # A zone nscal interpreted: the host city's, when it keeps the same clocks.
        year = start.value.year
        if host_zone and host_zone != zone and _same_clocks(host_zone, zone, year):
            return host_zone, zone_guess(host_zone, same_clocks)
        return zone, zone_guess(zone, given, guessed=False)

    def named_by_calendar(zone: str) -> tuple[str, Guess]:
        return named(
            zone,
            _("from the calendar's X-WR-TIMEZONE"),
            _("the host city's zone, with the same clocks as the calendar's X-WR-TIMEZONE"),
        )

    if start.zone:
        if start.names_iana_zone:
            return start.zone, None, zone_guess(start.zone, _("from the file (TZID)"), False)
        tzid = start.tzid.strip(chr(34))
        zone, guess = named(
            start.zone,
            _("from the file's TZID “%(tzid)s”", tzid=tzid),
            _(
                "the host city's zone, with the same clocks as the file's TZID “%(tzid)s”",
                tzid=tzid,
            ),
        )
        return zone, None, guess
    if start.utc:
        if has_rule and calendar.zone not in {None, "UTC"}:
            # Google writes series in UTC and means the calendar's zone (as x-wr-timezone,
            # which recurring-ical-events applies, reads it): the wall clock repeats.
            zone, guess = named_by_calendar(calendar.zone)
            return (
                zone,
                _(
                    "The series is in UTC in the file; it repeats at the same time on the "
                    "clocks of %(zone)s, the calendar's zone (X-WR-TIMEZONE).",
                    zone=zone,
                ),
                guess,
            )
        if has_rule:
            # A UTC rule repeats at the same instant; repeating it in a zone with DST
            # would move every summer date by an hour.
            return (
                "UTC",
                _("The series is in UTC in the file; it is kept in UTC."),
                zone_guess("UTC", _("from the file (a series in UTC)"), False),
            )
        if calendar.zone:
            zone, guess = named_by_calendar(calendar.zone)
            return zone, None, guess
        # A UTC instant: the zone only says on which clocks it is shown.
        if host_zone:
            return host_zone, None, zone_guess(host_zone, _("the host city's zone"))
        return "UTC", None, zone_guess("UTC", _("from the file (a time in UTC)"), False)
    # Floating times and all-day dates: the file gives no zone for this event.
    if kept_zone:
        zone, source = kept_zone, _("as in nscal (imported before)")
        guess = zone_guess(zone, source)
    elif calendar.zone:
        zone, guess = named_by_calendar(calendar.zone)
        source = _("the calendar's X-WR-TIMEZONE")
    elif host_zone:
        zone, source = host_zone, _("the host city's zone")
        guess = zone_guess(zone, source)
    else:
        zone, source = DEFAULT_ZONE, _("the default zone")
        guess = zone_guess(zone, _("no zone in the file and no host city: the default zone"))
    if start.floating:
        note = _(
            "The time has no zone (floating); it was read as %(zone)s time (%(source)s).",
            zone=zone,
            source=source,
        )
        return zone, note, guess
    return zone, None, guess


def plan_vevent(component, line: int, calendar: _Calendar) -> PlannedImport:
    """One VEVENT as a planned import; raises ``ComponentError`` when it cannot be read."""
    broken = [f"{name}: {message}" for name, message in component.errors if name in NEEDED]
    if broken:
        raise ComponentError("; ".join(broken))
    notes: list[str] = []
    for name in SINGLE:
        _single(component, name)
    if component.get("DTSTART") is None:
        raise ComponentError(_("The event has no start (DTSTART)."))
    start = _moment(component["DTSTART"], calendar, line)
    rules = _values(component, "RRULE")
    recurrence = component.get("RECURRENCE-ID")

    title = _text(component, "SUMMARY")
    if not title:
        title = "(No title)"  # stored: the file's language is not the reader's
        notes.append(_("The event has no title (SUMMARY); it is called “(No title)”."))
    description = _text(component, "DESCRIPTION")
    location = _text(component, "LOCATION")
    online_url = _online_url(component, description, location)
    venue = _venue(location)
    join_link = separate_join_link(description, venue, online_url)
    description, venue, online_url = join_link.description, join_link.venue, join_link.online_url
    notes.extend(join_link.notes)
    uid = _text(component, "UID") or None

    guesser = calendar.guesser
    kind = guesser.guess_kind(line, title, _kind(component), _("from the file (CATEGORIES)"), uid)
    host_city, city = guesser.guess_city(line, venue, title, uid)
    corrected_zone = guesser.correction(line, "timezone")
    if corrected_zone:
        zone, note = corrected_zone, None
        zone_of = zone_guess(zone, CORRECTED, False)
    else:
        existing = guesser.existing(uid)
        zone, note, zone_of = _event_zone(
            start,
            calendar,
            bool(rules) and recurrence is None,
            host_city.timezone if host_city else None,
            existing.timezone if existing and existing.all_day == start.is_date else None,
        )
    if note:
        notes.append(note)

    if start.is_date:
        first = start.value
        last_exclusive, note = _all_day_end(component, start, calendar, line)
        if note:
            notes.append(note)
    else:
        first = start.wall_clock(zone)
        last_exclusive, note = _timed_end(component, start, first, zone, calendar, line)
        if note:
            notes.append(note)

    if uid is None:
        notes.append(_("The event has no UID: importing the file again will add it again."))
    rrule = rules[0].to_ical().decode() if rules and recurrence is None else None
    privacy = _text(component, "CLASS").upper()
    private = privacy in {"PRIVATE", "CONFIDENTIAL"}
    event_kind = EventKind(kind.value)
    event_format = guesser.guess_format(line, venue, online_url, event_kind, uid)
    guesses = {"kind": kind, "host_city": city, "timezone": zone_of, "format": event_format}
    # iCalendar has no audience or capacity: updates keep nscal's, and what nscal guessed.
    fixed = not start.floating and not start.is_date
    keep = {"audience", "capacity"} | kept_fields(guesses, instants_fixed=fixed)
    if not privacy:
        keep.add("visibility")

    data = EventData(
        title=title,
        kind=event_kind,
        timezone=zone,
        start=first,
        end=last_exclusive,
        all_day=start.is_date,
        format=EventFormat(event_format.value),
        description=description,
        host_city=host_city,
        venue=venue,
        online_url=online_url,
        visibility=Visibility.members if private else Visibility.public,
        rrule=rrule,
        uid=uid,
    )
    item = PlannedImport(
        line=line,
        data=data,
        cancelled=_text(component, "STATUS").upper() == "CANCELLED",
        notes=notes,
        keep=frozenset(keep),
        guesses=guesses,
    )
    if recurrence is not None:
        if uid is None:
            raise ComponentError(_("A changed date (RECURRENCE-ID) needs the UID of its series."))
        item.recurrence_id = _recurrence_instant(recurrence, start, zone, calendar, line)
        if start.is_date and isinstance(recurrence.dt, datetime):
            day = item.recurrence_id.astimezone(ZoneInfo(zone)).date()
            notes.append(
                _(
                    "The changed date (RECURRENCE-ID) has a time on an all-day date; "
                    "it was read as the day %(day)s in %(zone)s.",
                    day=day.isoformat(),
                    zone=zone,
                )
            )
        if str(recurrence.params.get("RANGE", "")).upper() == "THISANDFUTURE":
            item.this_and_future = True
    elif rules or component.get("RDATE") is not None:
        for value in _values(component, "EXDATE"):
            for excluded in value.dts:
                moment = _moment(excluded, calendar, line)
                item.exdates.append(
                    moment.value if moment.is_date and not start.is_date else moment.instant(zone)
                )
        _plan_recurrence(item, component, start, zone, calendar, line)
    return item


def _all_day_end(
    component, start: _Moment, calendar: _Calendar, line: int
) -> tuple[date, str | None]:
    if component.get("DTEND") is not None:
        end = _moment(component["DTEND"], calendar, line)
        if not end.is_date:
            raise ComponentError(_("The start is a date (all day) but the end (DTEND) has a time."))
        if end.value == start.value:
            # Exporters write the day itself as its end; every calendar app shows one day.
            return start.value + timedelta(days=1), _("The end (DTEND) is the start day: one day.")
        return end.value, None
    if component.get("DURATION") is not None:
        duration = component["DURATION"].dt
        if duration % timedelta(days=1):
            raise ComponentError(
                _("An all-day event lasts whole days, not %(length)s.", length=duration)
            )
        return start.value + duration, None
    return start.value + timedelta(days=1), None


def _timed_end(
    component, start: _Moment, first: datetime, zone: str, calendar: _Calendar, line: int
) -> tuple[datetime, str | None]:
    if component.get("DTEND") is not None:
        end = _moment(component["DTEND"], calendar, line)
        if end.is_date:
            raise ComponentError(_("The start has a time but the end (DTEND) is a date."))
        if end.floating and not start.floating:
            end = _Moment(end.value, zone=zone)
        last = end.wall_clock(zone)
        if last == first:
            return _point_in_time(
                first,
                N_(
                    "The end (DTEND) is the start: a point in time, kept as one minute (%(times)s)."
                ),
            )
        return last, None
    if component.get("DURATION") is not None:
        duration = component["DURATION"].dt
        if duration == timedelta(0):
            return _point_in_time(
                first,
                N_("The length (DURATION) is 0: a point in time, kept as one minute (%(times)s)."),
            )
        # Wall-clock arithmetic: PT1H30M from 15:00 ends at 16:30 on the same clocks.
        return first + duration, None
    return _point_in_time(
        first,
        N_(
            "The event has no end (DTEND or DURATION): a point in time, "
            "kept as one minute (%(times)s)."
        ),
    )


def N_(message: str) -> str:
    """Marks a message for the catalog; it is translated where it is used."""
    return message


def _point_in_time(first: datetime, message: str) -> tuple[datetime, str]:
    """The end of an event RFC 5545 gives no length, and the note that says so."""
    end = first + POINT_IN_TIME
    times = clock(first) + "–" + clock(end)
    return end, _(message, times=times)


# --- recurrence ----------------------------------------------------------------------
# The recurrence set of RFC 5545 as recurring-ical-events reads it: DTSTART is always the
# first instance, then every RRULE and RDATE, less EXDATE (and the deprecated EXRULE),
# expanded in the series' wall-clock time so that 10:00 stays 10:00 across DST.


class _Period:
    """An RDATE period's start as a property value ``_moment`` can read."""

    def __init__(self, dt, params):
        self.dt, self.params = dt, params


def _recurrence_instant(recurrence, start: _Moment, zone: str, calendar, line) -> datetime:
    """The instant of the series date a RECURRENCE-ID names. A date-time on an all-day
    date (Exchange writes local midnight) names its local day; a date on a timed series
    is matched to that day's date by ``_spread_series_changes``."""
    moment = _moment(recurrence, calendar, line)
    if start.is_date and not moment.is_date:
        return _Moment(moment.wall_clock(zone).date()).instant(zone)
    return moment.instant(zone)


def _local_rule(rule: str, zone: str, all_day: bool) -> str:
    """The rule with UNTIL in the series' wall-clock time, in the value type of DTSTART.

    A UTC UNTIL is read on the series' clocks: on an all-day series its local date is the
    last day (Exchange writes the local midnight of the last day, ``…T230000Z`` in winter
    in Central Europe); on a timed one its local time. A date UNTIL on a timed series
    includes that whole day.
    """
    rule = normalize_rule(rule)
    match = re.search(r"UNTIL=(\d{8})(T(\d{6})(Z?))?", rule)
    if not match:
        return rule
    day, clock, utc = match.group(1), match.group(3), match.group(4)
    # Wall-clock time of the rule (or UTC, converted below), hence naive.
    local = datetime.strptime(day + (clock or "235959"), "%Y%m%d%H%M%S")  # noqa: DTZ007
    if utc:
        local = local.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    until = f"{local:%Y%m%d}" if all_day else f"{local:%Y%m%dT%H%M%S}"
    return rule.replace(match.group(0), f"UNTIL={until}")


def _rule(text: str, first: datetime, zone: str, all_day: bool):
    text = _local_rule(text, zone, all_day)
    try:
        check_rule(text)
        return rrulestr(text, dtstart=first)
    except RepeatRuleError as exc:
        raise ComponentError(str(exc)) from None
    except (ValueError, TypeError) as exc:
        raise ComponentError(
            _("The repeat rule %(rule)s is not valid: %(reason)s", rule=repr(text), reason=exc)
        ) from None


def _rdates(component, start: _Moment, first: datetime, zone: str, calendar, line):
    """Each RDATE as (local start, local end or None): dates, date-times and periods,
    in the value type of DTSTART."""
    for value in _values(component, "RDATE"):
        for entry in value.dts:
            end = None
            if isinstance(entry.dt, tuple):
                begin, until = entry.dt
                entry = _Period(begin, entry.params)
                end = until
            moment = _moment(entry, calendar, line)
            if start.is_date:
                local = datetime.combine(
                    moment.value if moment.is_date else moment.wall_clock(zone).date(), time()
                )
            elif moment.is_date:
                local = datetime.combine(moment.value, first.time())
            else:
                local = moment.wall_clock(zone)
            if isinstance(end, timedelta):
                end = local + end
            elif end is not None:
                end = _moment(_Period(end, entry.params), calendar, line).wall_clock(zone)
            yield local, end


def _plan_recurrence(item: PlannedImport, component, start: _Moment, zone, calendar, line):
    """The series' whole recurrence set, when one rule does not say it all."""
    data = item.data
    first = datetime.combine(data.start, time()) if start.is_date else data.start
    rules = [value.to_ical().decode() for value in _values(component, "RRULE")]
    if data.rrule:
        data.rrule = _local_rule(data.rrule, zone, start.is_date)
        until = _values(component, "RRULE")[0].get("UNTIL") or [None]
        if start.is_date and isinstance(until[0], datetime):
            item.notes.append(
                _(
                    "UNTIL has a time on an all-day series; its date in %(zone)s is the last day.",
                    zone=zone,
                )
            )
        elif not start.is_date and until[0] is not None and not isinstance(until[0], datetime):
            item.notes.append(_("UNTIL is a date on a timed series; that whole day is included."))
    recurrence = rruleset()
    recurrence.rdate(first)
    for text in rules:
        recurrence.rrule(_rule(text, first, zone, start.is_date))
    for value in _values(component, "EXRULE"):
        recurrence.exrule(_rule(value.to_ical().decode(), first, zone, start.is_date))
    length = data.end - data.start
    for local, end in _rdates(component, start, first, zone, calendar, line):
        recurrence.rdate(local)
        span = (
            None if end is None else (end.date() - local.date() if start.is_date else end - local)
        )
        if span is not None and span != length:
            item.period_ends[local] = end
            item.notes.append(
                _(
                    "The extra date (RDATE period) on %(day)s keeps its own length.",
                    day=local.date().isoformat(),
                )
            )
    instants = {value for value in item.exdates if isinstance(value, datetime)}
    days = {value for value in item.exdates if not isinstance(value, datetime)}
    horizon = first + SERIES_HORIZON
    starts = []
    try:
        for local in recurrence:
            if local > horizon or len(starts) >= MAX_OCCURRENCES:
                break
            if local.date() not in days and instant_in_zone(local, zone) not in instants:
                starts.append(local)
    except (ValueError, TypeError, IndexError, OverflowError) as exc:
        raise ComponentError(_("The repeat rules cannot be read: %(reason)s", reason=exc)) from None
    if not rules and len(starts) <= 1 and not item.period_ends:
        return  # an RDATE that repeats DTSTART: one event
    item.starts = starts
    if len(rules) > 1:
        item.notes.append(
            _("The series has %(count)s repeat rules (RRULE); all are imported.", count=len(rules))
        )
    if _values(component, "RDATE"):
        item.notes.append(_("Extra dates (RDATE) are imported as dates of the series."))
    if _values(component, "EXRULE"):
        item.notes.append(_("The dates of its exclusion rule (EXRULE) are left out."))
    if rules and first not in rrulestr(data.rrule or rules[0], dtstart=first)[:1]:
        item.notes.append(
            _(
                "The first start (DTSTART) is not on the repeat rule's pattern; "
                "it is imported as the first date, as RFC 5545 says."
            )
        )


def _change_of(master: PlannedImport, change: PlannedImport, local: datetime, **values):
    """A changed date made from ``change`` (or the master) for the series date ``local``."""
    data = change.data
    return PlannedImport(
        line=change.line,
        data=replace(data, rrule=None, **values),
        recurrence_id=instant_in_zone(local, master.data.timezone),
        cancelled=change.cancelled,
        keep=change.keep,
    )


def _spread_series_changes(plan: ImportPlan) -> None:
    """What a series' changed dates mean for its other dates: an RDATE period of its own
    length, a RECURRENCE-ID given as a date on a timed series, RANGE=THISANDFUTURE."""
    masters = {item.uid: item for item in plan.items if item.starts and item.recurrence_id is None}
    explicit = {(item.uid, item.recurrence_id) for item in plan.items if item.recurrence_id}
    generated: dict[tuple[str | None, datetime], PlannedImport] = {}
    for master in masters.values():
        for local, end in master.period_ends.items():
            start = local.date() if master.data.all_day else local
            stop = end.date() if master.data.all_day else end
            change = _change_of(master, master, local, start=start, end=stop)
            if (master.uid, change.recurrence_id) not in explicit:
                generated[(master.uid, change.recurrence_id)] = change
    changes = sorted(
        (item for item in plan.items if item.recurrence_id and item.uid in masters),
        key=lambda item: item.recurrence_id,
    )
    for change in changes:
        master = masters[change.uid]
        zone = ZoneInfo(master.data.timezone)
        by_instant = {
            instant_in_zone(local, master.data.timezone): local for local in master.starts
        }
        if change.recurrence_id not in by_instant and not master.data.all_day:
            day = change.recurrence_id.astimezone(zone)
            same_day = [local for local in master.starts if local.date() == day.date()]
            if day.time() == time() and len(same_day) == 1:
                change.recurrence_id = instant_in_zone(same_day[0], master.data.timezone)
                change.notes.append(
                    _("The changed date (RECURRENCE-ID) is a date; matched to that day.")
                )
        if master.cancelled and not change.cancelled:
            change.notes.append(
                _(
                    "The series is cancelled but this changed date is not (it has no "
                    "STATUS:CANCELLED of its own): it stays on the calendar."
                )
            )
        if not change.this_and_future or change.recurrence_id not in by_instant:
            continue
        original = by_instant[change.recurrence_id]
        data = change.data
        if data.all_day:
            shift, length = data.start - original.date(), data.end - data.start
        else:
            shift, length = data.start - original, data.end - data.start
        later = [local for local in master.starts if local > original]
        for local in later:
            moved = (local.date() if data.all_day else local) + shift
            spread = _change_of(master, change, local, start=moved, end=moved + length)
            if (change.uid, spread.recurrence_id) not in explicit:
                generated[(change.uid, spread.recurrence_id)] = spread
        change.notes.append(
            _(
                "RANGE=THISANDFUTURE: the change holds for the %(count)s later date(s) too.",
                count=len(later),
            )
        )
    plan.items.extend(generated.values())


# --- the whole file ------------------------------------------------------------------


def parse_ics(text: str, source: str, guesser: Guesser | None = None) -> ImportPlan:
    """Every VEVENT of an iCalendar file as a planned import, with the line it starts on.

    ``guesser`` carries the coordinator's corrections from the preview (by line)."""
    plan = ImportPlan(source=source)
    guesser = guesser or Guesser()
    text = text.lstrip("\ufeff")
    lines = logical_lines(text)
    if not lines or lines[0][1].strip().upper() != "BEGIN:VCALENDAR":
        plan.error(1, _("This is not an iCalendar file: it does not start with BEGIN:VCALENDAR."))
        return plan
    _check_structure(lines, plan)
    if plan.errors:
        return plan
    try:
        with warnings.catch_warnings():
            # Guessed TZIDs warn; we resolve every TZID ourselves below.
            warnings.simplefilter("ignore")
            # Bytes, never str: icalendar reads a str without line breaks as a file path.
            calendars = icalendar.Calendar.from_ical(text.encode("utf-8"), multiple=True)
    except ValueError as exc:
        plan.error(
            _line_of(str(exc), lines),
            _("The file cannot be read as iCalendar: %(reason)s", reason=exc),
        )
        return plan
    starts = [number for number, content in lines if content.strip().upper() == "BEGIN:VEVENT"]
    _note_ignored(lines, plan)
    this_year = datetime.now(UTC).year
    events = []
    for vcalendar in calendars:
        calendar = _Calendar(plan, guesser=guesser)
        calendar.vtimezones = {
            str(tz["TZID"]): tz for tz in vcalendar.walk("VTIMEZONE") if tz.get("TZID")
        }
        default = _text(vcalendar, "X-WR-TIMEZONE")
        if default:
            zone = _calendar_zone(default, calendar, this_year)
            if zone is None:
                plan.note(
                    1,
                    _(
                        "X-WR-TIMEZONE %(value)s is not a time zone; it was ignored.",
                        value=repr(default),
                    ),
                )
            calendar.zone = zone
        events.extend((component, calendar) for component in vcalendar.walk("VEVENT"))
    if not events:
        plan.error(1, _("The file has no events (no VEVENT)."))
        return plan
    guesser.prefetch({_text(component, "UID") for component, _calendar in events})
    read: list[_Read] = []
    for (component, calendar), line in zip(events, starts, strict=False):
        read.append(_read_vevent(component, line, calendar))
    for entry in _latest_versions(read, plan):
        if entry.error is not None:
            plan.error(entry.line, entry.error)
        else:
            plan.items.append(entry.item)
    _spread_series_changes(plan)
    return plan


# Components nscal does not import, by what people call them.
IGNORED = {
    "VTODO": ("task", "tasks"),
    "VJOURNAL": ("journal entry", "journal entries"),
    "VFREEBUSY": ("free/busy block", "free/busy blocks"),
}


def _note_ignored(lines: list[tuple[int, str]], plan: ImportPlan) -> None:
    """One note per kind of component nscal leaves out: "3 tasks (VTODO) ignored"."""
    found: dict[str, list[int]] = {}
    for number, content in lines:
        name, _colon, value = content.partition(":")
        value = value.strip().upper()
        if name.strip().upper() == "BEGIN" and value in IGNORED:
            found.setdefault(value, []).append(number)
    for component, numbers in found.items():
        plan.note(numbers[0], _ignored_note(component, len(numbers)))


def _ignored_note(component: str, count: int) -> str:
    if component == "VTODO":
        return ngettext(
            "%(num)d task (VTODO) ignored: nscal imports events only.",
            "%(num)d tasks (VTODO) ignored: nscal imports events only.",
            count,
        )
    if component == "VJOURNAL":
        return ngettext(
            "%(num)d journal entry (VJOURNAL) ignored: nscal imports events only.",
            "%(num)d journal entries (VJOURNAL) ignored: nscal imports events only.",
            count,
        )
    return ngettext(
        "%(num)d free/busy block (VFREEBUSY) ignored: nscal imports events only.",
        "%(num)d free/busy blocks (VFREEBUSY) ignored: nscal imports events only.",
        count,
    )


def _calendar_zone(name: str, calendar: _Calendar, year: int) -> str | None:
    try:
        zone, _note = resolve_tzid(name, calendar.vtimezones.get(name), year)
    except Exception:  # a broken VTIMEZONE only loses the default zone
        return None
    return zone


@dataclass
class _Read:
    """One VEVENT as read: its item or why it is refused, and what ranks its version."""

    line: int
    key: tuple[str, object] | None
    rank: tuple
    item: PlannedImport | None = None
    error: str | None = None


def _read_vevent(component, line: int, calendar: _Calendar) -> _Read:
    """``plan_vevent`` that never raises: whatever breaks refuses this VEVENT alone."""
    try:
        item = plan_vevent(component, line, calendar)
    except ComponentError as exc:
        return _Read(line, _raw_key(component), _version(component), error=str(exc))
    except Exception as exc:  # bad input must never crash the import
        reason = str(exc).strip() or type(exc).__name__
        return _Read(
            line,
            _raw_key(component),
            _version(component),
            error=_("This event cannot be read: %(reason)s", reason=reason),
        )
    key = (item.uid, item.recurrence_id) if item.uid else None
    return _Read(line, key, _version(component), item=item)


def _raw_key(component) -> tuple[str, object] | None:
    """UID and RECURRENCE-ID as written, for a VEVENT that could not be read."""
    uid = _text(component, "UID")
    if not uid:
        return None
    recurrence = component.get("RECURRENCE-ID")
    if recurrence is None:
        return (uid, None)
    try:
        return (uid, _moment(recurrence, _Calendar(ImportPlan("")), 0).instant("UTC"))
    except Exception:  # unreadable: keyed by its text instead
        return (uid, str(recurrence))


def _version(component) -> tuple[int, datetime]:
    """How calendar apps rank two copies of one event: SEQUENCE, then LAST-MODIFIED/DTSTAMP."""
    try:
        sequence = int(component.get("SEQUENCE", 0))
    except (TypeError, ValueError):
        sequence = 0
    stamp = datetime.min.replace(tzinfo=UTC)
    for name in ("LAST-MODIFIED", "DTSTAMP"):
        try:
            value = component[name].dt
        except Exception:  # missing or broken: try the next one
            continue
        if isinstance(value, datetime):
            stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
            break
    return (sequence, stamp)


def _latest_versions(read: list[_Read], plan: ImportPlan) -> list[_Read]:
    """One VEVENT per UID (and RECURRENCE-ID): the latest version, the others noted.

    The latest has the highest SEQUENCE, then the latest LAST-MODIFIED (else DTSTAMP);
    between equal versions the one further down the file, as a calendar app that reads
    the file top to bottom would keep it.
    """
    latest: dict[tuple[str, object], _Read] = {}
    for entry in read:
        if entry.key is None:
            continue
        current = latest.get(entry.key)
        if current is None or entry.rank >= current.rank:
            latest[entry.key] = entry
    kept = []
    for entry in read:
        winner = latest.get(entry.key) if entry.key is not None else None
        if winner is None or winner is entry:
            kept.append(entry)
            continue
        uid, _recurrence = entry.key
        plan.note(
            entry.line,
            _(
                "The UID %(uid)s is in the file again on line %(line)s (%(newer)s): "
                "this older copy (%(older)s) is left out.",
                uid=uid,
                line=winner.line,
                newer=_describe_version(winner.rank),
                older=_describe_version(entry.rank),
            ),
        )
    return kept


def _describe_version(rank: tuple[int, datetime]) -> str:
    sequence, stamp = rank
    if stamp.year == 1:
        return f"SEQUENCE {sequence}"
    return _(
        "SEQUENCE %(sequence)s, changed %(time)s UTC",
        sequence=sequence,
        time=stamp.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
    )


def _line_of(message: str, lines: list[tuple[int, str]]) -> int:
    """The line an icalendar error quotes, else 1."""
    for number, content in lines:
        if len(content) > 3 and content in message:
            return number
    return 1
