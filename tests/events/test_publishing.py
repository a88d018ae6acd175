"""Publishing you can trust: the confirmation page with unfinished drafts and open
conflicts, publishing exactly what it listed, returning an event to draft, accepting a
conflict, deleting a draft only after a second step, and an expired event form."""

import re
from datetime import datetime

import pytest

from nscal.accounts.models import AccountRole
from nscal.db import db
from nscal.events.models import Event, EventFormat, EventStatus
from nscal.events.publishing import unfinished_reasons
from nscal.registrations.services import register_for_event
from tests.conftest import csrf_token_from


@pytest.fixture
def coordinator(network, make_user, auth):
    user = make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")
    return user


def wall(*args) -> datetime:
    return datetime(*args)  # noqa: DTZ001 - wall-clock time in the event's zone


NOON = {"start": wall(2027, 3, 10, 12), "end": wall(2027, 3, 10, 13)}
READY = {"description": "The agenda is attached.", "online_url": "https://meet.example.org/x"}


def page(response) -> str:
    return response.get_data(as_text=True)


def post(client, path: str, data: dict | None = None, **kwargs):
    token = csrf_token_from(client.get("/manage/events/"))
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def listed_item(html: str, event: Event) -> str:
    """One event's item on the confirmation page."""
    start = html.index(f'<li id="publish-{event.id}"')
    following = html.find('<li id="publish-', start + 1)
    return html[start : following if following > 0 else None]


# --- what looks unfinished --------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"description": "Draft: the annual meeting."}, ["The description starts with “Draft”."]),
        ({"description": "TBD"}, ["The description starts with “TBD”."]),
        ({"description": "todo: agenda"}, ["The description starts with “todo”."]),
        ({"description": "XXX fill in"}, ["The description starts with “XXX”."]),
        ({"description": "  "}, ["It has no description."]),
        ({"description": "Drafting the city plans together."}, []),
        ({"online_url": ""}, ["There is no online link for an online event."]),
        (
            {"format": EventFormat.in_person, "online_url": "", "venue": ""},
            ["There is no venue for an in-person event."],
        ),
        (
            {"format": EventFormat.hybrid, "online_url": "", "venue": ""},
            [
                "There is no venue for a hybrid event.",
                "There is no online link for a hybrid event.",
            ],
        ),
        ({"format": EventFormat.in_person, "online_url": "", "venue": "City Hall"}, []),
    ],
)
def test_drafts_that_look_unfinished_say_why(fields, expected):
    event = Event(**{"format": EventFormat.online, "venue": "", **READY, **fields})
    assert unfinished_reasons(event) == expected


# --- publishing the year asks first -----------------------------------------------------


def test_publishing_the_year_shows_what_would_be_published_and_publishes_nothing_yet(
    client, coordinator, make_event
):
    ready = make_event("Ready call", status=EventStatus.draft, **READY, **NOON)
    sketch = make_event(
        "Annual meeting",
        status=EventStatus.draft,
        description="Draft: the association's annual meeting.",
        online_url="https://meet.example.org/annual",
        start=wall(2027, 6, 9, 13),
        end=wall(2027, 6, 9, 15),
    )
    clash = make_event("Board", status=EventStatus.draft, **READY, **NOON)
    make_event("Published already", **READY, start=wall(2027, 2, 1, 12), end=wall(2027, 2, 1, 13))

    html = page(client.get("/manage/calendar/2027"))
    assert 'href="/manage/calendar/2027/publish"' in html  # a link, not a one-click form
    response = client.get("/manage/calendar/2027/publish")

    html = page(response)
    assert response.status_code == 200
    assert "Publish 3 drafts of 2027?" in html
    assert "Published already" not in html
    assert "1 looks unfinished and is not ticked" in html
    assert "2 have conflicts nobody has accepted" in html
    flagged = listed_item(html, sketch)
    assert "Looks unfinished: The description starts with “Draft”." in flagged
    assert f'value="{sketch.id}" id="confirm-{sketch.id}">' in flagged  # not ticked
    assert f'value="{ready.id}" id="confirm-{ready.id}" checked>' in listed_item(html, ready)
    assert "Conflict: Overlaps “Board”" in listed_item(html, ready)
    assert 'name="confirmed" value="yes"' in html
    assert all(e.status is EventStatus.draft for e in (ready, sketch, clash))


