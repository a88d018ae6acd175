"""The JSON API for city websites: /api/events, /api/events/<id>, /api/openapi.json.

Every response these tests receive is checked against the OpenAPI document's schemas.
"""

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import jsonschema
import pytest
import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask import g
from openapi_spec_validator import validate as validate_spec

from nscal.accounts.models import AccountRole
from nscal.api.openapi import OPENAPI
from nscal.db import db, utcnow
from nscal.events.models import EventFormat, EventKind, EventStatus, Visibility
from nscal.events.services import cancel_event
from nscal.registrations.models import RegistrationStatus
from nscal.registrations.services import (
    cancel_registration,
    register_for_event,
    save_registration_settings,
    spots_left,
    spots_left_for,
)
from nscal.urls import external_url
from tests.conftest import stored_long_ago

BEFORE = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # before every 2027 event: registration open
ALL_2027 = {"from": "2027-01-01T00:00:00Z", "to": "2028-01-01T00:00:00Z"}


# --- checking responses against the OpenAPI document -----------------------------------


def schema_validator(schema: dict) -> jsonschema.Draft202012Validator:
    """A validator for ``schema`` whose ``#/components/...`` references reach the document."""
    root = {"allOf": [schema], "components": OPENAPI["components"]}
    return jsonschema.Draft202012Validator(
        root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def check(schema_name: str, instance) -> None:
    schema_validator({"$ref": f"#/components/schemas/{schema_name}"}).validate(instance)


def api_get(client, path: str, **params):
    """GET an API path; the body must be JSON that matches the documented schema."""
    response = client.get(path, query_string=params or None)
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:300]
    body = response.get_json()
    if response.status_code == 200:
        schema = {"/api/events": "EventList", "/api/openapi.json": None}.get(
            urlsplit(path).path, "Event"
        )
        if schema:
            check(schema, body)
    else:
        assert response.status_code in (400, 404)
        check("Error", body)
    return response


