"""``flask import-events FILE.ics``: exports of Google Calendar, Outlook, Apple Calendar and
Thunderbird arrive with the right instants, zones, dates, series and changed dates."""

from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from nscal.db import db
from nscal.events.models import Event, EventFormat, EventKind, EventSeries, EventStatus
from nscal.imports.ics_reader import resolve_tzid
from tests.imports.importing import event_count, import_events, utc

ICS = Path(__file__).parent.parent / "fixtures" / "ics"
GOOGLE_SERIES = "5kq1j3m0c8v2r7t9a4e6g1h3l5@google.com"
OUTLOOK_SERIES = (
    "040000008200E00074C5B7101A82E00800000000D0E2A1F2B7C4DA010000000000000000"
    "10000000A1B2C3D4E5F60718293A4B5C6D7E8F90"
)


def occurrences(uid: str) -> list[Event]:
    series = db.session.execute(sa.select(EventSeries).where(EventSeries.uid == uid)).scalar_one()
    return list(
        db.session.execute(
            sa.select(Event).where(Event.series_id == series.id).order_by(Event.recurrence_id)
        ).scalars()
    )


def local(event: Event) -> str:
    return f"{event.local_start:%Y-%m-%d %H:%M}–{event.local_end:%H:%M}"


def test_google_calendar_export(runner, imported):
    before = event_count()
    result = import_events(runner, ICS / "google.ics")
    assert result.exit_code == 0, result.output
    assert "Created 4 event(s), updated 0, changed 1 date(s) of a series, 0 errors" in result.output

    # The monthly series: EXDATE drops 10 March; 10:00 stays 10:00 across the DST change.
    calls = occurrences(GOOGLE_SERIES)
    assert [e.recurrence_id.astimezone(calls[0].zone).date() for e in calls] == [
        date(2027, 1, 13),
        date(2027, 2, 10),
        date(2027, 4, 14),
        date(2027, 5, 12),
        date(2027, 6, 9),
    ]
    assert calls[0].starts_at == utc(2027, 1, 13, 9)
    assert calls[3].starts_at == utc(2027, 5, 12, 8)
    assert {e.timezone for e in calls} == {"Europe/Copenhagen"}
    assert {local(e)[11:] for e in calls if not e.detached} == {"10:00–11:30"}
    assert calls[0].format is EventFormat.online
    assert calls[0].online_url == "https://meet.google.com/nsc-prev-call"
    assert (
        "news from the cities; questions, answers and next steps.\n\nJoin" in calls[0].description
    )
    # The RECURRENCE-ID override moved 14 April to Thursday afternoon.
    moved = calls[2]
    assert moved.detached
    assert moved.title == "Practitioners' monthly call (moved)"
    assert moved.recurrence_id == utc(2027, 4, 14, 8)
    assert (moved.starts_at, local(moved)) == (utc(2027, 4, 15, 12), "2027-04-15 14:00–15:30")

    summit = imported("Nordic Safe Cities Summit 2027")[0]
    assert summit.all_day
    assert (summit.start_date, summit.end_date) == (date(2027, 3, 29), date(2027, 3, 31))
    assert summit.venue == "Harpa, Austurbakki 2, 101 Reykjavík, Iceland"
    assert summit.format is EventFormat.in_person

    # A UTC time keeps its instant; the calendar's X-WR-TIMEZONE becomes the event's zone.
    webinar = imported("Webinar: online hate and young people")[0]
    assert webinar.starts_at == utc(2027, 2, 1, 13)
    assert (webinar.timezone, local(webinar)) == ("Europe/Copenhagen", "2027-02-01 14:00–15:00")
    assert webinar.online_url == "https://us02web.zoom.us/j/81234567890?pwd=bm9yZGlj"

    assert imported("Kick-off planning")[0].status is EventStatus.cancelled
    assert webinar.status is EventStatus.draft
    assert event_count() == before + 5 + 3


