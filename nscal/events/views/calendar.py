"""Year and month views: /calendar/<year> and /calendar/<year>/<month>.

Days are read on the viewer's clocks (or each event's own when the viewer has no
zone); all-day events keep their dates in every zone.

A year can hold thousands of events, so these pages read only the columns they show
(``CalendarEntry``, no ORM objects, no audiences) in one query, and the event links are
built from one routed prefix (``nscal.templating.event_url``): the work per event is
a row, its days and its time of day.
"""

from bisect import bisect_left, bisect_right
from calendar import Calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, get_template_attribute, redirect, render_template, url_for
from flask_babel import get_translations, ngettext
from flask_babel import gettext as _
from markupsafe import Markup, escape

from nscal.db import db, utcnow
from nscal.events.display import (
    DayTimes,
    day_span,
    display_zone,
    event_days,
    events_by_day,
    format_event_time,
    listed_days,
)
from nscal.events.models import (
    TRANSLATED_LANGUAGES,
    Event,
    EventStatus,
    EventText,
    EventTranslation,
    Visibility,
)
from nscal.events.services import events_between, visible_events
from nscal.events.views.public import current_viewer, session_zone
from nscal.i18n import current_language
from nscal.timeutil import FIRST_YEAR, LAST_YEAR, year_in_range

calendar = Blueprint("calendar", __name__)

# Events are fetched with this margin around the period, then placed on days in Python:
# no zone is more than a day away from UTC.
MARGIN = timedelta(days=1)


def _not_found(detail: str):
    return (
        render_template(
            "errors/error.html",
            code=404,
            title=_("No such calendar page"),
            hint="",
            detail=detail,
        ),
        404,
    )


def _years_covered() -> str:
    return _(
        "The calendar covers the years %(first)s to %(last)s.", first=FIRST_YEAR, last=LAST_YEAR
    )


@dataclass(slots=True)
class CalendarEntry:
    """What a calendar page shows of an event: the attributes of ``Event`` that the day
    and time helpers (``nscal.events.display``, ``nscal.timedisplay``) and the day lists
    read, and nothing else."""

    id: int
    title: str
    timezone: str
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    start_date: date | None
    end_date: date | None
    status: EventStatus
    visibility: Visibility
    days: list[date] = field(default_factory=list)  # on the page's clocks, read once
    translated_title: str | None = None  # in the page's language, where it has one
    host_city = None  # the place of an event's own clock is its zone's city here

    @property
    def is_cancelled(self) -> bool:
        return self.status is EventStatus.cancelled

    def text_in(self, _language: str | None) -> EventText:
        """As ``Event.text_in`` for the page's language (the pages show no description)."""
        return EventText(self.translated_title or self.title, "")


ENTRY_COLUMNS = [
    Event.__table__.c[name]
    for name in CalendarEntry.__slots__
    if name not in ("days", "translated_title")
]


def _events_in(viewer, start: date, end: date, zone: str | None) -> list[CalendarEntry]:
    """Events ``viewer`` may see that may touch the days [start, end)."""
    tz = ZoneInfo(zone or "UTC")
    query = (
        events_between(
            visible_events(viewer),
            datetime.combine(start, time(), tz) - MARGIN,
            datetime.combine(end, time(), tz) + MARGIN,
        )
        .with_only_columns(*ENTRY_COLUMNS)
        .order_by(Event.starts_at, Event.id)
    )
    entries = [CalendarEntry(*row) for row in db.session.execute(query)]
    titles = _translated_titles(current_language()) if entries else {}
    for entry in entries:
        entry.days = event_days(entry, zone)
        entry.translated_title = titles.get(entry.id)
    return entries


def _translated_titles(language: str) -> dict[int, str]:
    """The titles written in ``language``, by event id: one query, none in English (few
    events have translations, so the whole language is cheaper than a list of ids)."""
    if language not in TRANSLATED_LANGUAGES:
        return {}
    rows = db.session.execute(
        sa.select(EventTranslation.event_id, EventTranslation.title).where(
            EventTranslation.language == language, EventTranslation.title != ""
        )
    )
    return dict(rows.all())


def _days_of(entry: CalendarEntry) -> list[date]:
    return entry.days


def _today(zone: str | None) -> date:
    return utcnow().astimezone(ZoneInfo(zone or "UTC")).date()


@calendar.get("/calendar/")
def this_year():
    zone, _source = display_zone(current_viewer(), session_zone())
    return redirect(url_for("calendar.year", year=_today(zone).year))


