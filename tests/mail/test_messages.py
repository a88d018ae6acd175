"""Messages: plain text, and iTIP invitations with the calendar in the shape apps want."""

from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime

import pytest

from nscal.mail.messages import build_message

CALENDAR = (
    "BEGIN:VCALENDAR\r\n"
    "VERSION:2.0\r\n"
    "PRODID:-//nscal//test//EN\r\n"
    "METHOD:{method}\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:event-42@nscal.example\r\n"
    "DTSTAMP:20270101T120000Z\r\n"
    "DTSTART:20270113T090000Z\r\n"
    "DTEND:20270113T103000Z\r\n"
    "SUMMARY:City meeting in Tórshavn\r\n"
    "SEQUENCE:{sequence}\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def calendar(method: str = "REQUEST", sequence: int = 0) -> bytes:
    return CALENDAR.format(method=method, sequence=sequence).encode()


def round_trip(message):
    return message_from_bytes(bytes(message), policy=policy.default)


def test_a_plain_message_has_sender_date_and_message_id(app):
    message = round_trip(build_message("aino@example.org", "Välkommen", "Hej Åsa!\n"))
    assert message["From"] == "Nordic Safe Cities <calendar@nscal.example>"
    assert message["To"] == "aino@example.org"
    assert message["Subject"] == "Välkommen"
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["Message-ID"].endswith("@nscal.example>")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "text/plain"
    assert message.get_content() == "Hej Åsa!\n"


def test_every_message_gets_its_own_id(app):
    first = build_message("a@example.org", "One", "1")
    second = build_message("a@example.org", "One", "1")
    assert first["Message-ID"] != second["Message-ID"]


def test_an_invitation_carries_the_calendar_inline_and_as_invite_ics(app):
    ics = calendar("REQUEST")
    message = round_trip(
        build_message("aino@example.org", "Invitation", "See you!\n", calendar=ics)
    )

    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    text, inline = alternative.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert text.get_content() == "See you!\n"
    assert inline.get_content_type() == "text/calendar"
    assert inline.get_param("method") == "REQUEST"
    assert inline.get_param("charset") == "utf-8"
    assert inline.get_payload(decode=True) == ics  # byte for byte: CRLF and UTF-8 kept

    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_payload(decode=True) == ics


@pytest.mark.parametrize("given", [None, "CANCEL", "cancel"])
def test_the_mime_method_is_the_calendars_method(app, given):
    message = build_message(
        "a@example.org", "Cancelled", "Sorry.\n", calendar=calendar("CANCEL"), method=given
    )
    [inline] = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert inline.get_param("method") == "CANCEL"


def test_a_method_that_contradicts_the_calendar_is_refused(app):
    with pytest.raises(ValueError, match="does not match the calendar's METHOD:REQUEST"):
        build_message("a@example.org", "x", "x", calendar=calendar("REQUEST"), method="CANCEL")


def test_a_calendar_without_method_is_refused(app):
    without = calendar().replace(b"METHOD:REQUEST\r\n", b"")
    with pytest.raises(ValueError, match="needs a METHOD"):
        build_message("a@example.org", "x", "x", calendar=without)


def test_a_method_without_calendar_is_refused(app):
    with pytest.raises(ValueError, match="only meaningful with a calendar"):
        build_message("a@example.org", "x", "x", method="REQUEST")