@pytest.mark.parametrize(
    ("title", "zone", "starts_at", "wall_clock"),
    [
        # W. Europe Standard Time, an override of the weekly series (09:00 moved to 10:00);
        # held in Copenhagen, whose zone keeps the same clocks, so named after it.
        ("Weekly coordination", "Europe/Copenhagen", utc(2027, 1, 5, 8), "2027-01-05 09:00–10:00"),
        (
            "City meeting: safe neighbourhoods",
            "Europe/Copenhagen",  # Romance Standard Time
            utc(2027, 3, 2, 12),
            "2027-03-02 13:00–16:00",
        ),
        (
            "Helsinki workshop: youth and safety",
            "Europe/Helsinki",  # FLE Standard Time, read as the Nordic zone
            utc(2027, 4, 20, 6),
            "2027-04-20 09:00–12:00",
        ),
        (
            "Reykjavík city meeting",
            "Atlantic/Reykjavik",
            utc(2027, 5, 12, 10),
            "2027-05-12 10:00–11:30",
        ),
        # Greenland Standard Time: Nuuk changed clocks on Saturday night, 27 March.
        ("Visit to Nuuk", "America/Nuuk", utc(2027, 4, 1, 10), "2027-04-01 09:00–10:00"),
        # "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna": the Nordic city wins.
        ("Summit preparations", "Europe/Stockholm", utc(2027, 6, 15, 12), "2027-06-15 14:00–15:00"),
        # "Customized Time Zone": only its VTIMEZONE's offsets tell.
        ("Kick-off in Espoo", "Europe/Helsinki", utc(2027, 1, 18, 7), "2027-01-18 09:00–16:00"),
    ],
)
def test_outlook_windows_zones_become_iana_zones(
    runner, imported, title, zone, starts_at, wall_clock
):
    result = import_events(runner, ICS / "outlook.ics")
    assert result.exit_code == 0, result.output
    event = (
        db.session.execute(sa.select(Event).where(Event.title == title).order_by(Event.starts_at))
        .scalars()
        .first()
    )
    assert (event.timezone, event.starts_at, local(event)) == (zone, starts_at, wall_clock)


def test_outlook_export_details(runner, imported):
    result = import_events(runner, ICS / "outlook.ics")
    assert result.exit_code == 0, result.output
    assert "Created 8 event(s), updated 0, changed 1 date(s) of a series, 0 errors" in result.output
    assert "'Customized Time Zone' read as Europe/Helsinki from its offsets" in result.output

    weekly = occurrences(OUTLOOK_SERIES)
    # UNTIL=20270302T080000Z includes 2 March; EXDATE drops 19 January.
    assert len(weekly) == 8
    assert date(2027, 1, 19) not in {e.local_start.date() for e in weekly}
    assert weekly[-1].local_start == datetime(2027, 3, 2, 9, tzinfo=weekly[-1].zone)
    moved = next(e for e in weekly if e.detached)
    assert (moved.starts_at, moved.venue) == (utc(2027, 2, 9, 9), "Room 4, Copenhagen City Hall")
    assert moved.recurrence_id == utc(2027, 2, 9, 8)

    meeting = imported("City meeting: safe neighbourhoods")[0]
    assert meeting.kind is EventKind.city_meeting  # CATEGORIES:City meeting
    assert meeting.format is EventFormat.hybrid
    assert meeting.venue == "Copenhagen City Hall, Rådhuspladsen 1"
    assert meeting.online_url.startswith("https://teams.microsoft.com/l/meetup-join/")

    teams_only = imported("Helsinki workshop: youth and safety")[0]
    assert (teams_only.format, teams_only.venue) == (EventFormat.online, "")
    assert teams_only.kind is EventKind.workshop
    assert imported("Kick-off in Espoo")[0].kind is EventKind.kick_off

    retreat = imported("Leaders' retreat")[0]
    assert (retreat.all_day, retreat.start_date, retreat.end_date) == (
        True,
        date(2027, 9, 6),
        date(2027, 9, 9),
    )


def test_apple_calendar_export(runner, imported):
    result = import_events(runner, ICS / "apple.ics")
    assert result.exit_code == 0, result.output
    breakfasts = occurrences("6A4C1F0E-2B7D-4E59-9C3A-8D1E5F2B7C90")
    # Every other Thursday, six times, without the EXDATE of 4 February.
    assert [e.local_start.date() for e in breakfasts] == [
        date(2027, 1, 7),
        date(2027, 1, 21),
        date(2027, 2, 18),
        date(2027, 3, 4),
        date(2027, 3, 18),
    ]
    cancelled = [e for e in breakfasts if e.is_cancelled]
    assert [e.local_start.date() for e in cancelled] == [date(2027, 2, 18)]
    assert breakfasts[0].venue == "Malmö stadshus, August Palms plats 1, 211 54 Malmö, Sweden"
    assert breakfasts[0].starts_at == utc(2027, 1, 7, 7)

    webinar = imported("Webinar on safe nightlife")[0]  # DURATION:PT1H30M
    assert local(webinar) == "2027-03-16 15:00–16:30"
    assert (webinar.format, webinar.online_url) == (
        EventFormat.online,
        "https://zoom.us/j/98765432100",
    )

    annual = imported("Nordic Safe Cities annual meeting")[0]
    assert (annual.start_date, annual.end_date) == (date(2027, 10, 5), date(2027, 10, 7))

    call = imported("Call with the secretariat")[0]
    assert (call.starts_at, call.timezone, local(call)) == (
        utc(2027, 1, 22, 9),
        "Europe/Stockholm",
        "2027-01-22 10:00–10:30",
    )