# The year page lists this many events a day, the first by ``_day_order``, and links the
# rest to the day on the month page: its size is bounded by days, not events.
SHOWN_A_DAY = 3
MONTHS = range(1, 13)


# The year page's columns, read with the plain types of their storage: the instants and
# dates as the driver gives them (text on SQLite, datetimes and dates on PostgreSQL), the
# status and visibility as text. Most rows are only counted on their days, which
# ``_Midnights`` finds without making a datetime; the few events shown are converted.
_RAW = sa.String()
LISTING_COLUMNS = [
    Event.id,
    Event.timezone,
    sa.type_coerce(Event.starts_at, _RAW).label("starts_at"),
    sa.type_coerce(Event.ends_at, _RAW).label("ends_at"),
    Event.all_day,
    sa.type_coerce(Event.start_date, _RAW).label("start_date"),
    sa.type_coerce(Event.end_date, _RAW).label("end_date"),
    Event.title,
    sa.type_coerce(Event.status, _RAW).label("status"),
    sa.type_coerce(Event.visibility, _RAW).label("visibility"),
]
_STATUSES = {member.value: member for member in EventStatus}
_VISIBILITIES = {member.value: member for member in Visibility}


def _aware(value) -> datetime:
    """An instant as read (``LISTING_COLUMNS``) as an aware UTC datetime."""
    if isinstance(value, str):  # SQLite: "2027-01-08 12:15:00.000000", naive UTC
        return datetime.fromisoformat(value + "+00:00")
    return value.astimezone(UTC)


def _date(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _stored(moment: datetime, text: bool):
    """``moment`` as the driver gives an instant: SQLite's text (``UTCDateTime``'s naive
    UTC, always with microseconds, so text order is time order) or a datetime."""
    if not text:
        return moment
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%d %H:%M:%S}.{utc.microsecond:06d}"


@dataclass(frozen=True, slots=True)
class _Midnights:
    """The days around a year on one zone's clocks, by the instants they begin at: an
    instant's day is a bisection of ``starts`` (no datetime made, no zone conversion).
    ``days[bisect_right(starts, moment)]`` is the day ``moment`` falls on, and
    ``days[bisect_left(starts, end)]`` the last day of an event ending at ``end`` (an end
    at midnight covers none of the day it begins). None outside the days here, and on
    days with a change of UTC offset in them or at their edges: those are left to
    ``day_span``, so that every day found here is the one it would give."""

    starts: tuple  # the instant each day begins at, and the end of the last, as stored
    days: tuple[date | None, ...]  # None, the days (None where exact), None

    def day_of(self, moment) -> date | None:
        return self.days[bisect_right(self.starts, moment)]

    def day_ending(self, moment) -> date | None:
        return self.days[bisect_left(self.starts, moment)]


@lru_cache(maxsize=256)
def _midnights(zone: str, year: int, text: bool) -> _Midnights:
    tz = ZoneInfo(zone)
    first = date(year - 1, 12, 30)  # the query's margin, and a day more
    days = tuple(first + timedelta(days=n) for n in range((date(year + 1, 1, 3) - first).days))
    # Each day's first instant, in UTC (where ``-`` is not wall-clock arithmetic).
    starts = [
        datetime.combine(day, time(), tz).astimezone(UTC) for day in (*days, days[-1] + MARGIN)
    ]
    tiny = timedelta(microseconds=1)
    # The offsets just before and at each day's start: a day is ``exact`` unless all four
    # of its edges have the same.
    edges = [
        ((start - tiny).astimezone(tz).utcoffset(), start.astimezone(tz).utcoffset())
        for start in starts
    ]
    found = [
        None
        if len({*edges[n], *edges[n + 1]}) > 1 or starts[n].astimezone(tz).date() != day
        else day
        for n, day in enumerate(days)
    ]
    return _Midnights(tuple(_stored(start, text) for start in starts), (None, *found, None))


