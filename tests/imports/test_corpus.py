"""Every file of the corpus (exports in the shapes Outlook/Exchange, Google, Apple,
Nextcloud and Thunderbird write) is stored with the instants recurring-ical-events reads
from it, over nscal's series horizon: start and end as UTC instants, all-day as dates,
and whether each date is cancelled."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import sqlalchemy as sa

from nscal.db import db
from nscal.events.models import Event, EventSeries
from nscal.events.services import SERIES_HORIZON
from nscal.imports.ics_reader import DEFAULT_ZONE, POINT_IN_TIME
from tests.imports.importing import import_events

CORPUS = Path(__file__).parent.parent / "fixtures" / "ics" / "corpus"

# Where nscal reads a file differently from recurring-ical-events, on purpose: file name →
# ("fewer" or "more" dates than the library, how many, the rule and why).
DIFFERENCES = {
    "outlook2003-exrule.ics": (
        "fewer",
        3,
        "EXRULE (RFC 2445, deprecated by RFC 5545 but still written by old Outlook and "
        "Lotus Notes) leaves its dates out; recurring-ical-events ignores EXRULE.",
    ),
    "exchange2013-date-recurrence-id-on-timed-series.ics": (
        "fewer",
        1,
        "A RECURRENCE-ID given as a date on a timed series changes that day's date; "
        "recurring-ical-events matches no date and keeps the original beside the change.",
    ),
    "lotus-date-until-on-timed-series.ics": (
        "more",
        1,
        "A date UNTIL on a timed series includes that whole day, as nscal's own series "
        "do; recurring-ical-events (dateutil) stops at the midnight that starts it.",
    ),
}

Instant = tuple[datetime | date, datetime | date, bool]


def _file_zone(calendar) -> str:
    return str(calendar.get("X-WR-TIMEZONE") or DEFAULT_ZONE)


def _as_instant(value, zone: str) -> datetime | date:
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:  # floating: nscal reads it in the file's zone
        value = value.replace(tzinfo=ZoneInfo(zone))
    return value.astimezone(UTC)


def reference_instants(calendar, start: datetime, end: datetime) -> set[Instant]:
    zone = _file_zone(calendar)
    found = set()
    for component in recurring_ical_events.of(calendar).between(start, end):
        first, last = _as_instant(component.start, zone), _as_instant(component.end, zone)
        # The two rules where ends differ, both named in the import's note: an event
        # RFC 5545 gives no length (a point in time) is stored with POINT_IN_TIME (one
        # minute), as nscal's events end after they start; an all-day DTEND equal to its
        # DTSTART is one day, as an all-day DTSTART alone is.
        if last == first:
            last = first + (POINT_IN_TIME if isinstance(first, datetime) else timedelta(days=1))
        found.add(
            (
                first,
                last,
                str(component.get("STATUS", "")).upper() == "CANCELLED",
            )
        )
    return found


def stored_instants(uids: set[str], start: datetime, end: datetime) -> set[Instant]:
    series = sa.select(EventSeries.id).where(EventSeries.uid.in_(uids))
    # A changed date whose series is not in the file is an event of its own, "UID/date".
    detached = [Event.uid.startswith(f"{uid}/", autoescape=True) for uid in uids]
    events = db.session.execute(
        sa.select(Event).where(sa.or_(Event.uid.in_(uids), Event.series_id.in_(series), *detached))
    ).scalars()
    return {
        (
            (event.start_date, event.end_date, event.is_cancelled)
            if event.all_day
            else (event.starts_at, event.ends_at, event.is_cancelled)
        )
        for event in events
        if event.ends_at > start and event.starts_at < end
    }


def _window(calendar) -> tuple[datetime, datetime]:
    """From a day before the file's first start to nscal's series horizon after it."""
    zone = ZoneInfo(_file_zone(calendar))
    firsts = []
    for component in calendar.walk("VEVENT"):
        first = component.start
        if not isinstance(first, datetime):
            first = datetime.combine(first, datetime.min.time(), zone)
        elif first.tzinfo is None:
            first = first.replace(tzinfo=zone)
        firsts.append(first.astimezone(UTC))
    earliest = min(firsts)
    return earliest - timedelta(days=1), earliest + SERIES_HORIZON


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.ics")), ids=lambda path: path.name)
def test_nscal_stores_what_recurring_ical_events_reads(runner, app, path):
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    result = import_events(runner, path)
    assert result.exit_code == 0, result.output

    start, end = _window(calendar)
    uids = {str(component["UID"]) for component in calendar.walk("VEVENT")}
    stored = stored_instants(uids, start, end)
    reference = reference_instants(calendar, start, end)
    difference, count, _rule = DIFFERENCES.get(path.name, ("same", 0, ""))
    if difference == "fewer":
        assert stored < reference
        assert len(reference - stored) == count
    elif difference == "more":
        assert stored > reference
        assert len(stored - reference) == count
    else:
        assert stored == reference, (
            f"only nscal: {sorted(stored - reference, key=str)}; "
            f"only recurring-ical-events: {sorted(reference - stored, key=str)}"
        )


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.ics")), ids=lambda path: path.name)
def test_importing_a_corpus_file_again_updates_it(runner, app, path):
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    uids = {str(component["UID"]) for component in calendar.walk("VEVENT")}
    start, end = _window(calendar)
    assert import_events(runner, path).exit_code == 0
    first = stored_instants(uids, start, end)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Event))

    again = import_events(runner, path)
    assert again.exit_code == 0, again.output
    assert "Created 0 event(s)" in again.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == count
    assert stored_instants(uids, start, end) == first


@pytest.mark.parametrize(
    ("name", "note"),
    [
        ("google-rdate-series.ics", "Extra dates (RDATE) are imported as dates of the series."),
        (
            "nextcloud-several-rrules.ics",
            "The series has 2 repeat rules (RRULE); all are imported.",
        ),
        ("outlook2003-exrule.ics", "The dates of its exclusion rule (EXRULE) are left out."),
        ("thunderbird-dtstart-off-pattern.ics", "it is imported as the first date"),
        ("apple-range-thisandfuture.ics", "the change holds for the 2 later date(s) too"),
        ("nextcloud-rdate-period.ics", "on 2027-03-01 keeps its own length"),
        ("exchange-allday-series-utc-until.ics", "it was read as the day 2027-03-02"),
        ("exchange-allday-series-utc-until.ics", "UNTIL has a time on an all-day series"),
        ("lotus-date-until-on-timed-series.ics", "that whole day is included"),
        ("google-cancelled-series-changed-date.ics", "this changed date is not"),
    ],
)
def test_the_import_says_what_it_assumed(runner, app, name, note):
    result = import_events(runner, CORPUS / name, "--dry-run")
    assert result.exit_code == 0, result.output
    assert note in " ".join(result.output.split())
