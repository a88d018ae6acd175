"""One way to show a time: every page, mail and export that prints a time asks here.

The rules, once:

- a time is read in the viewer's zone, with the zone's abbreviation ("10:00 EET");
  an event's own wall clock goes beside it when it reads differently, named by the
  event's place ("09:00 CET in Malmö"), or by its zone's city when it has no place;
- an abbreviation the tz database only has as a number ("-02") is written as the
  offset with the zone's city: "UTC−2 (Nuuk)" (a real minus sign);
- one long date form ("Wednesday 2 December 2026") and one short one ("2 Dec 2026",
  "2 Dec" where the year is plain), never a leading zero;
- a moment something happened (registered, sent, imported) reads
  "1 Dec 2026, 09:13 EET" on the reader's clock.

The words live in ``Words``; ``words()`` is the one place the locale is chosen: the
request's (or a mail's) Flask-Babel locale. English is written as it always was; the
other languages (``LocaleWords``) take their names and patterns from Babel's CLDR data
("onsdag 13. januar 2027 kl. 10.00", "13. jan. 2027"), their words ("all day", "in
Malmö") from the catalogs. Outside an application the output is English.

Pure functions over instants, dates and zone names (events are read through their
``starts_at``/``ends_at``/``timezone``/``host_city`` attributes), so they are easy to
test and this module imports nothing of the rooms above it.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import (
    format_date,
    format_time,
    get_day_names,
    get_month_names,
    get_timezone_location,
)
from flask_babel import get_locale, gettext

from nscal.timeutil import NORDIC_ZONES, zone_choice_label

MINUS = "\u2212"  # "UTC−2", not "UTC-2"


# --- words: the locale's part -----------------------------------------------------------


class Words:
    """The names and patterns of English, as nscal has always written them; the other
    languages (``LocaleWords``) take theirs from Babel's CLDR data."""

    language = "en"
    weekdays: tuple[str, ...] = (
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    )
    months: tuple[str, ...] = (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    )
    # str.format patterns: "from {clock}", "in {place}".
    all_day = "all day"
    from_ = "from {clock}"
    until = "until {clock}"
    at_place = "in {place}"

    def long_date(self, day: date) -> str:
        """ "Wednesday 2 December 2026"."""
        return f"{self.weekdays[day.weekday()]} {day.day} {self.months[day.month - 1]} {day.year}"

    def short_date(self, day: date, *, year: bool = True, weekday: bool = False) -> str:
        """ "2 Dec 2026"; "2 Dec" without the year; "Wed 2 Dec" with the weekday."""
        text = f"{day.day} {self.months[day.month - 1][:3]}"
        if year:
            text += f" {day.year}"
        if weekday:
            text = f"{self.weekdays[day.weekday()][:3]} {text}"
        return text

    def day_month(self, day: date) -> str:
        """A day of a month, without its year or weekday: "14 March"."""
        return f"{day.day} {self.months[day.month - 1]}"

    def month(self, month: int, width: str = "wide") -> str:
        """A month's name on its own (a heading, "in March"); ``width="abbreviated"``: "Mar"."""
        name = self.months[month - 1]
        return name[:3] if width == "abbreviated" else name

    def weekday_names(self, width: str = "wide") -> tuple[str, ...]:
        """The days of the week on their own, Monday first ("abbreviated": "Mon")."""
        if width == "abbreviated":
            return tuple(name[:3] for name in self.weekdays)
        return self.weekdays

    def clock(self, moment: datetime | time) -> str:
        """ "09:13", on a 24-hour clock."""
        return f"{moment.hour:02d}:{moment.minute:02d}"

    def before_clock(self, long_date_text: str) -> str:
        """What comes before the clock after a long date: "Wednesday 2 December 2026, "."""
        return f"{long_date_text}, "

    def with_clock(self, short_date_text: str, clock_text: str) -> str:
        """A short date and a clock: "2 Dec 2026, 09:13 EET"."""
        return f"{short_date_text}, {clock_text}"

    def date_range(self, start: date, last: date) -> str:
        """Inclusive days ``start`` < ``last``: "29–30 March 2027", "29 March – 2 April 2027"."""
        if (start.year, start.month) == (last.year, last.month):
            return f"{start.day}–{last.day} {self.month(last.month)} {last.year}"
        if start.year == last.year:
            return (
                f"{start.day} {self.month(start.month)} – "
                f"{last.day} {self.month(last.month)} {last.year}"
            )
        return (
            f"{start.day} {self.month(start.month)} {start.year} – "
            f"{last.day} {self.month(last.month)} {last.year}"
        )

    def short_range(self, first: date, last: date) -> str:
        """Inclusive days ``first`` < ``last``, short: "13–15 Jan 2027", "30 Jan – 2 Feb 2027"."""
        if (first.year, first.month) == (last.year, last.month):
            return f"{first.day}–{self.short_date(last)}"
        if first.year == last.year:
            return f"{self.short_date(first, year=False)} – {self.short_date(last)}"
        return f"{self.short_date(first)} – {self.short_date(last)}"


