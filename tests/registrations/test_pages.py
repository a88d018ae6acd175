"""Registering from the event page, "My events", and the coordinators' roster and CSV."""

import csv
import io
from datetime import datetime

import pytest

from nscal.accounts.models import AccountRole
from nscal.db import db
from nscal.registrations.models import RegistrationStatus
from nscal.registrations.services import active_registration, register_for_event
from tests.conftest import csrf_token_from
from tests.registrations.test_event_form_settings import submit

FUTURE_START = datetime(2099, 1, 13, 10, 0)  # noqa: DTZ001 - wall-clock in the event's zone
FUTURE_END = datetime(2099, 1, 13, 11, 30)  # noqa: DTZ001


@pytest.fixture
def kickoff(demo, make_event):
    return make_event(
        "Kick-off city meeting",
        start=FUTURE_START,
        end=FUTURE_END,
        audience=("practitioner",),
        capacity=1,
    )


def post(client, path, data=None, token_page="/my/events"):
    token = csrf_token_from(client.get(token_page))
    return client.post(path, data={"csrf_token": token, **(data or {})}, follow_redirects=True)


def test_a_practitioner_registers_and_cancels(client, auth, make_user, kickoff):
    user = make_user("aino@example.org", participant_role="practitioner", city="helsinki")
    auth.login("aino@example.org")
    page = post(client, f"/events/{kickoff.id}/register", {"note": "Vegetarian"})
    assert "You are registered for Kick-off city meeting" in page.text
    registration = active_registration(kickoff.id, user.id)
    assert (registration.status, registration.note) == (RegistrationStatus.confirmed, "Vegetarian")
    assert "Kick-off city meeting" in client.get("/my/events").text

    page = post(client, f"/events/{kickoff.id}/cancel-registration")
    assert "Your registration for Kick-off city meeting is cancelled." in page.text
    assert active_registration(kickoff.id, user.id) is None


def test_the_second_person_lands_on_the_waiting_list_and_sees_the_position(
    client, auth, make_user, kickoff
):
    first = make_user(participant_role="practitioner")
    register_for_event(kickoff.id, first.id)
    db.session.commit()
    make_user("second@example.org", participant_role="practitioner")
    auth.login("second@example.org")
    page = post(client, f"/events/{kickoff.id}/register")
    assert "you are on the waiting list" in page.text
    assert "number 1 in line" in client.get("/my/events").text


def test_a_mayor_is_told_why_a_practitioner_meeting_refuses(client, auth, make_user, kickoff):
    make_user("mayor@example.org", participant_role="mayor")
    auth.login("mayor@example.org")
    page = post(client, f"/events/{kickoff.id}/register")
    assert "This event is for practitioner only" in page.text


def test_registering_needs_login_and_csrf(client, auth, make_user, kickoff):
    anonymous = client.post(
        f"/events/{kickoff.id}/register", data={"csrf_token": auth.csrf_token()}
    )
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/auth/login")
    make_user("aino@example.org", participant_role="practitioner")
    auth.login("aino@example.org")
    assert client.post(f"/events/{kickoff.id}/register").status_code == 400


def test_nobody_can_cancel_someone_elses_registration(client, auth, make_user, kickoff):
    owner = make_user(participant_role="practitioner")
    register_for_event(kickoff.id, owner.id)
    db.session.commit()
    make_user("other@example.org", participant_role="practitioner")
    auth.login("other@example.org")
    page = post(client, f"/events/{kickoff.id}/cancel-registration")
    assert "There is no registration to cancel." in page.text
    assert active_registration(kickoff.id, owner.id).status is RegistrationStatus.confirmed
    assert owner.email not in client.get("/my/events").text


def test_members_cannot_open_the_roster_or_the_csv(client, auth, make_user, kickoff):
    make_user("aino@example.org")
    auth.login("aino@example.org")
    assert client.get(f"/manage/events/{kickoff.id}/registrations").status_code == 403
    assert client.get(f"/manage/events/{kickoff.id}/registrations.csv").status_code == 403


