"""File-level constructs of real exports: repeated UIDs, changed dates without their
series, events without an end, Google's UTC series, zones known only by their
VTIMEZONE, lists of dates, tasks; and files broken beyond reading."""

from datetime import UTC, date, datetime
from pathlib import Path

import icalendar
import recurring_ical_events
import sqlalchemy as sa

from nscal.db import db
from nscal.events.models import Event, EventSeries
from nscal.imports import ics_reader
from tests.imports.importing import event_count, import_events, utc

ICS = Path(__file__).parent.parent / "fixtures" / "ics"
CORPUS = ICS / "corpus"


def series_starts(uid: str) -> list[datetime]:
    series = db.session.execute(sa.select(EventSeries).where(EventSeries.uid == uid)).scalar_one()
    return list(
        db.session.execute(
            sa.select(Event.starts_at).where(Event.series_id == series.id).order_by(Event.starts_at)
        ).scalars()
    )


def reference_starts(path: Path, uid: str) -> list[datetime]:
    """The instants recurring-ical-events reads for ``uid`` (X-WR-TIMEZONE applied)."""
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    occurrences = recurring_ical_events.of(calendar).between((2026, 1, 1), (2029, 1, 1))
    return sorted(
        occurrence["DTSTART"].dt.astimezone(UTC)
        for occurrence in occurrences
        if str(occurrence["UID"]) == uid
    )


def by_uid(uid: str) -> Event:
    return db.session.execute(sa.select(Event).where(Event.uid == uid)).scalar_one()


def test_the_latest_copy_of_a_uid_is_imported_and_the_older_one_noted(runner, imported):
    path = CORPUS / "google-duplicate-uid-sequence.ics"
    result = import_events(runner, path)
    assert result.exit_code == 0, result.output
    assert "Created 2 event(s), updated 0, 0 errors" in result.output
    # SEQUENCE 2 wins over SEQUENCE 0, although it comes later in the file …
    board = by_uid("dup-board@google.com")
    assert (board.title, board.starts_at) == ("Board meeting", utc(2027, 2, 3, 12))
    assert "line 7: The UID dup-board@google.com is in the file again on line 15" in result.output
    # … and with equal SEQUENCE the later LAST-MODIFIED wins, although it comes first.
    briefing = by_uid("dup-stamp@google.com")
    assert (briefing.title, briefing.starts_at) == ("Press briefing", utc(2027, 2, 10, 8))
    assert "line 31: The UID dup-stamp@google.com is in the file again on line 23" in (
        result.output
    )
    assert imported("Board meeting (old time)") == []


def test_changed_dates_without_their_series_become_events_of_their_own(runner, imported):
    path = CORPUS / "google-orphan-recurrence-id.ics"
    title = "Oslo police liaison (you are invited to this date)"
    result = import_events(runner, path)
    assert result.exit_code == 0, result.output
    assert "Created 2 event(s), updated 0, 0 errors" in result.output
    assert (
        "line 8: This changes the date 4 Mar 2027, 14:00 CET of a series that is not "
        "in the file; it is imported as an event of its own." in result.output
    )
    moved, kept = imported(title)
    assert moved.uid == "0a9s8d7f6g5h4j3k2l1@google.com/20270304T130000Z"
    assert (moved.starts_at, moved.series_id) == (utc(2027, 3, 4, 14), None)
    assert kept.starts_at == utc(2027, 4, 1, 12)
    assert [moved.starts_at, kept.starts_at] == reference_starts(
        path, "0a9s8d7f6g5h4j3k2l1@google.com"
    )

    again = import_events(runner, path)
    assert "Created 0 event(s), updated 2, 0 errors" in again.output
    assert len(imported(title)) == 2


def test_an_event_without_an_end_is_a_point_in_time_of_one_minute(runner, imported):
    path = CORPUS / "apple-no-end.ics"
    preview = import_events(runner, path, "--dry-run")
    assert "15 Feb 2027, 12:00–12:01 CET (Stockholm)" in preview.output
    result = import_events(runner, path)
    assert result.exit_code == 0, result.output
    assert (
        "The event has no end (DTEND or DURATION): a point in time, kept as one minute "
        "(12:00–12:01)." in result.output
    )
    deadline = imported("Grant application deadline")[0]
    assert (deadline.starts_at, deadline.ends_at) == (utc(2027, 2, 15, 11), utc(2027, 2, 15, 11, 1))
    assert [deadline.starts_at] == reference_starts(path, "7E1C1E0B-2A8B-4B61-9A9E-APPLE-NOEND-1")
    # An all-day DTEND equal to DTSTART is one day, as without DTEND.
    network_day = imported("Network day")[0]
    assert (network_day.start_date, network_day.end_date) == (date(2027, 3, 1), date(2027, 3, 2))
    assert "The end (DTEND) is the start day: one day." in result.output
    reporting = imported("Reporting day")[0]
    assert (reporting.start_date, reporting.end_date) == (date(2027, 3, 5), date(2027, 3, 6))


def test_a_utc_series_repeats_on_the_clocks_of_the_calendars_zone(runner):
    path = CORPUS / "google-utc-series-x-wr-timezone.ics"
    uid = "3h2g1f0e9d8c7b6a5@google.com"
    result = import_events(runner, path)
    assert result.exit_code == 0, result.output
    assert "it repeats at the same time on the clocks of Europe/Helsinki" in result.output
    starts = series_starts(uid)
    # 09:00 in Helsinki before and after the clocks change on 28 March.
    assert (starts[0], starts[-1]) == (utc(2027, 2, 9, 7), utc(2027, 4, 27, 6))
    assert starts == reference_starts(path, uid)


