"""Answers in the attendee exports (CSV and .xlsx) and summed per choice on the roster."""

import csv
import io
from datetime import datetime

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from nscal.accounts.models import AccountRole, User
from nscal.db import db
from nscal.questions.services import answer_summaries
from nscal.registrations.overview import ROSTER_CSV_COLUMNS
from nscal.registrations.services import active_registration
from tests.questions.conftest import post, q

FORMULA = '=HYPERLINK("http://evil.example/","Click")'


@pytest.fixture
def answered(client, auth, make_user, meeting):
    """Three people registered with their answers; the coordinator logged in."""
    people = [
        (
            "aino@example.org",
            "Aino Virtanen",
            "helsinki",
            "practitioner",
            {
                "diet": "Vegan",
                "sessions": ["Youth", "Schools"],
                "photos": "yes",
                "nights": "2",
                "arrival": "2099-03-28",
                "org": FORMULA,
            },
        ),
        (
            "sven@example.org",
            "Sven Berg",
            "malmo",
            "practitioner",
            {"diet": "Vegan", "sessions": ["Youth"], "photos": "no", "nights": "0,5"},
        ),
        (
            "mette@example.org",
            "Mette Mayor",
            "nuuk",
            "mayor",
            {"diet": "No preference", "hotel": "Near the station"},
        ),
    ]
    for email, name, city, role, answers in people:
        make_user(email, name=name, city=city, participant_role=role)
        auth.login(email)
        data = {q(meeting, key): value for key, value in answers.items()}
        assert post(client, f"/events/{meeting.id}/register", data).status_code == 302
        auth.logout()
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")
    return meeting


def test_the_csv_keeps_its_columns_first_and_adds_one_per_question(client, answered):
    response = client.get(f"/manage/events/{answered.id}/registrations.csv")
    rows = list(csv.reader(io.StringIO(response.text, newline="")))
    header = rows[0]
    assert tuple(header[: len(ROSTER_CSV_COLUMNS)]) == ROSTER_CSV_COLUMNS
    assert header[len(ROSTER_CSV_COLUMNS) :] == [
        "Diet",
        "Workshops",
        "Photos of you allowed?",
        "Hotel nights",
        "Arrival day",
        "Access needs",
        "Organisation",
        "Hotel preference",
    ]
    records = list(csv.DictReader(io.StringIO(response.text, newline="")))
    aino, sven, mette = records
    assert aino["Workshops"] == "Youth; Schools"
    assert aino["Organisation"] == "'" + FORMULA  # text, never a formula
    assert sven["Hotel nights"] == "0.5"
    assert mette["Hotel preference"] == "Near the station"
    assert aino["Hotel preference"] == ""


def test_the_xlsx_has_the_csv_rows_the_answers_local_times_and_city_names(client, answered):
    response = client.get(f"/manage/events/{answered.id}/registrations.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[1]]
    assert header[:10] == [
        "Email",
        "Name",
        "City (slug)",
        "City",
        "Participant role",
        "Status",
        "Registered (Europe/Stockholm)",
        "Waitlist position",
        "Note",
        "Registered by",
    ]
    assert header[10:] == [
        "Diet",
        "Workshops",
        "Photos of you allowed?",
        "Hotel nights",
        "Arrival day",
        "Access needs",
        "Organisation",
        "Hotel preference",
    ]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width > 10
    rows = [
        dict(zip(header, [cell.value for cell in row], strict=True))
        for row in sheet.iter_rows(min_row=2)
    ]
    assert [row["Email"] for row in rows] == [
        "aino@example.org",
        "sven@example.org",
        "mette@example.org",
    ]
    aino, sven, mette = rows
    assert aino["City"] == "Helsinki" and aino["City (slug)"] == "helsinki"
    assert mette["City"] == "Nuuk" and mette["Participant role"] == "Mayor"
    assert aino["Diet"] == "Vegan" and aino["Workshops"] == "Youth; Schools"
    assert aino["Hotel nights"] == 2 and sven["Hotel nights"] == 0.5
    assert aino["Arrival day"] == datetime(2099, 3, 28)  # noqa: DTZ001 - an Excel date
    assert aino["Organisation"] == "'" + FORMULA
    assert sheet.cell(row=2, column=header.index("Organisation") + 1).data_type == "s"
    # The registration time is a real date-time on Stockholm's clock.
    aino_user = db.session.execute(
        sa.select(User).where(User.email == "aino@example.org")
    ).scalar_one()
    created = active_registration(answered.id, aino_user.id).created_at
    registered = aino["Registered (Europe/Stockholm)"]
    assert isinstance(registered, datetime)
    local = created.astimezone(answered.zone).replace(tzinfo=None)
    assert abs((registered - local).total_seconds()) < 1


def test_the_roster_links_the_xlsx_and_sums_answers_per_choice(client, answered):
    page = client.get(f"/manage/events/{answered.id}/registrations").text
    assert f"/manage/events/{answered.id}/registrations.xlsx" in page
    summaries = {summary.question.label: summary for summary in answer_summaries(answered)}
    diet = {item.choice: item.count for item in summaries["Diet"].counts}
    assert diet == {"No preference": 1, "Vegetarian": 0, "Vegan": 2}
    workshops = {item.choice: item.count for item in summaries["Workshops"].counts}
    assert workshops == {"Youth": 2, "Police": 0, "Schools": 1}
    photos = {item.choice: item.count for item in summaries["Photos of you allowed?"].counts}
    assert photos == {"yes": 1, "no": 1}
    answers = page.split("Answers summed", 1)[1]
    assert "<li>Vegan: 2</li>" in answers and "<li>Youth: 2</li>" in answers
    # Each person's answers in the roster.
    assert "Youth; Schools" in page and "Near the station" in page


def test_members_get_no_xlsx(client, auth, make_user, meeting):
    make_user("aino@example.org")
    auth.login("aino@example.org")
    assert client.get(f"/manage/events/{meeting.id}/registrations.xlsx").status_code in (403, 404)