# CLDR's "atTime" date-time patterns ("onsdag 13. januar 2027 kl. 10.00"), which Babel
# 2.x does not ship; a language missing here uses its plain full date-time pattern.
AT_TIME = {
    "da": "{1} 'kl'. {0}",
    "sv": "{1} 'kl'. {0}",
    "nb": "{1} 'kl'. {0}",
    "fi": "{1} 'klo' {0}",
    "is": "{1} 'kl'. {0}",
}


def _unquote(pattern: str) -> str:
    """CLDR's quoting: 'kl' is literal text, '' an apostrophe."""
    return re.sub(r"''|'", lambda match: "'" if match.group() == "''" else "", pattern)


def _widen(pattern: str, letters: str, width: int) -> str:
    """A pattern's runs of ``letters`` (outside quotes) at ``width``: E d. MMM → EEEE d. MMMM."""
    parts = pattern.split("'")
    for index in range(0, len(parts), 2):  # the even parts are outside quotes
        parts[index] = re.sub(f"[{letters}]+", lambda match: match.group()[0] * width, parts[index])
    return "'".join(parts)


class LocaleWords(Words):
    """A language's dates the local way, from CLDR (Babel): "onsdag 13. januar 2027",
    "13. jan. 2027", "10.00"; month names in dates in their format form ("13.
    tammikuuta"), alone in their stand-alone form ("tammikuu"). Its words ("all day")
    come from the catalogs: use it under its own locale (``words()`` does)."""

    def __init__(self, language: str):
        self.language = language
        self.locale = locale = Locale.parse(language)
        skeletons = locale.datetime_skeletons
        if "yMMMMEEEEd" in skeletons:
            long_pattern = skeletons["yMMMMEEEEd"].pattern
        else:
            long_pattern = _widen(skeletons["yMMMMEd"].pattern, "Ec", 4)
        self._long = long_pattern
        self._short = {
            (True, False): skeletons["yMMMd"].pattern,
            (False, False): skeletons["MMMd"].pattern,
            (True, True): skeletons["yMMMEd"].pattern,
            (False, True): skeletons["MMMEd"].pattern,
        }
        self._clock = skeletons["Hm"].pattern
        self._day_month = skeletons["MMMMd"].pattern
        self._day_months: dict[tuple[int, int], str] = {}  # at most 366 a language
        at_time = AT_TIME.get(language, str(locale.datetime_formats["full"]))
        self._before_clock = _unquote(at_time.split("{0}")[0])
        self._with_clock = _unquote(str(locale.datetime_formats["medium"]))
        intervals = locale.interval_formats.get("yMMMd", {})
        self._short_intervals = {field: tuple(pair) for field, pair in intervals.items()}
        self._long_intervals = {
            field: tuple(_widen(part, "M", 4) if "MMM" in part else part for part in pair)
            for field, pair in self._short_intervals.items()
        }
        self.weekdays = self._weekday_names("wide")
        self.months = tuple(
            get_month_names("wide", "stand-alone", locale)[m] for m in MONTH_NUMBERS
        )

    def _weekday_names(self, width: str) -> tuple[str, ...]:
        names = get_day_names(width, "stand-alone", self.locale)
        return tuple(names[day] for day in range(7))  # Babel counts Monday as 0

    @property
    def all_day(self) -> str:  # type: ignore[override]
        # Translators: an event's time when it lasts the whole day.
        return gettext("all day")

    @property
    def from_(self) -> str:  # type: ignore[override]
        # Translators: an event going on past midnight, on its first day: "from 22:00".
        return gettext("from {clock}")

    @property
    def until(self) -> str:  # type: ignore[override]
        # Translators: an event that began the day before, on its last day: "until 02:00".
        return gettext("until {clock}")

    @property
    def at_place(self) -> str:  # type: ignore[override]
        # Translators: after an event's time on its own clock, the place that clock hangs
        # in ("09:00–10:30 CET in Malmö"); {place} is a city's name, not inflected.
        return gettext("in {place}")

    def _format(self, value: date, pattern: str) -> str:
        return format_date(value, pattern, locale=self.locale)

    def long_date(self, day: date) -> str:
        return self._format(day, self._long)

    def short_date(self, day: date, *, year: bool = True, weekday: bool = False) -> str:
        return self._format(day, self._short[year, weekday])

    def day_month(self, day: date) -> str:
        # Kept: a year page words every day of the year, and Babel is slow at it.
        key = (day.month, day.day)
        text = self._day_months.get(key)
        if text is None:
            text = self._day_months[key] = self._format(day, self._day_month)
        return text

    def month(self, month: int, width: str = "wide") -> str:
        return get_month_names(width, "stand-alone", self.locale)[month]

    def weekday_names(self, width: str = "wide") -> tuple[str, ...]:
        return self.weekdays if width == "wide" else self._weekday_names(width)

    def clock(self, moment: datetime | time) -> str:
        return format_time(time(moment.hour, moment.minute), self._clock, locale=self.locale)

    def before_clock(self, long_date_text: str) -> str:
        return self._before_clock.replace("{1}", long_date_text)

    def with_clock(self, short_date_text: str, clock_text: str) -> str:
        return self._with_clock.replace("{1}", short_date_text).replace("{0}", clock_text)

    def _interval(self, patterns: dict, start: date, last: date, single) -> str:
        field = "y" if start.year != last.year else "M" if start.month != last.month else "d"
        pair = patterns.get(field)
        if pair is None:
            return f"{single(start)} – {single(last)}"
        first_part, last_part = pair
        return self._format(start, first_part) + self._format(last, last_part)

    def date_range(self, start: date, last: date) -> str:
        pattern = _widen(self._short[True, False], "M", 4)
        return self._interval(
            self._long_intervals, start, last, lambda day: self._format(day, pattern)
        )

    def short_range(self, first: date, last: date) -> str:
        return self._interval(self._short_intervals, first, last, self.short_date)


