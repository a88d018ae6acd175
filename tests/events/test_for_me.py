"""Members see what is theirs: cards say whether they can register or why not, "for me"
narrows the lists, and the event page shows the deadline, the places per role, the
venue on a map and "Add to calendar" — without the internal fields."""

import html
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from nscal.accounts.models import AccountRole
from nscal.db import clock as app_clock
from nscal.db import db
from nscal.events.models import EventFormat, EventStatus
from nscal.registrations.models import RegistrationSettings, RoleQuota
from nscal.registrations.services import register_for_event
from tests.conftest import _one, count_statements

JANUARY = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def wall(*args) -> datetime:
    return datetime(*args)  # noqa: DTZ001 - wall-clock time in the event's zone


def text_of(page: str) -> str:
    words = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    return html.unescape(re.sub(r" ([,.:;)])", r"\1", words))


def card_of(page: str, title: str) -> str:
    """The text of the card whose title is ``title``."""
    for card in re.findall(r'<article class="event-card.*?</article>', page, re.S):
        if f">{title}<" in html.unescape(card):
            return text_of(card)
    raise AssertionError(f"no card for {title}")


@pytest.fixture
def at_january():
    app_clock.reset()
    app_clock.advance(JANUARY - app_clock.now())
    yield
    app_clock.reset()


@pytest.fixture
def mayor(network, make_user, auth, at_january):
    user = make_user("mayor@example.org", name="Mia Mayor", city="malmo", participant_role="mayor")
    auth.login("mayor@example.org")
    return user


@pytest.fixture
def program(make_event):
    """A practitioners' call, a summit for mayors and politicians, a meeting for everyone
    whose registration closed, and one for everyone still open."""
    feb = {"start": wall(2027, 2, 10, 10), "end": wall(2027, 2, 10, 11)}
    events = {
        "call": make_event("Practitioners' call", audience=("practitioner",), **feb),
        "summit": make_event("Mayors' summit", audience=("mayor", "politician"), **feb),
        "closed": make_event("Closed meeting", **feb),
        "open": make_event("Open meeting", **feb),
    }
    db.session.add(
        RegistrationSettings(event_id=events["closed"].id, closes_at=JANUARY - timedelta(days=1))
    )
    db.session.commit()
    return events


def test_the_home_page_says_which_events_are_for_the_mayor_and_why_not(client, mayor, program):
    page = client.get("/").text
    assert "For practitioners" in card_of(page, "Practitioners' call")
    assert "For you" not in card_of(page, "Practitioners' call")
    assert "For you · Registration open" in card_of(page, "Mayors' summit")
    assert "Registration closed" in card_of(page, "Closed meeting")
    assert "For you · Registration open" in card_of(page, "Open meeting")


def test_for_me_keeps_only_what_the_mayor_can_register_for(client, mayor, program):
    for path in ("/?for=me", "/events/?for=me"):
        text = text_of(client.get(path).text)
        assert "Mayors' summit" in text and "Open meeting" in text
        assert "Practitioners' call" not in text
        assert "Closed meeting" not in text


def test_for_me_keeps_the_other_filters(client, mayor, program, make_event):
    make_event(
        "Summit in Oslo",
        audience=("mayor",),
        host_city="oslo",
        start=wall(2027, 3, 1, 10),
        end=wall(2027, 3, 1, 11),
    )
    text = text_of(client.get("/events/?for=me&city=oslo").text)
    assert "1 event." in text
    assert "Summit in Oslo" in text
    assert "Mayors' summit" not in text
    page = client.get("/events/?for=me&q=summit").text
    assert 'name="for" value="me" checked' in page
    assert "Mayors' summit" in text_of(page) and "Summit in Oslo" in page
    assert "Open meeting" not in page


def test_the_list_marks_a_full_event_and_the_mayors_own_registration(
    client, mayor, program, make_event, make_user
):
    full = make_event(
        "Small workshop", capacity=1, start=wall(2027, 2, 3, 10), end=wall(2027, 2, 3, 11)
    )
    db.session.add(RegistrationSettings(event_id=full.id, waitlist=False))
    db.session.commit()
    register_for_event(full.id, make_user("other@example.org").id)
    register_for_event(program["summit"].id, mayor.id)
    db.session.commit()
    page = client.get("/events/").text
    assert "Full" in card_of(page, "Small workshop")
    assert "You are registered" in card_of(page, "Mayors' summit")


def test_a_visitor_sees_no_marks_and_for_me_shows_everything(client, network, program, at_january):
    page = client.get("/?for=me").text
    assert "For you" not in page
    assert "Registration closed" not in page
    assert "Practitioners' call" in text_of(page)


def test_marking_the_cards_needs_as_many_queries_for_thirty_events_as_for_three(
    client, mayor, make_event
):
    def add(n: int):
        make_event(
            f"Meeting {n}",
            audience=(("mayor",), ("practitioner",), ())[n % 3],
            start=wall(2027, 2, 1 + n % 27, 10),
            end=wall(2027, 2, 1 + n % 27, 11),
        )

    for n in range(3):
        add(n)
    few = [count_statements(client, path) for path in ("/events/", "/", "/events/?for=me")]
    for n in range(3, 30):
        add(n)
    many = [count_statements(client, path) for path in ("/events/", "/", "/events/?for=me")]
    assert few == many


# --- the event page --------------------------------------------------------------------