def listed(client, **params) -> list[dict]:
    response = api_get(client, "/api/events", **{**ALL_2027, **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["events"]


def titles(client, **params) -> list[str]:
    return [event["title"] for event in listed(client, **params)]


def wall(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time in the event's own zone (naive on purpose), as ``make_event`` takes it."""
    return datetime(year, month, day, hour, minute)  # noqa: DTZ001


def wall_clock(instant: datetime, zone: str = "UTC") -> datetime:
    """An instant as naive wall-clock time in ``zone``, as ``make_event`` takes it."""
    return instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


# --- the event object ------------------------------------------------------------------


def test_an_event_has_every_field_in_its_documented_format(network, client, make_event):
    event = make_event(
        "Safe nightlife",
        host_city="copenhagen",
        audience=("practitioner", "mayor"),
        capacity=40,
        format=EventFormat.hybrid,
        venue="Copenhagen City Hall",
        online_url="https://meet.example.org/secret-room",
        description="Experiences from Copenhagen and Oslo.",
    )
    [shown] = listed(client)
    assert shown == {
        "id": event.id,
        "uid": event.uid,
        "title": "Safe nightlife",
        "kind": "city-meeting",
        "status": "published",
        "timezone": "Europe/Copenhagen",
        "starts_at": "2027-01-13T10:00:00+01:00",
        "ends_at": "2027-01-13T11:30:00+01:00",
        "all_day": False,
        "start_date": None,
        "end_date": None,
        "host_city": "copenhagen",
        "host_city_name": "Copenhagen",
        "host_city_country": "Denmark",
        "url": f"https://calendar.test/events/{event.id}",
        "ics_url": f"https://calendar.test/events/{event.id}.ics",
        "capacity": 40,
        "spots_left": 40,
        "format": "hybrid",
        "visibility": "public",
        "audience": ["practitioner", "mayor"],
        "venue": "Copenhagen City Hall",
        "description": "Experiences from Copenhagen and Oslo.",
        "title_translations": {},
        "description_translations": {},
        "cancel_reason": None,
        "sequence": event.sequence,
        "updated_at": event.updated_at.astimezone(UTC).isoformat(timespec="seconds"),
    }
    assert shown["url"] == external_url("events.detail", event_id=event.id)


def test_the_online_link_is_never_shown(network, client, auth, make_user, make_event):
    event = make_event(online_url="https://meet.example.org/secret-room")
    user = make_user()
    auth.login(user.email)
    for path in ("/api/events", f"/api/events/{event.id}"):
        text = api_get(client, path, **ALL_2027).get_data(as_text=True)
        assert "secret-room" not in text
        assert "online_url" not in text


@pytest.mark.parametrize(
    ("zone", "start", "starts_at"),
    [
        ("Europe/Copenhagen", wall(2027, 1, 13, 10, 0), "2027-01-13T10:00:00+01:00"),
        ("Europe/Copenhagen", wall(2027, 7, 13, 10, 0), "2027-07-13T10:00:00+02:00"),
        ("Europe/Helsinki", wall(2027, 1, 13, 10, 0), "2027-01-13T10:00:00+02:00"),
        ("Europe/Helsinki", wall(2027, 7, 13, 10, 0), "2027-07-13T10:00:00+03:00"),
        ("America/Nuuk", wall(2027, 1, 13, 10, 0), "2027-01-13T10:00:00-02:00"),
        ("America/Nuuk", wall(2027, 7, 13, 10, 0), "2027-07-13T10:00:00-01:00"),
        # Nuuk changes its clocks on Saturday night (01:00 UTC), not early on Sunday.
        ("America/Nuuk", wall(2027, 3, 27, 22, 0), "2027-03-27T22:00:00-02:00"),
        ("America/Nuuk", wall(2027, 3, 28, 0, 30), "2027-03-28T00:30:00-01:00"),
        ("America/Nuuk", wall(2027, 10, 30, 22, 0), "2027-10-30T22:00:00-01:00"),
        ("America/Nuuk", wall(2027, 10, 31, 0, 30), "2027-10-31T00:30:00-02:00"),
        ("Atlantic/Reykjavik", wall(2027, 1, 13, 10, 0), "2027-01-13T10:00:00+00:00"),
        ("Atlantic/Reykjavik", wall(2027, 7, 13, 10, 0), "2027-07-13T10:00:00+00:00"),
    ],
)
def test_times_carry_the_events_own_offset_in_winter_and_summer(
    client, make_event, zone, start, starts_at
):
    event = make_event(timezone=zone, start=start, end=start + timedelta(minutes=30))
    shown = api_get(client, f"/api/events/{event.id}").get_json()
    assert shown["starts_at"] == starts_at
    assert shown["timezone"] == zone
    instant = datetime.fromisoformat(shown["starts_at"])
    assert instant == event.starts_at
    assert instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == start


def test_an_event_across_the_spring_change_has_two_offsets(client, make_event):
    event = make_event(
        start=wall(2027, 3, 27, 20, 0),
        end=wall(2027, 3, 28, 12, 0),
    )
    shown = api_get(client, f"/api/events/{event.id}").get_json()
    assert (shown["starts_at"], shown["ends_at"]) == (
        "2027-03-27T20:00:00+01:00",
        "2027-03-28T12:00:00+02:00",
    )


def test_all_day_events_have_local_dates_with_an_exclusive_end(network, client, make_event):
    summit = make_event(
        "Summit",
        kind=EventKind.summit,
        timezone="Europe/Helsinki",
        host_city="helsinki",
        all_day=True,
        start=date(2027, 6, 9),
        end=date(2027, 6, 11),
    )
    one_day = make_event(
        "Workshop day",
        timezone="Atlantic/Reykjavik",
        all_day=True,
        start=date(2027, 1, 20),
        end=date(2027, 1, 20),
    )
    shown = api_get(client, f"/api/events/{summit.id}").get_json()
    assert shown["all_day"] is True
    assert (shown["start_date"], shown["end_date"]) == ("2027-06-09", "2027-06-11")
    assert (shown["starts_at"], shown["ends_at"]) == (
        "2027-06-09T00:00:00+03:00",
        "2027-06-11T00:00:00+03:00",
    )
    shown = api_get(client, f"/api/events/{one_day.id}").get_json()
    assert (shown["start_date"], shown["end_date"]) == ("2027-01-20", "2027-01-21")
    assert (shown["starts_at"], shown["ends_at"]) == (
        "2027-01-20T00:00:00+00:00",
        "2027-01-21T00:00:00+00:00",
    )


def test_a_cancelled_event_stays_listed_with_its_reason(client, make_event):
    event = make_event("Webinar", kind=EventKind.webinar)
    cancel_event(event, "The speaker is ill.")
    db.session.commit()
    [shown] = listed(client)
    assert shown["status"] == "cancelled"
    assert shown["cancel_reason"] == "The speaker is ill."
    assert shown["sequence"] == event.sequence


def test_one_event_is_the_same_object_as_in_the_list(network, client, make_event):
    event = make_event(host_city="nuuk", timezone="America/Nuuk", capacity=10)
    [in_list] = listed(client)
    assert api_get(client, f"/api/events/{event.id}").get_json() == in_list


def test_a_method_the_api_does_not_take_is_a_json_405_that_says_which_it_does(client):
    for path in ("/api/events", "/api/events/1", "/api/openapi.json"):
        response = client.open(path, method="TRACE")
        assert response.status_code == 405
        assert response.is_json
        check("Error", response.get_json())
        assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
        assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", ["/api/events/999999", f"/api/events/{2**64}", "/api/events/x"])
def test_a_missing_event_is_a_json_404(app, client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["error"]
    # Other sites may read the error too, but nobody may cache it for long.
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "no-cache"


def test_the_ics_url_leads_to_the_events_calendar_file(client, make_event):
    event = make_event()
    shown = api_get(client, f"/api/events/{event.id}").get_json()
    path = urlsplit(shown["ics_url"]).path
    assert path == f"/events/{event.id}.ics"


# --- filters and windows ---------------------------------------------------------------


@pytest.fixture
def calendar(network, make_event):
    """A few 2027 events across cities, kinds and audiences."""
    make_event("Copenhagen meeting", host_city="copenhagen")
    make_event(
        "Mayors' summit",
        kind=EventKind.summit,
        host_city="helsinki",
        timezone="Europe/Helsinki",
        audience=("mayor", "leader"),
        start=wall(2027, 6, 9, 9, 0),
        end=wall(2027, 6, 10, 16, 0),
    )
    make_event(
        "Practitioners' workshop",
        kind=EventKind.workshop,
        host_city="oslo",
        timezone="Europe/Oslo",
        audience=("practitioner",),
        start=wall(2027, 3, 3, 13, 0),
        end=wall(2027, 3, 3, 16, 0),
    )
    make_event(
        "Online kick-off",
        kind=EventKind.kick_off,
        start=wall(2027, 2, 1, 10, 0),
        end=wall(2027, 2, 1, 11, 0),
    )


def test_events_come_ordered_by_start(client, calendar):
    assert titles(client) == [
        "Copenhagen meeting",
        "Online kick-off",
        "Practitioners' workshop",
        "Mayors' summit",
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"city": "copenhagen"}, ["Copenhagen meeting"]),
        ({"city": "helsinki"}, ["Mayors' summit"]),
        ({"city": "nuuk"}, []),
        ({"kind": "summit"}, ["Mayors' summit"]),
        ({"kind": "kick-off"}, ["Online kick-off"]),
        # A role gets the events for it and the events for everyone.
        ({"role": "mayor"}, ["Copenhagen meeting", "Online kick-off", "Mayors' summit"]),
        (
            {"role": "practitioner"},
            ["Copenhagen meeting", "Online kick-off", "Practitioners' workshop"],
        ),
        ({"role": "politician"}, ["Copenhagen meeting", "Online kick-off"]),
        ({"role": "mayor", "city": "oslo"}, []),
        ({"kind": "workshop", "role": "practitioner"}, ["Practitioners' workshop"]),
        ({"city": "", "kind": "", "role": ""}, None),  # empty filters filter nothing
    ],
)
def test_filters(client, calendar, params, expected):
    everything = titles(client)
    assert titles(client, **params) == (everything if expected is None else expected)


def test_the_window_includes_an_event_already_running_at_its_start(client, make_event):
    make_event(
        "Two-day summit",
        start=wall(2027, 5, 10, 9, 0),
        end=wall(2027, 5, 11, 17, 0),
    )
    make_event(
        "Ended at the start",
        start=wall(2027, 5, 10, 9, 0),
        end=wall(2027, 5, 11, 0, 0),
    )
    make_event(
        "Starts at the end",
        start=wall(2027, 5, 12, 0, 0),
        end=wall(2027, 5, 12, 9, 0),
    )
    window = {"from": "2027-05-11T00:00:00+02:00", "to": "2027-05-12T00:00:00+02:00"}
    assert titles(client, **window) == ["Two-day summit"]


def test_a_date_is_the_start_of_that_day_in_utc_or_in_tz(client, make_event):
    # 23:30 in Helsinki on 12 January is 21:30 UTC: the 12th in UTC, almost the 13th there.
    make_event(
        "Late in Helsinki",
        timezone="Europe/Helsinki",
        start=wall(2027, 1, 12, 23, 30),
        end=wall(2027, 1, 12, 23, 45),
    )
    assert titles(client, **{"from": "2027-01-12", "to": "2027-01-13"}) == ["Late in Helsinki"]
    assert titles(client, **{"from": "2027-01-13", "to": "2027-01-14"}) == []
    helsinki_12th = {"from": "2027-01-12", "to": "2027-01-13", "tz": "Europe/Helsinki"}
    assert titles(client, **helsinki_12th) == ["Late in Helsinki"]
    body = api_get(client, "/api/events", **helsinki_12th).get_json()
    assert (body["from"], body["to"]) == ("2027-01-12T00:00:00+02:00", "2027-01-13T00:00:00+02:00")


def test_an_unencoded_plus_in_the_offset_is_understood(client, make_event):
    make_event()  # 10:00–11:30 Copenhagen on 13 January 2027
    response = client.get("/api/events?from=2027-01-13T11:00:00+01:00&to=2027-01-14T00:00:00Z")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["from"] == "2027-01-13T11:00:00+01:00"
    assert [event["title"] for event in response.get_json()["events"]] == ["City meeting"]


def test_by_default_the_window_runs_from_now_for_a_year(client, make_event):
    now = utcnow()
    for title, days in (("Yesterday", -1), ("Next week", 7), ("In 11 months", 335)):
        start = wall_clock(now + timedelta(days=days))
        make_event(title, timezone="UTC", start=start, end=start + timedelta(hours=1))
    start = wall_clock(now + timedelta(days=400))
    make_event("In 13 months", timezone="UTC", start=start, end=start + timedelta(hours=1))
    body = api_get(client, "/api/events").get_json()
    assert [event["title"] for event in body["events"]] == ["Next week", "In 11 months"]
    start, end = datetime.fromisoformat(body["from"]), datetime.fromisoformat(body["to"])
    assert abs(start - now) < timedelta(minutes=1)
    assert start + relativedelta(years=1) == end


def test_an_empty_from_or_to_is_the_default_like_an_empty_filter(client, make_event):
    start = wall_clock(utcnow() + timedelta(days=7))
    make_event("Next week", timezone="UTC", start=start, end=start + timedelta(hours=1))
    for params in ({"to": ""}, {"from": ""}, {"from": " ", "to": "", "tz": "", "limit": ""}):
        body = api_get(client, "/api/events", **params).get_json()
        assert [event["title"] for event in body["events"]] == ["Next week"], params
        start, end = datetime.fromisoformat(body["from"]), datetime.fromisoformat(body["to"])
        assert start + relativedelta(years=1) == end
        assert body["limit"] == 100
    documented = OPENAPI["components"]["parameters"].values()
    assert all(parameter["allowEmptyValue"] for parameter in documented)


def test_pages_follow_next_to_the_end(client, make_event):
    for day in range(1, 6):
        make_event(f"Day {day}", start=wall(2027, 2, day, 10, 0), end=wall(2027, 2, day, 11, 0))
    seen, path, params = [], "/api/events", {**ALL_2027, "limit": "2"}
    pages = 0
    while path:
        body = api_get(client, path, **params).get_json()
        pages += 1
        assert body["total"] == 5
        assert body["count"] == len(body["events"]) <= 2
        seen += [event["title"] for event in body["events"]]
        if body["next"] is None:
            break
        link = urlsplit(body["next"])
        assert f"{link.scheme}://{link.netloc}" == "https://calendar.test"
        path, params = f"{link.path}?{link.query}", {}
    assert pages == 3
    assert seen == [f"Day {day}" for day in range(1, 6)]


def test_a_page_beyond_the_end_is_empty(client, make_event):
    make_event()
    body = api_get(client, "/api/events", **ALL_2027, offset="10").get_json()
    assert (body["events"], body["count"], body["total"], body["next"]) == ([], 0, 1, None)


# --- who sees what ---------------------------------------------------------------------


@pytest.fixture
def hidden(make_event):
    """A public event, a members-only one and a draft."""
    make_event("Public meeting")
    members = make_event("Members' meeting", visibility=Visibility.members)
    draft = make_event("Draft summit", status=EventStatus.draft)
    return members, draft


def test_anonymous_visitors_see_only_public_published_events(client, hidden):
    members, draft = hidden
    assert titles(client) == ["Public meeting"]
    for event in (members, draft):
        response = api_get(client, f"/api/events/{event.id}")
        assert response.status_code == 404


def test_members_also_see_members_only_events_but_no_drafts(client, auth, make_user, hidden):
    members, draft = hidden
    auth.login(make_user().email)
    assert titles(client) == ["Public meeting", "Members' meeting"]
    assert api_get(client, f"/api/events/{members.id}").get_json()["visibility"] == "members"
    assert api_get(client, f"/api/events/{draft.id}").status_code == 404


def test_coordinators_also_see_drafts(client, auth, make_user, hidden):
    _members, draft = hidden
    auth.login(make_user(account_role=AccountRole.coordinator).email)
    assert titles(client) == ["Public meeting", "Members' meeting", "Draft summit"]
    assert api_get(client, f"/api/events/{draft.id}").get_json()["status"] == "draft"


def test_anonymous_answers_are_public_and_open_to_other_sites(client, make_event):
    event = make_event()
    for path in ("/api/events", f"/api/events/{event.id}", "/api/openapi.json"):
        response = client.get(path, headers={"Origin": "https://www.aarhus.dk"})
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=60"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response.headers
        assert "Cookie" in response.headers["Vary"]
        assert "Set-Cookie" not in response.headers


def test_answers_for_a_logged_in_person_are_private_and_same_origin(
    client, auth, make_user, make_event
):
    event = make_event()
    auth.login(make_user().email)
    for path in ("/api/events", f"/api/events/{event.id}"):
        response = client.get(path, headers={"Origin": "https://evil.example"})
        assert response.status_code == 200
        assert response.headers["Cache-Control"].startswith("private")
        assert "Access-Control-Allow-Origin" not in response.headers


# --- bad parameters --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "parameter", "hint"),
    [
        ({"from": "tomorrow"}, "from", "YYYY-MM-DD"),
        ({"from": "2027-02-30"}, "from", "not a day"),
        ({"from": "2027-13-01T00:00:00Z"}, "from", "not a real date"),
        ({"from": "2027-01-01T25:00:00+01:00"}, "from", "not a real date"),
        ({"from": "2027-01-01T10:00"}, "from", "no offset"),
        ({"to": "2027-01-01T10:00:00"}, "to", "no offset"),
        ({"to": "1/2/2027"}, "to", "YYYY-MM-DD"),
        ({"from": "20270101"}, "from", "YYYY-MM-DD"),
        ({"from": "x" * 5000}, "from", "YYYY-MM-DD"),
        ({"from": "0001-01-01T00:00:00+01:00"}, "from", "years 1 to 9999"),
        ({"to": "9999-12-31T23:00:00-05:00"}, "to", "years 1 to 9999"),
        ({"from": "0001-01-01", "tz": "Europe/Copenhagen"}, "from", "years 1 to 9999"),
        ({"from": "2027-02-01", "to": "2027-01-01"}, "from", "after to"),
        ({"from": "2028-01-01T00:00:00Z", "to": None}, "from", None),  # default to: ok
        ({"tz": "Mars/Olympus_Mons"}, "tz", "IANA"),
        ({"kind": "meetup"}, "kind", "city-meeting"),
        ({"city": "atlantis"}, "city", "copenhagen"),
        ({"role": "astronaut"}, "role", "practitioner"),
        ({"limit": "0"}, "limit", "1 to 500"),
        ({"limit": "501"}, "limit", "1 to 500"),
        ({"limit": "ten"}, "limit", "1 to 500"),
        ({"limit": "²"}, "limit", "1 to 500"),
        ({"offset": "-1"}, "offset", "whole number"),
        ({"offset": "9" * 40}, "offset", "whole number"),
        ({"offset": "9" * 5000}, "offset", "whole number"),  # beyond int()'s digit limit
    ],
)
def test_bad_parameters_are_a_400_saying_what_is_expected(network, client, params, parameter, hint):
    query = {**ALL_2027, **params}
    query = {key: value for key, value in query.items() if value is not None}
    response = api_get(client, "/api/events", **query)
    if hint is None:
        assert response.status_code == 200
        return
    assert response.status_code == 400
    body = response.get_json()
    assert body["parameter"] == parameter
    assert parameter in body["error"]
    assert hint in body["detail"]
    assert len(body["detail"]) < 600


