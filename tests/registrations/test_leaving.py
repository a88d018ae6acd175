"""Leaving an event asks first, in words that fit where the person stands: "Cancel my
registration", "Leave the waiting list", "Withdraw my request"; a coordinator's reject
asks too; an expired registration form keeps the note typed."""

from datetime import datetime

import pytest

from nscal.accounts.models import AccountRole
from nscal.db import db
from nscal.registrations.models import RegistrationStatus
from nscal.registrations.services import (
    active_registration,
    register_for_event,
    save_registration_settings,
)
from tests.conftest import csrf_token_from

START = datetime(2099, 1, 13, 10, 0)  # noqa: DTZ001 - wall-clock in the event's zone
END = datetime(2099, 1, 13, 11, 30)  # noqa: DTZ001


@pytest.fixture
def full_call(demo, make_event):
    return make_event("Prevention call", start=START, end=END, capacity=1)


def text(response) -> str:
    return response.get_data(as_text=True)


def test_cancelling_my_place_asks_first_and_the_contract_post_still_cancels(
    client, auth, make_user, full_call
):
    person = make_user("aino@example.org")
    register_for_event(full_call.id, person.id)
    db.session.commit()
    auth.login("aino@example.org")

    event_page = text(client.get(f"/events/{full_call.id}"))
    confirm_url = f"/events/{full_call.id}/cancel-registration"
    assert f'href="{confirm_url}">Cancel my registration</a>' in event_page
    assert f'action="{confirm_url}"' not in event_page  # no one-tap form on the event page

    confirm = client.get(confirm_url)
    assert confirm.status_code == 200
    html = text(confirm)
    assert "Cancel my registration?" in html
    assert "it goes to the next person on the waiting list" in html
    assert f'action="{confirm_url}"' in html
    assert active_registration(full_call.id, person.id) is not None

    token = csrf_token_from(confirm)
    response = client.post(confirm_url, data={"csrf_token": token}, follow_redirects=True)
    assert "Your registration for Prevention call is cancelled." in text(response)
    assert active_registration(full_call.id, person.id) is None


def test_someone_on_the_waiting_list_leaves_the_waiting_list(client, auth, make_user, full_call):
    register_for_event(full_call.id, make_user().id)
    waiting = make_user("olav@example.org")
    register_for_event(full_call.id, waiting.id)
    db.session.commit()
    auth.login("olav@example.org")

    event_page = text(client.get(f"/events/{full_call.id}"))
    assert "Leave the waiting list</a>" in event_page
    assert "Cancel my registration" not in event_page
    mine = text(client.get("/my/events"))
    assert (
        f'href="/events/{full_call.id}/cancel-registration?next=/my/events">Leave the waiting list'
    ) in mine

    confirm = client.get(f"/events/{full_call.id}/cancel-registration?next=/my/events")
    html = text(confirm)
    assert "Leave the waiting list?" in html
    assert "You are number 1 on the waiting list" in html
    response = client.post(
        f"/events/{full_call.id}/cancel-registration",
        data={"csrf_token": csrf_token_from(confirm), "next": "/my/events"},
    )
    assert response.headers["Location"] == "/my/events"
    assert active_registration(full_call.id, waiting.id) is None
    assert "You have left the waiting list for Prevention call." in text(client.get("/my/events"))


def test_a_pending_request_is_withdrawn(client, auth, make_user, full_call):
    save_registration_settings(
        full_call.id, capacity=None, city_limit=None, quotas={}, opens_at=None, closes_at=None,
        requires_approval=True, waitlist=True, self_cancel=True,
    )  # fmt: skip
    asking = make_user("mats@example.org")
    register_for_event(full_call.id, asking.id)
    db.session.commit()
    auth.login("mats@example.org")

    assert "Withdraw my request</a>" in text(client.get(f"/events/{full_call.id}"))
    assert "Withdraw my request?" in text(client.get(f"/events/{full_call.id}/cancel-registration"))


def test_the_confirmation_says_when_cancelling_here_is_not_possible(
    client, auth, make_user, full_call
):
    auth.login(make_user("aino@example.org").email)

    html = text(client.get(f"/events/{full_call.id}/cancel-registration"))

    assert "You have no registration for this event" in html
    assert "<button" not in html.split("<main", 1)[1].split("</main>")[0]


def test_rejecting_a_request_asks_first(client, auth, make_user, full_call):
    save_registration_settings(
        full_call.id, capacity=None, city_limit=None, quotas={}, opens_at=None, closes_at=None,
        requires_approval=True, waitlist=True, self_cancel=True,
    )  # fmt: skip
    asking = make_user("mats@example.org", name="Mats Mayor")
    registration = register_for_event(full_call.id, asking.id)
    db.session.commit()
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")
    roster = f"/manage/events/{full_call.id}/registrations"
    token = csrf_token_from(client.get(roster))
    path = f"/manage/registrations/{registration.id}/status"

    confirm = client.post(path, data={"csrf_token": token, "status": "rejected"})

    html = text(confirm)
    assert "Reject Mats Mayor?" in html
    assert "does not get a place and is told by mail" in html
    assert registration.status is RegistrationStatus.pending

    client.post(
        path,
        data={"csrf_token": csrf_token_from(confirm), "status": "rejected", "confirmed": "yes"},
    )
    assert registration.status is RegistrationStatus.rejected


def test_approving_needs_no_confirmation(client, auth, make_user, full_call):
    save_registration_settings(
        full_call.id, capacity=None, city_limit=None, quotas={}, opens_at=None, closes_at=None,
        requires_approval=True, waitlist=True, self_cancel=True,
    )  # fmt: skip
    registration = register_for_event(full_call.id, make_user().id)
    db.session.commit()
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")
    token = csrf_token_from(client.get(f"/manage/events/{full_call.id}/registrations"))

    client.post(
        f"/manage/registrations/{registration.id}/status",
        data={"csrf_token": token, "status": "confirmed"},
    )

    assert registration.status is RegistrationStatus.confirmed


def test_an_expired_registration_form_keeps_the_note(client, auth, make_user, full_call):
    person = make_user("aino@example.org")
    auth.login("aino@example.org")
    client.get(f"/events/{full_call.id}")
    with client.session_transaction() as session:
        session.pop("csrf_token", None)  # the page was open all night

    response = client.post(
        f"/events/{full_call.id}/register",
        data={"csrf_token": "stale", "note": "I need a sign-language interpreter."},
    )

    html = text(response)
    assert response.status_code == 400
    assert "The page was open too long; check and send again." in html
    assert "I need a sign-language interpreter." in html
    assert active_registration(full_call.id, person.id) is None

    client.post(
        f"/events/{full_call.id}/register",
        data={
            "csrf_token": csrf_token_from(response),
            "note": "I need a sign-language interpreter.",
        },
    )
    registration = active_registration(full_call.id, person.id)
    assert registration.note == "I need a sign-language interpreter."