def test_the_event_page_shows_the_deadline_and_places_per_role(client, mayor, make_event):
    summit = make_event(
        "Mayors' summit",
        audience=("mayor", "politician"),
        capacity=60,
        start=wall(2027, 2, 10, 10),
        end=wall(2027, 2, 10, 12),
    )
    db.session.add(
        RegistrationSettings(event_id=summit.id, closes_at=datetime(2027, 2, 1, 11, 0, tzinfo=UTC))
    )
    db.session.add_all(
        [
            RoleQuota(event_id=summit.id, participant_role_id=_one_role("mayor").id, places=40),
            RoleQuota(
                event_id=summit.id, participant_role_id=_one_role("politician").id, places=20
            ),
        ]
    )
    db.session.commit()
    register_for_event(summit.id, mayor.id)
    db.session.commit()

    text = text_of(client.get(f"/events/{summit.id}").text)
    assert "59 places left" in text
    assert "Places for mayors: 39 of 40 left" in text
    assert "Places for politicians: 20 of 20 left" in text
    # Mia reads times in Malmö's zone: 11:00 UTC is 12:00 CET.
    assert "Registration closes 1 Feb 2027, 12:00 CET." in text


def _one_role(slug):
    from nscal.cities.models import ParticipantRole

    return _one(ParticipantRole, slug)


def test_visitors_see_no_internal_fields(client, network, make_event, at_january):
    event = make_event(
        "Kick-off", capacity=60, start=wall(2027, 2, 10, 10), end=wall(2027, 2, 10, 12)
    )
    text = text_of(client.get(f"/events/{event.id}").text)
    assert "60 places left" in text
    assert "Status" not in text
    assert "Published" not in text
    assert "Who can see it" not in text
    assert "Places 60" not in text


def test_coordinators_still_see_status_and_visibility(
    client, network, make_user, auth, make_event, at_january
):
    make_user("cora@example.org", account_role=AccountRole.coordinator)
    auth.login("cora@example.org")
    event = make_event(
        "Kick-off", capacity=60, start=wall(2027, 2, 10, 10), end=wall(2027, 2, 10, 12)
    )
    draft = make_event(
        "Draft",
        capacity=30,
        status=EventStatus.draft,
        start=wall(2027, 2, 11, 10),
        end=wall(2027, 2, 11, 12),
    )
    text = text_of(client.get(f"/events/{event.id}").text)
    assert "Status Published" in text
    assert "Who can see it Public" in text
    assert "Places 60" not in text  # the panel says "60 places left"
    assert "Places 30" in text_of(client.get(f"/events/{draft.id}").text)


def test_the_venue_links_to_openstreetmap(client, network, make_event, at_january):
    event = make_event(
        "City meeting",
        format=EventFormat.in_person,
        venue="Rådhuset, Storgatan 1",
        host_city="malmo",
        start=wall(2027, 2, 10, 10),
        end=wall(2027, 2, 10, 12),
    )
    page = client.get(f"/events/{event.id}").text
    [href] = re.findall(r'class="map-link" href="([^"]+)"', page)
    url = urlsplit(html.unescape(href))
    assert (url.scheme, url.netloc, url.path) == ("https", "www.openstreetmap.org", "/search")
    assert parse_qs(url.query)["query"] == ["Rådhuset, Storgatan 1, Malmö"]


def _calendar_links(page: str) -> dict[str, str]:
    links = {}
    for href in re.findall(r'href="([^"]+)"', page):
        href = html.unescape(href)
        if href.startswith("https://calendar.google.com/"):
            links["google"] = href
        elif href.startswith("https://outlook.live.com/"):
            links["outlook"] = href
        elif href.endswith(".ics") and "/events/" in href:
            links["ics"] = href
    return links


def test_add_to_calendar_buttons_never_carry_the_online_link(client, mayor, make_event):
    secret = "https://meet.example.org/secret-room"
    event = make_event(
        "Hybrid meeting",
        format=EventFormat.hybrid,
        venue=f"City Hall {secret}",
        online_url=secret,
        description=f"Join at {secret}",
        start=wall(2027, 2, 10, 10),
        end=wall(2027, 2, 10, 11, 30),
    )
    register_for_event(event.id, mayor.id)  # confirmed: Mia sees the link on the page
    db.session.commit()
    page = client.get(f"/events/{event.id}").text
    assert secret in page
    links = _calendar_links(page)
    assert set(links) == {"google", "outlook", "ics"}
    assert links["ics"] == f"/events/{event.id}.ics"
    google = parse_qs(urlsplit(links["google"]).query)
    assert google["action"] == ["TEMPLATE"]
    assert google["text"] == ["Hybrid meeting"]
    assert google["dates"] == ["20270210T090000Z/20270210T103000Z"]  # 10:00 CET
    assert google["location"] == ["City Hall"]
    outlook = parse_qs(urlsplit(links["outlook"]).query)
    assert outlook["subject"] == ["Hybrid meeting"]
    assert outlook["startdt"] == ["2027-02-10T09:00:00Z"]
    assert outlook["enddt"] == ["2027-02-10T10:30:00Z"]
    for url in (links["google"], links["outlook"]):
        assert "secret-room" not in url
        assert "meet.example.org" not in url
        assert (
            f"https://calendar.test/events/{event.id}"
            in parse_qs(urlsplit(url).query).get(
                "details", parse_qs(urlsplit(url).query).get("body")
            )[0]
        )


def test_an_all_day_event_goes_into_calendars_as_dates(client, network, make_event, at_january):
    from datetime import date

    # 24 and 25 June: the end is exclusive, as in iCalendar.
    event = make_event("Midsummer", start=date(2027, 6, 24), end=date(2027, 6, 26), all_day=True)
    links = _calendar_links(client.get(f"/events/{event.id}").text)
    assert parse_qs(urlsplit(links["google"]).query)["dates"] == ["20270624/20270626"]
    outlook = parse_qs(urlsplit(links["outlook"]).query)
    assert (outlook["startdt"], outlook["enddt"], outlook["allday"]) == (
        ["2027-06-24"],
        ["2027-06-26"],
        ["true"],
    )