def test_the_confirmation_publishes_exactly_the_ids_it_listed(client, coordinator, make_event):
    ready = make_event("Ready call", status=EventStatus.draft, **READY, **NOON)
    html = page(client.get("/manage/calendar/2027/publish"))
    listed = [int(n) for n in re.findall(r'name="event_ids" value="(\d+)"', html)]
    assert listed == [ready.id]
    # Someone drafts another event while the page is open.
    meanwhile = make_event(
        "Drafted meanwhile", status=EventStatus.draft, **READY, start=wall(2027, 4, 1, 12),
        end=wall(2027, 4, 1, 13),
    )  # fmt: skip

    response = post(
        client,
        "/manage/calendar/2027/publish-selected",
        {"event_ids": [str(n) for n in listed], "confirmed": "yes"},
        follow_redirects=True,
    )

    assert "Published 1 event." in page(response)
    assert ready.status is EventStatus.published
    assert meanwhile.status is EventStatus.draft


def test_ticked_drafts_are_confirmed_before_they_are_published(client, coordinator, make_event):
    first = make_event("First", status=EventStatus.draft, **READY, **NOON)
    empty = make_event("Empty", status=EventStatus.draft, audience=("mayor",), **NOON)

    response = post(
        client,
        "/manage/calendar/2027/publish-selected",
        {"event_ids": [str(first.id), str(empty.id)]},
    )

    html = page(response)
    assert "Publish 2 drafts of 2027?" in html
    assert "Looks unfinished: It has no description." in listed_item(html, empty)
    assert (first.status, empty.status) == (EventStatus.draft, EventStatus.draft)


def test_publishing_one_event_asks_first_too(client, coordinator, make_event):
    draft = make_event("Sketch", status=EventStatus.draft, description="TODO", **NOON)

    html = page(post(client, f"/manage/events/{draft.id}/publish"))

    assert "Publish “Sketch”?" in html
    assert "Looks unfinished: The description starts with “TODO”." in html
    assert draft.status is EventStatus.draft


# --- accepting a conflict ---------------------------------------------------------------


def test_an_accepted_conflict_is_shown_as_accepted_and_no_longer_warns(
    client, coordinator, make_event
):
    board = make_event("Board", status=EventStatus.draft, **READY, **NOON)
    summit = make_event("Summit", status=EventStatus.draft, **READY, **NOON)
    assert "2 with conflicts" in page(client.get("/manage/calendar/2027"))

    response = post(
        client,
        f"/manage/events/{board.id}/conflicts",
        {"conflict": f"overlap:{summit.id}"},
        follow_redirects=True,
    )

    html = page(response)
    assert "Accepted for “Board”: Overlaps “Summit”" in html
    assert "Accepted conflict: Overlaps “Summit”" in html
    assert "Accepted conflict: Overlaps “Board”" in html  # the pair, from either side
    assert "no open conflicts" in html
    confirmation = page(client.get("/manage/calendar/2027/publish"))
    assert "No warnings" in confirmation
    assert "Accepted conflict: Overlaps “Summit”" in listed_item(confirmation, board)

    response = post(
        client,
        f"/manage/events/{summit.id}/conflicts",
        {"conflict": f"overlap:{board.id}", "undo": "yes"},
        follow_redirects=True,
    )
    assert "2 with conflicts" in page(response)


def test_accepted_office_hours_lapse_when_the_time_changes(client, coordinator, make_event):
    call = make_event("Early call", **READY, start=wall(2027, 1, 13, 9), end=wall(2027, 1, 13, 10))
    post(client, f"/manage/events/{call.id}/conflicts", {"conflict": "outside-hours"})
    assert "Accepted conflict: Outside 08:00–18:00: starts 06:00 in Nuuk." in page(
        client.get("/manage/calendar/2027")
    )

    call.starts_at = call.starts_at.replace(hour=7)  # 08:00 in Copenhagen, 05:00 in Nuuk
    db.session.commit()

    html = page(client.get("/manage/calendar/2027"))
    assert "Conflict: Outside 08:00–18:00: starts 05:00 in Nuuk." in html
    assert "Accepted conflict" not in html


def test_a_conflict_that_is_not_there_cannot_be_accepted(client, coordinator, make_event):
    alone = make_event("Alone", **READY, **NOON)

    response = post(
        client, f"/manage/events/{alone.id}/conflicts", {"conflict": "overlap:999"},
        follow_redirects=True,
    )  # fmt: skip

    assert "That conflict is no longer there" in page(response)


# --- returning to draft -----------------------------------------------------------------


