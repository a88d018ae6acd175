"""Every feed we make reads the same in every calendar engine we can run: icalendar with
recurring-ical-events, Home Assistant's ical and Mozilla's ical.js, each once with the
zone names and once from our VTIMEZONEs alone, and all of them agree with the database
on every instant: the seven Nordic zones, DST gaps and folds, all-day and multi-day
events, a series with a moved and a cancelled occurrence, cancelled events, and text
that needs escaping and folding."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import sqlalchemy as sa

from nscal.db import db
from nscal.events.models import Event, EventFormat, EventStatus, Visibility
from nscal.events.services import cancel_event, event_from_data, update_event
from nscal.feeds.ical import calendar_for, itip_calendar
from nscal.timeutil import NORDIC_ZONES
from tests.feeds.interop import Seen, check_bytes, moment_text, read_everywhere
from tests.feeds.test_vtimezone import zoneinfo_transitions

NORDIC = [name for name, _label in NORDIC_ZONES]
YEAR = datetime.now(UTC).year + 1  # always inside the feed window
NORDIC_TEXT = (
    "Ærø, Øresund; Åland \\ Märkäjärvi, Öskjuhlíð og Þórshöfn: "
    "trygghed, säkerhet, turvallisuus, öryggi, isumannaassuseq. "
)
pytestmark = pytest.mark.filterwarnings(
    # recurring-ical-events 3.x still calls a deprecated icalendar API on some paths.
    "ignore::DeprecationWarning:recurring_ical_events.*",
)


def expected_from_database(*, include: set[str] | None = None) -> dict[str, Seen]:
    """What every reader must see: the stored instants (dates for all-day events)."""
    seen = {}
    for event in db.session.execute(sa.select(Event)).scalars():
        if include is not None and event.uid not in include:
            continue
        if event.all_day:
            start, end = event.start_date.isoformat(), event.end_date.isoformat()
        else:
            start, end = moment_text(event.starts_at), moment_text(event.ends_at)
        cancelled = event.status is EventStatus.cancelled
        status = {"draft": "TENTATIVE", "published": "CONFIRMED"}.get(event.status, "CANCELLED")
        summary = f"Cancelled: {event.title}" if cancelled else event.title
        seen[event.uid] = Seen(start, end, status, summary)
    return seen


def without_description(seen: dict[str, Seen]) -> dict[str, Seen]:
    return {uid: replace(one, description=None) for uid, one in seen.items()}


def at(instant: datetime, **delta) -> datetime:
    return instant + timedelta(**delta)


@pytest.fixture
def network(app, demo, make_event):
    """Events in every Nordic zone, around every DST change of next year, and the rest."""
    made, in_repeated_hour = [], []
    for zone_name in NORDIC:
        zone = ZoneInfo(zone_name)
        city_meeting = make_event(
            f"Noon in {zone_name}",
            start=datetime(YEAR, 1, 15, 12, 0),  # noqa: DTZ001 - wall-clock
            end=datetime(YEAR, 1, 15, 13, 0),  # noqa: DTZ001
            timezone=zone_name,
        )
        made.append(city_meeting)
        for change in zoneinfo_transitions(zone_name, range(YEAR, YEAR + 1)):
            local_day = change.astimezone(zone).date()
            # Across the change, in the first and the second pass of a repeated hour,
            # starting right on it, and at noon (wall-clock) that day.
            for name, start, end in (
                ("across", at(change, minutes=-30), at(change, minutes=90)),
                ("before", at(change, minutes=-40), at(change, minutes=-10)),
                ("after", at(change, minutes=10), at(change, minutes=50)),
                ("on", change, at(change, hours=1)),
            ):
                event = make_event(f"{name} {change:%Y-%m-%d %H:%M}Z in {zone_name}")
                event.timezone, event.starts_at, event.ends_at = zone_name, start, end
                made.append(event)
                if _repeated(start, zone) or _repeated(end, zone):
                    in_repeated_hour.append(event)
            made.append(
                make_event(
                    f"Noon on the day of the change in {zone_name}",
                    start=datetime.combine(local_day, datetime.min.time()).replace(hour=12),
                    end=datetime.combine(local_day, datetime.min.time()).replace(hour=14),
                    timezone=zone_name,
                )
            )
        made.append(
            make_event(
                f"Two days in {zone_name}",
                all_day=True,
                start=date(YEAR, 3, 27),
                end=date(YEAR, 3, 29),
                timezone=zone_name,
            )
        )
    db.session.commit()

    one_day = make_event("Network day", all_day=True, start=date(YEAR, 6, 5), end=date(YEAR, 6, 5))
    series_first = make_event(
        "Monthly call across the spring change",
        start=datetime(YEAR, 3, 10, 14, 0),  # noqa: DTZ001
        end=datetime(YEAR, 3, 10, 15, 0),  # noqa: DTZ001
        timezone="Europe/Stockholm",
        rrule="FREQ=WEEKLY;COUNT=6",
    )
    occurrences = list(series_first.series.occurrences)
    moved = occurrences[1]
    data = event_from_data(moved)
    update_event(
        moved,
        replace(data, start=data.start + timedelta(hours=3), end=data.end + timedelta(hours=3)),
    )
    cancel_event(occurrences[2], "The room is taken; see you next week.")
    called_off = make_event("Called off", timezone="Atlantic/Faroe")
    cancel_event(called_off, "Storm over the Faroes.")
    wordy = make_event(
        NORDIC_TEXT.strip()[:190],
        timezone="Atlantic/Reykjavik",
        description=(
            "Line one, with commas; semicolons\\backslashes.\nLine two: " + NORDIC_TEXT * 3
        ),
        venue="Ráðhús Reykjavíkur, Tjarnargata 11; 101 Reykjavík",
        format=EventFormat.hybrid,
        host_city="reykjavik",
    )
    make_event("Draft, never in a feed", status=EventStatus.draft)
    make_event("Members only", visibility=Visibility.members)
    db.session.commit()
    return {
        "made": made,
        "in_repeated_hour": in_repeated_hour,
        "one_day": one_day,
        "moved": moved,
        "cancelled_occurrence": occurrences[2],
        "called_off": called_off,
        "wordy": wordy,
        "occurrences": occurrences,
    }


def _repeated(instant: datetime, zone: ZoneInfo) -> bool:
    """True when the instant's local time happens twice (the hour after a fall-back)."""
    local = instant.astimezone(zone).replace(tzinfo=None)
    first = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return first != second and instant in (first, second)


