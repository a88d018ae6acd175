"""How events read on the page: times in the viewer's zone beside the event's own.

Small pure functions: they take events, zone names and dates, never the request,
so the same rules serve every page and are easy to test. Templates get them as
filters and globals (see ``nscal.templating``).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from nscal.events.models import Event
from nscal.timeutil import NORDIC_ZONES, is_valid_zone, zone_abbreviation

# English names, whatever the server's locale says.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
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

# The session key of the zone a visitor picked with "Show times in".
SESSION_ZONE = "display_zone"

_NORDIC_PLACES = {name: label.split(" (")[0] for name, label in NORDIC_ZONES}
_NORDIC_LABELS = dict(NORDIC_ZONES)


# --- whose clock -----------------------------------------------------------------------


def display_zone(viewer, session_zone: str | None) -> tuple[str | None, str | None]:
    """The zone a viewer reads times in, and where it comes from.

    ``("Europe/Helsinki", "account")`` for a person with a zone (their own or their
    city's), ``(zone, "picked")`` for a zone chosen on the page, ``(None, None)``
    when each event is to be read in its own zone.
    """
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        zone = viewer.display_timezone
        if is_valid_zone(zone):
            return zone, "account"
    if is_valid_zone(session_zone):
        return session_zone, "picked"
    return None, None


def viewer_zone(viewer, session_zone: str | None, event: Event | None = None) -> str | None:
    """The account's zone, else the zone picked on the page, else the event's own zone."""
    zone, _source = display_zone(viewer, session_zone)
    if zone is None and event is not None:
        return event.timezone
    return zone


# --- words for zones and dates ---------------------------------------------------------


def zone_place(zone_name: str) -> str:
    """The place a zone is named after: "Copenhagen", "Nuuk", "New York"."""
    if zone_name in _NORDIC_PLACES:
        return _NORDIC_PLACES[zone_name]
    return zone_name.rsplit("/", 1)[-1].replace("_", " ")


def zone_label(zone_name: str) -> str:
    """A zone as a person reads it in a picker: "Helsinki (Finland)", "America/New York"."""
    return _NORDIC_LABELS.get(zone_name, zone_name.replace("_", " "))


def zone_now(zone_name: str, now: datetime) -> str:
    """The zone's abbreviation and UTC offset at ``now``: "EET, UTC+02:00"."""
    local = now.astimezone(ZoneInfo(zone_name))
    offset = local.strftime("%z")
    return f"{zone_abbreviation(local)}, UTC{offset[:3]}:{offset[3:]}"


def long_date(day: date) -> str:
    """ "Wednesday 13 January 2027"."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def month_name(month: int) -> str:
    return MONTHS[month - 1]


def format_date_range(start: date, end: date) -> str:
    """Dates of an all-day event, ``end`` exclusive as stored, shown inclusive for people.

    ``(2027-03-29, 2027-03-31)`` reads "29–30 March 2027"; a single day reads
    "Monday 29 March 2027".
    """
    last = end - timedelta(days=1) if end > start else start
    if last == start:
        return long_date(start)
    if (start.year, start.month) == (last.year, last.month):
        return f"{start.day}–{last.day} {MONTHS[last.month - 1]} {last.year}"
    if start.year == last.year:
        return (
            f"{start.day} {MONTHS[start.month - 1]} – {last.day} {MONTHS[last.month - 1]} "
            f"{last.year}"
        )
    return (
        f"{start.day} {MONTHS[start.month - 1]} {start.year} – "
        f"{last.day} {MONTHS[last.month - 1]} {last.year}"
    )


# --- times of an event -----------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A bit of text; with ``iso`` set, a template renders it as ``<time datetime=iso>``."""

    text: str
    iso: str | None = None


def _text(pieces: Iterable[Piece]) -> str:
    return "".join(piece.text for piece in pieces)


def _moment(moment: datetime) -> Piece:
    return Piece(f"{moment:%H:%M}", moment.isoformat())


def _ends_same_day(start: datetime, end: datetime) -> bool:
    """An event ending at midnight ends on the day it started, for people."""
    return end.date() == start.date() or (
        end.date() == start.date() + timedelta(days=1) and end.time() == time()
    )


def _range_pieces(start: datetime, end: datetime, *, with_date: bool) -> list[Piece]:
    start_abbr, end_abbr = zone_abbreviation(start), zone_abbreviation(end)
    if _ends_same_day(start, end):
        pieces = [Piece(f"{long_date(start.date())}, ")] if with_date else []
        pieces.append(_moment(start))
        if start_abbr != end_abbr:  # the clocks change during the event
            pieces.append(Piece(f" {start_abbr}"))
        pieces += [Piece("–"), _moment(end), Piece(f" {end_abbr}")]
        return pieces
    return [
        Piece(f"{long_date(start.date())}, "),
        _moment(start),
        Piece(f" {start_abbr} – {long_date(end.date())}, "),
        _moment(end),
        Piece(f" {end_abbr}"),
    ]


@dataclass(frozen=True)
class EventTime:
    """An event's time as pieces: ``primary`` in the viewer's zone, and ``secondary``
    (the event's own wall clock, "10:00–11:30 CET in Copenhagen") when it reads differently.
    All-day events have dates only, the same in every zone."""

    all_day: bool
    zone: str
    primary: tuple[Piece, ...]
    secondary: tuple[Piece, ...] = ()

    @property
    def primary_text(self) -> str:
        return _text(self.primary)

    @property
    def secondary_text(self) -> str:
        return _text(self.secondary)

    @property
    def text(self) -> str:
        if self.secondary:
            return f"{self.primary_text} · {self.secondary_text}"
        return self.primary_text


def format_event_time(event: Event, zone: str | None = None) -> EventTime:
    """When ``event`` happens, read on the clocks of ``zone`` (default: the event's own)."""
    if event.all_day and event.start_date is not None:
        end = event.end_date or event.start_date + timedelta(days=1)
        return EventTime(
            all_day=True,
            zone=event.timezone,
            primary=(
                Piece(format_date_range(event.start_date, end), event.start_date.isoformat()),
            ),
        )
    zone = zone or event.timezone
    start, end = (
        event.starts_at.astimezone(ZoneInfo(zone)),
        event.ends_at.astimezone(ZoneInfo(zone)),
    )
    primary = tuple(_range_pieces(start, end, with_date=True))
    own_start, own_end = event.local_start, event.local_end
    reads_the_same = (
        own_start.replace(tzinfo=None) == start.replace(tzinfo=None)
        and own_end.replace(tzinfo=None) == end.replace(tzinfo=None)
        and zone_abbreviation(own_start) == zone_abbreviation(start)
        and zone_abbreviation(own_end) == zone_abbreviation(end)
    )
    if reads_the_same:
        return EventTime(all_day=False, zone=zone, primary=primary)
    other_day = own_start.date() != start.date()
    secondary = _range_pieces(own_start, own_end, with_date=other_day)
    secondary.append(Piece(f" in {zone_place(event.timezone)}"))
    return EventTime(all_day=False, zone=zone, primary=primary, secondary=tuple(secondary))


# --- calendar days ---------------------------------------------------------------------


def event_days(event: Event, zone: str | None = None) -> list[date]:
    """The days an event covers: its dates when all-day, else read on ``zone``'s clocks."""
    if event.all_day and event.start_date is not None:
        first = event.start_date
        last = (event.end_date or first + timedelta(days=1)) - timedelta(days=1)
    else:
        tz = ZoneInfo(zone or event.timezone)
        start, end = event.starts_at.astimezone(tz), event.ends_at.astimezone(tz)
        first = start.date()
        last = end.date() - timedelta(days=1) if end.time() == time() else end.date()
    last = max(first, last)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _day_order(event: Event) -> tuple:
    return (not event.all_day, event.starts_at, event.id or 0)


def events_by_day(
    events: Iterable[Event], zone: str | None, first: date, last: date
) -> dict[date, list[Event]]:
    """Each day from ``first`` to ``last`` (inclusive) that has events, with every event
    covering it: multi-day and all-day events appear on each of their days."""
    days: dict[date, list[Event]] = defaultdict(list)
    for event in events:
        for day in event_days(event, zone):
            if first <= day <= last:
                days[day].append(event)
    return {day: sorted(days[day], key=_day_order) for day in sorted(days)}


def events_by_month(
    events: Iterable[Event], zone: str | None, year: int
) -> dict[int, list[tuple[date, list[Event]]]]:
    """A year as printed: for each month, its days with the events starting (or, for
    events begun the month before, continuing) on them; each event once a month."""
    months: dict[int, dict[date, list[Event]]] = {
        month: defaultdict(list) for month in range(1, 13)
    }
    for event in events:
        seen: set[int] = set()
        for day in event_days(event, zone):
            if day.year == year and day.month not in seen:
                seen.add(day.month)
                months[day.month][day].append(event)
    return {
        month: [(day, sorted(days[day], key=_day_order)) for day in sorted(days)]
        for month, days in months.items()
    }


def format_day_time(event: Event, day: date, zone: str | None = None) -> str:
    """An event's time within one calendar day: "10:00–11:30", "from 22:00", "until 02:00",
    "all day". The abbreviation is added when each event is read in its own zone."""
    if event.all_day:
        return "all day"
    tz = ZoneInfo(zone or event.timezone)
    start, end = event.starts_at.astimezone(tz), event.ends_at.astimezone(tz)
    starts_today = start.date() == day
    ends_today = end.date() == day or (
        end.date() == day + timedelta(days=1) and end.time() == time()
    )
    if starts_today and ends_today:
        text = f"{start:%H:%M}–{end:%H:%M}"
    elif starts_today:
        text = f"from {start:%H:%M}"
    elif ends_today:
        text = f"until {end:%H:%M}"
    else:
        text = "all day"
    if zone is None and text != "all day":
        text += f" {zone_abbreviation(start if starts_today else end)}"
    return text


# --- text ------------------------------------------------------------------------------


def paragraphs(text: str | None) -> Markup:
    """Plain text as HTML: escaped, blank lines make paragraphs, line breaks are kept."""
    if not text or not text.strip():
        return Markup("")
    blocks = [block.strip("\n") for block in text.replace("\r\n", "\n").split("\n\n")]
    html = (
        Markup("<p>")
        + Markup("<br>\n").join(escape(line) for line in block.split("\n"))
        + Markup("</p>")
        for block in blocks
        if block.strip()
    )
    return Markup("\n").join(html)
