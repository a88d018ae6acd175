"""Mail in its recipient's language, whoever caused it: a Finnish person's confirmation
comes in Finnish while the coordinator who approved it browses in English; its dates
are Finnish and its links open in Finnish."""

import re
from datetime import datetime

import pytest

from nscal.accounts.models import AccountRole
from nscal.db import db
from nscal.i18n import in_language
from nscal.mail.rendering import render_mail
from nscal.registrations.models import Registration, RegistrationSettings
from nscal.registrations.services import register_for_event
from nscal.urls import external_url
from tests.conftest import csrf_token_from


@pytest.fixture
def pending(network, make_event, make_user):
    """A Finnish person (Helsinki, no language chosen) waiting for approval."""
    event = make_event(
        "Kick-off city meeting",
        start=datetime(2099, 1, 13, 10, 0),  # noqa: DTZ001 - wall-clock in the event's zone
        end=datetime(2099, 1, 13, 11, 30),  # noqa: DTZ001
        host_city="copenhagen",
    )
    db.session.add(RegistrationSettings(event_id=event.id, requires_approval=True))
    aino = make_user("aino@example.org", name="Aino Virtanen", city="helsinki")
    db.session.commit()
    registration = register_for_event(event.id, aino.id)
    db.session.commit()
    return registration


def test_a_finnish_person_is_written_to_in_finnish_whoever_acts(
    pending, client, auth, make_user, deliver_outbox
):
    deliver_outbox()  # "awaiting approval"
    make_user("coordinator@example.org", account_role=AccountRole.coordinator, city="copenhagen")
    auth.login("coordinator@example.org")
    roster = client.get(f"/manage/events/{pending.event_id}/registrations?lang=en")
    response = client.post(
        f"/manage/registrations/{pending.id}/status",
        data={"csrf_token": csrf_token_from(roster), "status": "confirmed"},
        follow_redirects=True,
    )
    assert '<html lang="en">' in response.get_data(as_text=True)  # the coordinator's page
    assert db.session.get(Registration, pending.id).status.value == "confirmed"

    [confirmation] = deliver_outbox()
    text = confirmation.get_body(("plain",)).get_content()
    html = confirmation.get_body(("html",)).get_content()
    assert text.startswith("Hei Aino Virtanen,")
    assert "Aika:" in text and "When:" not in text
    # Finnish dates: the weekday, the month in its partitive, "klo" and dots.
    assert "tiistai 13. tammikuuta 2099 klo 11.00–12.30 EET" in text
    assert re.search(r"^Omat tapahtumasi: https://calendar\.test/\S+\?lang=fi$", text, re.M)
    assert f"https://calendar.test/events/{pending.event_id}?lang=fi" in text
    assert '<html lang="fi">' in html
    assert "Omat tapahtumasi" in html
    assert "?lang=fi" in html


def test_an_english_person_gets_the_same_mail_as_before(network, make_user, app):
    with app.test_request_context("/?lang=fi"):  # whoever causes it browses in Finnish
        message = render_mail(
            "registration_waitlisted",
            to="sam@example.org",
            language="en",
            name="Sam",
            event={
                "title": "Meeting",
                "when": "Wednesday 13 January 2027, 10:00–11:30 CET",
                "place": "Copenhagen",
                "online_url": "",
                "format_label": "In person",
                "url": "https://calendar.test/events/1",
            },
        )
    text = message.get_body(("plain",)).get_content()
    assert text.startswith("Hello Sam,")
    assert "When:  Wednesday 13 January 2027" in text
    assert "Where: Copenhagen" in text
    assert "More:  https://calendar.test/events/1" in text
    assert "Your events: https://calendar.test/" in text
    assert "lang=" not in text


def test_links_carry_the_language_they_were_written_in(app):
    assert "lang=" not in external_url("main.index")
    with in_language("is"):
        assert external_url("main.index").endswith("?lang=is")
        assert external_url("events.detail", event_id=3, lang=None).endswith("/events/3")
    assert "lang=" not in external_url("main.index")
