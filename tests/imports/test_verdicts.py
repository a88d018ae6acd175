"""Each component's verdict (as is, with a note, refused), and skipping the refused."""

import re
from datetime import date

import pytest

from tests.imports.importing import event_count, import_events, utc
from tests.imports.test_import_csv import CSV, HEADER
from tests.imports.test_import_page import fixture, upload

BAD = CSV / "bad.csv"
REFUSED_TITLES = ["Wrong kind", "Unknown zone", "In the gap", "Ends first", "Bad date"]
# One row as is, one with a note (its join link moved), one refused.
MIXED = (
    HEADER + "Plain,,2027-01-13 10:00,11:00,Europe/Oslo,,,,,,,,,\n"
    "Linked,,2027-01-14 10:00,11:00,Europe/Oslo,,,,,,,,"
    '"Join: https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc",\n'
    "Broken,,2027-01-15 10:00,11:00,Europe/Olso,,,,,,,,,\n"
)


def skip_fields(page: str) -> dict[str, str]:
    form = page[page.index('action="/manage/import/confirm-valid"') :]
    fields = dict(re.findall(r'name="(csrf_token|payload)"[^>]*value="([^"]+)"', form))
    assert set(fields) == {"csrf_token", "payload"}, "the preview offers no skip button"
    return fields


# --- the command ---------------------------------------------------------------------


