"""How events read on the page: whose clock, which days, and the text of descriptions.

The words of every time (dates, clocks, zone names, an event's time in the viewer's
zone beside its own) come from ``nscal.timedisplay``, the one formatter; the names
imported from it below are the ones templates and rooms use.

Small pure functions: they take events, zone names and dates, never the request,
so the same rules serve every page and are easy to test. Templates get them as
filters and globals (see ``nscal.templating``).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from nscal.events.models import Event
from nscal.timedisplay import (  # noqa: F401 - the formatter, as the rooms know it
    MONTHS,
    WEEKDAYS,
    EventTime,
    Piece,
    abbreviation,
    format_date_range,
    format_day_time,
    format_event_time,
    long_date,
    month_name,
    words,
    zone_label,
    zone_now,
)
from nscal.timedisplay import zone_city as zone_place  # noqa: F401
from nscal.timeutil import is_valid_zone

# The session key of the zone a visitor picked with "Show times in".
SESSION_ZONE = "display_zone"


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


# --- calendar days ---------------------------------------------------------------------


def event_days(event: Event, zone: str | None = None) -> list[date]:
    """The days an event covers: its dates when all-day, else read on ``zone``'s clocks."""
    first, last = day_span(
        event.starts_at,
        event.ends_at,
        event.all_day,
        event.start_date,
        event.end_date,
        ZoneInfo(zone or event.timezone),
    )
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def day_span(starts_at, ends_at, all_day, start_date, end_date, tz: ZoneInfo) -> tuple[date, date]:
    """The first and last day (inclusive) of ``event_days``, from the columns themselves:
    pages that only count an event's days read these and build no event."""
    if all_day and start_date is not None:
        first = start_date
        last = (end_date or first + timedelta(days=1)) - timedelta(days=1)
    else:
        start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
        first = start.date()
        last = end.date() - timedelta(days=1) if end.time() == time() else end.date()
    return first, max(first, last)


def _day_order(event: Event) -> tuple:
    return (not event.all_day, event.starts_at, event.id or 0)


DaysOf = Callable[[Event], list[date]]


def events_by_day(
    events: Iterable[Event],
    zone: str | None,
    first: date,
    last: date,
    days_of: DaysOf | None = None,
) -> dict[date, list[Event]]:
    """Each day from ``first`` to ``last`` (inclusive) that has events, with every event
    covering it: multi-day and all-day events appear on each of their days.
    ``days_of``: each event's days when the caller has read them already."""
    days_of = days_of or (lambda event: event_days(event, zone))
    days: dict[date, list[Event]] = defaultdict(list)
    for event in events:
        for day in days_of(event):
            if first <= day <= last:
                days[day].append(event)
    return {day: sorted(days[day], key=_day_order) for day in sorted(days)}


def listed_days(first: date, last: date, year: int) -> list[date]:
    """The days of ``year`` an event from ``first`` to ``last`` is listed on in the year
    page: its first day, and the first of each later month it goes on into (an event
    is listed once in each month it touches)."""
    days = [first] if first.year == year else []
    if (last.year, last.month) != (first.year, first.month):
        month = date(first.year, first.month, 1)
        while True:
            month = (month + timedelta(days=31)).replace(day=1)
            if month > last:
                break
            if month.year == year:
                days.append(month)
    return days


class DayTimes:
    """``format_day_time`` for the many events of one page, with the words looked up
    once: the reader's language's words, each clock ("09:15") and each zone's
    abbreviation are worded once a page, not once an event (Babel's formatting and the
    request's locale cost more than the rest of a row). The same rules as
    ``format_day_time``, which tests hold it to in every language.
    """

    def __init__(self, zone: str | None):
        self.zone = zone
        self.words = words()
        self._clocks: dict[tuple[int, int], str] = {}
        self._abbreviations: dict[tuple, str] = {}
        self._zones: dict[str, ZoneInfo] = {}

    def _clock(self, moment) -> str:
        key = (moment.hour, moment.minute)
        text = self._clocks.get(key)
        if text is None:
            text = self._clocks[key] = self.words.clock(moment)
        return text

    def _abbreviation(self, moment) -> str:
        key = (moment.tzinfo, moment.tzname(), moment.utcoffset())
        text = self._abbreviations.get(key)
        if text is None:
            text = self._abbreviations[key] = abbreviation(moment)
        return text

    def __call__(self, event, day: date) -> str:
        if event.all_day:
            return self.words.all_day
        name = self.zone or event.timezone
        tz = self._zones.get(name)
        if tz is None:
            tz = self._zones[name] = ZoneInfo(name)
        start, end = event.starts_at.astimezone(tz), event.ends_at.astimezone(tz)
        starts_today = start.date() == day
        ends_today = end.date() == day or (
            end.date() == day + timedelta(days=1) and end.time() == time()
        )
        if starts_today and ends_today:
            text = f"{self._clock(start)}–{self._clock(end)}"
        elif starts_today:
            text = self.words.from_.format(clock=self._clock(start))
        elif ends_today:
            text = self.words.until.format(clock=self._clock(end))
        else:
            return self.words.all_day
        if self.zone is None:
            text += f" {self._abbreviation(start if starts_today else end)}"
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
