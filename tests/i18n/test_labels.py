"""Words built from data in the reader's language: participant roles, countries, the
zones of the pickers, file kinds, the feeds' descriptions, the calendar's short names."""

import icalendar
import pytest

from nscal.filetypes import UnsupportedFile, detect_type
from nscal.i18n import in_language
from nscal.timeutil import find_zone


@pytest.fixture
def summit(network, make_event):
    return make_event(
        "Mayors' summit",
        audience=("mayor", "leader"),
        host_city="copenhagen",
        description="The agenda is attached.",
    )


def test_the_event_page_names_roles_and_the_country_in_the_language(client, summit):
    page = client.get(f"/events/{summit.id}?lang=fi").get_data(as_text=True)
    assert "<dd>Pormestari, Johtaja</dd>" in page  # not "Mayor, Leader"
    assert "Copenhagen (Tanska)" in page  # the city as stored, its country in Finnish
    assert "Google-kalenteri" in page
    english = client.get(f"/events/{summit.id}?lang=en").get_data(as_text=True)
    assert "<dd>Mayor, Leader</dd>" in english
    assert "Copenhagen (Denmark)" in english


def test_the_zone_picker_speaks_the_language_and_takes_its_labels_back(client, app):
    page = client.get("/zone?lang=da").get_data(as_text=True)
    assert ">København (Danmark)</option>" in page
    assert '<optgroup label="Nordiske tidszoner">' in page
    assert "Copenhagen (Denmark)" not in page
    with app.test_request_context("/?lang=da"):
        assert find_zone("København (Danmark)") == "Europe/Copenhagen"
        assert find_zone("københavn") == "Europe/Copenhagen"
    assert find_zone("Copenhagen (Denmark)") == "Europe/Copenhagen"


def test_a_refused_file_says_why_in_the_language(app):
    with app.test_request_context("/?lang=da"), pytest.raises(UnsupportedFile) as refused:
        detect_type(b"<html><script>alert(1)</script></html>")
    assert str(refused.value).startswith("Websider og SVG-tegninger kan ikke deles her")
    with in_language("en"), pytest.raises(UnsupportedFile) as english:
        detect_type(b"")
    assert str(english.value) == "The file is empty."
    with in_language("fi"):
        assert str(detect_type(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).label) == "PNG-kuva"


def test_the_feed_is_described_in_its_language_and_cached_per_language(client, summit):
    def description(lang: str) -> str:
        body = client.get(f"/events/{summit.id}.ics" + (f"?lang={lang}" if lang else "")).data
        [vevent] = icalendar.Calendar.from_ical(body).walk("VEVENT")
        return str(vevent["DESCRIPTION"])

    finnish = description("fi")
    assert "isäntäkaupunki: Copenhagen" in finnish
    assert "Pormestari, Johtaja" in finnish
    english = description("")  # after the Finnish one: not served from its cache
    assert "hosted by Copenhagen" in english
    assert "for Mayor, Leader" in english


def test_the_calendar_uses_the_languages_short_names(client, summit):
    page = client.get("/calendar/2027?lang=fi").get_data(as_text=True)
    assert '<time datetime="2027-01-13">ke 13</time>' in page  # "kes" was cut from "keskiviikko"
    events = client.get("/events/?lang=da").get_data(as_text=True)
    assert '<span class="month">jan.</span>' in events or '<span class="month">jan</span>' in events
    assert (
        '<span class="weekday">ons.</span>' in events
        or '<span class="weekday">ons</span>' in events
    )