def test_every_reader_agrees_with_the_database_on_the_public_feed(client, network):
    response = client.get("/calendar.ics")
    assert response.status_code == 200
    data = response.data
    check_bytes(data)
    public = {
        uid
        for (uid,) in db.session.execute(
            sa.select(Event.uid).where(
                Event.visibility == Visibility.public,
                Event.status != EventStatus.draft,
                Event.ends_at > datetime.now(UTC) - timedelta(days=365),
            )
        )
    }
    expected = expected_from_database(include=public)
    assert len(expected) > 80
    seen_by = read_everywhere(data)
    for reader, seen in seen_by.items():
        assert without_description(seen) == expected, reader
    # The same feed, one behaviour at a time:
    times_in_a_repeated_hour_are_written_in_utc(data.decode(), network)
    a_series_is_separate_events_with_one_moved_and_one_cancelled(data.decode(), seen_by, network)
    text_with_commas_semicolons_backslashes_newlines_and_nordic_letters_survives(
        data.decode(), seen_by, network
    )
    all_day_events_are_dates_with_an_exclusive_end(data.decode(), seen_by, network)
    cancelled_events_stay_in_the_feed_as_cancelled(seen_by, network)


def times_in_a_repeated_hour_are_written_in_utc(text: str, network) -> None:
    """A start or end in an hour that happens twice is written in UTC: RFC 5545 reads
    such a local time as the first pass, ical.js as the second. Everything else keeps
    its zone, and each zone used has exactly one VTIMEZONE."""
    for zone_name in NORDIC:
        assert f"DTSTART;TZID={zone_name}:" in text
        assert text.count(f"BEGIN:VTIMEZONE\r\nTZID:{zone_name}\r\n") == 1
    assert "TZID=UTC" not in text
    assert text.count("BEGIN:VTIMEZONE") == len(NORDIC)
    calendar = icalendar.Calendar.from_ical(text)
    by_uid = {str(vevent["UID"]): vevent for vevent in calendar.walk("VEVENT")}
    # Six zones fall back once a year; "across", "before", "after" and "on" touch the
    # repeated hour each time.
    assert len(network["in_repeated_hour"]) == 4 * (len(NORDIC) - 1)
    for event in network["made"]:
        if event.all_day:
            continue
        for name in ("DTSTART", "DTEND"):
            written = by_uid[event.uid][name]
            if event in network["in_repeated_hour"]:
                assert "TZID" not in written.params
                assert written.to_ical().endswith(b"Z")
            else:
                assert written.params["TZID"] == event.timezone


