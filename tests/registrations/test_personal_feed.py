"""A person's private feed shows their registrations, with their status."""

from datetime import datetime

import icalendar

from nscal.cities.models import role_by_slug_or_name
from nscal.db import db
from nscal.events.models import Visibility
from nscal.registrations.services import cancel_registration, register_for_event
from tests.feeds.interop import check_bytes, read_with_home_assistant

START = datetime(2099, 3, 3, 10, 0)  # noqa: DTZ001 - wall-clock in the event's zone
END = datetime(2099, 3, 3, 11, 0)  # noqa: DTZ001


def feed(client, user):
    response = client.get(f"/feeds/{user.feed_token}.ics")
    assert response.status_code == 200
    check_bytes(response.data)
    return response


def vevents(data: bytes) -> dict[str, icalendar.Event]:
    return {str(v["UID"]): v for v in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def test_registered_events_carry_the_status_and_the_link_once_confirmed(
    demo, client, make_user, make_event
):
    call = make_event(
        "Mayors' call",
        start=START,
        end=END,
        audience=("mayor",),
        visibility=Visibility.members,
        capacity=1,
        online_url="https://meet.example.org/mayors",
    )
    practitioner = make_user(participant_role="practitioner")
    other = make_user(participant_role="practitioner")
    assert call.uid not in vevents(feed(client, practitioner).data)  # not meant for them

    # A coordinator registers both as mayors' stand-ins: one confirmed, one waitlisted.
    coordinator = make_user(account_role="coordinator")
    mayor = role_by_slug_or_name("mayor").id
    for person in (practitioner, other):
        register_for_event(
            call.id, person.id, participant_role_id=mayor, registered_by_id=coordinator.id
        )
        db.session.commit()

    confirmed = feed(client, practitioner).data
    entry = vevents(confirmed)[call.uid]
    assert "https://meet.example.org/mayors" in entry.to_ical().decode()
    assert call.uid in read_with_home_assistant(confirmed)  # an independent parser agrees

    waiting = vevents(feed(client, other).data)[call.uid]
    assert "waiting list" in str(waiting["DESCRIPTION"]).lower()
    assert "meet.example.org/mayors" not in waiting.to_ical().decode()


def test_registering_changes_the_feeds_etag(client, make_user, make_event):
    event = make_event("Webinar", start=START, end=END)
    user = make_user()
    before = feed(client, user).headers["ETag"]
    assert (
        client.get(f"/feeds/{user.feed_token}.ics", headers={"If-None-Match": before}).status_code
        == 304
    )
    register_for_event(event.id, user.id)
    db.session.commit()
    after = feed(client, user).headers["ETag"]
    assert after != before
    cancel_registration(event.id, user.id)
    db.session.commit()
    assert feed(client, user).headers["ETag"] not in {before, after}