def _year_listing(viewer, year: int, zone: str | None) -> dict[date, tuple[list, int]]:
    """The days of ``year`` with events: the first ``SHOWN_A_DAY`` events listed on each
    (as ``CalendarEntry``) and how many the day lists in all.

    One query; every event is a row whose days are counted and then dropped, unless it
    is among the first of a day: only the events shown become entries."""
    viewer_tz = ZoneInfo(zone) if zone else None
    query = (
        events_between(
            visible_events(viewer),
            datetime.combine(date(year, 1, 1), time(), viewer_tz or UTC) - MARGIN,
            datetime.combine(date(year + 1, 1, 1), time(), viewer_tz or UTC) + MARGIN,
        )
        .with_only_columns(*LISTING_COLUMNS)
        .order_by(Event.starts_at, Event.id)
    )
    # Rows come by start, and within a day all-day events go first (``_day_order``):
    # each day keeps its count and the heads of its all-day and its timed events.
    days: dict[date, list] = {}
    midnights: dict[str, _Midnights] = {}
    # Plain rows (the connection's, not the ORM's): no entity loading per row.
    for row in db.session.connection().execute(query).all():
        _id, timezone, starts_at, ends_at, all_day, start_date, end_date = row[:7]
        if all_day and start_date is not None:
            first, last = day_span(None, None, True, _date(start_date), _date(end_date), None)
        else:
            name = zone or timezone
            clocks = midnights.get(name)
            if clocks is None:
                clocks = midnights[name] = _midnights(name, year, isinstance(starts_at, str))
            # As ``_Midnights.day_of`` and ``day_ending``, without two calls a row.
            first = clocks.days[bisect_right(clocks.starts, starts_at)]
            last = clocks.days[bisect_left(clocks.starts, ends_at)]
            if first is not None and last is not None:
                last = max(first, last)
            else:  # a change of clocks, or far from the year: as ``event_days``
                first, last = day_span(
                    _aware(starts_at), _aware(ends_at), False, None, None, ZoneInfo(name)
                )
        if first == last and first.year == year:  # most events: one day
            listed: Iterable[date] = (first,)
        else:
            listed = listed_days(first, last, year)
        for day in listed:
            heads = days.get(day)
            if heads is None:
                heads = days[day] = [0, [], []]
            heads[0] += 1
            kept = heads[1] if all_day else heads[2]
            if len(kept) < SHOWN_A_DAY:
                kept.append((row, first, last))
    titles = _translated_titles(current_language()) if days else {}
    entries: dict[int, CalendarEntry] = {}

    def entry_of(head: tuple) -> CalendarEntry:
        row, first, last = head
        entry = entries.get(row[0])
        if entry is None:
            id_, timezone, starts_at, ends_at, all_day, start_date, end_date = row[:7]
            title, status, visibility = row[7:]
            entry = entries[id_] = CalendarEntry(
                id_,
                title,
                timezone,
                _aware(starts_at),
                _aware(ends_at),
                all_day,
                _date(start_date),
                _date(end_date),
                _STATUSES[status],
                _VISIBILITIES[visibility],
                [first + timedelta(days=n) for n in range((last - first).days + 1)],
                titles.get(id_),
            )
        return entry

    return {
        day: ([entry_of(row) for row in (whole + timed)[:SHOWN_A_DAY]], count)
        for day, (count, whole, timed) in sorted(days.items())
    }


# The year page's HTML of a day, written here rather than by the template: a year has
# hundreds of days, and the template's loops, attribute lookups and escaping of each
# value cost more than the rest of the page. The same markup, byte for byte, as the
# template wrote (its indentation included).
_DAY = (
    '\n              <dt><time datetime="{iso}">{weekday} {number}</time></dt>'
    '\n              <dd>\n                <ul class="day-events">\n                  '
    "{rows}\n                </ul>{more}\n              </dd>\n            "
)
_ROW = (
    "\n                    <li{attributes}>"
    '\n                      <span class="day-time">{time}</span>'
    "\n                      {link}\n                    </li>\n                  "
)
_MORE = (
    '<p class="day-more">'
    '<a class="to-grid" href="{url}#d-{iso}" aria-label="{label}">{text}</a>'
    '<a class="to-list" href="{url}#l-{iso}" aria-label="{label}">{text}</a></p>'
)


