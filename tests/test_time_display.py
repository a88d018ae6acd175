"""One way to show a time (nscal.timedisplay) and the zone picker (/zone).

The formatter's rules for readers in each Nordic zone, an event named by its place,
numeric abbreviations named by their zone, clock changes, all-day and multi-day
events; then the pages: coordinators' timestamps on their own clock, /my/events in
the person's zone, the picker's groups and the choice remembered.
"""

import html
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from nscal.accounts.models import AccountRole, User
from nscal.cities.models import City
from nscal.db import db
from nscal.events.models import Event
from nscal.registrations.services import register_for_event
from nscal.timedisplay import (
    abbreviation,
    format_date_range,
    format_event_time,
    format_event_when,
    format_instant,
    long_date,
    short_date,
    zone_now,
)
from nscal.timeutil import NORDIC_ZONES, find_zone, zone_choices, zone_groups
from tests.conftest import csrf_token_from


def wall(*args) -> datetime:
    return datetime(*args)  # noqa: DTZ001 - wall-clock time, given a zone by the caller


def timed(zone: str, start: datetime, end: datetime, host: City | None = None) -> Event:
    tz = ZoneInfo(zone)
    return Event(
        title="Meeting",
        timezone=zone,
        starts_at=start.replace(tzinfo=tz).astimezone(UTC),
        ends_at=end.replace(tzinfo=tz).astimezone(UTC),
        all_day=False,
        host_city=host,
    )


MALMO = City(name="Malmö", slug="malmo", country="Sweden", timezone="Europe/Stockholm")
NUUK = City(name="Nuuk", slug="nuuk", country="Greenland", timezone="America/Nuuk")


# --- the formatter ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "january", "july"),
    [
        ("Europe/Helsinki", "11:00–12:30 EET", "11:00–12:30 EEST"),
        ("Europe/Stockholm", "10:00–11:30 CET", "10:00–11:30 CEST"),
        ("Atlantic/Reykjavik", "09:00–10:30 GMT", "08:00–09:30 GMT"),
        ("America/Nuuk", "07:00–08:30 UTC−2 (Nuuk)", "07:00–08:30 UTC−1 (Nuuk)"),
        ("Atlantic/Faroe", "09:00–10:30 WET", "09:00–10:30 WEST"),
    ],
)
def test_a_malmo_meeting_reads_in_each_nordic_zone_beside_malmo_time(viewer, january, july):
    for month, expected, own in ((1, january, "CET"), (7, july, "CEST")):
        meeting = timed(
            "Europe/Stockholm", wall(2027, month, 13, 10), wall(2027, month, 13, 11, 30), MALMO
        )
        when = format_event_time(meeting, viewer)
        assert when.primary_text.endswith(expected)
        if viewer == "Europe/Stockholm":
            assert when.secondary == ()  # the same clock: said once
        else:
            assert when.secondary_text == f"10:00–11:30 {own} in Malmö"
        assert "Stockholm" not in when.text  # the zone's city is not the event's place


def test_numbers_for_abbreviations_become_the_offset_and_the_zone_city():
    winter = datetime(2027, 1, 13, 12, tzinfo=UTC).astimezone(ZoneInfo("America/Nuuk"))
    summer = datetime(2027, 7, 13, 12, tzinfo=UTC).astimezone(ZoneInfo("America/Nuuk"))
    assert winter.tzname() == "-02"  # what the tz database says
    assert abbreviation(winter) == "UTC\u22122 (Nuuk)"  # a real minus sign
    assert abbreviation(summer) == "UTC\u22121 (Nuuk)"
    assert abbreviation(datetime(2027, 1, 1, tzinfo=ZoneInfo("Asia/Dubai"))) == "UTC+4 (Dubai)"
    assert abbreviation(datetime(2027, 1, 1, tzinfo=ZoneInfo("Asia/Kolkata"))) == "IST"
    assert zone_now("America/Nuuk", winter) == "UTC−2 (Nuuk)"
    assert zone_now("Europe/Helsinki", winter) == "EET, UTC+2"


