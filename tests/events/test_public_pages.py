"""The public event pages: front page, event list and filters, one event, the calendar."""

import html
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from nscal.db import db
from nscal.events.models import EventFormat, EventKind
from nscal.events.services import cancel_event
from tests.conftest import count_statements

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def wall(*args) -> datetime:
    return datetime(*args)  # noqa: DTZ001 - wall-clock time in the event's zone


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    """The pages' "now" is 1 December 2026: 2027 is upcoming, mid-2026 is past."""
    for module in ("nscal.events.views.public", "nscal.events.views.calendar", "nscal.main.views"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: NOW)


def header_zone(response) -> str:
    """The header's zone line ("Times in Helsinki (EET) · Change"), as text."""
    part = response.text.split('class="zone-now"', 1)[1].split("</div>", 1)[0]
    part = re.sub(r"<[^>]+>", "", part.split(">", 1)[1])
    return re.sub(r"\s+", " ", html.unescape(part)).strip()


def page_text(response) -> str:
    """What a reader sees in the page's main part: text without tags, blanks collapsed."""
    body = response.text.split("<main", 1)[-1].split("</main>", 1)[0]
    body = re.sub(r"<select.*?</select>", " ", body, flags=re.S)  # the zone picker's 600 names
    body = re.sub(r"</?(time|span|a|strong|abbr|em|b)\b[^>]*>", "", body)  # inline: no gap
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body))


# --- the front page --------------------------------------------------------------------


def test_the_front_page_lists_the_next_ten_upcoming_events(client, network, make_event):
    make_event("Last summer's meeting", start=wall(2026, 6, 3, 10), end=wall(2026, 6, 3, 11))
    for day in range(1, 13):
        make_event(f"Meeting {day:02d}", start=wall(2027, 2, day, 10), end=wall(2027, 2, day, 11))
    text = page_text(client.get("/"))
    assert "Meeting 01" in text and "Meeting 10" in text
    assert "Meeting 11" not in text
    assert "Last summer's meeting" not in text
    page = client.get("/").text
    assert 'href="/events/"' in page
    assert 'href="/calendar/2026"' in page


def test_the_front_page_says_when_nothing_is_coming(client, network):
    assert "No upcoming events" in client.get("/").text


# --- the list and its filters ----------------------------------------------------------


@pytest.fixture
def programme(network, make_event):
    """Events of every sort, all in 2027."""
    return {
        "helsinki": make_event(
            "Youth work exchange",
            host_city="helsinki",
            audience=("practitioner",),
            start=wall(2027, 2, 3, 10),
            end=wall(2027, 2, 3, 12),
            timezone="Europe/Helsinki",
        ),
        "summit": make_event(
            "Mayors' summit",
            kind=EventKind.summit,
            host_city="malmo",
            audience=("mayor", "leader"),
            format=EventFormat.in_person,
            venue="Malmö Live, Dag Hammarskjölds torg 4",
            start=wall(2027, 3, 10, 9),
            end=wall(2027, 3, 10, 16),
            timezone="Europe/Stockholm",
        ),
        "everyone": make_event(
            "Network webinar",
            kind=EventKind.webinar,
            description="How Nordic cities use DATA on safety.",
            start=wall(2027, 4, 7, 14),
            end=wall(2027, 4, 7, 15),
        ),
    }


def titles(response) -> set[str]:
    known = ("Youth work exchange", "Mayors' summit", "Network webinar")
    return {title for title in known if title in page_text(response)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Youth work exchange", "Mayors' summit", "Network webinar"}),
        ("?kind=summit", {"Mayors' summit"}),
        ("?city=helsinki", {"Youth work exchange"}),
        ("?role=mayor", {"Mayors' summit", "Network webinar"}),
        ("?role=practitioner", {"Youth work exchange", "Network webinar"}),
        ("?q=data", {"Network webinar"}),  # in the description, any case
        ("?q=HAMMARSKJ", {"Mayors' summit"}),  # in the venue
        ("?q=youth", {"Youth work exchange"}),  # in the title
        ("?q=100%25", set()),  # LIKE wildcards are plain text
        ("?kind=webinar&role=mayor", {"Network webinar"}),
        ("?kind=summit&city=helsinki", set()),
    ],
)
def test_filters(client, programme, query, expected):
    response = client.get(f"/events/{query}")
    assert response.status_code == 200
    assert titles(response) == expected