MONTH_NUMBERS = range(1, 13)
ENGLISH = Words()


@cache
def words_for(language: str) -> Words:
    """The words of ``language`` ("en", "da" …); its translated words under its locale."""
    return ENGLISH if language == "en" else LocaleWords(language)


def words() -> Words:
    """The words of the reader's language: Flask-Babel's locale (the request's, or the
    one a mail is written in) plugs in here, and only here. English outside the app."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return ENGLISH
    return words_for(locale.language)


WEEKDAYS = ENGLISH.weekdays
MONTHS = ENGLISH.months


class LocalNames(Sequence):
    """Names read in the reader's language when they are read (templates' ``weekday_names``):
    ``names[0]`` is Monday's, ``names("abbreviated")`` all of them short."""

    def __init__(self, pick):
        self._pick = pick

    def __call__(self, width: str = "wide") -> tuple[str, ...]:
        return self._pick(words(), width)

    def __getitem__(self, index):
        return self()[index]

    def __len__(self) -> int:
        return len(self())

    def __iter__(self):
        return iter(self())


weekday_names = LocalNames(lambda local, width: local.weekday_names(width))


def long_date(day: date) -> str:
    """ "Wednesday 13 January 2027"."""
    return words().long_date(day)


def short_date(day: date, *, year: bool = True, weekday: bool = False) -> str:
    """ "13 Jan 2027" (``year=False``: "13 Jan"; ``weekday=True``: "Wed 13 Jan 2027")."""
    return words().short_date(day, year=year, weekday=weekday)