def a_series_is_separate_events_with_one_moved_and_one_cancelled(text, seen_by, network):
    occurrences = network["occurrences"]
    uids = [o.uid for o in occurrences]
    assert len(set(uids)) == len(occurrences)
    for reader, seen in seen_by.items():
        assert all(uid in seen for uid in uids), reader
        moved = seen[network["moved"].uid]
        assert moved.start == moment_text(network["moved"].starts_at), reader
        assert seen[network["cancelled_occurrence"].uid].status == "CANCELLED", reader
    assert "RRULE" not in text.split("END:VTIMEZONE")[-1]
    assert "RECURRENCE-ID" not in text
    # 14:00 Stockholm stays 14:00 across the spring change (UTC 13:00, then 12:00).
    kept = [o for o in occurrences if o is not network["moved"] and not o.is_cancelled]
    assert {o.local_start.hour for o in kept} == {14}
    assert len({o.starts_at.hour for o in kept}) == 2


def text_with_commas_semicolons_backslashes_newlines_and_nordic_letters_survives(
    text, seen_by, network
):
    wordy = network["wordy"]
    assert "\\;" in text and "\\," in text and "\\\\" in text and "\\n" in text
    for reader, seen in seen_by.items():
        assert seen[wordy.uid].summary == wordy.title, reader
        assert seen[wordy.uid].description.startswith(wordy.description), reader


def all_day_events_are_dates_with_an_exclusive_end(text, seen_by, network):
    one_day = network["one_day"]
    assert f"DTSTART;VALUE=DATE:{YEAR}0605\r\nDTEND;VALUE=DATE:{YEAR}0606\r\n" in text
    for reader, seen in seen_by.items():
        assert (seen[one_day.uid].start, seen[one_day.uid].end) == (
            f"{YEAR}-06-05",
            f"{YEAR}-06-06",
        ), reader


def cancelled_events_stay_in_the_feed_as_cancelled(seen_by, network):
    called_off = network["called_off"]
    for reader, seen in seen_by.items():
        assert seen[called_off.uid].status == "CANCELLED", reader
        assert seen[called_off.uid].summary == "Cancelled: Called off", reader
        assert "Storm over the Faroes." in seen[called_off.uid].description, reader


def test_the_single_event_file_and_an_invitation_read_alike_everywhere(client, network, app):
    wordy = network["wordy"]
    for data in (
        client.get(f"/events/{wordy.id}.ics").data,
        calendar_for([wordy]),
        itip_calendar(wordy, method="REQUEST", attendee="Anna Berg <anna@example.org>"),
        itip_calendar(network["called_off"], method="CANCEL", attendee="anna@example.org"),
    ):
        check_bytes(data)
        seen_by = read_everywhere(data)
        first = next(iter(seen_by.values()))
        assert len(first) == 1
        for reader, seen in seen_by.items():
            assert without_description(seen) == without_description(first), reader