def test_the_command_groups_components_by_verdict(runner, demo, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(MIXED, encoding="utf-8")
    result = import_events(runner, path, "--dry-run")
    assert result.exit_code != 0
    assert "Valid as is: 1; with a note: 1; refused: 1." in result.stdout
    assert "Valid as is (1):\n  line 2: would create “Plain”" in result.stdout
    assert "Valid with a note (1):\n  line 3: would create “Linked”" in result.stdout
    assert f"{path}: line 3: Join link moved to the online link" in result.stdout
    assert "Refused (1):\n" in result.stderr
    assert f"{path}: line 4: timezone: unknown time zone 'Europe/Olso'" in result.stderr
    assert "(“Broken”)" in result.stderr


def test_skip_invalid_imports_the_valid_rows_and_names_the_skipped(runner, imported):
    before = event_count()
    result = import_events(runner, BAD, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "Imported as is: 2; with a note: 0; refused: 9." in result.stdout
    assert "  line 2: created “Good meeting”" in result.stdout
    assert "Refused, skipped (9):" in result.stderr
    assert f"{BAD}: line 8: The end must be after the start. (“Ends first”)" in result.stderr
    assert (
        "Created 2 event(s), updated 0, skipped 9 refused (line 3, 6, 7, 8, 9, 10, 11, 12, 13)"
        in result.stdout
    )
    assert event_count() == before + 2
    assert [event.title for event in imported("Good meeting")] == ["Good meeting"]
    assert imported("Multi-line description")
    for title in REFUSED_TITLES + ["Bad rule", "Negative capacity"]:
        assert imported(title) == [], title


def test_without_skip_invalid_nothing_is_imported(runner, demo):
    before = event_count()
    result = import_events(runner, BAD)
    assert result.exit_code != 0
    assert "Valid as is: 2; with a note: 0; refused: 9." in result.stdout
    assert event_count() == before


def test_skip_invalid_with_a_dry_run_writes_nothing(runner, demo):
    before = event_count()
    result = import_events(runner, BAD, "--skip-invalid", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would be imported as is (2):" in result.stdout
    assert "Dry run: would have created 2 event(s), updated 0, skipped 9 refused" in result.stdout
    assert event_count() == before


def test_skip_invalid_with_nothing_valid_fails(runner, demo, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(HEADER + "A,,2027-01-13 10:00,11:00,Mars/Olympus,,,,,,,,,\n")
    before = event_count()
    result = import_events(runner, path, "--skip-invalid")
    assert result.exit_code != 0
    assert "Nothing was imported: 1 error" in result.stderr
    assert event_count() == before


def test_a_series_refused_by_the_services_skips_its_changed_dates_too(runner, imported, tmp_path):
    # The series is refused when applied (its UID is too long for nscal); the changed
    # date of it then has no series to change, and is not made an event of its own.
    uid = "s" * 300 + "@test"
    path = tmp_path / "series.ics"
    path.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n"
        f"BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20270101T000000Z\nSUMMARY:Weekly\n"
        "DTSTART;TZID=Europe/Oslo:20270104T100000\nDTEND;TZID=Europe/Oslo:20270104T110000\n"
        "RRULE:FREQ=WEEKLY;COUNT=3\nEND:VEVENT\n"
        f"BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20270101T000000Z\nSUMMARY:Weekly, moved\n"
        "RECURRENCE-ID;TZID=Europe/Oslo:20270111T100000\n"
        "DTSTART;TZID=Europe/Oslo:20270111T120000\nDTEND;TZID=Europe/Oslo:20270111T130000\n"
        "END:VEVENT\n"
        "BEGIN:VEVENT\nUID:one@test\nDTSTAMP:20270101T000000Z\nSUMMARY:Single\n"
        "DTSTART;TZID=Europe/Oslo:20270105T100000\nDTEND;TZID=Europe/Oslo:20270105T110000\n"
        "END:VEVENT\nEND:VCALENDAR\n",
        encoding="utf-8",
    )
    before = event_count()
    result = import_events(runner, path, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "Created 1 event(s)" in result.stdout
    assert imported("Single") and not imported("Weekly") and not imported("Weekly, moved")
    assert event_count() == before + 1


# --- the page ------------------------------------------------------------------------


def test_the_preview_groups_components_and_offers_to_skip_the_refused(client, coordinator):
    page = upload(client, "mixed.csv", MIXED.encode()).get_data(as_text=True)
    assert "Nothing can be imported yet: 1 problem" in page
    assert "<h2>Refused (1)</h2>" in page
    assert "<h2>Valid with a note (1)</h2>" in page
    assert "<h2>Valid as is (1)</h2>" in page
    assert "<li>Valid as is: 1</li>" in page and "<li>Refused: 1</li>" in page
    assert "Join link moved to the online link" in page
    assert 'value="Import the 2 valid ones, skip 1"' in page
    assert 'action="/manage/import/confirm"' not in page  # no import of everything
    skip_fields(page)


def test_the_skip_button_imports_the_valid_ones(client, coordinator, imported):
    before = event_count()
    page = upload(client, "bad.csv", fixture("csv/bad.csv")).get_data(as_text=True)
    assert 'value="Import the 2 valid ones, skip 9"' in page
    response = client.post(
        "/manage/import/confirm-valid", data=skip_fields(page), follow_redirects=True
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "bad.csv: Created 2 event(s), updated 0, skipped 9 refused" in text
    assert event_count() == before + 2
    assert imported("Good meeting") and not imported("Ends first")


def test_a_clean_file_has_no_skip_button(client, coordinator):
    page = upload(client, "events.csv", fixture("csv/events.csv")).get_data(as_text=True)
    assert "confirm-valid" not in page
    assert "<li>Would be imported as is: 5</li>" in page


def test_a_changed_skip_payload_imports_nothing(client, coordinator):
    page = upload(client, "bad.csv", fixture("csv/bad.csv")).get_data(as_text=True)
    fields = skip_fields(page)
    fields["payload"] = fields["payload"][:-3] + "xyz"
    before = event_count()
    response = client.post("/manage/import/confirm-valid", data=fields, follow_redirects=True)
    assert "The preview has expired or was changed" in response.get_data(as_text=True)
    assert event_count() == before


def test_refusals_added_since_the_preview_import_nothing(client, runner, coordinator, tmp_path):
    rows = HEADER.replace("rrule\n", "rrule,uid\n")
    rows += "Plain,,2027-01-13 10:00,11:00,Europe/Oslo,,,,,,,,,,\n"
    rows += "Later,,2027-01-14 10:00,11:00,Europe/Oslo,,,,,,,,,,later@test\n"
    rows += "Broken,,2027-01-15 10:00,11:00,Europe/Olso,,,,,,,,,,\n"
    page = upload(client, "rows.csv", rows.encode()).get_data(as_text=True)
    assert 'value="Import the 2 valid ones, skip 1"' in page
    fields = skip_fields(page)
    # Meanwhile "later@test" became a series in nscal: the single row is refused now.
    series = tmp_path / "series.ics"
    series.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\nBEGIN:VEVENT\nUID:later@test\n"
        "DTSTAMP:20270101T000000Z\nSUMMARY:Later\nDTSTART;TZID=Europe/Oslo:20270114T100000\n"
        "DTEND;TZID=Europe/Oslo:20270114T110000\nRRULE:FREQ=WEEKLY;COUNT=2\n"
        "END:VEVENT\nEND:VCALENDAR\n"
    )
    assert import_events(runner, series).exit_code == 0
    before = event_count()
    response = client.post("/manage/import/confirm-valid", data=fields)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Something changed in nscal since the preview" in page
    assert "is a repeating series in nscal but a single event in the file" in page
    assert event_count() == before


# --- what spreadsheets write -----------------------------------------------------------


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        ("13.01.2027 10:00", "13.01.2027 11:30"),
        ("13.1.2027 10.00", "11:30"),
        ("13-01-2027 10:00", "13-01-2027 11:30"),
        ("2027-01-13 10:00", "90 min"),
        ("13.01.2027 10:00", "1:30 h"),
        ("13.01.2027 10:00", "1 h 30 min"),
        ("13.01.2027 10:00", '"1,5 h"'),
        ("13.01.2027 10:00", "1h30"),
        ("13.01.2027 10:00", "PT1H30M"),
        ("13.01.2027 10:00", '"1,5 timer"'),
    ],
)
def test_nordic_dates_and_durations(runner, imported, tmp_path, starts, ends):
    path = tmp_path / "events.csv"
    path.write_text(HEADER + f"Meeting,,{starts},{ends},Europe/Copenhagen,,,,,,,,,\n")
    result = import_events(runner, path)
    assert result.exit_code == 0, result.output
    [meeting] = imported("Meeting")
    assert (meeting.starts_at, meeting.ends_at) == (utc(2027, 1, 13, 9), utc(2027, 1, 13, 10, 30))


@pytest.mark.parametrize(
    ("starts", "ends", "last_day"),
    [
        ("13.01.2027", "14.01.2027", date(2027, 1, 14)),
        ("13-01-2027", "", date(2027, 1, 13)),
        ("13.01.2027", "2 days", date(2027, 1, 14)),
        ("2027-01-13", "P3D", date(2027, 1, 15)),
        ("13.01.2027", "1 dag", date(2027, 1, 13)),
    ],
)
def test_all_day_in_nordic_dates_and_days(runner, imported, tmp_path, starts, ends, last_day):
    path = tmp_path / "events.csv"
    path.write_text(HEADER + f"Day,,{starts},{ends},Europe/Oslo,,,,,,,,,\n")
    result = import_events(runner, path)
    assert result.exit_code == 0, result.output
    [day] = imported("Day")
    assert (day.start_date, day.end_date) == (date(2027, 1, 13), last_day + date.resolution)


def test_a_duration_in_hours_is_elapsed_time_across_a_clock_change(runner, imported, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(HEADER + "Night,,2027-03-28 01:30,2h,Europe/Copenhagen,,,,,,,,,\n")
    assert import_events(runner, path).exit_code == 0
    [night] = imported("Night")
    assert (night.starts_at, night.ends_at) == (utc(2027, 3, 28, 0, 30), utc(2027, 3, 28, 2, 30))
    assert night.local_end.strftime("%H:%M") == "04:30"


@pytest.mark.parametrize(
    ("starts", "ends", "message"),
    [
        ("01/02/2027 10:00", "11:00", "Dates with slashes are not read: 01/02/2027 is 1 February"),
        ("2027-01-13 10:00", "1:30", "'1:30' is read as the clock time 01:30, not after the start"),
        ("2027-01-13", "3 h", "the start is a date (all day), so '3 h' must be whole days."),
        ("2027-01-13 10:00", "0 min", "'0 min' is no length of time"),
        ("2027-01-13 10:00", "2 fortnights", "ends: '2 fortnights' is not a date and time"),
    ],
)
def test_unreadable_times_are_refused_with_the_rule(runner, demo, tmp_path, starts, ends, message):
    path = tmp_path / "events.csv"
    path.write_text(HEADER + f"Meeting,,{starts},{ends},Europe/Oslo,,,,,,,,,\n")
    result = import_events(runner, path)
    assert result.exit_code != 0
    assert f"{path}: line 2: " in result.stderr and message in result.stderr


def test_excel_sep_line_semicolons_and_bom(runner, imported, tmp_path):
    path = tmp_path / "excel.csv"
    header = HEADER.replace(",", ";")
    path.write_bytes(
        (
            "\ufeffsep=;\n" + header + "Frokost;;20.05.2027 08:00;90 min;Europe/Oslo;;;"
            '"Rådhuset, 2. etg.";;;;;;\n'
            "Feil;;20.05.2027 08:00;;Europe/Oslo;;;;;;;;;\n"
        ).encode()
    )
    result = import_events(runner, path, "--skip-invalid")
    assert result.exit_code == 0, result.output
    # Lines as the file numbers them: the sep= line is line 1, the header line 2.
    assert f"{path}: line 4: ends: an end is required" in result.stderr
    [breakfast] = imported("Frokost")
    assert breakfast.venue == "Rådhuset, 2. etg."
    assert (breakfast.starts_at, breakfast.ends_at) == (
        utc(2027, 5, 20, 6),
        utc(2027, 5, 20, 7, 30),
    )
