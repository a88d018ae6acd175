"""A feed asked for in a language (?lang=) names each event in it where the event has
a text in it; the original stays the default (one SUMMARY per VEVENT, RFC 5545)."""

import icalendar
import pytest

from nscal.events.models import EventText

DANISH = EventText("Bymøde om trygt natteliv", "Erfaringer fra København og Oslo.")


@pytest.fixture
def events(network, make_event):
    translated = make_event(
        "City meeting on safe nightlife",
        description="Experiences from Copenhagen and Oslo.",
        translations={"da": DANISH},
    )
    untranslated = make_event("Summit", description="Two days.")
    return translated, untranslated


def vevents(response) -> dict[str, icalendar.Event]:
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.data)
    return {str(vevent["UID"]): vevent for vevent in calendar.walk("VEVENT")}


@pytest.mark.parametrize("path", ["/calendar.ics?lang=da", "/events/{id}.ics?lang=da"])
def test_a_feed_in_danish_has_the_danish_summary_and_description(client, events, path):
    translated, untranslated = events
    shown = vevents(client.get(path.format(id=translated.id)))
    vevent = shown[translated.uid]
    assert str(vevent["SUMMARY"]) == "Bymøde om trygt natteliv"
    assert "Erfaringer fra København og Oslo." in str(vevent["DESCRIPTION"])
    assert "Experiences from" not in str(vevent["DESCRIPTION"])
    if untranslated.uid in shown:  # no Danish text: the original
        assert str(shown[untranslated.uid]["SUMMARY"]) == "Summit"


def test_a_feed_without_a_language_has_the_original(client, events):
    translated, _untranslated = events
    vevent = vevents(client.get("/calendar.ics"))[translated.uid]
    assert str(vevent["SUMMARY"]) == "City meeting on safe nightlife"
    assert "Experiences from Copenhagen and Oslo." in str(vevent["DESCRIPTION"])


def test_each_language_gets_its_own_text_from_a_warm_cache(client, events):
    translated, _untranslated = events
    assert str(vevents(client.get("/calendar.ics?lang=da"))[translated.uid]["SUMMARY"]) == (
        "Bymøde om trygt natteliv"
    )
    assert str(vevents(client.get("/calendar.ics"))[translated.uid]["SUMMARY"]) == (
        "City meeting on safe nightlife"
    )
    assert str(vevents(client.get("/calendar.ics?lang=da"))[translated.uid]["SUMMARY"]) == (
        "Bymøde om trygt natteliv"
    )
