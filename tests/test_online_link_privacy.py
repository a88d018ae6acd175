"""The online link (the meeting's join link) reaches confirmed participants and
coordinators only: no page, feed, API answer or mail that anyone else can receive
carries it, not even when a coordinator pasted it into the description by hand."""

from datetime import datetime

import pytest

from nscal.db import db
from nscal.events.services import cancel_event, event_from_data, update_event
from nscal.registrations.models import RegistrationSettings, RegistrationStatus
from nscal.registrations.services import (
    cancel_registration,
    register_for_event,
    set_registration_status,
)

JOIN_URL = "https://us06web.zoom.us/j/84512367890?pwd=Tm9yZGljU2FmZQ"
JOIN_HOST = "us06web.zoom.us"
START = datetime(2099, 3, 10, 10, 0)  # noqa: DTZ001 - wall-clock in the event's zone
END = datetime(2099, 3, 10, 11, 30)  # noqa: DTZ001
NOT_PARTICIPANTS = ("waitlisted", "pending", "cancelled", "rejected")


def leaks(text: str) -> bool:
    return JOIN_URL in text or JOIN_HOST in text


@pytest.fixture
def meeting(network, make_event, make_user, deliver_outbox):
    """A webinar whose coordinator also pasted the join link into the description, and
    one person in each registration status; ``mails`` holds what each one received."""
    event = make_event(
        "Webinar on online hate",
        start=START,
        end=END,
        host_city="copenhagen",
        capacity=10,
        online_url=JOIN_URL,
        description=f"Practitioners share what works.\n\nJoin here: {JOIN_URL}",
    )
    db.session.add(RegistrationSettings(event_id=event.id, requires_approval=True))
    db.session.commit()
    people = {
        status: make_user(f"{status}@example.org") for status in ("confirmed",) + NOT_PARTICIPANTS
    }
    registrations = {}
    for status, person in people.items():
        registrations[status] = register_for_event(event.id, person.id)
        db.session.commit()
    mails = {"pending": [message for message in deliver_outbox() if "pending@" in message["To"]]}
    for status in ("confirmed", "waitlisted", "rejected"):
        set_registration_status(registrations[status].id, RegistrationStatus(status))
    cancel_registration(event.id, people["cancelled"].id)
    db.session.commit()
    for message in deliver_outbox():
        mails.setdefault(message["To"].split("@")[0].split("<")[-1], []).append(message)

    data = event_from_data(event)
    data.start, data.end = START.replace(hour=12), END.replace(hour=13)
    update_event(event, data)
    db.session.commit()
    changed = deliver_outbox()
    cancel_event(event, "The speaker is ill.")
    db.session.commit()
    cancelled = deliver_outbox()
    return {
        "event": event,
        "people": people,
        "mails": mails,
        "changed": changed,
        "cancelled": cancelled,
    }


def mail_text(message) -> str:
    """Every part of a mail as text: plain, HTML and the calendar invitation."""
    parts = []
    for part in message.walk():
        if part.get_content_maintype() == "multipart":
            continue
        payload = part.get_payload(decode=True)
        parts.append(payload.decode("utf-8", "replace") if payload else "")
    return "\n".join(parts)


def public_paths(event) -> list[str]:
    return [
        "/",
        "/events/",
        f"/events/{event.id}",
        "/calendar/2099",
        "/calendar/2099/3",
        "/calendar.ics",
        "/cities/copenhagen/calendar.ics",
        f"/events/{event.id}.ics",
        "/api/events?from=2099-01-01&to=2099-12-31",
    ]


@pytest.mark.parametrize("viewer", ("anonymous",) + NOT_PARTICIPANTS)
def test_no_page_feed_or_api_answer_shows_the_link_to_others(client, auth, meeting, viewer):
    event = meeting["event"]
    # Before the event was cancelled too: read everything of the live event.
    paths = public_paths(event)
    if viewer != "anonymous":
        auth.login(f"{viewer}@example.org")
        paths.append(f"/feeds/{meeting['people'][viewer].feed_token}.ics")
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert not leaks(response.get_data(as_text=True)), (viewer, path)
    page = client.get(f"/events/{event.id}").text
    assert "Practitioners share what works." in page  # the rest of the description stays


def test_the_api_description_is_there_without_the_link(client, meeting):
    answer = client.get("/api/events?from=2099-01-01&to=2099-12-31").get_json()
    [event] = answer["events"]
    assert event["description"].startswith("Practitioners share what works.")
    assert not leaks(event["description"])


@pytest.mark.parametrize("status", NOT_PARTICIPANTS)
def test_mails_to_people_without_a_place_never_carry_the_link(meeting, status):
    mails = meeting["mails"][status]
    assert mails, status
    for message in mails:
        assert not leaks(mail_text(message)), (status, message["Subject"])


def test_event_changed_and_cancelled_mails_carry_the_link_only_to_the_confirmed(meeting):
    changed = {message["To"]: mail_text(message) for message in meeting["changed"]}
    assert len(changed) == 3  # confirmed, waitlisted, pending
    for to, text in changed.items():
        assert leaks(text) is ("confirmed@" in to), to
    for message in meeting["cancelled"]:
        # A cancellation (METHOD:CANCEL) withdraws the invitation: no link for anyone.
        assert not leaks(mail_text(message)), message["To"]


def test_the_confirmed_participant_gets_the_link(client, auth, meeting):
    [confirmation] = meeting["mails"]["confirmed"]
    assert JOIN_URL in mail_text(confirmation)
    auth.login("confirmed@example.org")
    page = client.get(f"/events/{meeting['event'].id}").text
    assert JOIN_URL.replace("&", "&amp;") in page or JOIN_URL in page
    feed = client.get(f"/feeds/{meeting['people']['confirmed'].feed_token}.ics")
    assert JOIN_URL in feed.get_data(as_text=True).replace("\r\n ", "")