def test_an_event_in_nuuk_is_named_once_on_the_other_side():
    meeting = timed("America/Nuuk", wall(2027, 1, 13, 9), wall(2027, 1, 13, 10), NUUK)
    when = format_event_time(meeting, "Europe/Helsinki")
    assert when.primary_text == "Wednesday 13 January 2027, 13:00–14:00 EET"
    assert when.secondary_text == "09:00–10:00 UTC−2 in Nuuk"


def test_an_event_without_a_place_is_named_by_its_zone_city():
    webinar = timed("Europe/Oslo", wall(2027, 1, 13, 10), wall(2027, 1, 13, 11))
    assert format_event_time(webinar, "Europe/Helsinki").secondary_text == "10:00–11:00 CET in Oslo"
    assert format_event_time(webinar).place == "Oslo"


def test_a_meeting_across_the_autumn_clock_change_names_both_abbreviations():
    night = timed("Europe/Stockholm", wall(2027, 10, 31, 1), wall(2027, 10, 31, 4), MALMO)
    assert format_event_time(night).primary_text == ("Sunday 31 October 2027, 01:00 CEST–04:00 CET")
    assert format_event_when(night) == "31 Oct 2027, 01:00 CEST–04:00 CET"


def test_the_spring_change_in_nuuk_and_in_europe():
    # 2027: Nuuk and Europe move their clocks at the same instant (01:00 UTC, 28 March),
    # Nuuk on Saturday evening, Europe early on Sunday; the abbreviations follow.
    saturday = timed("Europe/Copenhagen", wall(2027, 3, 27, 10), wall(2027, 3, 27, 11), None)
    when = format_event_time(saturday, "America/Nuuk")
    assert when.primary_text.endswith("07:00–08:00 UTC−2 (Nuuk)")
    assert when.secondary_text == "10:00–11:00 CET in Copenhagen"
    monday = timed("Europe/Copenhagen", wall(2027, 3, 29, 10), wall(2027, 3, 29, 11), None)
    when = format_event_time(monday, "America/Nuuk")
    assert when.primary_text.endswith("07:00–08:00 UTC−1 (Nuuk)")
    assert when.secondary_text == "10:00–11:00 CEST in Copenhagen"
    # An evening in Nuuk across its change: both offsets said.
    evening = timed("America/Nuuk", wall(2027, 3, 27, 21, 30), wall(2027, 3, 28, 0, 30), NUUK)
    assert format_event_time(evening).primary_text == (
        "Saturday 27 March 2027, 21:30 UTC−2 (Nuuk) – Sunday 28 March 2027, 00:30 UTC−1 (Nuuk)"
    )
    assert format_event_time(evening, "Europe/Helsinki").secondary_text.endswith(
        "21:30 UTC−2 – Sunday 28 March 2027, 00:30 UTC−1 in Nuuk"
    )


def test_all_day_and_multi_day_events():
    summit = Event(
        title="Summit",
        timezone="Europe/Stockholm",
        all_day=True,
        start_date=date(2027, 3, 29),
        end_date=date(2027, 3, 31),
        starts_at=datetime(2027, 3, 28, 22, tzinfo=UTC),
        ends_at=datetime(2027, 3, 30, 22, tzinfo=UTC),
        host_city=MALMO,
    )
    # Dates are the same in every zone.
    assert format_event_time(summit, "America/Nuuk").text == "29–30 March 2027"
    assert format_event_when(summit) == "29–30 Mar 2027 (all day)"
    assert format_date_range(date(2027, 1, 30), date(2027, 2, 3)) == "30 January – 2 February 2027"

    two_days = timed("Europe/Stockholm", wall(2027, 3, 29, 9), wall(2027, 3, 30, 15), MALMO)
    when = format_event_time(two_days, "Europe/Helsinki")
    assert when.primary_text == (
        "Monday 29 March 2027, 10:00 EEST – Tuesday 30 March 2027, 16:00 EEST"
    )
    assert when.secondary_text == (
        "Monday 29 March 2027, 09:00 CEST – Tuesday 30 March 2027, 15:00 CEST in Malmö"
    )


