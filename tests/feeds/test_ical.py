"""event_to_vevent: the one function that writes an event for calendar apps."""

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest

from nscal.db import db
from nscal.events.models import EventFormat, EventKind, EventStatus
from nscal.events.services import cancel_event
from nscal.feeds.ical import CalendarAddress, calendar_for, event_to_vevent, itip_calendar
from tests.feeds.interop import check_bytes


def test_a_timed_event_says_what_when_and_where(app, demo, make_event):
    event = make_event(
        "Kick-off in Malmö",
        kind=EventKind.kick_off,
        format=EventFormat.hybrid,
        host_city="malmo",
        venue="Malmö City Hall",
        online_url="https://meet.example/secret",
        description="Bring ideas.",
        start=datetime(2027, 9, 1, 9, 30),  # noqa: DTZ001 - wall-clock
        end=datetime(2027, 9, 1, 12, 0),  # noqa: DTZ001
        timezone="Europe/Stockholm",
    )
    vevent = event_to_vevent(event)
    assert str(vevent["UID"]) == event.uid
    assert vevent["SEQUENCE"] == event.sequence
    assert vevent["DTSTART"].to_ical() == b"20270901T093000"
    assert vevent["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert vevent["DTEND"].dt == datetime(2027, 9, 1, 10, 0, tzinfo=UTC)
    assert vevent["LAST-MODIFIED"].dt == event.updated_at.replace(microsecond=0)
    assert vevent["CREATED"].dt == event.created_at.replace(microsecond=0)
    assert vevent["DTSTAMP"].dt == event.updated_at.replace(microsecond=0)
    assert str(vevent["LOCATION"]) == "Malmö City Hall and online"
    assert str(vevent["URL"]) == f"https://calendar.test/events/{event.id}"
    assert vevent["CATEGORIES"].cats == ["Kick-off"]
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert "Bring ideas." in vevent["DESCRIPTION"]
    assert "hosted by Malmö" in vevent["DESCRIPTION"]
    assert "ORGANIZER" not in vevent and "ATTENDEE" not in vevent


def test_the_online_link_is_written_only_when_asked(app, make_event):
    event = make_event(online_url="https://meet.example/secret-room")
    assert b"secret-room" not in event_to_vevent(event).to_ical()
    assert b"secret-room" not in calendar_for([event], name="Public", url="https://x.test/a.ics")
    with_link = event_to_vevent(event, include_online_link=True).to_ical()
    assert b"secret-room" in with_link.replace(b"\r\n ", b"")


def test_a_host_city_already_named_in_the_venue_is_not_repeated(app, demo, make_event):
    event = make_event(format=EventFormat.in_person, host_city="oslo", venue="Oslo City Hall")
    assert str(event_to_vevent(event)["LOCATION"]) == "Oslo City Hall"
    other = make_event(format=EventFormat.in_person, host_city="oslo", venue="Rådhusplassen 1")
    assert str(event_to_vevent(other)["LOCATION"]) == "Rådhusplassen 1, Oslo"


def test_drafts_shown_to_coordinators_are_tentative(app, make_event):
    draft = make_event(status=EventStatus.draft)
    assert str(event_to_vevent(draft)["STATUS"]) == "TENTATIVE"


def test_an_all_day_event_is_dates_with_an_exclusive_end(app, make_event):
    event = make_event(all_day=True, start=date(2027, 6, 10), end=date(2027, 6, 12))
    vevent = event_to_vevent(event)
    assert vevent["DTSTART"].to_ical() == b"20270610"
    assert vevent["DTEND"].to_ical() == b"20270612"
    assert b"DTSTART;VALUE=DATE:20270610" in vevent.to_ical()


@pytest.mark.parametrize("zone", ["Africa/Casablanca", "UTC"])
def test_zones_without_a_yearly_rule_or_utc_itself_are_written_in_utc(app, make_event, zone):
    event = make_event(timezone=zone)
    vevent = event_to_vevent(event)
    assert "TZID" not in vevent["DTSTART"].params
    assert vevent["DTSTART"].to_ical().endswith(b"Z")
    data = calendar_for([event], name="x", url="https://calendar.test/x.ics")
    assert b"BEGIN:VTIMEZONE" not in data


def test_an_invitation_is_an_itip_request_to_the_person(app, make_event):
    event = make_event("Webinar")
    data = itip_calendar(
        event,
        method="REQUEST",
        attendee=CalendarAddress("anna@example.org", "Anna Berg"),
        registration_status="confirmed",
    )
    check_bytes(data)
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["METHOD"]) == "REQUEST"
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["ORGANIZER"]) == "mailto:calendar@nscal.example"
    assert vevent["ORGANIZER"].params["CN"] == "Nordic Safe Cities"
    attendee = vevent["ATTENDEE"]
    assert str(attendee) == "mailto:anna@example.org"
    assert attendee.params["CN"] == "Anna Berg"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert "You are registered." in vevent["DESCRIPTION"]
    assert vevent["DTSTAMP"].dt >= datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    assert len(calendar.walk("VTIMEZONE")) == 1


def test_a_cancellation_has_the_same_uid_and_a_higher_sequence(app, make_event):
    event = make_event("Webinar", online_url="https://meet.example/room")
    before = event_to_vevent(event, method="REQUEST", attendee="anna@example.org")
    cancel_event(event, "Speaker ill.")
    db.session.commit()
    data = itip_calendar(event, method="CANCEL", attendee="Anna Berg <anna@example.org>")
    (after,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert str(after["UID"]) == str(before["UID"])
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert str(after["STATUS"]) == "CANCELLED"
    assert b"meet.example" not in data
    assert b"METHOD:CANCEL" in data


def test_long_nordic_text_is_folded_at_75_octets_without_splitting_letters(app, make_event):
    title = "Þórshöfn, Ærøskøbing; Märkäjärvi \\ Öræfi " * 4
    event = make_event(title[:200], description=("æøåäöðþ; ,\\\n" * 40))
    data = calendar_for([event], name="Ø" * 80, url="https://calendar.test/calendar.ics")
    check_bytes(data)
    (vevent,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == title[:200].strip()