def test_unknown_slugs_are_named_in_the_answer(network, client):
    for name, value in (("city", "Atlantis"), ("kind", "Party"), ("role", "Wizard")):
        detail = api_get(client, "/api/events", **{name: value}).get_json()["detail"]
        assert repr(value) in detail


def test_the_end_of_time_is_as_far_as_the_default_window_goes(client):
    body = api_get(client, "/api/events", **{"from": "9999-06-01"}).get_json()
    assert body["to"] == "9999-12-31T23:59:59+00:00"


# --- places ----------------------------------------------------------------------------


def test_spots_left_counts_confirmed_and_pending_registrations(client, make_event, make_user):
    event = make_event(capacity=3)
    open_event = make_event("No limit")

    def register(user):
        registration = register_for_event(event.id, user.id, now=BEFORE)
        db.session.commit()
        return registration

    def shown() -> int | None:
        return api_get(client, f"/api/events/{event.id}").get_json()["spots_left"]

    first = make_user()
    assert register(first).status is RegistrationStatus.confirmed
    assert shown() == 2
    save_registration_settings(
        event.id,
        capacity=3,
        city_limit=None,
        quotas={},
        opens_at=None,
        closes_at=None,
        requires_approval=True,
        waitlist=True,
        self_cancel=True,
    )
    db.session.commit()
    assert register(make_user()).status is RegistrationStatus.pending
    assert shown() == 1
    assert register(make_user()).status is RegistrationStatus.pending
    assert register(make_user()).status is RegistrationStatus.waitlisted
    assert shown() == 0  # the waiting list holds no place
    cancel_registration(event.id, first.id, now=BEFORE)
    db.session.commit()
    assert shown() == 0  # the freed place went to the next in line
    assert shown() == spots_left(event)
    assert api_get(client, f"/api/events/{open_event.id}").get_json()["spots_left"] is None
    assert spots_left_for([event, open_event]) == {event.id: 0, open_event.id: None}