def test_coordinator_roster_groups_by_city_and_exports_csv(client, auth, make_user, kickoff):
    aino = make_user(
        "aino@example.org", name="Aino Virtanen", participant_role="practitioner", city="helsinki"
    )
    make_user(
        "olav@example.org", name="Olav Nordmann", participant_role="practitioner", city="oslo"
    )
    register_for_event(kickoff.id, aino.id, note="Wheelchair access")
    db.session.commit()
    olav = db.session.execute(
        db.select(type(aino)).filter_by(email="olav@example.org")
    ).scalar_one()
    register_for_event(kickoff.id, olav.id)
    db.session.commit()
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")

    page = client.get(f"/manage/events/{kickoff.id}/registrations").text
    assert "Helsinki: 1 place(s)" in page and "Oslo: 0 place(s)" in page
    assert "On the waiting list (#1)" in page

    response = client.get(f"/manage/events/{kickoff.id}/registrations.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [
        (r["email"], r["city"], r["city_name"], r["participant_role"], r["status"]) for r in rows
    ] == [
        ("aino@example.org", "helsinki", "Helsinki", "practitioner", "confirmed"),
        ("olav@example.org", "oslo", "Oslo", "practitioner", "waitlisted"),
    ]
    assert rows[0]["note"] == "Wheelchair access"
    assert datetime.fromisoformat(rows[0]["registered_at"]).tzinfo is not None


def test_coordinator_approves_and_registers_on_behalf(client, auth, make_user, kickoff):
    person = make_user("aino@example.org", participant_role="practitioner")
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")
    roster = f"/manage/events/{kickoff.id}/registrations"
    page = post(client, f"{roster}/on-behalf", {"behalf-user": person.id}, token_page=roster)
    assert "is registered (confirmed)" in page.text
    registration = active_registration(kickoff.id, person.id)
    assert registration.by_coordinator

    page = post(
        client,
        f"/manage/registrations/{registration.id}/status",
        {"status": "cancelled"},
        token_page=roster,
    )
    assert "loses the place and is told by mail" in page.text  # the confirmation first
    assert active_registration(kickoff.id, person.id) is not None

    post(
        client,
        f"/manage/registrations/{registration.id}/status",
        {"status": "cancelled", "confirmed": "yes"},
        token_page=roster,
    )
    assert active_registration(kickoff.id, person.id) is None


def test_raising_capacity_in_the_event_form_promotes(client, auth, make_user, kickoff):
    people = [make_user(participant_role="practitioner") for _ in range(3)]
    for person in people:
        register_for_event(kickoff.id, person.id)
        db.session.commit()
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")
    # The roster links to the event form, where the capacity and the settings are.
    assert f"/manage/events/{kickoff.id}/edit#registration" in client.get(
        f"/manage/events/{kickoff.id}/registrations"
    ).get_data(as_text=True)
    page = submit(client, f"/manage/events/{kickoff.id}/edit", {"capacity": "2"})
    assert "1 person moved up from the waiting list." in page.text
    assert active_registration(kickoff.id, people[1].id).status is RegistrationStatus.confirmed


def test_city_overview_lists_who_came_from_where(client, auth, make_user, kickoff):
    aino = make_user(name="Aino Virtanen", participant_role="practitioner", city="helsinki")
    register_for_event(kickoff.id, aino.id)
    db.session.commit()
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")
    page = client.get("/manage/cities/2099").text
    assert "Kick-off city meeting" in page and "Aino Virtanen" in page


def test_event_page_shows_the_button_places_left_and_then_the_status(
    client, auth, make_user, kickoff
):
    make_user("aino@example.org", participant_role="practitioner")
    anonymous = client.get(f"/events/{kickoff.id}").text
    assert "Log in to register" in anonymous
    auth.login("aino@example.org")
    page = client.get(f"/events/{kickoff.id}").text
    assert ">Register</button>" in page and "1</strong> place left" in page
    post(client, f"/events/{kickoff.id}/register")
    page = client.get(f"/events/{kickoff.id}").text
    assert "You are <strong>registered</strong>" in page
    assert "Cancel my registration" in page and "Full" in page


