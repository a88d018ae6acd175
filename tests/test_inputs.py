"""What people type or import is stored clean: one-line fields on one line, no control
characters, numbers that fit their columns, years nscal handles."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from nscal.accounts.models import AccountRole
from nscal.accounts.services import find_user_by_email
from nscal.cities.models import City, ParticipantRole
from nscal.db import db
from nscal.events.models import Event, EventStatus
from nscal.inputs import multi_line, single_line
from nscal.registrations.models import RegistrationSettings
from tests.conftest import csrf_token_from

HUGE = "99999999999999999999"
START = datetime(2099, 1, 13, 10, 0)  # noqa: DTZ001 - wall clock in the event's zone
END = datetime(2099, 1, 13, 11, 30)  # noqa: DTZ001


def event_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Event))


@pytest.fixture
def coordinator(network, make_user, auth, client):
    user = make_user("coordinator@example.org", account_role=AccountRole.coordinator)
    auth.login(user.email)
    return user


def post(client, path, data):
    token = csrf_token_from(client.get("/manage/events/new"))
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=True)


EVENT_FORM = {
    "title": "Board meeting",
    "kind": "city-meeting",
    "format": "online",
    "host_city": "0",
    "timezone": "Europe/Copenhagen",
    "start_date": "2099-05-05",
    "start_time": "10:00",
    "end_time": "11:30",
    "visibility": "public",
}


def test_text_is_cleaned_of_control_characters():
    assert single_line(" Board\r\nBcc: all@example.org\tnow\x00 ") == (
        "Board Bcc: all@example.org now"
    )
    assert multi_line("First line\r\nSecond\x00 line\x1b\tend\r") == "First line\nSecond line\tend"


def test_a_title_typed_with_line_breaks_is_stored_on_one_line(client, coordinator):
    post(
        client,
        "/manage/events/new",
        {
            **EVENT_FORM,
            "title": "Board\r\nBcc: everyone@example.org",
            "venue": "Town\nhall\x00",
            "description": "Agenda:\r\n1. Budget\x00",
        },
    )
    event = db.session.execute(sa.select(Event)).scalar_one()
    assert event.title == "Board Bcc: everyone@example.org"
    assert event.venue == "Town hall"
    assert event.description == "Agenda:\n1. Budget"


def test_a_title_of_control_characters_only_is_refused(client, coordinator):
    page = post(client, "/manage/events/new", {**EVENT_FORM, "title": "\x00\r\n"})
    assert "Give the event a title." in page.text
    assert event_count() == 0


def test_a_huge_host_city_is_not_a_valid_choice(client, coordinator):
    page = post(client, "/manage/events/new", {**EVENT_FORM, "host_city": HUGE})
    assert page.status_code == 200
    assert "Not a valid choice." in page.text
    assert event_count() == 0


def test_a_huge_capacity_is_refused_in_the_event_form(client, coordinator):
    page = post(client, "/manage/events/new", {**EVENT_FORM, "capacity": HUGE})
    assert "At most 1,000,000 places." in page.text
    assert event_count() == 0


# The event form with its registration section, as the edit page sends it.
SETTINGS = {**EVENT_FORM, "start_date": "2099-01-13", "settings-shown": "1"}


@pytest.mark.parametrize("field", ["city_limit", "quota"])
def test_huge_numbers_in_the_registration_settings_are_refused(
    client, coordinator, make_event, field
):
    event = make_event(start=START, end=END)
    role = db.session.execute(sa.select(ParticipantRole).limit(1)).scalar_one()
    name = f"settings-quota_{role.id}" if field == "quota" else f"settings-{field}"
    page = post(client, f"/manage/events/{event.id}/edit", {**SETTINGS, name: HUGE})
    assert page.status_code == 200
    assert "Enter a number from" in page.text
    assert "2,147,483,647" in page.text
    assert db.session.get(RegistrationSettings, event.id) is None


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_registration_dates_outside_the_years_nscal_handles_are_refused(
    client, coordinator, make_event, day
):
    event = make_event(start=START, end=END)
    for field in ("opens_date", "closes_date", "self_cancel_until_date"):
        page = post(
            client, f"/manage/events/{event.id}/edit", {**SETTINGS, f"settings-{field}": day}
        )
        assert page.status_code == 200
        assert "Choose a day between 1970 and 2199." in page.text
    assert db.session.get(RegistrationSettings, event.id) is None


def test_a_huge_person_to_register_on_behalf_is_not_a_valid_choice(client, coordinator, make_event):
    event = make_event(start=START, end=END)
    page = post(client, f"/manage/events/{event.id}/registrations/on-behalf", {"behalf-user": HUGE})
    assert page.status_code == 200
    assert "Not a valid choice." in page.text


def test_a_huge_draft_to_publish_is_not_a_valid_choice(client, coordinator, make_event):
    draft = make_event(status=EventStatus.draft)
    page = post(client, "/manage/calendar/2027/publish-selected", {"event_ids": [HUGE]})
    assert page.status_code == 200
    assert "Tick the drafts to publish in the list." in page.text
    assert db.session.get(Event, draft.id).status is EventStatus.draft


def test_a_huge_city_in_an_invitation_is_not_a_valid_choice(client, network, make_user, auth):
    admin = make_user("admin@example.org", account_role=AccountRole.admin)
    auth.login(admin.email)
    page = post(
        client,
        "/manage/people/invite",
        {
            "email": "new@example.org",
            "name": "New Person",
            "city": HUGE,
            "participant_role": HUGE,
            "account_role": "member",
        },
    )
    assert page.status_code == 200
    assert "Not a valid choice." in page.text
    assert find_user_by_email("new@example.org") is None


def test_a_name_with_a_line_break_is_stored_on_one_line(client, network, make_user, auth):
    user = make_user("p@example.org")
    auth.login(user.email)
    post(client, "/account", {"name": "Aino\r\nVirtanen\x00", "timezone": ""})
    assert find_user_by_email("p@example.org").name == "Aino Virtanen"


# --- imports --------------------------------------------------------------------------

CSV_HEADER = "title,starts,ends,timezone,capacity,description\n"


def import_file(runner, tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["import-events", str(path)])
    assert "Traceback" not in result.output
    return result


def test_an_imported_title_with_a_line_break_is_stored_on_one_line(runner, network, tmp_path):
    result = import_file(
        runner,
        tmp_path,
        "events.csv",
        CSV_HEADER
        + '"Board\nBcc: everyone@example.org",2099-01-13 10:00,11:30,Europe/Oslo,,"A\x00\nB"\n',
    )
    assert result.exit_code == 0, result.output
    event = db.session.execute(sa.select(Event)).scalar_one()
    assert event.title == "Board Bcc: everyone@example.org"
    assert event.description == "A\nB"


def test_an_ics_title_with_a_control_character_is_stored_clean(runner, network, tmp_path):
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\n"
        "UID:a@example.org\r\nDTSTART;VALUE=DATE:20990113\r\n"
        "SUMMARY:Board\\nmeeting\x00\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    result = import_file(runner, tmp_path, "events.ics", text)
    assert result.exit_code == 0, result.output
    assert db.session.execute(sa.select(Event.title)).scalar_one() == "Board meeting"


def test_a_huge_capacity_in_a_csv_is_reported_on_its_line(runner, network, tmp_path):
    result = import_file(
        runner,
        tmp_path,
        "events.csv",
        CSV_HEADER
        + "Fine,2099-01-13 10:00,11:30,Europe/Oslo,10,\n"
        + f"Huge,2099-01-14 10:00,11:30,Europe/Oslo,{HUGE},\n",
    )
    assert result.exit_code != 0
    assert "line 3" in result.output
    assert "capacity" in result.output
    assert event_count() == 0


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_csv_event_in_a_year_nscal_does_not_handle_is_reported(runner, network, tmp_path, day):
    result = import_file(
        runner,
        tmp_path,
        "events.csv",
        CSV_HEADER
        + "Fine,2099-01-13 10:00,11:30,Europe/Oslo,,\n"
        + f"Far,{day} 10:00,11:30,America/Nuuk,,\n",
    )
    assert result.exit_code != 0
    assert "line 3" in result.output
    assert "1970 and 2199" in result.output
    assert event_count() == 0


@pytest.mark.parametrize("day", ["00010101", "99991231"])
def test_an_ics_event_in_a_year_nscal_does_not_handle_is_reported(runner, network, tmp_path, day):
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
        "BEGIN:VEVENT\r\nUID:fine@example.org\r\nDTSTART;VALUE=DATE:20990113\r\n"
        "SUMMARY:Fine\r\nEND:VEVENT\r\n"
        f"BEGIN:VEVENT\r\nUID:far@example.org\r\nDTSTART:{day}T100000Z\r\n"
        "SUMMARY:Far\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    result = import_file(runner, tmp_path, "events.ics", text)
    assert result.exit_code != 0
    assert "line 9" in result.output
    assert "1970 and 2199" in result.output
    assert event_count() == 0


# --- the CLI --------------------------------------------------------------------------


def test_create_user_puts_a_name_on_one_line(runner, network):
    result = runner.invoke(
        args=["create-user", "--email", "p@example.org", "--name", "Aino\r\nVirtanen\x00"],
        input="a good long password\na good long password\n",
    )
    assert result.exit_code == 0, result.output
    assert find_user_by_email("p@example.org").name == "Aino Virtanen"


def test_import_users_puts_names_on_one_line(runner, network, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text('email,name\np@example.org,"Aino\nVirtanen"\n', encoding="utf-8")
    result = runner.invoke(args=["import-users", str(path)])
    assert result.exit_code == 0, result.output
    assert find_user_by_email("p@example.org").name == "Aino Virtanen"


def test_an_over_long_name_is_refused_by_the_cli(runner, network):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "p@example.org",
            "--name",
            "x" * 201,
            "--password",
            "a good long password",
        ]
    )
    assert result.exit_code != 0
    assert "longer than 200 characters" in result.output
    assert db.session.execute(sa.select(City)).first() is not None