def test_spots_left_is_never_negative(client, make_event, make_user):
    event = make_event(capacity=1)
    register_for_event(event.id, make_user().id, now=BEFORE)
    db.session.commit()
    event.capacity = 0  # lowered below the places already held
    db.session.commit()
    assert api_get(client, f"/api/events/{event.id}").get_json()["spots_left"] == 0


def _statements_for(client, path: str, **params):
    """The SQL statements one request runs, from a fresh session as in production.

    The tests share one app context with the requests, so the session and the user
    Flask-Login keeps on ``g`` would otherwise outlive a request.
    """
    db.session.remove()
    g.pop("_login_user", None)
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = api_get(client, path, **params)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200
    return response.get_json(), statements


@pytest.mark.parametrize("logged_in", [False, True])
def test_a_page_of_thirty_events_takes_as_many_queries_as_three(
    network, client, auth, make_user, make_event, logged_in
):
    cities = ("copenhagen", "helsinki", "nuuk", "reykjavik", "oslo")
    registrant = make_user(participant_role="mayor", city="malmo")
    registrant_id, registrant_email = registrant.id, registrant.email

    def add(number: int):
        event = make_event(
            f"Event {number}",
            start=wall(2027, 3, 1, 8, 0) + timedelta(days=number),
            end=wall(2027, 3, 1, 9, 0) + timedelta(days=number),
            host_city=cities[number % len(cities)],
            audience=("mayor", "leader") if number % 2 else (),
            capacity=10 + number,
        )
        register_for_event(event.id, registrant_id, now=BEFORE)
        db.session.commit()

    if logged_in:
        auth.login(registrant_email)
    for number in range(3):
        add(number)
    few, few_statements = _statements_for(client, "/api/events", **ALL_2027)
    for number in range(3, 30):
        add(number)
    many, many_statements = _statements_for(client, "/api/events", **ALL_2027)
    assert (few["count"], many["count"]) == (3, 30)
    assert all(event["spots_left"] == event["capacity"] - 1 for event in many["events"])
    assert len(many_statements) == len(few_statements), many_statements


