"""Year and month views: /calendar/<year> and /calendar/<year>/<month>.

Days are read on the viewer's clocks (or each event's own when the viewer has no
zone); all-day events keep their dates in every zone.

A year can hold thousands of events, so these pages read only the columns they show
(``CalendarEntry``, no ORM objects, no audiences) in one query, and the event links are
built from one routed prefix (``nscal.templating.event_url``): the work per event is
a row, its days and its time of day.
"""

from calendar import Calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
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


@dataclass(slots=True)
class DayRow:
    """One event on one day of the year page, as the page writes it."""

    attributes: Markup  # of the list item
    time: str
    url: Markup
    title: str
    badges: Markup


@dataclass(slots=True)
class MoreLink:
    """ "+ 3 more" under a day of the year page: to that day on the month page, in its
    grid (``#d-…``) on a wide screen and in its list (``#l-…``) on a phone, where the
    grid is hidden and a hidden target would not be scrolled to."""

    url: str  # the month page
    day: str  # ISO date, for the fragments
    text: str  # what the link shows: "+ 3 more"
    label: str  # what it says to a screen reader: "3 more events on 14 March"


def _listed_days(first: date, last: date, year: int) -> list[date]:
    """The days of ``year`` an event from ``first`` to ``last`` is listed on in the year
    page: its first day, and the first of each later month it goes on into (as
    ``events_by_month``)."""
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


# The year page's columns: the entry's, read with the plain types of their storage:
# the status and visibility as text and the instants as the driver gives them (naive UTC
# on SQLite), made enums and ``UTCDateTime``'s aware UTC only for the events shown.
# ``UTCDateTime``'s processing of every row was a third of the page.
PLAIN_TYPES = {"status": sa.String(), "visibility": sa.String()}
PLAIN_TYPES |= {"starts_at": sa.DateTime(timezone=True), "ends_at": sa.DateTime(timezone=True)}
LISTING_COLUMNS = [
    sa.type_coerce(column, PLAIN_TYPES[column.name]).label(column.name)
    if column.name in PLAIN_TYPES
    else column
    for column in ENTRY_COLUMNS
]


def _year_listing(viewer, year: int, zone: str | None) -> dict[date, tuple[list, int]]:
    """The days of ``year`` with events: the first ``SHOWN_A_DAY`` events listed on each
    (as ``CalendarEntry``) and how many the day lists in all.

    One query; every event is a row whose days are counted (two zone conversions at
    most) and then dropped, unless it is among the first of a day: only the events
    shown are kept and become entries."""
    tz_of: dict[str, ZoneInfo] = {}
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
    # Plain rows (the connection's, not the ORM's): no entity loading per row.
    for row in db.session.connection().execute(query):
        _id, _title, timezone, starts_at, ends_at, all_day, start_date, end_date, _s, _v = row
        if starts_at.tzinfo is None:  # naive UTC (SQLite), as ``UTCDateTime`` reads it
            starts_at, ends_at = starts_at.replace(tzinfo=UTC), ends_at.replace(tzinfo=UTC)
        tz = viewer_tz
        if tz is None:
            tz = tz_of.get(timezone)
            if tz is None:
                tz = tz_of[timezone] = ZoneInfo(timezone)
        first, last = day_span(starts_at, ends_at, all_day, start_date, end_date, tz)
        if first == last and first.year == year:  # most events: one day
            listed: Iterable[date] = (first,)
        else:
            listed = _listed_days(first, last, year)
        for day in listed:
            heads = days.get(day)
            if heads is None:
                heads = days[day] = [0, [], []]
            heads[0] += 1
            kept = heads[1] if all_day else heads[2]
            if len(kept) < SHOWN_A_DAY:
                kept.append((row, starts_at, ends_at, first, last))
    titles = _translated_titles(current_language()) if days else {}
    entries: dict[int, CalendarEntry] = {}

    def entry_of(head: tuple) -> CalendarEntry:
        row, starts_at, ends_at, first, last = head
        entry = entries.get(row[0])
        if entry is None:
            id_, title, timezone, _s, _e, all_day, start_date, end_date, status, visibility = row
            entry = entries[id_] = CalendarEntry(
                id_,
                title,
                timezone,
                starts_at.astimezone(UTC),
                ends_at.astimezone(UTC),
                all_day,
                start_date,
                end_date,
                EventStatus(status),
                Visibility(visibility),
                [first + timedelta(days=n) for n in range((last - first).days + 1)],
                titles.get(id_),
            )
        return entry

    return {
        day: ([entry_of(row) for row in (whole + timed)[:SHOWN_A_DAY]], count)
        for day, (count, whole, timed) in sorted(days.items())
    }


def _year_rows(
    listing: dict[date, tuple[list, int]], year: int, zone: str | None
) -> dict[int, list[tuple[date, list[DayRow], MoreLink | None]]]:
    """The year's days with their events' rows: each string built once per event (its
    time once per distinct reading, its badges once per kind of event), so the template
    is a loop of joins. The same words as the filters of the month page."""
    language = current_language()
    day_time = DayTimes(zone)
    day_words = day_time.words
    event_badges = get_template_attribute("_macros.html", "event_badges")
    badges: dict[tuple, Markup] = {}
    spans: dict[int, str] = {}  # events over several days: their time, once
    more_texts: dict[int, tuple[str, str]] = {}
    translations = get_translations()
    cancelled = Markup(' class="is-cancelled"')
    # As ``event_url``: routed once, then each event's id filled in.
    marker = "918273645"
    prefix, _marker, suffix = url_for("events.detail", event_id=int(marker)).partition(marker)
    prefix, suffix = escape(prefix), escape(suffix)
    month_urls = {
        month: url_for("calendar.month", year=year, month=month) for month in range(1, 13)
    }

    def row(entry: CalendarEntry, day: date) -> DayRow:
        kind = (entry.is_cancelled, entry.status, entry.visibility)
        if kind not in badges:
            badges[kind] = Markup(event_badges(entry))
        if len(entry.days) > 1:
            if entry.id not in spans:
                spans[entry.id] = format_event_time(entry, zone).primary_text
            text = spans[entry.id]
        else:
            text = day_time(entry, day)
        return DayRow(
            cancelled if entry.is_cancelled else Markup(""),
            text,
            Markup(f"{prefix}{int(entry.id)}{suffix}"),
            entry.text_in(language).title,
            badges[kind],
        )

    def more(day: date, hidden: int) -> MoreLink:
        texts = more_texts.get(hidden)
        if texts is None:
            # Each count's words looked up once, the day put in by each day (as
            # ``ngettext`` would, without its lookups of the request's catalog).
            texts = more_texts[hidden] = (
                ngettext("+ %(num)d more", "+ %(num)d more", hidden),
                translations.ungettext(
                    "%(num)d more event on %(day)s", "%(num)d more events on %(day)s", hidden
                ),
            )
        text, label = texts
        return MoreLink(
            month_urls[day.month],
            day.isoformat(),
            text,
            label % {"num": hidden, "day": day_words.day_month(day)},
        )

    months: dict[int, list] = {month: [] for month in MONTHS}
    for day, (entries, count) in listing.items():
        hidden = count - len(entries)
        months[day.month].append(
            (day, [row(entry, day) for entry in entries], more(day, hidden) if hidden else None)
        )
    return months


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
