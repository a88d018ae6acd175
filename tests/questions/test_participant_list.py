"""Who else is coming: shown to confirmed participants only, listing only those who agreed."""

import sqlalchemy as sa

from nscal.accounts.models import User
from nscal.db import db
from nscal.questions.services import set_participant_list_visible
from nscal.registrations.models import RegistrationStatus
from nscal.registrations.services import active_registration, register_for_event
from tests.questions.conftest import post, q

HEADING = "Who else is coming"


def register(client, meeting, listed: bool):
    data = {q(meeting, "diet"): "Vegan"}
    if listed:
        data["listed"] = "y"
    return post(client, f"/events/{meeting.id}/register", data)


def show_list(meeting):
    set_participant_list_visible(meeting.id, True)
    db.session.commit()


def test_the_opt_in_is_offered_only_when_the_list_is_shown_and_is_off_by_default(
    client, auth, make_user, meeting
):
    make_user("aino@example.org", participant_role="practitioner", city="helsinki")
    auth.login("aino@example.org")
    assert "Show me on the participant list" not in client.get(f"/events/{meeting.id}").text
    show_list(meeting)
    page = client.get(f"/events/{meeting.id}").text
    assert "Show me on the participant list" in page
    assert 'name="listed" value="y" aria-describedby' in page  # not checked


def test_confirmed_participants_see_those_who_agreed_grouped_by_city(
    client, auth, make_user, meeting
):
    show_list(meeting)
    make_user(
        "aino@example.org", name="Aino Virtanen", participant_role="practitioner", city="helsinki"
    )
    make_user("sven@example.org", name="Sven Shy", participant_role="practitioner", city="malmo")
    make_user("mayor@example.org", name="Mette Mayor", participant_role="mayor", city="malmo")
    for email, listed in (
        ("aino@example.org", True),
        ("sven@example.org", False),
        ("mayor@example.org", True),
    ):
        auth.login(email)
        assert register(client, meeting, listed).status_code == 302
        auth.logout()

    auth.login("sven@example.org")
    page = client.get(f"/events/{meeting.id}").text
    assert HEADING in page
    section = page.split(HEADING, 1)[1]
    assert "Aino Virtanen · Practitioner" in section
    assert "Mette Mayor · Mayor" in section
    assert "Sven Shy" not in section  # he did not agree
    assert section.index("<h3>Helsinki</h3>") < section.index("Aino Virtanen")
    assert section.index("<h3>Malmö</h3>") < section.index("Mette Mayor")


def test_visitors_outsiders_and_the_waiting_list_see_nothing_of_it(
    client, auth, make_user, meeting
):
    show_list(meeting)
    meeting.capacity = 1
    db.session.commit()
    make_user("aino@example.org", name="Aino Virtanen", participant_role="practitioner")
    make_user("waiting@example.org", participant_role="practitioner")
    make_user("outsider@example.org", participant_role="practitioner")
    auth.login("aino@example.org")
    register(client, meeting, True)
    auth.logout()
    auth.login("waiting@example.org")
    register(client, meeting, True)
    waiting = db.session.execute(
        sa.select(User).where(User.email == "waiting@example.org")
    ).scalar_one()
    assert active_registration(meeting.id, waiting.id).status is RegistrationStatus.waitlisted

    for viewer in ("waiting@example.org", "outsider@example.org", None):
        auth.logout()
        if viewer:
            auth.login(viewer)
        page = client.get(f"/events/{meeting.id}").text
        assert HEADING not in page
        assert "Aino Virtanen" not in page


def test_the_setting_can_be_turned_on_after_people_registered_and_off_again(
    client, auth, make_user, meeting, coordinator
):
    aino = make_user("aino@example.org", name="Aino Virtanen", participant_role="practitioner")
    register_for_event(meeting.id, aino.id)
    db.session.commit()
    auth.login("aino@example.org")
    assert HEADING not in client.get(f"/events/{meeting.id}").text
    auth.logout()

    auth.login("coord@example.org")
    roster = f"/manage/events/{meeting.id}/registrations"
    post(
        client,
        f"/manage/events/{meeting.id}/participant-list",
        {"plist-visible": "y"},
        token_page=roster,
    )
    auth.logout()

    # Now on: Aino, registered before, opts in later from her answers page.
    auth.login("aino@example.org")
    page = client.get(f"/events/{meeting.id}").text
    assert HEADING in page and "Nobody has chosen to appear" in page
    mine = f"/events/{meeting.id}/my-answers"
    post(
        client,
        f"/events/{meeting.id}/participant-list/me",
        {"listing-listed": "y"},
        token_page=mine,
    )
    assert "Aino Virtanen" in client.get(f"/events/{meeting.id}").text.split(HEADING, 1)[1]
    # … and out again.
    post(client, f"/events/{meeting.id}/participant-list/me", {}, token_page=mine)
    assert "Aino Virtanen" not in client.get(f"/events/{meeting.id}").text.split(HEADING, 1)[1]
    auth.logout()

    auth.login("coord@example.org")
    post(client, f"/manage/events/{meeting.id}/participant-list", {}, token_page=roster)
    auth.logout()
    auth.login("aino@example.org")
    assert HEADING not in client.get(f"/events/{meeting.id}").text


def test_coordinators_see_everyone_on_the_roster(client, auth, make_user, meeting, coordinator):
    show_list(meeting)
    make_user("aino@example.org", name="Aino Virtanen", participant_role="practitioner")
    make_user("sven@example.org", name="Sven Shy", participant_role="practitioner")
    for email, listed in (("aino@example.org", True), ("sven@example.org", False)):
        auth.login(email)
        register(client, meeting, listed)
        auth.logout()
    auth.login("coord@example.org")
    page = client.get(f"/manage/events/{meeting.id}/registrations").text
    assert "Aino Virtanen" in page and "Sven Shy" in page
    assert active_registration(meeting.id, coordinator.id) is None


def test_a_coordinator_sees_the_list_on_the_event_page_without_a_place(
    client, auth, make_user, meeting, coordinator
):
    show_list(meeting)
    make_user("aino@example.org", name="Aino Virtanen", participant_role="practitioner")
    auth.login("aino@example.org")
    register(client, meeting, True)
    auth.logout()
    auth.login("coord@example.org")
    page = client.get(f"/events/{meeting.id}").text
    assert "Aino Virtanen" in page.split(HEADING, 1)[1]
    assert "Change whether you appear" not in page
