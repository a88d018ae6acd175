"""Feeds do not depend on the session: a calendar app sending a browser's cookies costs
no user query and gets no cookie back, and shared caches are not told to vary by it."""

import pytest

from nscal.db import db
from nscal.events.models import Visibility
from nscal.security import HEADERS
from tests.feeds.test_feed_views import counted_queries


@pytest.fixture
def logged_in(app, client, make_user, auth):
    make_user("anna@example.org")
    auth.login("anna@example.org")
    return client


@pytest.fixture
def paths(demo, make_event, make_user):
    event = make_event("Public summit", host_city="malmo")
    person = make_user(participant_role="mayor")
    return [
        "/calendar.ics",
        "/cities/malmo/calendar.ics",
        f"/feeds/{person.feed_token}.ics",
        f"/events/{event.id}.ics",
    ]


def _cost(client, path, headers=None):
    # As a worker's fresh request would: nothing already in the identity map.
    db.session.expunge_all()
    with counted_queries() as statements:
        response = client.get(path, headers=headers or {})
    return response, len(statements)


@pytest.mark.parametrize("index", range(4))
def test_a_session_cookie_costs_a_feed_nothing(app, client, logged_in, paths, index):
    path = paths[index]
    anonymous = app.test_client()
    etag = anonymous.get(path).headers["ETag"]  # renders and caches
    for headers in ({}, {"If-None-Match": etag}):
        plain, plain_cost = _cost(anonymous, path, headers)
        with_cookie, cookie_cost = _cost(logged_in, path, headers)
        assert with_cookie.status_code == plain.status_code == (304 if headers else 200)
        assert cookie_cost == plain_cost
        for response in (plain, with_cookie):
            assert "Set-Cookie" not in response.headers
            assert "Cookie" not in response.headers.get("Vary", "")
            for name, value in HEADERS.items():
                assert response.headers[name] == value


def test_the_per_event_file_of_a_public_event_costs_one_query_when_current(
    logged_in, demo, make_event
):
    event = make_event("Public summit", host_city="malmo")
    etag = logged_in.get(f"/events/{event.id}.ics").headers["ETag"]
    response, cost = _cost(logged_in, f"/events/{event.id}.ics", {"If-None-Match": etag})
    assert response.status_code == 304
    assert cost == 1


def test_a_members_only_event_file_still_knows_who_asks(client, auth, make_user, make_event):
    event = make_event("Members' assembly", visibility=Visibility.members)
    assert client.get(f"/events/{event.id}.ics").status_code == 404
    make_user("anna@example.org")
    auth.login("anna@example.org")
    response = client.get(f"/events/{event.id}.ics")
    assert response.status_code == 200
    assert "Cookie" in response.headers.get("Vary", "")  # its answer depends on the cookie


def test_pages_keep_their_session(logged_in):
    response = logged_in.get("/account")
    assert response.status_code == 200
    assert "Cookie" in response.headers.get("Vary", "")
