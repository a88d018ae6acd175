"""Mail about registrations: the right words, and invitations calendar apps understand."""

from datetime import datetime

import icalendar
import pytest

from nscal.accounts.models import AccountRole
from nscal.db import db
from nscal.events.services import cancel_event, event_from_data, update_event
from nscal.registrations.models import RegistrationSettings, RegistrationStatus
from nscal.registrations.services import (
    cancel_registration,
    register_for_event,
    set_registration_status,
)

START = datetime(2099, 1, 13, 10, 0)  # noqa: DTZ001 - wall-clock in the event's zone
END = datetime(2099, 1, 13, 11, 30)  # noqa: DTZ001


def calendar_part(message):
    """The text/calendar part, its method= parameter, and the parsed VEVENT."""
    parts = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    if not parts:
        return None, None, None
    [part] = parts
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    [vevent] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == part.get_param("method")  # the MIME method matches
    return part.get_param("method"), calendar, vevent


@pytest.fixture
def meeting(make_event):
    return make_event(
        "Kick-off city meeting",
        start=START,
        end=END,
        capacity=1,
        online_url="https://meet.example.org/kickoff",
    )


def register(event, user):
    registration = register_for_event(event.id, user.id)
    db.session.commit()
    return registration


def test_confirmation_carries_an_itip_request(meeting, make_user, deliver_outbox):
    user = make_user("aino@example.org", name="Aino Virtanen")
    register(meeting, user)
    [message] = deliver_outbox()
    assert message["To"] == "Aino Virtanen <aino@example.org>"
    assert message["Subject"] == "You are registered: Kick-off city meeting"
    assert "Your place is confirmed" in message.get_body(("plain",)).get_content()
    method, _calendar, vevent = calendar_part(message)
    assert method == "REQUEST"
    assert str(vevent["UID"]) == meeting.uid
    assert int(vevent["SEQUENCE"]) == meeting.sequence
    assert str(vevent["ATTENDEE"]).lower() == "mailto:aino@example.org"
    assert "ORGANIZER" in vevent
    assert vevent.decoded("DTSTART") == meeting.starts_at
    assert "https://meet.example.org/kickoff" in vevent.to_ical().decode()  # registered


def test_waitlisted_mail_has_no_invitation_and_promotion_sends_one(
    meeting, make_user, deliver_outbox
):
    first, second = make_user(), make_user("second@example.org")
    register(meeting, first)
    register(meeting, second)
    messages = deliver_outbox()
    assert messages[-1]["Subject"] == "On the waiting list: Kick-off city meeting"
    assert calendar_part(messages[-1])[0] is None

    cancel_registration(meeting.id, first.id)
    db.session.commit()
    cancelled, promoted = deliver_outbox()
    assert calendar_part(cancelled)[0] == "CANCEL"
    assert promoted["To"].endswith("<second@example.org>")
    assert "a place came free" in promoted.get_body(("plain",)).get_content()
    assert calendar_part(promoted)[0] == "REQUEST"


def test_approval_flow_mails(meeting, make_user, deliver_outbox):
    db.session.add(RegistrationSettings(event_id=meeting.id, requires_approval=True))
    db.session.commit()
    registration = register(meeting, make_user())
    [pending] = deliver_outbox()
    assert pending["Subject"].startswith("Awaiting approval")
    assert calendar_part(pending)[0] is None
    set_registration_status(registration.id, RegistrationStatus.confirmed)
    db.session.commit()
    [approved] = deliver_outbox()
    assert "approved your registration" in approved.get_body(("plain",)).get_content()
    assert calendar_part(approved)[0] == "REQUEST"


def test_rejection_withdraws_nothing_but_says_so(meeting, make_user, deliver_outbox):
    db.session.add(RegistrationSettings(event_id=meeting.id, requires_approval=True))
    db.session.commit()
    registration = register(meeting, make_user())
    deliver_outbox()
    set_registration_status(registration.id, RegistrationStatus.rejected)
    db.session.commit()
    [rejected] = deliver_outbox()
    assert rejected["Subject"].startswith("Registration not accepted")


def test_a_moved_event_sends_an_updated_invitation(meeting, make_user, deliver_outbox):
    register(meeting, make_user("aino@example.org"))
    deliver_outbox()
    data = event_from_data(meeting)
    data.start, data.end = START.replace(hour=12), END.replace(hour=13)
    update_event(meeting, data)
    db.session.commit()
    [changed] = deliver_outbox()
    method, _calendar, vevent = calendar_part(changed)
    assert method == "REQUEST"
    assert changed["Subject"] == "Changed: Kick-off city meeting"
    assert str(vevent["UID"]) == meeting.uid
    assert int(vevent["SEQUENCE"]) == meeting.sequence == 1
    assert vevent.decoded("DTSTART") == meeting.starts_at


def test_a_description_change_sends_nothing(meeting, make_user, deliver_outbox):
    register(meeting, make_user())
    deliver_outbox()
    data = event_from_data(meeting)
    data.description = "Now with an agenda."
    update_event(meeting, data)
    db.session.commit()
    assert deliver_outbox() == []


def test_a_cancelled_event_tells_everyone_registered(meeting, make_user, deliver_outbox):
    register(meeting, make_user("first@example.org"))
    register(meeting, make_user("second@example.org"))  # waitlisted
    deliver_outbox()
    cancel_event(meeting, "The venue is closed.")
    db.session.commit()
    messages = deliver_outbox()
    assert sorted(m["To"].split("<")[1] for m in messages) == [
        "first@example.org>",
        "second@example.org>",
    ]
    for message in messages:
        method, _calendar, vevent = calendar_part(message)
        assert method == "CANCEL"
        assert str(vevent["STATUS"]) == "CANCELLED"
        assert int(vevent["SEQUENCE"]) == meeting.sequence
        assert "The venue is closed." in message.get_body(("plain",)).get_content()


def test_mail_is_only_queued_when_the_change_is_committed(meeting, make_user, deliver_outbox):
    user = make_user()
    register_for_event(meeting.id, user.id)
    db.session.rollback()
    assert deliver_outbox() == []


def test_times_in_mail_are_in_the_persons_zone(demo, meeting, make_user, deliver_outbox):
    # In Helsinki, reading English (else the mail would be Finnish: tests/i18n).
    register(meeting, make_user(city="helsinki", language="en"))
    [message] = deliver_outbox()
    body = message.get_body(("plain",)).get_content()
    assert "11:00–12:30 EET" in body and "10:00–11:30 CET" in body


def test_coordinator_registering_someone_tells_them(meeting, make_user, deliver_outbox):
    coordinator = make_user(account_role=AccountRole.coordinator)
    person = make_user("aino@example.org")
    register_for_event(meeting.id, person.id, registered_by_id=coordinator.id)
    db.session.commit()
    [message] = deliver_outbox()
    assert message["To"].endswith("<aino@example.org>")