def test_thunderbird_export(runner, imported):
    result = import_events(runner, ICS / "thunderbird.ics")
    assert result.exit_code == 0, result.output
    network = occurrences("a3f1c2d4-5b6e-4f70-8192-a3b4c5d6e7f8")
    # Weekly on Wednesdays until 31 March; the EXDATE (written in UTC) drops 17 February.
    assert len(network) == 8
    assert date(2027, 2, 17) not in {e.local_start.date() for e in network}
    assert network[-1].starts_at == utc(2027, 3, 31, 11)  # 14:00 EEST, after the change
    assert {e.kind for e in network} == {EventKind.workshop}  # CATEGORIES, kept by the override
    moved = next(e for e in network if e.detached)
    assert (local(moved), moved.venue) == (
        "2027-03-10 15:00–16:30",
        "Espoo Cultural Centre, Kulttuuriaukio 2",
    )
    assert "Bring your cases; we share what works." in network[0].description

    # A floating time is read in the default zone, and the report says so.
    reading = imported("Reading group")[0]
    assert (reading.timezone, reading.starts_at) == ("Europe/Copenhagen", utc(2027, 5, 5, 16))
    assert "line 53: The time has no zone (floating); it was read as Europe/Copenhagen" in (
        result.output
    )

    trip = imported("Study trip to Tórshavn")[0]  # VALUE=DATE with DURATION:P3D
    assert (trip.start_date, trip.end_date) == (date(2027, 6, 14), date(2027, 6, 17))

    # UTC, and no X-WR-TIMEZONE: the same instant, shown on the clocks of the city in
    # its title (nscal.imports.guesses).
    webinar = imported("Webinar with Reykjavík")[0]
    assert (webinar.timezone, webinar.starts_at) == ("Atlantic/Reykjavik", utc(2027, 2, 9, 12))
    assert webinar.host_city.slug == "reykjavik"
    assert webinar.kind is EventKind.webinar
    assert webinar.online_url == "https://meet.example.org/reykjavik-webinar"


def test_publish_makes_the_imported_events_published(runner, imported):
    result = import_events(runner, ICS / "google.ics", "--publish")
    assert result.exit_code == 0, result.output
    assert {e.status for e in occurrences(GOOGLE_SERIES)} == {EventStatus.published}
    assert imported("Nordic Safe Cities Summit 2027")[0].status is EventStatus.published
    assert imported("Kick-off planning")[0].status is EventStatus.cancelled


def test_reimport_updates_instead_of_duplicating(runner, imported, tmp_path):
    assert import_events(runner, ICS / "google.ics").exit_code == 0
    count = event_count()
    webinar = imported("Webinar: online hate and young people")[0]
    sequence = webinar.sequence

    again = import_events(runner, ICS / "google.ics")
    assert again.exit_code == 0, again.output
    assert "Created 0 event(s), updated 5, 0 errors" in again.output
    assert event_count() == count
    db.session.expire_all()
    assert webinar.sequence == sequence  # nothing people care about changed

    # The webinar moved an hour later in Google Calendar.
    moved = (ICS / "google.ics").read_text(encoding="utf-8")
    moved = moved.replace("DTSTART:20270201T130000Z", "DTSTART:20270201T140000Z")
    moved = moved.replace("DTEND:20270201T140000Z", "DTEND:20270201T150000Z")
    (tmp_path / "google.ics").write_text(moved, encoding="utf-8", newline="")
    result = import_events(runner, tmp_path / "google.ics")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert event_count() == count
    assert webinar.starts_at == utc(2027, 2, 1, 14)
    assert webinar.sequence == sequence + 1


def test_reimport_cancels_a_published_date_the_source_excluded(runner, demo, tmp_path):
    assert import_events(runner, ICS / "google.ics", "--publish").exit_code == 0
    may = next(e for e in occurrences(GOOGLE_SERIES) if e.local_start.month == 5)
    assert may.status is EventStatus.published

    text = (ICS / "google.ics").read_text(encoding="utf-8")
    text = text.replace(
        "EXDATE;TZID=Europe/Copenhagen:20270310T100000",
        "EXDATE;TZID=Europe/Copenhagen:20270310T100000,20270512T100000",
    )
    (tmp_path / "google.ics").write_text(text, encoding="utf-8", newline="")
    result = import_events(runner, tmp_path / "google.ics")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert may.status is EventStatus.cancelled  # people saw it: cancelled, not deleted
    assert len(occurrences(GOOGLE_SERIES)) == 5