def test_zones_known_only_by_their_vtimezone_are_matched_to_the_tz_database(runner):
    for name, uid, zone in [
        (
            "outlook-custom-tzid-western-central-europe.ics",
            "040000008200E00074C5B7101A82E0080000000010A5C2F9E3C4DA01000000000000000010000000WCE",
            "Europe/Copenhagen",
        ),
        ("outlook-custom-tzid-mytimezone.ics", "mytimezone-series@example.org", "Europe/Helsinki"),
        ("thunderbird-mozilla-tzid.ics", "5c1f0a0e-7d4b-4c59-9f7e-mozilla-stockholm", None),
    ]:
        result = import_events(runner, CORPUS / name)
        assert result.exit_code == 0, result.output
        if zone:
            assert f"read as {zone} from its offsets" in result.output
        assert series_starts(uid) == reference_starts(CORPUS / name, uid)
    assert by_uid("5c1f0a0e-7d4b-4c59-9f7e-mozilla-oslo").timezone == "Europe/Oslo"


def test_a_vtimezone_that_matches_no_zone_is_refused_with_its_line(runner, demo, tmp_path):
    path = tmp_path / "nowhere.ics"
    path.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//x//y//EN\n"
        "BEGIN:VTIMEZONE\nTZID:Nowhere Time\nBEGIN:STANDARD\nDTSTART:16010101T000000\n"
        "TZOFFSETFROM:+0517\nTZOFFSETTO:+0517\nEND:STANDARD\nEND:VTIMEZONE\n"
        "BEGIN:VEVENT\nUID:nowhere@example.org\nDTSTART;TZID=Nowhere Time:20270105T100000\n"
        "DTEND;TZID=Nowhere Time:20270105T110000\nSUMMARY:Nowhere\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    result = import_events(runner, path)
    assert result.exit_code != 0
    assert (
        f"{path}: line 12: Unknown time zone 'Nowhere Time': it is not an IANA or Windows zone "
        "name, and the rules of its VTIMEZONE match no zone of the tz database." in result.stderr
    )


def test_lists_of_excluded_dates_and_ignored_tasks(runner):
    path = CORPUS / "nextcloud-exdate-list-and-tasks.ics"
    result = import_events(runner, path)
    assert result.exit_code == 0, result.output
    starts = series_starts("nextcloud-exdates-8f1c")
    assert len(starts) == 7  # 10 weeks less 12 and 19 January and 2 February
    assert starts == reference_starts(path, "nextcloud-exdates-8f1c")
    assert "line 34: 3 tasks (VTODO) ignored: nscal imports events only." in result.output
    assert "line 54: 1 journal entry (VJOURNAL) ignored" in result.output
    assert "line 59: 1 free/busy block (VFREEBUSY) ignored" in result.output


def test_a_file_with_malformed_dates_is_refused_by_line_without_a_traceback(runner, demo):
    before = event_count()
    path = ICS / "malformed-dates.ics"
    result = import_events(runner, path)
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for line, message in [
        (10, "DTSTART is given 2 times; an event has only one start."),
        (17, "DTSTART: Expected datetime, date, or time."),
        (23, "RECURRENCE-ID is given 2 times; an event has only one original date"),
    ]:
        assert f"{path}: line {line}: {message}" in result.stderr
    assert "line 4:" not in result.stderr
    assert event_count() == before


def test_an_unexpected_failure_refuses_only_that_event(runner, demo, monkeypatch, tmp_path):
    def venue(location: str) -> str:
        if location == "Broken":
            raise AttributeError("'list' object has no attribute 'dt'")
        return location

    monkeypatch.setattr(ics_reader, "_venue", venue)
    path = tmp_path / "odd.ics"
    path.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//x//y//EN\n"
        "BEGIN:VEVENT\nUID:odd@example.org\nDTSTART:20270105T100000Z\n"
        "DTEND:20270105T110000Z\nSUMMARY:Odd\nLOCATION:Broken\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    result = import_events(runner, path)
    assert result.exit_code != 0
    assert (
        f"{path}: line 4: This event cannot be read: 'list' object has no attribute 'dt'"
        in result.stderr
    )


def test_changed_dates_of_a_series_imported_earlier_move_that_series_dates(
    runner, imported, tmp_path
):
    uid = "0a9s8d7f6g5h4j3k2l1@google.com"
    series = tmp_path / "series.ics"
    series.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar//EN\r\n"
        "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20270101T120000Z\r\n"
        "DTSTART;TZID=Europe/Oslo:20270304T140000\r\nDTEND;TZID=Europe/Oslo:20270304T150000\r\n"
        "RRULE:FREQ=MONTHLY;BYDAY=1TH;COUNT=3\r\n"
        "SUMMARY:Oslo police liaison (you are invited to this date)\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    assert import_events(runner, series).exit_code == 0
    before = event_count()

    result = import_events(runner, CORPUS / "google-orphan-recurrence-id.ics")
    assert result.exit_code == 0, result.output
    assert event_count() == before  # the series' own dates changed; nothing new
    assert series_starts(uid)[:2] == [utc(2027, 3, 4, 14), utc(2027, 4, 1, 12)]
