"""The in-process feed caches keep to the bytes their settings give them."""

import pytest

from nscal.db import db
from nscal.events.services import cancel_event
from tests.feeds.interop import read_with_icalendar


def caches(app) -> dict:
    return app.extensions["nscal.feeds.caches"]


@pytest.fixture
def many_events(network, make_event):
    return [make_event(f"Meeting number {n}", host_city="malmo") for n in range(12)]


def test_the_cache_limits_are_settings(app):
    assert app.config["FEED_VEVENT_CACHE_BYTES"] == 64 * 1024 * 1024
    assert app.config["FEED_BODY_CACHE_BYTES"] == 64 * 1024 * 1024


def test_the_vevent_cache_stays_within_its_bytes_and_feeds_stay_whole(app, client, many_events):
    app.config["FEED_VEVENT_CACHE_BYTES"] = 8_000  # room for a few events, not twelve
    expected = {event.uid for event in many_events}
    first = client.get("/calendar.ics")
    assert set(read_with_icalendar(first.data)) == expected
    vevents = caches(app)["vevents"]
    assert vevents.max_bytes == 8_000
    assert 0 < len(vevents) < len(many_events)
    assert vevents.bytes <= 8_000

    cancel_event(many_events[0], "Postponed.")
    db.session.commit()
    again = client.get("/calendar.ics")
    assert again.headers["ETag"] != first.headers["ETag"]
    assert set(read_with_icalendar(again.data)) == expected
    assert b"STATUS:CANCELLED" in again.data
    assert vevents.bytes <= 8_000


def test_a_feed_larger_than_the_body_cache_is_served_uncached(app, client, many_events):
    app.config["FEED_BODY_CACHE_BYTES"] = 1_000  # smaller than the feed
    first = client.get("/calendar.ics")
    second = client.get("/calendar.ics")
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    assert len(caches(app)["feed-bodies"]) == 0