def month_name(month: int, width: str = "wide") -> str:
    """A month's name on its own: "January" (Finnish "tammikuu"); "abbreviated": "Jan"."""
    return words().month(month, width)


def clock(moment: datetime | time) -> str:
    return words().clock(moment)


# --- zones by name ---------------------------------------------------------------------

_NORDIC_CITIES = {name: label.split(" (")[0] for name, label in NORDIC_ZONES}
_NORDIC_LABELS = dict(NORDIC_ZONES)


def zone_city(zone_name: str, *, english: bool = False) -> str:
    """The city a zone is named after: "Copenhagen", "Reykjavík", "Tórshavn", "New York";
    in the reader's language ("København", "Kööpenhamina", "Berliini") unless ``english``."""
    local = None if english else _reader_locale()
    if zone_name in _NORDIC_CITIES:
        if local is None:
            return _NORDIC_CITIES[zone_name]
        return zone_choice_label(zone_name, _NORDIC_LABELS[zone_name]).split(" (")[0]
    if local is not None and "/" in zone_name:
        return get_timezone_location(zone_name, locale=local, return_city=True)
    return zone_name.rsplit("/", 1)[-1].replace("_", " ")


def _reader_locale() -> Locale | None:
    """The locale being written in, or None for English (which reads the zone's name)."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return None
    return locale


def zone_label(zone_name: str) -> str:
    """A zone as a person reads it in a picker: "Helsinki (Finland)", "New York (America)"."""
    if zone_name in _NORDIC_LABELS:
        return zone_choice_label(zone_name, _NORDIC_LABELS[zone_name])
    parts = zone_name.replace("_", " ").split("/")
    if len(parts) == 1:
        return parts[0]
    return f"{parts[-1]} ({', '.join(parts[-2:0:-1] + [parts[0]])})"


def offset_text(moment: datetime) -> str:
    """The UTC offset at ``moment``: "UTC+2", "UTC−2", "UTC+5:30", "UTC"."""
    offset = moment.utcoffset() or timedelta()
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else MINUS
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def _zone_key(moment: datetime) -> str | None:
    return getattr(moment.tzinfo, "key", None)


def abbreviation(moment: datetime, *, with_city: bool = True) -> str:
    """The zone's abbreviation at ``moment``: CET, CEST, EET, GMT, WEST …

    Where the tz database has only a number ("-02" for Nuuk), the offset with the
    zone's city: "UTC−2 (Nuuk)", or "UTC−2" alone when ``with_city`` is false (the
    place is said next to it anyway).
    """
    name = moment.tzname() or ""
    if name and name[0] not in "+-":
        return name
    text = offset_text(moment)
    key = _zone_key(moment)
    if with_city and key:
        return f"{text} ({zone_city(key)})"
    return text


def zone_now(zone_name: str, now: datetime) -> str:
    """The zone's abbreviation and offset at ``now``: "EET, UTC+2"; "UTC−2 (Nuuk)"."""
    local = now.astimezone(ZoneInfo(zone_name))
    name = abbreviation(local)
    if name.startswith("UTC"):
        return name
    return f"{name}, {offset_text(local)}"


# --- moments ---------------------------------------------------------------------------


def format_instant(instant: datetime, zone: str | None, *, year: bool = True) -> str:
    """A moment something happened, on ``zone``'s clock (UTC when None):
    "1 Dec 2026, 09:13 EET"."""
    local = instant.astimezone(ZoneInfo(zone) if zone else UTC)
    w = words()
    return w.with_clock(
        w.short_date(local.date(), year=year), f"{w.clock(local)} {abbreviation(local)}"
    )


def format_local_moment(local: datetime) -> str:
    """An aware wall-clock time as it stands: "1 Dec 2026, 09:13 EET"."""
    w = words()
    return w.with_clock(w.short_date(local.date()), f"{w.clock(local)} {abbreviation(local)}")