# --- the OpenAPI document --------------------------------------------------------------


def test_the_openapi_document_is_valid_and_served(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate_spec(document)
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "https://calendar.test"}]
    assert set(document["paths"]) == {
        "/api/events",
        "/api/events/{event_id}",
        "/api/events/{event_id}/programme",
        "/api/openapi.json",
    }


def _resolve(node: dict) -> dict:
    if "$ref" in node:
        _hash, _components, kind, name = node["$ref"].split("/")
        return OPENAPI["components"][kind][name]
    return node


def _schemas_with_examples(node):
    if isinstance(node, dict):
        if isinstance(node.get("examples"), list):
            yield node
        for value in node.values():
            yield from _schemas_with_examples(value)
    elif isinstance(node, list):
        for value in node:
            yield from _schemas_with_examples(value)


def _examples_of(holder: dict) -> list:
    """The examples of a parameter or media type object (``example`` or ``examples``)."""
    values = [holder["example"]] if "example" in holder else []
    return values + [example["value"] for example in holder.get("examples", {}).values()]


def test_every_example_validates_against_its_own_schema():
    checked = 0
    for schema in _schemas_with_examples(OPENAPI["components"]["schemas"]):
        for example in schema["examples"]:
            schema_validator(schema).validate(example)
            checked += 1
    holders = list(OPENAPI["components"]["parameters"].values())
    for path in OPENAPI["paths"].values():
        for operation in path.values():
            holders += [_resolve(parameter) for parameter in operation.get("parameters", [])]
            for response in operation["responses"].values():
                holders += list(response.get("content", {}).values())
    for holder in holders:
        for example in _examples_of(holder):
            schema_validator(holder["schema"]).validate(example)
            checked += 1
    assert checked > 40


