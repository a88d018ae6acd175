"""An alarm in a person's private feed, by choice: in the events they registered for,
read by independent parsers; never in public feeds or event files, and never leaking
from one person's feed into another's through the cache."""

import json
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import icalendar
from ical.calendar_stream import IcsCalendarStream

from nscal.db import db
from nscal.registrations.services import register_for_event
from tests.conftest import csrf_token_from
from tests.feeds.interop import ROOT, check_bytes, require_icaljs

ICALJS_ALARMS = Path(__file__).with_name("icaljs_alarms.mjs")
START = datetime(2099, 3, 10, 10, 0)  # noqa: DTZ001 - wall clock in the event's zone
END = datetime(2099, 3, 10, 11, 30)  # noqa: DTZ001


def _alarms_icalendar(data: bytes) -> dict[str, list[tuple[str, timedelta, str]]]:
    calendar = icalendar.Calendar.from_ical(data)
    return {
        str(vevent["UID"]): [
            (str(a["ACTION"]), a.decoded("TRIGGER"), str(a["DESCRIPTION"]))
            for a in vevent.walk("VALARM")
        ]
        for vevent in calendar.walk("VEVENT")
    }


def _alarms_home_assistant(data: bytes) -> dict[str, list[timedelta]]:
    calendar = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    return {event.uid: [alarm.trigger for alarm in event.alarm] for event in calendar.events}


def _alarms_icaljs(data: bytes) -> dict[str, list[int]]:
    require_icaljs()
    result = subprocess.run(
        ["node", str(ICALJS_ALARMS)], input=data, capture_output=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr.decode()
    return {
        uid: [alarm["trigger"] for alarm in alarms]
        for uid, alarms in json.loads(result.stdout).items()
    }


def _set_alarm(client, auth, email, value):
    auth.login(email)
    token = csrf_token_from(client.get("/account"))
    response = client.post("/account/feed-alarm", data={"alarm": value, "csrf_token": token})
    assert response.status_code == 302
    auth.logout()


def test_the_private_feed_carries_the_chosen_alarm_in_registered_events_only(
    client, auth, network, make_user, make_event
):
    registered = make_event("Registered", start=START, end=END)
    other = make_event("Not registered", start=START, end=END)
    aino = make_user("aino@example.org")
    jon = make_user("jon@example.org")
    for person in (aino, jon):
        register_for_event(registered.id, person.id)
    db.session.commit()
    feed = f"/feeds/{aino.feed_token}.ics"
    jon_feed = f"/feeds/{jon.feed_token}.ics"

    # Off by default.
    before = client.get(feed).data
    assert b"VALARM" not in before
    assert b"VALARM" not in client.get(jon_feed).data  # both cached now

    _set_alarm(client, auth, "aino@example.org", "15")
    data = client.get(feed).data
    assert data != before  # a new version, not the cached body
    check_bytes(data)
    assert _alarms_icalendar(data) == {
        registered.uid: [
            ("DISPLAY", timedelta(minutes=-15), "Reminder: an event you registered for starts soon")
        ],
        other.uid: [],
    }
    assert _alarms_home_assistant(data) == {
        registered.uid: [timedelta(minutes=-15)],
        other.uid: [],
    }
    assert _alarms_icaljs(data) == {registered.uid: [-15 * 60], other.uid: []}
    assert b"TRIGGER:-PT15M" in data

    # Jon registered for the same event, his feed shares the cached VEVENT: no alarm.
    assert b"VALARM" not in client.get(jon_feed).data
    # Public feeds and the event's own file never carry one.
    assert b"VALARM" not in client.get("/calendar.ics").data
    assert b"VALARM" not in client.get(f"/events/{registered.id}.ics").data

    _set_alarm(client, auth, "aino@example.org", "1440")
    assert _alarms_home_assistant(client.get(feed).data)[registered.uid] == [timedelta(days=-1)]
    _set_alarm(client, auth, "aino@example.org", "")
    assert b"VALARM" not in client.get(feed).data


def test_the_account_page_offers_the_alarm_and_refuses_other_values(
    client, auth, network, make_user
):
    make_user("aino@example.org")
    auth.login("aino@example.org")
    page = client.get("/account").get_data(as_text=True)
    assert "Add an alarm to my private feed" in page
    assert '<option selected value="">No alarm</option>' in page
    token = csrf_token_from(client.get("/account"))
    response = client.post(
        "/account/feed-alarm", data={"alarm": "7", "csrf_token": token}, follow_redirects=True
    )
    assert "Not a valid choice" in response.get_data(as_text=True)
    response = client.post(
        "/account/feed-alarm", data={"alarm": "60", "csrf_token": token}, follow_redirects=True
    )
    assert '<option selected value="60">1 hour before</option>' in response.get_data(as_text=True)
