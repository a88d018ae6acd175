"""``flask import-events FILE.csv``: a spreadsheet's rows become events, all or nothing."""

from datetime import date
from pathlib import Path

import pytest

from nscal.db import db
from nscal.events.models import EventFormat, EventKind, EventStatus, Visibility
from tests.imports.importing import event_count, import_events, utc

CSV = Path(__file__).parent.parent / "fixtures" / "csv"
HEADER = (
    "title,kind,starts,ends,timezone,host_city,format,venue,online_url,roles,capacity,"
    "visibility,description,rrule\n"
)


def test_rows_become_events_in_their_own_zone(runner, imported):
    result = import_events(runner, CSV / "events.csv")
    assert result.exit_code == 0, result.output
    assert "Created 5 event(s), updated 0, 0 errors" in result.output

    [meeting] = imported("City meeting: safe neighbourhoods")
    assert (meeting.timezone, meeting.starts_at, meeting.ends_at) == (
        "Europe/Copenhagen",
        utc(2027, 3, 2, 12),
        utc(2027, 3, 2, 15),
    )
    assert meeting.kind is EventKind.city_meeting  # "City meeting", by its label
    assert meeting.host_city.slug == "copenhagen"
    assert meeting.format is EventFormat.hybrid
    assert [role.slug for role in meeting.audience] == ["practitioner", "leader"]
    assert meeting.capacity == 40
    assert meeting.description == "Agenda:\n1. Welcome\n2. Safe neighbourhoods, what works"
    assert meeting.status is EventStatus.draft

    # All day, the last day inclusive as people write it: 29–30 March is two days.
    [summit] = imported("Nordic Safe Cities Summit 2027")
    assert summit.all_day
    assert (summit.start_date, summit.end_date) == (date(2027, 3, 29), date(2027, 3, 31))
    assert summit.host_city.slug == "reykjavik"  # by its name, "Reykjavík"
    assert (summit.format, summit.visibility) == (EventFormat.in_person, Visibility.members)
    assert summit.audience == []

    # Nuuk, on the Saturday its clocks change (later that night).
    [arctic] = imported("Webinar: Safer Arctic cities")
    assert (arctic.starts_at, arctic.ends_at) == (utc(2027, 3, 27, 22), utc(2027, 3, 27, 23))

    # A monthly series from its rrule; "10:30" as the end means the same day.
    network = imported("Helsinki prevention network")
    assert [e.local_start.strftime("%Y-%m-%d %H:%M") for e in network] == [
        "2027-02-04 09:00",
        "2027-03-04 09:00",
        "2027-04-01 09:00",
        "2027-05-06 09:00",
    ]
    assert (network[0].starts_at, network[2].starts_at) == (utc(2027, 2, 4, 7), utc(2027, 4, 1, 6))
    assert {e.local_end.strftime("%H:%M") for e in network} == {"10:30"}
    assert {e.kind for e in network} == {EventKind.workshop}
    assert {e.visibility for e in network} == {Visibility.members}  # "members-only"

    # A one-day all-day event may leave "ends" empty.
    [kick_off] = imported("Kick-off day")
    assert (kick_off.start_date, kick_off.end_date) == (date(2027, 1, 18), date(2027, 1, 19))
    assert kick_off.kind is EventKind.kick_off
    assert [role.slug for role in kick_off.audience] == ["mayor", "politician"]


def test_excel_semicolons_and_bom(runner, imported):
    result = import_events(runner, CSV / "excel-semicolon.csv", "--publish")
    assert result.exit_code == 0, result.output
    assert "Created 2 event(s)" in result.output
    [breakfast] = imported("Mayors' breakfast")
    assert breakfast.starts_at == utc(2027, 5, 20, 6)
    assert breakfast.host_city.slug == "malmo"
    assert [role.slug for role in breakfast.audience] == ["mayor", "politician"]
    assert (breakfast.format, breakfast.visibility) == (EventFormat.in_person, Visibility.members)
    assert breakfast.status is EventStatus.published
    [visit] = imported("Tórshavn study visit")
    assert (visit.start_date, visit.end_date) == (date(2027, 6, 14), date(2027, 6, 17))
    assert visit.timezone == "Atlantic/Faroe"


def test_windows_1252_from_excel_is_read_and_said(runner, imported, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        (
            HEADER + "Möte i Malmö,other,2027-05-20 08:00,2027-05-20 09:00,Europe/Stockholm,"
            "Malmö,,,,,,,,\n"
        ).encode("cp1252")
    )
    result = import_events(runner, path)
    assert result.exit_code == 0, result.output
    assert "read as Windows-1252" in result.output
    [meeting] = imported("Möte i Malmö")
    assert meeting.host_city.slug == "malmo"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (3, "kind: unknown kind 'Party'"),
        # Line 4 holds a good row whose description runs on to line 5.
        (6, "timezone: unknown time zone 'Europe/Copenhagn'"),
        (7, "2027-03-28 02:30 does not exist in Europe/Copenhagen: the clocks jump from 02:00"),
        (8, "The end must be after the start."),
        (9, "starts: '13/01/2027 10:00' is not a date and time like 2027-03-29 10:00"),
        (10, "roles: unknown participant role 'chef'"),
        (11, "host_city: unknown city 'Atlantis'"),
        (12, "The capacity cannot be negative."),
        (13, "The repeat rule 'FREQ=SOMETIMES' is not valid"),
    ],
)
def test_every_bad_row_is_reported_by_its_line(runner, demo, line, message):
    result = import_events(runner, CSV / "bad.csv")
    assert result.exit_code != 0
    assert f"{CSV / 'bad.csv'}: line {line}: {message}" in result.stderr