def test_the_schema_catches_what_the_contract_forbids():
    good = OPENAPI["components"]["schemas"]["Event"]["examples"][0]
    for broken in (
        {**good, "starts_at": "2027-01-13T09:00:00Z"},  # an offset, not Z
        {**good, "starts_at": "2027-01-13T10:00:00"},  # no offset at all
        {**good, "online_url": "https://meet.example.org/x"},
        {**good, "kind": "party"},
        {key: value for key, value in good.items() if key != "spots_left"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            check("Event", broken)


def test_the_documented_parameters_are_the_ones_the_api_reads(client, network):
    parameters = [
        _resolve(parameter) for parameter in OPENAPI["paths"]["/api/events"]["get"]["parameters"]
    ]
    names = {parameter["name"] for parameter in parameters}
    assert names == {"from", "to", "tz", "city", "kind", "role", "limit", "offset"}
    assert {p["name"]: p["schema"].get("enum") for p in parameters}["kind"] == [
        kind.value for kind in EventKind
    ]
    for name in names:  # each one is read: a bad value is refused, by name
        response = api_get(client, "/api/events", **{name: "???"})
        assert response.get_json().get("parameter") == name


def test_the_document_describes_exactly_the_fields_an_answer_has(client, make_event):
    event = make_event()
    shown = api_get(client, f"/api/events/{event.id}").get_json()
    documented = OPENAPI["components"]["schemas"]["Event"]
    assert set(documented["properties"]) == set(documented["required"]) == set(shown)
    page = api_get(client, "/api/events", **ALL_2027).get_json()
    documented = OPENAPI["components"]["schemas"]["EventList"]
    assert set(documented["properties"]) == set(documented["required"]) == set(page)


def test_every_documented_parameter_has_a_description_and_an_example():
    for parameter in OPENAPI["components"]["parameters"].values():
        assert parameter["description"]
        for example in parameter["schema"]["examples"]:
            schema_validator(parameter["schema"]).validate(example)


def test_the_error_examples_are_what_the_api_answers(network, client):
    examples = OPENAPI["paths"]["/api/events"]["get"]["responses"]["400"]["content"][
        "application/json"
    ]["examples"]
    answer = api_get(client, "/api/events", **{"from": "2027-01-01T00:00"}).get_json()
    assert answer == examples["no_offset"]["value"]
    window = {"from": "2027-02-01T00:00:00Z", "to": "2027-01-01T00:00:00Z"}
    assert api_get(client, "/api/events", **window).get_json() == examples["reversed"]["value"]
    [example] = OPENAPI["components"]["schemas"]["Error"]["examples"]
    assert api_get(client, "/api/events", kind="meetup").get_json() == example


def test_times_before_standard_time_are_written_in_utc_and_read_back(client, make_event):
    # Helsinki kept local mean time (+01:39:49) until 1921: no offset RFC 3339 can write.
    for day in (10, 11):
        event = make_event(f"Day {day}", timezone="Europe/Helsinki")
        stored_long_ago(event, wall(1900, 1, day, 12, 0), wall(1900, 1, day, 13, 0))
    window = {"from": "1900-01-01", "to": "1900-02-01", "tz": "Europe/Helsinki", "limit": "1"}
    body = api_get(client, "/api/events", **window).get_json()
    assert (body["from"], body["to"]) == ("1899-12-31T22:20:11+00:00", "1900-01-31T22:20:11+00:00")
    assert body["events"][0]["starts_at"] == "1900-01-10T10:20:11+00:00"
    link = urlsplit(body["next"])
    body = api_get(client, f"{link.path}?{link.query}").get_json()
    assert [event["title"] for event in body["events"]] == ["Day 11"]