def test_the_filter_form_is_labelled_and_keeps_the_choices(client, programme):
    page = client.get("/events/?kind=summit&city=malmo&q=summit").text
    assert 'method="get"' in page
    for field in ("q", "kind", "city", "role", "when"):
        assert f'<label for="{field}">' in page
    assert '<option selected value="summit">' in page
    assert '<option selected value="malmo">' in page
    assert 'value="summit"' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?kind=party", "There is no kind of event called “party”"),
        ("?city=atlantis", "There is no member city called “atlantis”"),
        ("?role=astronaut", "There is no participant role called “astronaut”"),
        ("?when=tomorrow", "“tomorrow” is not a time to show"),
    ],
)
def test_unknown_filter_values_are_explained(client, programme, query, message):
    response = client.get(f"/events/{query}")
    assert response.status_code == 400
    assert message in html.unescape(response.text)
    assert "Some filters were not understood" in response.text
    assert titles(response) == set()  # not silently ignored


def test_bad_input_never_breaks_the_list(client, programme):
    for query in ("?page=abc", "?page=-3", "?page=99999999999999999999999", "?q=" + "x" * 300):
        assert client.get(f"/events/{query}").status_code in (200, 400), query


def test_pages_of_twenty_with_links_that_keep_the_filters(client, network, make_event):
    for n in range(45):
        make_event(
            f"Call {n:02d}",
            kind=EventKind.webinar,
            start=wall(2027, 1, 1 + n % 28, 8 + n // 28),
            end=wall(2027, 1, 1 + n % 28, 9 + n // 28),
        )
    make_event("Not a webinar", start=wall(2027, 1, 5, 12), end=wall(2027, 1, 5, 13))

    first = client.get("/events/?kind=webinar")
    assert first.text.count('class="event-card') == 20
    assert "45 events" in page_text(first)
    assert "Page 1 of 3" in page_text(first)
    assert 'rel="prev"' not in first.text
    next_link = re.search(r'<a rel="next" href="([^"]+)"', first.text).group(1)
    assert "kind=webinar" in next_link and "page=2" in next_link

    last = client.get(next_link.replace("page=2", "page=3").replace("&amp;", "&"))
    assert last.text.count('class="event-card') == 5
    assert "Not a webinar" not in last.text
    assert 'rel="prev"' in last.text and 'rel="next"' not in last.text
    assert '<nav class="pager" aria-label="Pages">' in last.text

    beyond = client.get("/events/?kind=webinar&page=9")
    assert beyond.status_code == 200
    assert "no events on this page" in beyond.text


def test_past_events_are_reachable(client, network, make_event):
    make_event("Spring kick-off 2026", start=wall(2026, 3, 4, 10), end=wall(2026, 3, 4, 12))
    make_event("Autumn meeting 2026", start=wall(2026, 10, 7, 10), end=wall(2026, 10, 7, 12))
    make_event("Winter meeting 2027", start=wall(2027, 1, 13, 10), end=wall(2027, 1, 13, 12))

    upcoming = client.get("/events/")
    assert "Winter meeting 2027" in upcoming.text
    assert "Spring kick-off 2026" not in upcoming.text
    assert 'href="/events/?when=past"' in upcoming.text

    past = page_text(client.get("/events/?when=past"))
    assert "Past events" in past
    assert "Winter meeting 2027" not in past
    # Latest first.
    assert past.index("Autumn meeting 2026") < past.index("Spring kick-off 2026")


# --- one event -------------------------------------------------------------------------


def test_the_event_page_leads_with_what_when_where_and_for_whom(client, programme):
    summit = programme["summit"]
    response = client.get(f"/events/{summit.id}")
    assert response.status_code == 200
    text = page_text(response)
    assert "Mayors' summit" in text
    assert "Wednesday 10 March 2027, 09:00–16:00 CET (Malmö time)" in text
    assert "Malmö Live, Dag Hammarskjölds torg 4" in text
    assert "In person" in text
    assert "Host city Malmö (Sweden)" in text
    assert "For Mayor, Leader" in text
    assert '<time datetime="2027-03-10T09:00:00+01:00">09:00</time>' in response.text


def test_an_event_for_everyone_says_so(client, programme):
    text = page_text(client.get(f"/events/{programme['everyone'].id}"))
    assert "For Everyone" in text


def test_the_description_is_plain_text_with_its_line_breaks(client, network, make_event):
    event = make_event(
        "Workshop", description="Agenda:\n1. <script>alert(1)</script>\n2. Coffee & talk"
    )
    page = client.get(f"/events/{event.id}").text
    assert "<script>alert(1)</script>" not in page
    assert "Agenda:<br>\n1. &lt;script&gt;alert(1)&lt;/script&gt;<br>\n2. Coffee &amp; talk" in page


def test_a_cancelled_event_stays_visible_marked_with_the_reason(client, network, make_event):
    event = make_event("Reykjavík study visit")
    cancel_event(event, "The venue is closed for repairs.")
    db.session.commit()
    page = client.get(f"/events/{event.id}")
    assert page.status_code == 200
    assert "Cancelled" in page.text
    assert "The venue is closed for repairs." in page.text
    assert "Cancelled" in client.get("/events/").text
    assert "Reykjavík study visit" in client.get("/calendar/2027/1").text


def test_the_online_link_is_shown_to_coordinators_only(
    client, auth, make_user, network, make_event
):
    from nscal.accounts.models import AccountRole

    event = make_event("Online call", online_url="https://meet.example/secret-room")
    make_user("member@example.org")
    make_user("coordinator@example.org", account_role=AccountRole.coordinator)

    assert "secret-room" not in client.get(f"/events/{event.id}").text
    auth.login("member@example.org")
    assert "secret-room" not in client.get(f"/events/{event.id}").text
    assert "shared with registered participants" in client.get(f"/events/{event.id}").text
    auth.logout()
    auth.login("coordinator@example.org")
    assert 'href="https://meet.example/secret-room"' in client.get(f"/events/{event.id}").text


def test_the_event_page_has_a_place_for_registration(app):
    placeholder = Path(app.template_folder) / "events" / "_registration.html"
    detail = (Path(app.template_folder) / "events" / "detail.html").read_text()
    assert placeholder.exists()
    assert '{% include "events/_registration.html" %}' in detail


# --- times in the viewer's zone --------------------------------------------------------


@pytest.fixture
def copenhagen_meetings(network, make_event):
    return {
        "winter": make_event("Winter meeting", start=wall(2027, 1, 13, 10)),
        "summer": make_event(
            "Summer meeting", start=wall(2027, 7, 14, 10), end=wall(2027, 7, 14, 11, 30)
        ),
    }


@pytest.mark.parametrize(
    ("city", "season", "expected"),
    [
        ("helsinki", "winter", "11:00–12:30 EET · 10:00–11:30 CET in Copenhagen"),
        ("helsinki", "summer", "11:00–12:30 EEST · 10:00–11:30 CEST in Copenhagen"),
        ("nuuk", "winter", "07:00–08:30 UTC−2 (Nuuk) · 10:00–11:30 CET in Copenhagen"),
        ("reykjavik", "summer", "08:00–09:30 GMT · 10:00–11:30 CEST in Copenhagen"),
        ("copenhagen", "winter", "10:00–11:30 CET"),
    ],
)
def test_members_read_times_in_their_city_zone_beside_the_event_zone(
    client, auth, make_user, copenhagen_meetings, city, season, expected
):
    make_user("reader@example.org", city=city)
    auth.login("reader@example.org")
    event = copenhagen_meetings[season]
    for path in (f"/events/{event.id}", "/events/", "/"):
        assert expected in page_text(client.get(path)), path
    if city == "copenhagen":
        assert "CET in Copenhagen" not in page_text(client.get(f"/events/{event.id}"))


def test_the_account_zone_wins_over_the_city_zone(client, auth, make_user, copenhagen_meetings):
    make_user("reader@example.org", city="helsinki", timezone="America/Nuuk")
    auth.login("reader@example.org")
    text = page_text(client.get(f"/events/{copenhagen_meetings['winter'].id}"))
    assert "07:00–08:30 UTC−2 (Nuuk)" in text
    assert header_zone(client.get("/")).startswith("Times in Nuuk (UTC−2)")
    assert "Your choice is kept in your account" in page_text(client.get("/zone"))


def test_calendar_cells_show_times_in_the_viewer_zone(client, auth, make_user, copenhagen_meetings):
    make_user("reader@example.org", city="helsinki")
    auth.login("reader@example.org")
    month = client.get("/calendar/2027/1").text
    assert '<span class="day-time">11:00–12:30</span>' in month
    assert "11:00–12:30" in page_text(client.get("/calendar/2027"))


def test_anonymous_visitors_see_each_event_in_its_own_zone_until_they_pick_one(
    client, copenhagen_meetings
):
    winter = copenhagen_meetings["winter"]
    first = client.get(f"/events/{winter.id}")
    assert header_zone(first) == "Times in each event's own zone · Change time zone"
    assert f'href="/zone?next=/events/{winter.id}"' in first.text
    assert '<label for="tz">Show times in</label>' in client.get("/zone").text
    assert "10:00–11:30 CET (Copenhagen time)" in page_text(first)

    picked = client.get(f"/events/{winter.id}?tz=Europe/Helsinki")
    assert "11:00–12:30 EET · 10:00–11:30 CET in Copenhagen" in page_text(picked)
    assert '<option value="Europe/Helsinki" selected>' in client.get("/zone").text

    # Remembered for the rest of the visit, on every page.
    assert '<span class="day-time">11:00–12:30</span>' in client.get("/calendar/2027/1").text
    assert header_zone(client.get("/events/")).startswith("Times in Helsinki (EET)")

    back = client.get(f"/events/{winter.id}?tz=")
    assert "10:00–11:30 CET (Copenhagen time)" in page_text(back)


def test_an_unknown_zone_is_refused_with_a_message(client, copenhagen_meetings):
    response = client.get("/events/?tz=Mars/Olympus_Mons")
    assert response.status_code == 200
    assert "is not a time zone we know" in html.unescape(response.text)
    assert header_zone(response).startswith("Times in each event's own zone")


def test_the_zone_picker_keeps_the_filters(client, programme):
    page = client.get("/events/?kind=summit&page=1").text
    assert 'href="/zone?next=/events/?kind%3Dsummit"' in page
    picker = client.get("/zone?next=/events/?kind%3Dsummit").text
    assert '<input type="hidden" name="next" value="/events/?kind=summit">' in picker


# --- the calendar ----------------------------------------------------------------------


@pytest.fixture
def summit_days(network, make_event):
    """An all-day summit over the turn of the month: 30 January to 2 February 2027."""
    return make_event(
        "Nordic summit",
        kind=EventKind.summit,
        all_day=True,
        start=date(2027, 1, 30),
        end=date(2027, 2, 3),
        timezone="Europe/Helsinki",
    )


def test_the_month_view_is_a_grid_of_weeks_starting_on_monday(client, summit_days):
    response = client.get("/calendar/2027/1")
    assert response.status_code == 200
    page = response.text
    headers = re.findall(r'<th scope="col"><abbr title="(\w+)">', page)
    assert headers == [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
    assert "<h1>January 2027</h1>" in page
    assert 'rel="prev" href="/calendar/2026/12"' in page
    assert 'rel="next" href="/calendar/2027/2"' in page
    # 1 January 2027 is a Friday: four days of December before it.
    first_week = page.split("<tbody>")[1].split("</tr>")[0]
    assert first_week.count('class="outside"') == 4


def test_all_day_events_appear_on_every_day_they_cover(client, summit_days):
    link = f'href="/events/{summit_days.id}"'
    january = client.get("/calendar/2027/1").text
    grid, day_list = january.split("</table>")
    assert grid.count(link) == 2  # 30 and 31 January
    assert day_list.count(link) == 2
    february = client.get("/calendar/2027/2").text.split("</table>")[0]
    assert february.count(link) == 2  # 1 and 2 February; 3 February is the exclusive end
    assert "30 January – 2 February 2027" in page_text(client.get(f"/events/{summit_days.id}"))
    assert "30 January – 2 February 2027" in page_text(client.get("/events/"))


def test_all_day_events_keep_their_dates_in_any_zone(client, auth, make_user, summit_days):
    make_user("reader@example.org", city="nuuk")
    auth.login("reader@example.org")
    grid = client.get("/calendar/2027/1").text.split("</table>")[0]
    assert grid.count(f'href="/events/{summit_days.id}"') == 2
    assert "30 January – 2 February 2027" in page_text(client.get(f"/events/{summit_days.id}"))


def test_the_year_view_lists_twelve_months_and_their_events_by_day(client, auth, summit_days):
    response = client.get("/calendar/2027")
    assert response.status_code == 200
    page = response.text
    assert "<h1>Calendar 2027</h1>" in page
    months = re.findall(r'<h2 id="month-\d+"><a href="/calendar/2027/\d+">(\w+)</a></h2>', page)
    assert months[0] == "January" and months[-1] == "December" and len(months) == 12
    text = page_text(response)
    assert "Sat 30" in text and "Nordic summit" in text
    assert text.count("Nordic summit") == 2  # once in January, once in February
    assert 'rel="next" href="/calendar/2028"' in page


def test_the_year_view_says_for_members_when_logged_in(client, auth, make_user):
    make_user("reader@example.org")
    auth.login("reader@example.org")
    assert "<h1>Calendar 2027 for members</h1>" in client.get("/calendar/2027").text


@pytest.fixture
def busy_day(network, make_event):
    """14 March 2027 with eight events (an all-day one, then hourly meetings from 09:00),
    15 March with one."""
    meetings = [
        make_event(
            f"Meeting at {hour}", start=wall(2027, 3, 14, hour), end=wall(2027, 3, 14, hour, 45)
        )
        for hour in range(15, 8, -1)  # created out of order: the page orders them
    ]
    whole_day = make_event(
        "Day of prevention", all_day=True, start=date(2027, 3, 14), end=date(2027, 3, 15)
    )
    quiet = make_event("Quiet meeting", start=wall(2027, 3, 15, 10), end=wall(2027, 3, 15, 11))
    return whole_day, sorted(meetings, key=lambda event: event.starts_at), quiet


def year_day(page: str, day: str) -> str:
    """The year page's entry (its <dd>) for ``day`` ("2027-03-14")."""
    return page.split(f'<time datetime="{day}">', 1)[1].split("</dd>", 1)[0]


def test_a_busy_day_of_the_year_shows_its_first_three_events_and_links_the_rest(client, busy_day):
    whole_day, meetings, quiet = busy_day
    page = client.get("/calendar/2027").text
    listed = re.findall(r'href="/events/(\d+)"', year_day(page, "2027-03-14"))
    assert listed == [str(event.id) for event in (whole_day, *meetings[:2])]
    more = re.findall(
        r'<a class="(to-grid|to-list)" href="([^"]+)" aria-label="([^"]+)">([^<]+)</a>',
        year_day(page, "2027-03-14"),
    )
    # One link for the month's grid (wide screens), one for its list (phones): the
    # style sheet shows the one whose target is shown.
    assert more == [
        ("to-grid", "/calendar/2027/3#d-2027-03-14", "5 more events on 14 March", "+ 5 more"),
        ("to-list", "/calendar/2027/3#l-2027-03-14", "5 more events on 14 March", "+ 5 more"),
    ]
    assert "more" not in year_day(page, "2027-03-15")
    assert f'href="/events/{quiet.id}"' in year_day(page, "2027-03-15")
    # The link leads to the day on the month page, which lists every event of it.
    month = client.get("/calendar/2027/3").text
    cell = month.split('<td id="d-2027-03-14"', 1)[1].split("</td>", 1)[0]
    assert len(re.findall(r'href="/events/\d+"', cell)) == 8
    listed_day = month.split('<dt id="l-2027-03-14">', 1)[1].split("</dd>", 1)[0]
    assert len(re.findall(r'href="/events/\d+"', listed_day)) == 8


def test_a_day_shows_as_many_events_however_many_it_has(client, busy_day, make_event):
    before = client.get("/calendar/2027").text
    for n in range(20):
        make_event(f"Late meeting {n}", start=wall(2027, 3, 14, 20), end=wall(2027, 3, 14, 21))
    assert count_statements(client, "/calendar/2027") == 1
    after = client.get("/calendar/2027").text
    assert len(after) - len(before) < 10  # "+ 25 more" for "+ 5 more", a longer label
    assert year_day(after, "2027-03-14").count('href="/events/') == 3
    assert 'aria-label="25 more events on 14 March">+ 25 more</a>' in after


def test_one_more_event_is_said_in_the_singular_and_in_the_readers_language(
    client, network, make_event
):
    for hour in (9, 10, 11, 12):
        make_event(
            f"Meeting at {hour}", start=wall(2027, 3, 14, hour), end=wall(2027, 3, 14, hour, 45)
        )
    english = year_day(client.get("/calendar/2027").text, "2027-03-14")
    assert 'aria-label="1 more event on 14 March">+ 1 more</a>' in english
    danish = year_day(client.get("/calendar/2027?lang=da").text, "2027-03-14")
    assert 'aria-label="1 arrangement mere den 14. marts">+ 1 mere</a>' in danish
    finnish = year_day(client.get("/calendar/2027?lang=fi").text, "2027-03-14")
    assert 'aria-label="14. maaliskuuta vielä 1 tapahtuma">+ 1 muu</a>' in finnish


def test_calendar_without_a_year_goes_to_this_year(client):
    response = client.get("/calendar/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/calendar/2026")


@pytest.mark.parametrize(
    "path",
    [
        "/calendar/1899",
        "/calendar/2201",
        "/calendar/99999999999999999999",
        "/calendar/2027/0",
        "/calendar/2027/13",
        "/calendar/2027/99999999999999999999",
        "/calendar/-1",
        "/events/99999999999999999999999",
        "/events/0",
        "/events/abc",
    ],
)
def test_impossible_pages_are_friendly_404s(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Traceback" not in response.text
    assert "<h1>" in response.text


@pytest.mark.parametrize("path", ["/calendar/1969", "/calendar/2200", "/calendar/2200/1"])
def test_the_calendar_covers_the_years_1970_to_2199(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "The calendar covers the years 1970 to 2199." in response.text


def test_the_first_and_last_calendar_pages_are_shown_without_a_link_beyond(client):
    first, last = client.get("/calendar/1970/1"), client.get("/calendar/2199")
    assert (first.status_code, last.status_code) == (200, 200)
    assert 'rel="prev"' not in first.text and 'rel="next"' in first.text
    assert 'rel="next"' not in last.text and 'rel="prev"' in last.text


def test_the_first_and_last_calendar_years_have_no_link_beyond(client):
    assert 'rel="prev"' not in client.get("/calendar/1900").text
    assert 'rel="next"' not in client.get("/calendar/2200/12").text


# --- efficiency ------------------------------------------------------------------------


def test_the_list_needs_as_many_queries_for_thirty_events_as_for_three(
    client, auth, make_user, network, make_event
):
    make_user("reader@example.org", city="oslo")
    auth.login("reader@example.org")
    cities = ("helsinki", "malmo", "oslo", "nuuk", "reykjavik")
    roles = (("mayor",), ("practitioner", "leader"), ())

    def add(n: int):
        make_event(
            f"Meeting {n}",
            host_city=cities[n % len(cities)],
            audience=roles[n % len(roles)],
            start=wall(2027, 1 + n % 12, 1 + n % 28, 10),
            end=wall(2027, 1 + n % 12, 1 + n % 28, 11),
        )

    for n in range(3):
        add(n)
    few = count_statements(client, "/events/")
    for n in range(3, 30):
        add(n)
    many = count_statements(client, "/events/")
    assert few == many
    assert count_statements(client, "/calendar/2027") <= few


@pytest.mark.parametrize(
    "zone",
    # Changes of clocks at 01:00 UTC, at local midnight (Santiago, Havana, Beirut), by half
    # an hour (Lord Howe), and none (Reykjavik).
    [
        "Europe/Oslo",
        "America/Santiago",
        "America/Havana",
        "Asia/Beirut",
        "Australia/Lord_Howe",
        "Atlantic/Reykjavik",
    ],
)
def test_the_year_page_finds_the_days_an_event_covers_as_event_days_does(zone):
    # The year page counts events on days by bisecting each zone's midnights; where it
    # finds a day, it is the day ``day_span`` (and so ``event_days``) gives.
    from nscal.events.display import day_span
    from nscal.events.views.calendar import _midnights, _stored

    tz = ZoneInfo(zone)
    moment, stop = datetime(2026, 12, 30, tzinfo=UTC), datetime(2028, 1, 2, tzinfo=UTC)
    for text in (True, False):  # SQLite's text, PostgreSQL's datetimes
        midnights = _midnights(zone, 2027, text)
        found, start = 0, moment
        while start < stop:
            for length in (timedelta(minutes=30), timedelta(hours=5), timedelta(days=1)):
                first = midnights.day_of(_stored(start, text))
                last = midnights.day_ending(_stored(start + length, text))
                if first is None or last is None:
                    continue
                found += 1
                days = (first, max(first, last))
                assert days == day_span(start, start + length, False, None, None, tz)
            start += timedelta(minutes=30)
        assert found > 0.95 * 3 * (stop - moment) / timedelta(minutes=30)


def test_the_year_page_escapes_what_people_typed(client, network, make_event):
    # The year's days are written as HTML in Python (``_year_rows``), not by the
    # template's autoescaping: a title is still text, however it looks.
    title = '<img src=x onerror=alert(1)> & "Møde"'
    for hour in (9, 10, 11, 12):  # the fourth hidden: its day has a "+ 1 more" too
        make_event(
            f"{title} {hour}", start=wall(2027, 3, 14, hour), end=wall(2027, 3, 14, hour, 45)
        )
    page = client.get("/calendar/2027").text
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &#34;Møde&#34; 9" in page