def test_one_bad_row_and_nothing_is_written(runner, demo):
    before = event_count()
    result = import_events(runner, CSV / "bad.csv")
    assert result.exit_code != 0
    assert "Nothing was imported: 9 errors" in result.stderr
    assert "line 2:" not in result.stderr and "line 4:" not in result.stderr
    assert event_count() == before


def test_reimporting_the_same_rows_updates_them(runner, imported, tmp_path):
    assert import_events(runner, CSV / "events.csv").exit_code == 0
    count = event_count()
    [meeting] = imported("City meeting: safe neighbourhoods")
    sequence = meeting.sequence

    again = import_events(runner, CSV / "events.csv")
    assert again.exit_code == 0, again.output
    assert "Created 0 event(s), updated 5, 0 errors" in again.output
    assert event_count() == count

    # Same title, start and zone: the same event, now in another room.
    text = (CSV / "events.csv").read_text(encoding="utf-8")
    (tmp_path / "events.csv").write_text(
        text.replace(",Copenhagen City Hall,", ',"Copenhagen City Hall, room 2",'), encoding="utf-8"
    )
    result = import_events(runner, tmp_path / "events.csv")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert event_count() == count
    assert meeting.venue == "Copenhagen City Hall, room 2"
    assert meeting.sequence == sequence + 1


def test_dry_run_checks_and_writes_nothing(runner, demo):
    before = event_count()
    result = import_events(runner, CSV / "events.csv", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run: would have created 5 event(s), updated 0, 0 errors" in result.output
    assert "line 7: would create “Helsinki prevention network”" in result.output
    assert event_count() == before


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("title,starts\nA,2027-01-01\n", "line 1: Missing column(s): timezone"),
        (HEADER, "line 1: The file has a header but no events."),
        (
            HEADER + "A,,2027-01-13 10:00,,Europe/Oslo,,,,,,,,,\n",
            "line 2: ends: an end is required when the start has a time.",
        ),
        (
            HEADER + "A,,2027-01-13,2027-01-14 10:00,Europe/Oslo,,,,,,,,,\n",
            "line 2: ends: the start is a date (all day), so the end must be a date too.",
        ),
        (
            HEADER + "A,,2027-01-13 10:00,11:00,Europe/Oslo,,online,Town hall,,,,,,\n"
            "B,,2027-01-13 10:00,11:00,,,,,,,,,,\n"
            "C,,2027-01-13 10:00,11:00,Europe/Oslo,,,,,,many,,,\n"
            "D,,2027-01-13 10:00,11:00,Europe/Oslo,,,,,,,friends,,\n"
            "E,,2027-01-13 10:00,11:00,Europe/Oslo,,in-person,,https://x.example,,,,,\n"
            ",,2027-01-13 10:00,11:00,Europe/Oslo,,,,,,,,,\n",
            "line 3: timezone: a time zone is required",
        ),
    ],
)
def test_file_and_row_problems_are_named(runner, demo, tmp_path, rows, message):
    path = tmp_path / "events.csv"
    path.write_text(rows, encoding="utf-8")
    result = import_events(runner, path)
    assert result.exit_code != 0
    assert f"{path}: {message}" in result.stderr


def test_each_cell_problem_has_its_own_message(runner, demo, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(
        HEADER + "C,,2027-01-13 10:00,11:00,Europe/Oslo,,,,,,many,,,\n"
        "D,,2027-01-13 10:00,11:00,Europe/Oslo,,,,,,,friends,,\n"
        "E,,2027-01-13 10:00,11:00,Europe/Oslo,,in-person,,https://x.example,,,,,\n"
        ",,2027-01-13 10:00,11:00,Europe/Oslo,,,,,,,,,\n"
        "F,,2027-01-13 10:00,11:00,Europe/Oslo,,by pigeon,,,,,,,\n",
        encoding="utf-8",
    )
    result = import_events(runner, path)
    assert result.exit_code != 0
    for line, message in [
        (2, "capacity: 'many' is not a whole number."),
        (3, "visibility: 'friends' is neither public nor members only."),
        (4, "An in-person event has no online link; choose hybrid instead."),
        (5, "A title is required."),
        (6, "format: 'by pigeon' is not online, in person or hybrid."),
    ]:
        assert f"line {line}: {message}" in result.stderr
