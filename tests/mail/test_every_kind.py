"""Every kind of mail nscal sends has a plain-text and an HTML part, links that work
from a mail program, and the iTIP calendar part it always had."""

from datetime import datetime
from html.parser import HTMLParser

import icalendar
import pytest

from nscal.accounts.services import create_user, send_invitation
from nscal.db import db
from nscal.events.services import cancel_event, event_from_data, update_event
from nscal.registrations.models import RegistrationSettings, RegistrationStatus
from nscal.registrations.services import (
    cancel_registration,
    register_for_event,
    set_registration_status,
)

BASE_URL = "https://calendar.test/"
START = datetime(2099, 3, 10, 10, 0)  # noqa: DTZ001 - wall-clock in the event's zone
END = datetime(2099, 3, 10, 11, 30)  # noqa: DTZ001


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])


def hrefs(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.hrefs


@pytest.fixture
def every_kind(make_event, make_user, deliver_outbox):
    """Each kind of mail, as delivered, by the subject's first words or the kind."""
    mails = {}

    def register(event, user):
        registration = register_for_event(event.id, user.id)
        db.session.commit()
        return registration

    meeting = make_event(
        "Kick-off", start=START, end=END, capacity=1, online_url="https://meet.example.org/k"
    )
    first, second, third = (make_user(f"p{n}@example.org") for n in (1, 2, 3))
    register(meeting, first)
    [mails["confirmed"]] = deliver_outbox()
    register(meeting, second)
    [mails["waitlisted"]] = deliver_outbox()
    cancel_registration(meeting.id, first.id)
    db.session.commit()
    mails["cancelled"], mails["promoted"] = deliver_outbox()
    register(meeting, third)  # waitlisted behind the promoted second
    deliver_outbox()

    data = event_from_data(meeting)
    data.start, data.end = START.replace(hour=12), END.replace(hour=13)
    update_event(meeting, data)
    db.session.commit()
    for message in deliver_outbox():
        key = "changed" if "p2@" in message["To"] else "changed_unconfirmed"
        mails[key] = message
    cancel_event(meeting, "The venue is closed.")
    db.session.commit()
    mails["event_cancelled"] = deliver_outbox()[0]

    approval = make_event("Summit", start=START, end=END)
    db.session.add(RegistrationSettings(event_id=approval.id, requires_approval=True))
    db.session.commit()
    accepted, refused = register(approval, first), register(approval, second)
    mails["pending"] = deliver_outbox()[0]
    set_registration_status(accepted.id, RegistrationStatus.confirmed)
    set_registration_status(refused.id, RegistrationStatus.rejected)
    db.session.commit()
    mails["approved"], mails["rejected"] = deliver_outbox()

    send_invitation(create_user(email="new@example.org", name="Nina Nielsen"))
    db.session.commit()
    [mails["invitation"]] = deliver_outbox()
    return mails


# What each mail carries as its calendar part (its MIME method= and METHOD).
CALENDAR_METHODS = {
    "confirmed": "REQUEST",
    "waitlisted": None,
    "cancelled": "CANCEL",
    "promoted": "REQUEST",
    "changed": "REQUEST",
    "changed_unconfirmed": None,
    "event_cancelled": "CANCEL",
    "pending": None,
    "approved": "REQUEST",
    "rejected": "CANCEL",
    "invitation": None,
}


def test_every_kind_has_text_html_and_its_calendar_part(every_kind):
    assert set(every_kind) == set(CALENDAR_METHODS)
    for kind, message in every_kind.items():
        method = CALENDAR_METHODS[kind]
        alternative = message if method is None else next(message.iter_parts())
        assert alternative.get_content_type() == "multipart/alternative", kind
        types = [part.get_content_type() for part in alternative.iter_parts()]
        expected = ["text/plain", "text/html"] + (["text/calendar"] if method else [])
        assert types == expected, kind
        if method:
            inline = list(alternative.iter_parts())[2]
            ics = inline.get_payload(decode=True)
            assert inline.get_param("method") == method, kind
            assert str(icalendar.Calendar.from_ical(ics)["METHOD"]) == method, kind
            [attachment] = message.iter_attachments()
            assert attachment.get_filename() == "invite.ics"
            assert attachment.get_payload(decode=True) == ics, kind


def test_html_and_text_say_the_same_with_absolute_links(every_kind):
    for kind, message in every_kind.items():
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        links = hrefs(html)
        assert links, kind
        for href in links:
            assert href.startswith((BASE_URL, "https://meet.example.org/")), (kind, href)
            if href.startswith(BASE_URL):
                assert href in text, (kind, href)  # the text part has every link too
        assert '<html lang="en">' in html and "<title>" in html
        assert "<script" not in html and "<img" not in html and "<link" not in html


def test_the_event_page_and_the_online_link_are_links_in_html(every_kind):
    html = every_kind["confirmed"].get_body(("html",)).get_content()
    links = hrefs(html)
    assert "https://meet.example.org/k" in links
    assert any(link.startswith(f"{BASE_URL}events/") for link in links)
    assert f"{BASE_URL}my/events" in links


def test_an_invitations_link_is_in_both_parts(every_kind):
    message = every_kind["invitation"]
    text = message.get_body(("plain",)).get_content()
    [link] = {href for href in hrefs(message.get_body(("html",)).get_content()) if "/auth/" in href}
    assert link.startswith(f"{BASE_URL}auth/invitation/") and link in text


def test_a_stored_title_with_line_breaks_still_sends_its_mail(
    make_event, make_user, deliver_outbox
):
    event = make_event("Annual meeting")
    event.title = "Annual\r\nmeeting"  # as an old import may have stored it
    db.session.commit()
    register_for_event(event.id, make_user().id)
    db.session.commit()
    [message] = deliver_outbox()
    assert message["Subject"] == "You are registered: Annual meeting"
