"""Mail about an event names it in the recipient's language where the event has a
title in it, else by its original title."""

from datetime import datetime
from email.header import decode_header, make_header

import icalendar

from nscal.db import db
from nscal.events.models import EventText
from nscal.registrations.services import register_for_event

START = datetime(2099, 1, 13, 10, 0)  # noqa: DTZ001 - wall-clock in the event's zone
END = datetime(2099, 1, 13, 11, 30)  # noqa: DTZ001
FINNISH = "Kaupunkikokous turvallisesta yöelämästä"


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def summary(message) -> str:
    [part] = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    [vevent] = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    return str(vevent["SUMMARY"])


def test_a_finnish_recipient_reads_the_finnish_title(
    network, make_event, make_user, deliver_outbox
):
    event = make_event(
        "City meeting on safe nightlife",
        start=START,
        end=END,
        translations={"fi": EventText(FINNISH, ""), "da": EventText("Bymøde", "")},
    )
    finn = make_user("aino@example.org", name="Aino Virtanen", language="fi")
    register_for_event(event.id, finn.id)
    db.session.commit()
    [message] = deliver_outbox()
    assert FINNISH in subject(message)
    assert FINNISH in message.get_body(("plain",)).get_content()
    assert FINNISH in message.get_body(("html",)).get_content()
    # The invitation for their calendar too.
    assert summary(message) == FINNISH


def test_a_recipient_whose_language_has_no_title_reads_the_original(
    network, make_event, make_user, deliver_outbox
):
    event = make_event(
        "City meeting on safe nightlife",
        start=START,
        end=END,
        translations={"fi": EventText(FINNISH, "")},
    )
    swede = make_user("sven@example.org", name="Sven Berg", language="sv")
    register_for_event(event.id, swede.id)
    db.session.commit()
    [message] = deliver_outbox()
    assert "City meeting on safe nightlife" in subject(message)
    assert FINNISH not in message.get_body(("plain",)).get_content()
    assert summary(message) == "City meeting on safe nightlife"