def test_event_page_says_why_a_mayor_cannot_register(client, auth, make_user, kickoff):
    make_user("mayor@example.org", participant_role="mayor")
    auth.login("mayor@example.org")
    page = client.get(f"/events/{kickoff.id}").text
    assert "This event is for practitioner only" in page
    assert ">Register</button>" not in page


def test_event_page_gives_the_opening_time_in_the_viewers_zone(client, auth, make_user, kickoff):
    from datetime import UTC

    from nscal.registrations.models import RegistrationSettings

    db.session.add(
        RegistrationSettings(event_id=kickoff.id, opens_at=datetime(2098, 12, 1, 8, 0, tzinfo=UTC))
    )
    db.session.commit()
    make_user("aino@example.org", participant_role="practitioner", city="helsinki")
    auth.login("aino@example.org")
    page = client.get(f"/events/{kickoff.id}").text
    assert "Registration opens 1 Dec 2098, 10:00 EET." in page


def test_a_full_event_offers_the_waiting_list(client, auth, make_user, kickoff):
    first = make_user(participant_role="practitioner")
    register_for_event(kickoff.id, first.id)
    db.session.commit()
    make_user("aino@example.org", participant_role="practitioner")
    auth.login("aino@example.org")
    assert ">Join the waiting list</button>" in client.get(f"/events/{kickoff.id}").text


def test_the_online_link_is_shown_only_once_the_place_is_confirmed(
    client, auth, make_user, make_event
):
    event = make_event(
        "Online call",
        start=FUTURE_START,
        end=FUTURE_END,
        capacity=1,
        online_url="https://meet.example.org/secret-room",
    )
    first = make_user(participant_role=None)
    register_for_event(event.id, first.id)
    db.session.commit()
    make_user("aino@example.org")
    auth.login("aino@example.org")
    assert "secret-room" not in client.get(f"/events/{event.id}").text
    post(client, f"/events/{event.id}/register")  # waitlisted: still no link
    assert "secret-room" not in client.get(f"/events/{event.id}").text
    auth.logout()
    auth.login(first.email)
    assert "https://meet.example.org/secret-room" in client.get(f"/events/{event.id}").text


def test_the_participant_role_field_takes_a_slug(client, auth, make_user, kickoff):
    user = make_user("aino@example.org", participant_role="practitioner")
    auth.login("aino@example.org")
    page = post(client, f"/events/{kickoff.id}/register", {"participant_role": "practitioner"})
    assert "You are registered" in page.text
    assert active_registration(kickoff.id, user.id).participant_role.slug == "practitioner"


def test_an_unknown_participant_role_is_refused_clearly(client, auth, make_user, kickoff):
    user = make_user("aino@example.org", participant_role="practitioner")
    auth.login("aino@example.org")
    page = post(client, f"/events/{kickoff.id}/register", {"participant_role": "astronaut"})
    assert "Unknown participant role &#39;astronaut&#39;." in page.text
    assert active_registration(kickoff.id, user.id) is None


def test_another_role_than_ones_own_is_refused(client, auth, make_user, kickoff):
    make_user("aino@example.org", participant_role="practitioner")
    auth.login("aino@example.org")
    page = post(client, f"/events/{kickoff.id}/register", {"participant_role": "mayor"})
    assert "You can only register in your own participant role." in page.text


def test_a_huge_number_as_role_is_an_unknown_role_not_an_error(client, auth, make_user, kickoff):
    make_user("aino@example.org", participant_role="practitioner")
    auth.login("aino@example.org")
    page = post(client, f"/events/{kickoff.id}/register", {"participant_role": "9" * 30})
    assert page.status_code == 200 and "Unknown participant role" in page.text