def test_an_event_nobody_registered_for_returns_to_draft_and_leaves_the_feed(
    client, coordinator, make_event
):
    event = make_event(
        "Spring call", **READY, start=wall(2099, 3, 10, 12), end=wall(2099, 3, 10, 13)
    )
    assert event.uid in page(client.get("/calendar.ics"))
    edit_page = page(client.get(f"/manage/events/{event.id}/edit"))
    assert f'href="/manage/events/{event.id}/unpublish"' in edit_page

    confirm = page(client.get(f"/manage/events/{event.id}/unpublish"))
    assert "Nobody has registered" in confirm
    assert event.status is EventStatus.published
    response = post(client, f"/manage/events/{event.id}/unpublish", follow_redirects=True)

    assert "is a draft again" in page(response)
    assert (event.status, event.sequence) == (EventStatus.draft, 1)
    assert event.uid not in page(client.get("/calendar.ics"))

    post(client, f"/manage/events/{event.id}/publish", {"confirmed": "yes"})
    assert (event.status, event.sequence) == (EventStatus.published, 2)
    assert event.uid in page(client.get("/calendar.ics"))


def test_an_event_with_registrations_stays_published_and_the_page_says_why(
    client, coordinator, make_event, make_user
):
    event = make_event("Summit", **READY, start=wall(2099, 3, 10, 12), end=wall(2099, 3, 10, 13))
    register_for_event(event.id, make_user().id)
    db.session.commit()

    confirm = page(client.get(f"/manage/events/{event.id}/unpublish"))
    assert "It stays published." in confirm
    assert "1 person has registered" in confirm
    assert f'href="/manage/events/{event.id}/cancel"' in confirm
    assert "Return to draft</button>" not in confirm

    response = post(client, f"/manage/events/{event.id}/unpublish", follow_redirects=True)
    assert "Cancel the event instead" in page(response)
    assert event.status is EventStatus.published

    cancel_page = page(client.get(f"/manage/events/{event.id}/cancel"))
    assert "The person registered or waiting for a place is told by mail." in cancel_page


# --- deleting a draft -------------------------------------------------------------------


def test_deleting_a_draft_takes_a_second_step(client, coordinator, make_event):
    draft = make_event("Sketch", status=EventStatus.draft, **NOON)
    draft_id = draft.id
    edit_page = page(client.get(f"/manage/events/{draft_id}/edit"))
    assert f'href="/manage/events/{draft_id}/delete">Delete this draft…</a>' in edit_page
    assert f'action="/manage/events/{draft_id}/delete"' not in edit_page

    confirm = page(client.get(f"/manage/events/{draft_id}/delete"))
    assert "Delete “Sketch”?" in confirm
    assert "This cannot be undone." in confirm
    assert db.session.get(Event, draft_id) is not None

    response = post(client, f"/manage/events/{draft_id}/delete")
    assert response.headers["Location"] == "/manage/events/"
    assert db.session.get(Event, draft_id) is None


# --- an expired event form --------------------------------------------------------------


def test_an_expired_event_form_comes_back_with_what_was_typed(client, coordinator):
    client.get("/manage/events/new")
    with client.session_transaction() as session:
        session.pop("csrf_token", None)  # the session's token is gone, as after a long wait

    response = client.post(
        "/manage/events/new",
        data={
            "csrf_token": "from-a-page-open-all-night",
            "title": "Night-time safety workshop",
            "kind": "workshop",
            "description": "How cities keep their streets safe at night.",
            "format": "online",
            "timezone": "Europe/Copenhagen",
            "start_date": "2027-10-06",
            "start_time": "13:00",
            "end_time": "15:00",
            "visibility": "public",
        },
    )

    html = page(response)
    assert response.status_code == 400
    assert "The page was open too long; check and send again." in html
    assert 'value="Night-time safety workshop"' in html
    assert "How cities keep their streets safe at night." in html
    assert db.session.query(Event).count() == 0
    # The page carries a fresh token: sending it again saves the event.
    token = csrf_token_from(response)
    again = client.post(
        "/manage/events/new",
        data={
            "csrf_token": token,
            "title": "Night-time safety workshop",
            "kind": "workshop",
            "format": "online",
            "host_city": "0",
            "timezone": "Europe/Copenhagen",
            "start_date": "2027-10-06",
            "start_time": "13:00",
            "end_time": "15:00",
            "visibility": "public",
        },
    )
    assert again.status_code == 302
    assert db.session.query(Event).count() == 1


def test_an_expired_form_is_not_shown_to_someone_logged_out(client, network):
    response = client.post("/manage/events/new", data={"title": "Secret", "csrf_token": "x"})

    assert response.status_code == 400
    assert "Secret" not in page(response)