def format_local_date(instant: datetime, zone: str | None) -> str:
    """The day of ``instant`` on ``zone``'s clock (UTC when None): "13 Jan 2027"."""
    return short_date(instant.astimezone(ZoneInfo(zone) if zone else UTC).date())


# --- dates of all-day events -----------------------------------------------------------


def format_date_range(start: date, end: date) -> str:
    """Dates of an all-day event, ``end`` exclusive as stored, shown inclusive for people.

    ``(2027-03-29, 2027-03-31)`` reads "29–30 March 2027"; a single day reads
    "Monday 29 March 2027".
    """
    w = words()
    last = end - timedelta(days=1) if end > start else start
    if last == start:
        return w.long_date(start)
    return w.date_range(start, last)


def short_date_range(first: date, last: date) -> str:
    """Inclusive days in the short form: "13 Jan 2027", "13–15 Jan 2027",
    "30 Jan – 2 Feb 2027"."""
    w = words()
    return w.short_date(first) if first == last else w.short_range(first, last)


# --- an event's place ------------------------------------------------------------------


def event_place(event) -> str:
    """Where an event's own clock hangs: its host city ("Malmö") when the city keeps the
    event's zone, else the zone's city ("Stockholm")."""
    city = getattr(event, "host_city", None)
    if city is not None and getattr(city, "timezone", None) == event.timezone:
        return city.name
    return zone_city(event.timezone)


# --- times of an event -----------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A bit of text; with ``iso`` set, a template renders it as ``<time datetime=iso>``."""

    text: str
    iso: str | None = None


def pieces_text(pieces: Iterable[Piece]) -> str:
    return "".join(piece.text for piece in pieces)


def moment_piece(moment: datetime) -> Piece:
    return Piece(clock(moment), moment.isoformat())


def _ends_same_day(start: datetime, end: datetime) -> bool:
    """An event ending at midnight ends on the day it started, for people."""
    return end.date() == start.date() or (
        end.date() == start.date() + timedelta(days=1) and end.time() == time()
    )


def range_pieces(
    start: datetime, end: datetime, *, with_date: bool, with_city: bool = True
) -> list[Piece]:
    """ "Wednesday 13 January 2027, 10:00–11:30 CET", or across days
    "… 10:00 CET – Thursday 14 January 2027, 15:00 CET"."""
    w = words()
    start_abbr = abbreviation(start, with_city=with_city)
    end_abbr = abbreviation(end, with_city=with_city)
    if _ends_same_day(start, end):
        pieces = [Piece(w.before_clock(w.long_date(start.date())))] if with_date else []
        pieces.append(moment_piece(start))
        if start_abbr != end_abbr:  # the clocks change during the event
            pieces.append(Piece(f" {start_abbr}"))
        pieces += [Piece("–"), moment_piece(end), Piece(f" {end_abbr}")]
        return pieces
    return [
        Piece(w.before_clock(w.long_date(start.date()))),
        moment_piece(start),
        Piece(f" {start_abbr} – {w.before_clock(w.long_date(end.date()))}"),
        moment_piece(end),
        Piece(f" {end_abbr}"),
    ]


def reads_the_same(a: datetime, b: datetime) -> bool:
    """Whether two readings of an instant show the same wall clock and abbreviation."""
    return a.replace(tzinfo=None) == b.replace(tzinfo=None) and a.tzname() == b.tzname()


@dataclass(frozen=True)
class EventTime:
    """An event's time as pieces: ``primary`` in the viewer's zone, and ``secondary``
    (the event's own wall clock, "10:00–11:30 CET in Malmö") when it reads differently.
    All-day events have dates only, the same in every zone. ``place`` names the event's
    own clock ("Malmö")."""

    all_day: bool
    zone: str
    primary: tuple[Piece, ...]
    secondary: tuple[Piece, ...] = ()
    place: str = ""

    @property
    def primary_text(self) -> str:
        return pieces_text(self.primary)

    @property
    def secondary_text(self) -> str:
        return pieces_text(self.secondary)

    @property
    def text(self) -> str:
        if self.secondary:
            return f"{self.primary_text} · {self.secondary_text}"
        return self.primary_text


