"""The coordinators' plan of a year: /manage/calendar/<year> with conflicts, publishing
drafts together, and copying last year's series."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from nscal.accounts.models import AccountRole
from nscal.db import db
from nscal.events.models import Event, EventSeries, EventStatus
from tests.conftest import count_statements, csrf_token_from


@pytest.fixture
def coordinator(network, make_user, auth):
    user = make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")
    return user


def wall(*args) -> datetime:
    return datetime(*args)  # noqa: DTZ001 - wall-clock time in the event's zone


def page(response) -> str:
    return response.get_data(as_text=True)


def year_page(client, year: int = 2027) -> str:
    response = client.get(f"/manage/calendar/{year}")
    assert response.status_code == 200
    return page(response)


def event_item(html: str, event: Event) -> str:
    """The list item of one event on the year page."""
    start = html.index(f'<li id="event-{event.id}">')
    end = html.index('<li id="event-', start + 1) if '<li id="event-' in html[start + 1 :] else None
    return html[start:end]


def post(client, path: str, data: dict | None = None, **kwargs):
    token = csrf_token_from(client.get("/manage/calendar/2027"))
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


# Office hours hold everywhere from Nuuk to Helsinki between 11:00 and 15:00 in Copenhagen.
NOON = {"start": wall(2027, 3, 10, 12), "end": wall(2027, 3, 10, 13)}


def test_the_year_shows_drafts_and_published_events_by_month(client, coordinator, make_event):
    january = make_event("January call", start=wall(2027, 1, 13, 12), end=wall(2027, 1, 13, 13))
    september = make_event(
        "Kick-off", status=EventStatus.draft, start=wall(2027, 9, 1, 12), end=wall(2027, 9, 1, 14)
    )
    make_event("Next year", start=wall(2028, 1, 12, 12), end=wall(2028, 1, 12, 13))

    html = year_page(client)

    assert html.index(">January</h2>") < html.index("January call") < html.index(">February</h2>")
    assert html.index(">September</h2>") < html.index("Kick-off") < html.index(">October</h2>")
    assert "Next year" not in html
    assert "13 Jan 2027, 12:00–13:00 CET" in html
    assert f'name="event_ids" value="{september.id}"' in html
    assert f'name="event_ids" value="{january.id}"' not in html  # published already
    assert "2 events, 1 draft," in html


def test_an_overlap_for_the_same_audience_is_flagged(client, coordinator, make_event):
    board = make_event("Mayors' board", audience=("mayor",), **NOON)
    summit = make_event(
        "Mayors' summit",
        audience=("mayor", "leader"),
        start=wall(2027, 3, 10, 12, 30),
        end=wall(2027, 3, 10, 14),
    )

    html = year_page(client)

    assert (
        "Conflict: Overlaps “Mayors&#39; summit” (10 Mar 2027, 12:30–14:00 CET), "
        "same audience: Mayor."
    ) in event_item(html, board)
    assert "Overlaps “Mayors&#39; board”" in event_item(html, summit)
    assert "2 with conflicts" in html


def test_events_for_different_audiences_may_overlap(client, coordinator, make_event):
    make_event("Mayors", audience=("mayor",), **NOON)
    make_event("Practitioners", audience=("practitioner",), **NOON)

    html = year_page(client)

    assert "Conflict:" not in html
    assert "no open conflicts" in html


def test_a_cancelled_event_overlaps_nothing(client, coordinator, make_event):
    make_event("Kept", **NOON)
    make_event("Dropped", status=EventStatus.cancelled, **NOON)

    html = year_page(client)

    assert "Conflict:" not in html
    assert "<strong>Cancelled</strong>" in html


def test_a_nine_oclock_online_meeting_in_copenhagen_is_six_in_nuuk(client, coordinator, make_event):
    call = make_event("Morning call", start=wall(2027, 1, 13, 9), end=wall(2027, 1, 13, 10))

    html = year_page(client)

    assert "Conflict: Outside 08:00–18:00: starts 06:00 in Nuuk." in event_item(html, call)


def test_an_in_person_meeting_is_checked_in_its_host_city(client, coordinator, make_event):
    from nscal.events.models import EventFormat

    late = make_event(
        "Dinner",
        format=EventFormat.in_person,
        host_city="bergen",
        timezone="Europe/Oslo",
        start=wall(2027, 3, 10, 17),
        end=wall(2027, 3, 10, 20),
    )

    item = event_item(year_page(client), late)

    assert "ends 20:00 in Bergen" in item
    assert "Nuuk" not in item


# --- publishing ---------------------------------------------------------------------------


def test_publish_selected_publishes_only_the_ticked_drafts(client, coordinator, make_event):
    first = make_event("First", status=EventStatus.draft, **NOON)
    second = make_event("Second", status=EventStatus.draft, audience=("mayor",), **NOON)
    third = make_event("Third", status=EventStatus.draft, audience=("leader",), **NOON)

    response = post(
        client,
        "/manage/calendar/2027/publish-selected",
        {"event_ids": [str(first.id), str(third.id)], "confirmed": "yes"},
        follow_redirects=True,
    )

    assert "Published 2 events." in page(response)
    assert [e.status for e in (first, second, third)] == [
        EventStatus.published,
        EventStatus.draft,
        EventStatus.published,
    ]


def test_publish_selected_ignores_nonsense_and_events_of_other_years(
    client, coordinator, make_event
):
    other_year = make_event(
        "2028", status=EventStatus.draft, start=wall(2028, 3, 1, 12), end=wall(2028, 3, 1, 13)
    )

    response = post(
        client,
        "/manage/calendar/2027/publish-selected",
        {"event_ids": [str(other_year.id)], "confirmed": "yes"},
        follow_redirects=True,
    )
    assert "Published 0 events." in page(response)
    assert other_year.status is EventStatus.draft

    response = post(
        client,
        "/manage/calendar/2027/publish-selected",
        {"event_ids": ["x"]},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Tick the drafts" in page(response)


def test_publish_the_whole_year_after_its_confirmation(client, coordinator, make_event):
    drafts = [make_event(f"Draft {n}", status=EventStatus.draft, **NOON) for n in range(3)]
    next_year = make_event(
        "Later", status=EventStatus.draft, start=wall(2028, 3, 1, 12), end=wall(2028, 3, 1, 13)
    )

    # The old one-click button's endpoint now leads to the confirmation only.
    response = post(client, "/manage/calendar/2027/publish-all", follow_redirects=True)
    confirmation = page(response)
    assert "Publish 3 drafts of 2027?" in confirmation
    assert all(event.status is EventStatus.draft for event in drafts)
    assert "Later" not in confirmation

    response = post(
        client,
        "/manage/calendar/2027/publish-selected",
        {"event_ids": [str(event.id) for event in drafts], "confirmed": "yes"},
        follow_redirects=True,
    )

    assert "Published 3 events." in page(response)
    assert all(event.status is EventStatus.published for event in drafts)
    assert next_year.status is EventStatus.draft


# --- copying series into next year --------------------------------------------------------


def monthly_series(make_event, title: str, year: int, **fields) -> EventSeries:
    first = make_event(
        title,
        start=wall(year, 1, 6, 14),
        end=wall(year, 1, 6, 15),
        timezone="Europe/Helsinki",
        rrule=f"FREQ=MONTHLY;BYDAY=1WE;UNTIL={year}1231T235959",
        **fields,
    )
    return first.series


def test_last_years_series_are_copied_into_the_year_as_drafts(client, coordinator, make_event):
    monthly_series(make_event, "Prevention call", 2027)
    make_event("One-off", **NOON)

    response = post(client, "/manage/calendar/2028/copy-series", follow_redirects=True)

    html = page(response)
    assert "Copied 1 series from 2027 into 2028 as drafts: “Prevention call”." in html
    copies = list(
        db.session.execute(
            sa.select(Event)
            .where(Event.starts_at >= datetime(2028, 1, 1, tzinfo=UTC))
            .order_by(Event.starts_at)
        ).scalars()
    )
    assert len(copies) == 12
    assert all(event.status is EventStatus.draft for event in copies)
    assert all(event.title == "Prevention call" for event in copies)
    starts = [event.local_start for event in copies]
    assert [(s.weekday(), s.day <= 7, s.hour) for s in starts] == [(2, True, 14)] * 12
    assert starts[0].date().isoformat() == "2028-01-05"
    assert "Prevention call" in html  # on the plan of 2028


def test_copying_twice_skips_what_is_already_there(client, coordinator, make_event):
    monthly_series(make_event, "Prevention call", 2027)
    post(client, "/manage/calendar/2028/copy-series")

    response = post(client, "/manage/calendar/2028/copy-series", follow_redirects=True)

    html = page(response)
    assert "No series copied from 2027 into 2028." in html
    assert "Skipped: “Prevention call” is already in 2028." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventSeries)) == 2


def test_a_series_running_on_into_the_year_is_not_copied(client, coordinator, make_event):
    make_event(
        "Open-ended",
        start=wall(2027, 1, 6, 14),
        end=wall(2027, 1, 6, 15),
        rrule="FREQ=MONTHLY;BYDAY=1WE",  # no end: stored two years ahead
    )

    response = post(client, "/manage/calendar/2028/copy-series", follow_redirects=True)

    assert "Skipped: “Open-ended” is already in 2028." in page(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventSeries)) == 1


def test_years_out_of_range_are_not_found(client, coordinator):
    assert client.get("/manage/calendar/0").status_code == 404
    assert client.get("/manage/calendar/99999").status_code == 404


# --- a busy year ---------------------------------------------------------------------------


def test_the_year_pages_need_as_many_queries_for_sixty_events_as_for_ten(
    client, coordinator, make_event
):
    roles = (("mayor",), ("practitioner", "leader"), ())

    def add(n: int):
        day = wall(2027, 1 + n % 12, 1 + n % 28, 12)
        make_event(
            f"Meeting {n}",
            audience=roles[n % 3],
            host_city=("oslo", None)[n % 2],
            status=(EventStatus.draft, EventStatus.published)[n % 2],
            start=day,
            end=day.replace(hour=13),
        )

    for n in range(10):
        add(n)
    few = [count_statements(client, path) for path in ("/manage/calendar/2027", "/calendar/2027")]
    for n in range(10, 60):
        add(n)
    many = [count_statements(client, path) for path in ("/manage/calendar/2027", "/calendar/2027")]

    assert few == many


def test_forty_meetings_at_once_name_three_overlaps_each_and_count_the_rest(
    client, coordinator, make_event
):
    crowd = [make_event(f"Mayors {n}", audience=("mayor",), **NOON) for n in range(40)]

    html = year_page(client)

    for event in crowd:
        item = event_item(html, event)
        assert item.count("Conflict: Overlaps") == 3
        assert "Conflict: and 36 more overlaps for the same audience." in item
    assert html.count("Conflict: Overlaps") == 40 * 3
    assert "40 with conflicts" in html


def test_a_busy_year_is_shown_a_page_at_a_time(client, coordinator, make_event, monkeypatch):
    monkeypatch.setattr("nscal.events.views.manage.PLAN_PAGE_SIZE", 4)
    events = [
        make_event(
            f"Draft {n}",
            status=EventStatus.draft,
            start=wall(2027, 1 + n, 10, 12),
            end=wall(2027, 1 + n, 10, 13),
        )
        for n in range(10)
    ]

    first = year_page(client)
    second = page(client.get("/manage/calendar/2027?page=2"))

    assert "Draft 3" in first and "Draft 4" not in first
    assert "Draft 4" in second and "Draft 7" in second and "Draft 3" not in second
    assert "10 events, 10 drafts," in second
    assert "Page 2 of 3" in second
    assert '<a href="/manage/calendar/2027?page=3#month-9">September</a>' in first
    assert "November: nothing planned" in first
    assert ">May</h2>" in second and ">April</h2>" not in second

    response = post(
        client,
        "/manage/calendar/2027/publish-selected?page=2",
        {"event_ids": [events[5].id], "confirmed": "yes"},
    )

    assert response.headers["Location"].endswith("/manage/calendar/2027?page=2")
    assert db.session.get(Event, events[5].id).status is EventStatus.published
