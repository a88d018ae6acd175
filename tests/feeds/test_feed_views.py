"""The feed URLs: who sees what, HTTP caching, and the private feed's address."""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from nscal.db import db
from nscal.events.models import EventFormat, EventKind, EventStatus, Visibility
from nscal.events.services import cancel_event
from tests.conftest import csrf_token_from
from tests.feeds.interop import check_bytes, read_with_icalendar


@contextmanager
def counted_queries():
    """Counts the SQL statements sent while inside the block."""
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def uids(response) -> set[str]:
    return set(read_with_icalendar(response.data))


@pytest.fixture
def events(demo, make_event):
    """A public event, a members-only one for mayors, one for practitioners, a draft."""
    return {
        "public": make_event("Public summit", host_city="malmo", kind=EventKind.summit),
        "mayors": make_event(
            "Mayors' table", visibility=Visibility.members, audience=("mayor",), host_city="malmo"
        ),
        "practitioners": make_event(
            "Practitioners' circle", visibility=Visibility.members, audience=("practitioner",)
        ),
        "members_all": make_event("Members' assembly", visibility=Visibility.members),
        "draft": make_event("Draft plan", status=EventStatus.draft, host_city="malmo"),
        "online_oslo": make_event(
            "Oslo webinar", host_city="oslo", format=EventFormat.online, kind=EventKind.webinar
        ),
        "in_person_oslo": make_event(
            "Oslo workshop", host_city="oslo", format=EventFormat.in_person, venue="Oslo City Hall"
        ),
    }


