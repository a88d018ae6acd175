"""The API carries each event's original text and its texts in other languages."""

import jsonschema
import pytest

from nscal.api.openapi import OPENAPI
from nscal.events.models import EventText
from tests.api.test_api import ALL_2027, api_get, check


@pytest.fixture
def nightlife(network, make_event):
    return make_event(
        "City meeting on safe nightlife",
        description="Join at https://meet.example.org/secret",
        online_url="https://meet.example.org/secret",
        translations={
            "da": EventText(
                "Bymøde om trygt natteliv", "Deltag på https://meet.example.org/secret"
            ),
            "fi": EventText("Kaupunkikokous", ""),
        },
    )


def test_each_event_has_its_original_text_and_its_translations(client, nightlife, make_event):
    make_event("Summit")
    listed = api_get(client, "/api/events", **ALL_2027).get_json()["events"]
    by_title = {event["title"]: event for event in listed}
    shown = by_title["City meeting on safe nightlife"]
    assert shown["title_translations"] == {
        "da": "Bymøde om trygt natteliv",
        "fi": "Kaupunkikokous",
    }
    # Only the languages that have a description; the online link hidden in each.
    assert shown["description_translations"] == {"da": "Deltag på [online link for participants]"}
    assert shown["description"] == "Join at [online link for participants]"
    assert by_title["Summit"]["title_translations"] == {}
    assert by_title["Summit"]["description_translations"] == {}
    one = api_get(client, f"/api/events/{nightlife.id}").get_json()
    assert one["title_translations"] == shown["title_translations"]
    # The page's language changes nothing: the API is the same for every reader.
    assert api_get(client, "/api/events", lang="da", **ALL_2027).get_json()["events"] == listed


def test_the_schema_documents_the_translations_and_refuses_unknown_languages(client, nightlife):
    event = OPENAPI["components"]["schemas"]["Event"]
    assert {"title_translations", "description_translations"} <= set(event["required"])
    assert event["properties"]["title_translations"]["propertyNames"] == {
        "enum": ["da", "sv", "nb", "fi", "is"]
    }
    shown = api_get(client, f"/api/events/{nightlife.id}").get_json()
    check("Event", shown)
    with pytest.raises(jsonschema.ValidationError):
        check("Event", {**shown, "title_translations": {"de": "Stadttreffen"}})