def test_one_long_and_one_short_date_form_without_leading_zeros():
    assert long_date(date(2026, 12, 2)) == "Wednesday 2 December 2026"
    assert short_date(date(2026, 12, 2)) == "2 Dec 2026"
    assert short_date(date(2026, 12, 2), year=False) == "2 Dec"
    registered = datetime(2026, 12, 1, 7, 13, tzinfo=UTC)
    assert format_instant(registered, "Europe/Helsinki") == "1 Dec 2026, 09:13 EET"
    assert format_instant(registered, "America/Nuuk") == "1 Dec 2026, 05:13 UTC−2 (Nuuk)"
    assert format_instant(registered, None) == "1 Dec 2026, 07:13 UTC"


# --- the picker's list -----------------------------------------------------------------


def test_the_picker_offers_the_nordic_zones_by_city_then_the_others_by_region():
    groups = zone_groups()
    assert [group.name for group in groups][:6] == [
        "Nordic zones",
        "Europe",
        "America",
        "Asia",
        "Africa",
        "Australia and Pacific",
    ]
    nordic = [label.split(" (")[0] for _value, label in groups[0].choices]
    assert nordic == [
        "Copenhagen",
        "Stockholm",
        "Oslo",
        "Helsinki",
        "Reykjavík",
        "Nuuk",
        "Tórshavn",
    ]
    europe = dict(groups[1].choices)
    assert europe["Europe/Berlin"] == "Berlin"
    assert "Europe/Helsinki" not in europe  # once, among the Nordic zones
    values = [value for value, _label, _group in zone_choices()]
    assert "US/Eastern" not in values and "Etc/GMT+1" not in values  # aliases, not places
    assert len(values) == len(set(values))
    assert len(NORDIC_ZONES) == 7


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("oslo", "Europe/Oslo"),
        ("Reykjavik", "Atlantic/Reykjavik"),
        ("torshavn", "Atlantic/Faroe"),
        ("New York", "America/New_York"),
        ("Europe/Berlin", "Europe/Berlin"),
        ("Buenos Aires (Argentina)", "America/Argentina/Buenos_Aires"),
        ("Atlantis", None),
    ],
)
def test_a_typed_city_finds_its_zone(typed, zone):
    assert find_zone(typed) == zone


# --- pages -----------------------------------------------------------------------------