def test_the_public_feed_is_calendar_text_folded_and_uncompressed(client, events):
    response = client.get("/calendar.ics", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Content-Encoding" not in response.headers
    assert response.headers["Cache-Control"] == "public, max-age=300, no-transform"
    assert response.headers["Content-Disposition"].startswith("inline; filename=")
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Last-Modified"]
    check_bytes(response.data)
    text = response.get_data(as_text=True)
    for line in (
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Nordic Safe Cities",
        "NAME:Nordic Safe Cities",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        "CALSCALE:GREGORIAN",
    ):
        assert f"\r\n{line}\r\n" in text
    assert "X-WR-TIMEZONE" not in text


def test_members_only_events_and_drafts_are_never_in_public_feeds(client, events):
    public = uids(client.get("/calendar.ics"))
    city = uids(client.get("/cities/malmo/calendar.ics"))
    assert events["public"].uid in public and events["public"].uid in city
    for name in ("mayors", "practitioners", "members_all", "draft"):
        assert events[name].uid not in public
        assert events[name].uid not in city


def test_the_public_feed_filters_like_the_event_list(client, events):
    summits = client.get("/calendar.ics?kind=summit")
    assert events["public"].uid in uids(summits) and events["online_oslo"].uid not in uids(summits)
    categories = summits.get_data(as_text=True).split("CATEGORIES:")[1:]
    assert categories and all(part.startswith("Summit\r\n") for part in categories)
    malmo = uids(client.get("/calendar.ics?city=malmo"))
    assert events["public"].uid in malmo and events["online_oslo"].uid not in malmo
    # Events for everyone are events for every role.
    assert events["public"].uid in uids(client.get("/calendar.ics?role=mayor"))
    assert client.get("/calendar.ics?kind=party").status_code == 404
    assert client.get("/calendar.ics?city=atlantis").status_code == 404
    assert client.get("/calendar.ics?role=astronaut").status_code == 404


def test_a_city_feed_has_its_own_events_and_the_online_events_for_everyone(client, events):
    oslo = uids(client.get("/cities/oslo/calendar.ics"))
    assert events["online_oslo"].uid in oslo and events["in_person_oslo"].uid in oslo
    malmo = client.get("/cities/malmo/calendar.ics")
    assert "X-WR-CALNAME:Nordic Safe Cities · Malmö" in malmo.get_data(as_text=True)
    assert events["online_oslo"].uid in uids(malmo)  # online, for everyone
    assert events["in_person_oslo"].uid not in uids(malmo)
    assert client.get("/cities/atlantis/calendar.ics").status_code == 404


def test_the_private_feed_adds_the_members_events_meant_for_that_person(client, events, make_user):
    mayor = make_user(participant_role="mayor", city="malmo")
    response = client.get(f"/feeds/{mayor.feed_token}.ics")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, max-age=300, no-transform"
    seen = uids(response)
    assert {events["public"].uid, events["mayors"].uid, events["members_all"].uid} <= seen
    assert events["practitioners"].uid not in seen
    assert events["draft"].uid not in seen
    assert b"X-WR-CALNAME:Nordic Safe Cities (Test Person)" in response.data


def test_an_unknown_or_inactive_feed_token_finds_nothing(client, events, make_user):
    assert client.get("/feeds/not-a-token.ics").status_code == 404
    assert client.get(f"/feeds/{'x' * 43}.ics").status_code == 404
    gone = make_user(active=False)
    assert client.get(f"/feeds/{gone.feed_token}.ics").status_code == 404


def test_the_feed_token_opens_nothing_but_the_feed(client, events, make_user):
    person = make_user()
    client.get(f"/feeds/{person.feed_token}.ics")
    assert client.get("/account").status_code == 302  # still not logged in


def test_resetting_the_feed_url_retires_the_old_one(client, auth, events, make_user):
    person = make_user("anna@example.org")
    old_token = person.feed_token
    auth.login("anna@example.org")
    page = client.get("/account")
    text = page.get_data(as_text=True)
    assert f"webcal://calendar.test/feeds/{old_token}.ics" in text
    assert (
        "https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2Fcalendar.test%2Ffeeds%2F" in text
    )
    assert (
        "https://outlook.office.com/calendar/0/addfromweb?url=https%3A%2F%2Fcalendar.test" in text
    )
    assert f'value="https://calendar.test/feeds/{old_token}.ics" readonly' in text
    response = client.post("/account/feed/reset", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    db.session.refresh(person)
    assert person.feed_token != old_token
    assert client.get(f"/feeds/{old_token}.ics").status_code == 404
    assert client.get(f"/feeds/{person.feed_token}.ics").status_code == 200
    assert person.feed_token in client.get("/account").get_data(as_text=True)


def test_resetting_needs_a_login_and_a_csrf_token(client, auth, make_user):
    assert client.post("/account/feed/reset").status_code in (302, 400)
    make_user("anna@example.org")
    auth.login("anna@example.org")
    assert client.post("/account/feed/reset").status_code == 400


def test_the_per_event_file_is_one_event_to_download(client, events, make_user, auth):
    event = events["public"]
    response = client.get(f"/events/{event.id}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="public-summit.ics"'
    text = response.get_data(as_text=True)
    assert "METHOD:PUBLISH" in text and "X-WR-CALNAME" not in text and "ATTENDEE" not in text
    assert uids(response) == {event.uid}
    assert client.get(f"/events/{events['mayors'].id}.ics").status_code == 404
    assert client.get(f"/events/{events['draft'].id}.ics").status_code == 404
    assert client.get("/events/999999.ics").status_code == 404
    make_user("m@example.org")
    auth.login("m@example.org")
    assert client.get(f"/events/{events['mayors'].id}.ics").status_code == 200
    assert client.get(f"/events/{events['draft'].id}.ics").status_code == 404


@pytest.mark.parametrize(
    "path", ["/calendar.ics", "/cities/malmo/calendar.ics", "/calendar.ics?role=mayor"]
)
def test_an_unchanged_feed_answers_304_to_its_etag(client, events, path):
    first = client.get(path)
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    other = client.get(path, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_an_unchanged_feed_answers_304_to_if_modified_since(client, events):
    first = client.get("/calendar.ics")
    since = first.headers["Last-Modified"]
    assert client.get("/calendar.ics", headers={"If-Modified-Since": since}).status_code == 304
    earlier = "Mon, 01 Jan 2024 00:00:00 GMT"
    assert client.get("/calendar.ics", headers={"If-Modified-Since": earlier}).status_code == 200


def test_if_none_match_compares_weakly_and_decides_over_if_modified_since(client, events):
    first = client.get("/calendar.ics")
    weak = "W/" + first.headers["ETag"]
    assert client.get("/calendar.ics", headers={"If-None-Match": weak}).status_code == 304
    assert client.get("/calendar.ics", headers={"If-None-Match": "*"}).status_code == 304
    stale = {"If-None-Match": '"old"', "If-Modified-Since": first.headers["Last-Modified"]}
    assert client.get("/calendar.ics", headers=stale).status_code == 200
    # A read-only feed pays no heed to If-Match (werkzeug alone would answer 304).
    assert client.get("/calendar.ics", headers={"If-Match": '"old"'}).status_code == 200


def test_a_change_to_an_event_changes_the_etag(client, events):
    first = client.get("/calendar.ics")
    cancel_event(events["public"], "Postponed.")
    db.session.commit()
    response = client.get("/calendar.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert response.status_code == 200
    assert response.headers["ETag"] != first.headers["ETag"]
    assert b"STATUS:CANCELLED" in response.data
    since = first.headers["Last-Modified"]
    assert client.get("/calendar.ics", headers={"If-Modified-Since": since}).status_code in (
        200,
        304,  # Last-Modified has whole seconds: a change within the same second
    )


def test_a_members_only_change_leaves_the_public_etag_alone(client, events):
    first = client.get("/calendar.ics")
    cancel_event(events["mayors"], "Moved online.")
    db.session.commit()
    assert client.get("/calendar.ics").headers["ETag"] == first.headers["ETag"]


def test_head_answers_like_get_without_a_body(client, events):
    get = client.get("/calendar.ics")
    head = client.head("/calendar.ics")
    assert head.status_code == 200
    assert head.data == b""
    for name in ("ETag", "Last-Modified", "Content-Type", "Cache-Control", "Content-Length"):
        assert head.headers[name] == get.headers[name]


def test_a_304_and_a_warm_feed_cost_the_same_few_queries_whatever_the_number_of_events(
    client, events, make_user, make_event
):
    person = make_user(participant_role="mayor")
    private = f"/feeds/{person.feed_token}.ics"

    def costs(path: str) -> tuple[int, int]:
        client.get(path)  # renders what is not stored yet
        with counted_queries() as warm:
            response = client.get(path)
        assert response.status_code == 200
        with counted_queries() as not_modified:
            again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
        return len(warm), len(not_modified)

    # A public feed: the change counter (and, in a worker that has not joined this
    # version yet, the feed's size and its stored VEVENTs).
    assert costs("/calendar.ics") == (1, 1)
    # A private feed: the person by token, the version, the size, the stored VEVENTs
    # and the person's registrations.
    assert costs(private) == (5, 2)
    for n in range(20):
        make_event(f"Meeting {n}", host_city="malmo")
    assert costs("/calendar.ics") == (1, 1)
    assert costs(private) == (5, 2)


def test_feeds_show_the_last_twelve_months_and_everything_ahead(client, make_event):
    now = datetime.now(UTC)
    old = make_event("Long ago")
    recent = make_event("Last month")
    ahead = make_event("Next year")
    for event, days in ((old, -400), (recent, -30), (ahead, 365)):
        event.starts_at = now + timedelta(days=days)
        event.ends_at = event.starts_at + timedelta(hours=2)
    db.session.commit()
    seen = uids(client.get("/calendar.ics"))
    assert recent.uid in seen and ahead.uid in seen and old.uid not in seen