def format_event_time(event, zone: str | None = None) -> EventTime:
    """When ``event`` happens, read on the clocks of ``zone`` (default: the event's own)."""
    place = event_place(event)
    if event.all_day and event.start_date is not None:
        end = event.end_date or event.start_date + timedelta(days=1)
        return EventTime(
            all_day=True,
            zone=event.timezone,
            primary=(
                Piece(format_date_range(event.start_date, end), event.start_date.isoformat()),
            ),
            place=place,
        )
    zone = zone or event.timezone
    tz = ZoneInfo(zone)
    start, end = event.starts_at.astimezone(tz), event.ends_at.astimezone(tz)
    primary = tuple(range_pieces(start, end, with_date=True))
    own = ZoneInfo(event.timezone)
    own_start, own_end = event.starts_at.astimezone(own), event.ends_at.astimezone(own)
    if reads_the_same(own_start, start) and reads_the_same(own_end, end):
        return EventTime(all_day=False, zone=zone, primary=primary, place=place)
    other_day = own_start.date() != start.date()
    secondary = range_pieces(own_start, own_end, with_date=other_day, with_city=False)
    secondary.append(Piece(" " + words().at_place.format(place=place)))
    return EventTime(
        all_day=False, zone=zone, primary=primary, secondary=tuple(secondary), place=place
    )


def format_local_range(start: datetime, end: datetime) -> str:
    """Aware wall-clock times in the short form: "13 Jan 2027, 10:00–11:30 CET";
    "31 Oct 2027, 01:00 CEST–04:00 CET" across a clock change; across days
    "13 Jan 2027, 10:00 CET – 14 Jan 2027, 15:00 CET"."""
    w = words()
    start_abbr, end_abbr = abbreviation(start), abbreviation(end)
    day, clock_start, clock_end = w.short_date(start.date()), w.clock(start), w.clock(end)
    if start.date() == end.date():
        if start_abbr == end_abbr:
            return w.with_clock(day, f"{clock_start}–{clock_end} {end_abbr}")
        return w.with_clock(day, f"{clock_start} {start_abbr}–{clock_end} {end_abbr}")
    return (
        f"{w.with_clock(day, f'{clock_start} {start_abbr}')} – "
        f"{w.with_clock(w.short_date(end.date()), f'{clock_end} {end_abbr}')}"
    )


def format_all_day(first: date, last: date) -> str:
    """Inclusive days of an all-day event, short: "13–15 Jan 2027 (all day)"."""
    return f"{short_date_range(first, max(first, last))} ({words().all_day})"


def format_event_when(event) -> str:
    """An event on its own clock, in the short form coordinators' lists use:
    "13 Jan 2027, 10:00–11:30 CET"; "13–15 Jan 2027 (all day)"."""
    zone = ZoneInfo(event.timezone)
    start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    if event.all_day:
        first = event.start_date or start.date()
        last = (event.end_date or end.date()) - timedelta(days=1)
        return format_all_day(first, last)
    return format_local_range(start, end)


def format_day_time(event, day: date, zone: str | None = None) -> str:
    """An event's time within one calendar day: "10:00–11:30", "from 22:00", "until 02:00",
    "all day". The abbreviation is added when each event is read in its own zone."""
    w = words()
    if event.all_day:
        return w.all_day
    tz = ZoneInfo(zone or event.timezone)
    start, end = event.starts_at.astimezone(tz), event.ends_at.astimezone(tz)
    starts_today = start.date() == day
    ends_today = end.date() == day or (
        end.date() == day + timedelta(days=1) and end.time() == time()
    )
    if starts_today and ends_today:
        text = f"{clock(start)}–{clock(end)}"
    elif starts_today:
        text = w.from_.format(clock=clock(start))
    elif ends_today:
        text = w.until.format(clock=clock(end))
    else:
        return w.all_day
    if zone is None:
        text += f" {abbreviation(start if starts_today else end)}"
    return text