def main_text(response) -> str:
    body = response.text.split("<main", 1)[-1].split("</main>", 1)[0]
    body = re.sub(r"<(datalist|select)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"</?(time|span|a|strong|abbr|em|b|small)\b[^>]*>", "", body)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body))


def header_zone(response) -> str:
    part = response.text.split('class="zone-now"', 1)[1].split("</div>", 1)[0]
    part = re.sub(r"<[^>]+>", "", part.split(">", 1)[1])
    return re.sub(r"\s+", " ", html.unescape(part)).strip()


@pytest.fixture
def copenhagen_meeting(network, make_event):
    return make_event("Winter meeting", host_city="copenhagen")


def test_the_roster_shows_registration_times_on_the_coordinators_clock(
    client, auth, make_user, copenhagen_meeting
):
    member = make_user("member@example.org", city="oslo")
    registration = register_for_event(copenhagen_meeting.id, member.id)
    registration.created_at = datetime(2026, 12, 1, 7, 13, tzinfo=UTC)
    db.session.commit()
    make_user("coordinator@example.org", city="helsinki", account_role=AccountRole.coordinator)
    auth.login("coordinator@example.org")

    roster = client.get(f"/manage/events/{copenhagen_meeting.id}/registrations")
    text = main_text(roster)
    assert "1 Dec 2026, 09:13 EET" in text
    assert "07:13 UTC" not in text and "2026-12-01" not in text
    # The event itself: on the coordinator's clock with the event's own beside it.
    assert "11:00–12:30 EET · 10:00–11:30 CET in Copenhagen" in text
    # The CSV keeps its machine-readable instants.
    csv = client.get(f"/manage/events/{copenhagen_meeting.id}/registrations.csv").text
    assert "2026-12-01T07:13:00+00:00" in csv


def test_my_events_reads_in_the_persons_zone(client, auth, make_user, copenhagen_meeting):
    member = make_user("member@example.org", city="helsinki")
    register_for_event(copenhagen_meeting.id, member.id)
    db.session.commit()
    auth.login("member@example.org")
    text = main_text(client.get("/my/events"))
    assert "Winter meeting — Wednesday 13 January 2027, 11:00–12:30 EET" in text
    assert "CET" not in text


def test_the_header_has_one_compact_zone_control_and_no_picker_box(client, copenhagen_meeting):
    for path in ("/", "/events/", f"/events/{copenhagen_meeting.id}", "/calendar/2027"):
        page = client.get(path)
        assert header_zone(page).startswith("Times in each event's own zone · Change")
        assert 'name="tz"' not in page.text, path  # the picker is on its own page


def test_a_visitor_picks_a_zone_and_it_is_remembered(client, copenhagen_meeting):
    event_page = f"/events/{copenhagen_meeting.id}"
    picker = client.get(f"/zone?next={event_page}")
    assert picker.status_code == 200
    page = picker.text
    assert page.index('<optgroup label="Nordic zones">') < page.index('<optgroup label="Europe">')
    assert '<datalist id="zone-names">' in page and 'list="zone-names"' in page

    chosen = client.post(
        "/zone",
        data={"csrf_token": csrf_token_from(picker), "tz": "America/Nuuk", "next": event_page},
    )
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith(event_page)
    after = client.get(event_page)
    assert header_zone(after).startswith("Times in Nuuk (UTC−2)")
    assert "07:00–08:30 UTC−2 (Nuuk) · 10:00–11:30 CET in Copenhagen" in main_text(after)
    assert header_zone(client.get("/calendar/2027")).startswith("Times in Nuuk")
    # The search box wins over the list.
    typed = client.post(
        "/zone",
        data={"csrf_token": csrf_token_from(picker), "tz": "America/Nuuk", "search": "oslo"},
    )
    assert typed.status_code == 302
    assert header_zone(client.get("/")).startswith("Times in Oslo (CET)")
    # ?tz= on a public page still works.
    client.get("/events/?tz=Atlantic/Faroe")
    assert header_zone(client.get("/")).startswith("Times in Tórshavn (WET)")


def test_an_unknown_city_is_refused_on_the_field_and_next_stays_on_the_site(
    client, copenhagen_meeting
):
    picker = client.get("/zone")
    refused = client.post(
        "/zone", data={"csrf_token": csrf_token_from(picker), "search": "Atlantis"}
    )
    assert refused.status_code == 400
    assert "We know no time zone called “Atlantis”" in html.unescape(refused.text)
    away = client.post(
        "/zone",
        data={"csrf_token": csrf_token_from(picker), "tz": "Europe/Oslo", "next": "//evil.example"},
    )
    assert away.status_code == 302 and away.headers["Location"] == "/"


def test_a_signed_in_persons_choice_is_kept_in_the_account(
    client, auth, make_user, copenhagen_meeting
):
    make_user("member@example.org", city="helsinki")
    auth.login("member@example.org")
    assert header_zone(client.get("/")).startswith("Times in Helsinki (EET)")
    picker = client.get("/zone")
    assert "My city's zone (Helsinki (Finland))" in html.unescape(picker.text)
    client.post("/zone", data={"csrf_token": csrf_token_from(picker), "tz": "Atlantic/Reykjavik"})
    user = db.session.execute(db.select(User).filter_by(email="member@example.org")).scalar_one()
    db.session.refresh(user)
    assert user.timezone == "Atlantic/Reykjavik"

    # Logged out (the session goes) and in again: the account keeps the zone.
    auth.logout()
    assert header_zone(client.get("/")).startswith("Times in each event's own zone")
    auth.login("member@example.org")
    assert header_zone(client.get("/")).startswith("Times in Reykjavík (GMT)")