def test_reimport_keeps_what_only_nscal_knows(runner, imported):
    from nscal.cities.models import City, ParticipantRole

    assert import_events(runner, ICS / "apple.ics").exit_code == 0
    webinar = imported("Webinar on safe nightlife")[0]
    webinar.capacity = 80
    webinar.host_city = db.session.execute(sa.select(City).where(City.slug == "malmo")).scalar_one()
    webinar.audience = list(db.session.execute(sa.select(ParticipantRole)).scalars())[:1]
    webinar.kind = EventKind.webinar
    db.session.commit()

    assert import_events(runner, ICS / "apple.ics").exit_code == 0
    db.session.expire_all()
    assert webinar.capacity == 80
    assert webinar.host_city.slug == "malmo"
    assert [role.slug for role in webinar.audience] == ["practitioner"]
    assert webinar.kind is EventKind.webinar


def test_dry_run_reports_and_writes_nothing(runner, demo):
    before = event_count()
    series_before = db.session.scalar(sa.select(sa.func.count()).select_from(EventSeries))
    result = import_events(runner, ICS / "outlook.ics", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run: would have created 8 event(s), updated 0" in result.output
    assert "line 114: would create “Weekly coordination”" in result.output
    assert "series of 8 dates" in result.output
    assert event_count() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventSeries)) == series_before


def test_a_bad_component_stops_the_import_and_names_its_line(runner, demo):
    before = event_count()
    result = import_events(runner, ICS / "broken.ics")
    assert result.exit_code != 0
    source = ICS / "broken.ics"
    # Line numbers are those of BEGIN:VEVENT in the file as written (folded lines counted).
    for line, message in [
        (15, "Unknown time zone 'Mars Standard Time'"),
        (21, "The event has no start (DTSTART)."),
        (26, "The end must be after the start."),
        (32, "2027-03-28 02:30 does not exist in Europe/Copenhagen"),
        (38, "DTSTART: Wrong datetime format"),
    ]:
        assert f"{source}: line {line}: {message}" in result.stderr
    assert "line 6:" not in result.stderr  # the good event is fine …
    assert "Nothing was imported: 5 errors" in result.stderr
    assert event_count() == before  # … but is not imported alone


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("title,starts\n", "neither .ics (iCalendar) nor .csv"),
    ],
)
def test_a_file_of_another_type_is_refused(runner, demo, tmp_path, content, message):
    path = tmp_path / "calendar.txt"
    path.write_text(content)
    result = import_events(runner, path)
    assert result.exit_code != 0
    assert message in result.output


def test_an_ics_that_is_not_icalendar_is_refused_at_line_1(runner, demo, tmp_path):
    path = tmp_path / "calendar.ics"
    path.write_text("<html>Not found</html>\n")
    result = import_events(runner, path)
    assert result.exit_code != 0
    assert f"{path}: line 1: This is not an iCalendar file" in result.stderr


def test_an_unclosed_component_is_reported_where_it_begins(runner, demo, tmp_path):
    text = (ICS / "apple.ics").read_text(encoding="utf-8").replace("END:VEVENT\n", "", 1)
    path = tmp_path / "apple.ics"
    path.write_text(text, encoding="utf-8", newline="")
    result = import_events(runner, path)
    assert result.exit_code != 0
    assert f"{path}: line 26: BEGIN:VEVENT is never closed: another one begins on line 43" in (
        result.stderr
    )


@pytest.mark.parametrize(
    ("tzid", "zone"),
    [
        ("Europe/Oslo", "Europe/Oslo"),
        ("America/Godthab", "America/Nuuk"),
        ("/mozilla.org/20070129_1/Europe/Helsinki", "Europe/Helsinki"),
        ("W. Europe Standard Time", "Europe/Stockholm"),
        ("W. Europe Standard Time 1", "Europe/Stockholm"),
        ("Romance Standard Time", "Europe/Copenhagen"),
        ("FLE Standard Time", "Europe/Helsinki"),
        ("Greenwich Standard Time", "Atlantic/Reykjavik"),
        ("Greenland Standard Time", "America/Nuuk"),
        ("(UTC+01:00) Brussels, Copenhagen, Madrid, Paris", "Europe/Copenhagen"),
        ("(UTC+02:00) Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius", "Europe/Helsinki"),
        ("(UTC+00:00) Monrovia, Reykjavik", "Atlantic/Reykjavik"),
        ("Mars Standard Time", None),
    ],
)
def test_tzid_resolution_without_vtimezone(app, tzid, zone):
    assert resolve_tzid(tzid, None, 2027)[0] == zone