def _year_rows(
    listing: dict[date, tuple[list, int]], year: int, zone: str | None
) -> dict[int, Markup]:
    """The year's days as HTML, by month: each value escaped once (an event's link and
    title once per event, its time once per distinct text, its badges once per kind
    of event, the "+ 3 more" words once per count). The same words as the filters of
    the month page; "+ 3 more" goes to the day on the month page, in its grid
    (``#d-…``) on a wide screen and in its list (``#l-…``) on a phone, where the grid
    is hidden and a hidden target would not be scrolled to."""
    language = current_language()
    day_time = DayTimes(zone)
    day_words = day_time.words
    weekdays = [escape(name) for name in day_words.weekday_names("abbreviated")]
    event_badges = get_template_attribute("_macros.html", "event_badges")
    badges: dict[tuple, Markup] = {}
    links: dict[int, str] = {}  # each event's link, title and badges
    spans: dict[int, str] = {}  # events over several days: their time, once
    times: dict[str, str] = {}  # each time's text, escaped
    more_texts: dict[int, tuple[str, str]] = {}
    translations = get_translations()
    cancelled = ' class="is-cancelled"'
    # As ``event_url``: routed once, then each event's id filled in.
    marker = "918273645"
    prefix, _marker, suffix = url_for("events.detail", event_id=int(marker)).partition(marker)
    prefix, suffix = escape(prefix), escape(suffix)
    month_urls = {
        month: escape(url_for("calendar.month", year=year, month=month)) for month in MONTHS
    }

    def row(entry: CalendarEntry, day: date) -> str:
        link = links.get(entry.id)
        if link is None:
            kind = (entry.is_cancelled, entry.status, entry.visibility)
            if kind not in badges:
                badges[kind] = Markup(event_badges(entry))
            title = escape(entry.text_in(language).title)
            link = links[entry.id] = (
                f'<a href="{prefix}{int(entry.id)}{suffix}">{title}</a>{badges[kind]}'
            )
        if len(entry.days) > 1:
            if entry.id not in spans:
                spans[entry.id] = escape(format_event_time(entry, zone).primary_text)
            text = spans[entry.id]
        else:
            text = day_time(entry, day)
            escaped = times.get(text)
            if escaped is None:
                escaped = times[text] = escape(text)
            text = escaped
        return _ROW.format(attributes=cancelled if entry.is_cancelled else "", time=text, link=link)

    def more(day: date, hidden: int, iso: str) -> str:
        texts = more_texts.get(hidden)
        if texts is None:
            # Each count's words looked up once, the day put in by each day (as
            # ``ngettext`` would, without its lookups of the request's catalog).
            texts = more_texts[hidden] = (
                escape(ngettext("+ %(num)d more", "+ %(num)d more", hidden)),
                translations.ungettext(
                    "%(num)d more event on %(day)s", "%(num)d more events on %(day)s", hidden
                ),
            )
        text, label = texts
        return _MORE.format(
            url=month_urls[day.month],
            iso=iso,
            label=escape(label % {"num": hidden, "day": day_words.day_month(day)}),
            text=text,
        )

    months: dict[int, list[str]] = {month: [] for month in MONTHS}
    for day, (entries, count) in listing.items():
        hidden = count - len(entries)
        iso = day.isoformat()
        months[day.month].append(
            _DAY.format(
                iso=iso,
                weekday=weekdays[day.weekday()],
                number=day.day,
                rows="".join([row(entry, day) for entry in entries]),
                more=more(day, hidden, iso) if hidden else "",
            )
        )
    # Every value in it was escaped above.
    return {month: Markup("".join(days)) for month, days in months.items()}


@calendar.get("/calendar/<int:year>")
def year(year: int):
    if not year_in_range(year):
        return _not_found(_years_covered())
    viewer = current_viewer()
    zone, _source = display_zone(viewer, session_zone())
    months = _year_rows(_year_listing(viewer, year, zone), year, zone)
    return render_template(
        "calendar/year.html",
        year=year,
        months=months,
        has_events=any(months.values()),
        zone=zone,
        today=_today(zone),
        previous_year=year - 1 if year > FIRST_YEAR else None,
        next_year=year + 1 if year < LAST_YEAR else None,
    )


@calendar.get("/calendar/<int:year>/<int:month>")
def month(year: int, month: int):
    if not year_in_range(year):
        return _not_found(_years_covered())
    if not 1 <= month <= 12:
        return _not_found(_("Months are numbered 1 (January) to 12 (December)."))
    viewer = current_viewer()
    zone, _source = display_zone(viewer, session_zone())
    first = date(year, month, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    found = _events_in(viewer, first, following, zone)
    previous = date(year - 1, 12, 1) if month == 1 else date(year, month - 1, 1)
    return render_template(
        "calendar/month.html",
        year=year,
        month=month,
        weeks=Calendar(firstweekday=0).monthdatescalendar(year, month),
        days=events_by_day(found, zone, first, following - timedelta(days=1), _days_of),
        zone=zone,
        today=_today(zone),
        previous=previous if previous.year >= FIRST_YEAR else None,
        following=following if following.year <= LAST_YEAR else None,
    )
