"""Coordinators build a programme on one page: add, edit, delete (after a confirmation),
reorder items that start together, copy another event's programme. Times are wall-clock
times in the event's zone: the spring-forward gap is refused, the fall-back hour takes
the first, and every item lies within its event."""

from datetime import date

import pytest
import sqlalchemy as sa

from nscal.accounts.models import AccountRole
from nscal.db import db
from nscal.programme.models import ProgrammeItem
from nscal.programme.services import ItemData, add_item, programme_of
from tests.conftest import csrf_token_from
from tests.programme.conftest import PLENARY_LINK, page_text, wall


@pytest.fixture
def coordinator(auth, make_user):
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")


def builder(event) -> str:
    return f"/manage/events/{event.id}/programme"


def post_item(client, event, **fields):
    token = csrf_token_from(client.get(builder(event)))
    data = {"csrf_token": token, "kind": "talk", "title": "A talk", **fields}
    return client.post(builder(event), data=data)


def titles(event) -> list[str]:
    db.session.expire_all()
    return [item.title for item in programme_of(event)]


def item_named(event, title: str) -> ProgrammeItem:
    return next(item for item in programme_of(event) if item.title == title)


# --- adding and editing ----------------------------------------------------------------


def test_the_event_form_links_to_the_programme_builder(client, coordinator, malmo):
    page = client.get(f"/manage/events/{malmo.id}/edit").text
    assert f'href="/manage/events/{malmo.id}/programme"' in page


def test_a_coordinator_adds_an_item_in_the_events_wall_clock_time(
    client, coordinator, malmo, mayor
):
    response = post_item(
        client,
        malmo,
        title="Evening talk",
        start_date="2027-03-29",
        start_time="16:00",
        end_time="17:00",
        room="Main hall",
        speakers=str(mayor.id),
        other_speakers="Lena Berg, Lund University\nOle Hansen",
    )
    assert response.status_code == 302
    assert "“Evening talk” is added" in page_text(client.get(response.location))
    item = item_named(malmo, "Evening talk")
    assert item.starts_at.isoformat() == "2027-03-29T14:00:00+00:00"  # 16:00 CEST
    assert [speaker.text for speaker in item.speakers] == [
        "Mats Mayor (Malmö)",
        "Lena Berg (Lund University)",
        "Ole Hansen",
    ]


def test_editing_an_item_shows_its_values_and_saves_the_changes(client, coordinator, malmo):
    item = item_named(malmo, "Schools and youth work")
    form = client.get(f"{builder(malmo)}?edit={item.id}").text
    assert 'value="11:15"' in form and 'value="Room A"' in form
    assert "Sara Lind, City of Malmö" in form
    response = post_item(
        client,
        malmo,
        item_id=str(item.id),
        kind="workshop",
        title="Schools, youth work and sport",
        start_date="2027-03-29",
        start_time="11:15",
        end_time="12:45",
        room="Room C",
    )
    assert response.status_code == 302
    db.session.expire_all()
    item = db.session.get(ProgrammeItem, item.id)
    assert (item.title, item.room, item.speakers) == ("Schools, youth work and sport", "Room C", [])
    assert item.ends_at.isoformat() == "2027-03-29T10:45:00+00:00"


def test_a_time_in_the_spring_forward_gap_is_refused_and_named(
    client, coordinator, network, make_event
):
    event = make_event(
        "Weekend seminar",
        timezone="Europe/Stockholm",
        all_day=True,
        start=date(2027, 3, 27),
        end=date(2027, 3, 28),
    )
    response = post_item(
        client, event, start_date="2027-03-28", start_time="02:30", end_time="03:30"
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "2027-03-28 02:30 does not exist in Europe/Stockholm" in text
    assert "the clocks jump from 02:00 to 03:00" in text
    assert titles(event) == []


def test_a_time_that_happens_twice_takes_the_first_and_says_so(
    client, coordinator, network, make_event
):
    event = make_event(
        "Autumn seminar",
        timezone="Europe/Stockholm",
        all_day=True,
        start=date(2027, 10, 31),
        end=date(2027, 10, 31),
    )
    response = post_item(
        client, event, start_date="2027-10-31", start_time="02:30", end_time="04:00"
    )
    assert response.status_code == 302
    assert "happens twice in Europe/Stockholm" in page_text(client.get(response.location))
    item = item_named(event, "A talk")
    assert item.starts_at.isoformat() == "2027-10-31T00:30:00+00:00"  # 02:30 CEST, the first


@pytest.mark.parametrize(
    ("day", "start", "end", "message"),
    [
        (
            "2027-03-28",
            "10:00",
            "11:00",
            "starts before the event does: the event is 29–30 March 2027",
        ),
        (
            "2027-03-31",
            "09:00",
            "10:00",
            "ends after the event does: the event is 29–30 March 2027",
        ),
        ("2027-03-29", "11:00", "10:00", "must end after it starts"),
    ],
)
def test_items_outside_the_event_or_ending_before_they_start_are_refused(
    client, coordinator, malmo, day, start, end, message
):
    before = titles(malmo)
    response = post_item(client, malmo, start_date=day, start_time=start, end_time=end)
    assert response.status_code == 400
    assert message in page_text(response)
    assert titles(malmo) == before


def test_a_timed_event_keeps_its_items_between_its_start_and_end(
    client, coordinator, network, make_event
):
    event = make_event(
        "Afternoon webinar",
        timezone="Europe/Helsinki",
        start=wall(2027, 5, 5, 13, 0),
        end=wall(2027, 5, 5, 15, 0),
    )
    response = post_item(
        client, event, start_date="2027-05-05", start_time="12:30", end_time="13:30"
    )
    assert "the event is Wednesday 5 May 2027, 13:00–15:00 EEST" in page_text(response)
    response = post_item(
        client, event, start_date="2027-05-05", start_time="13:00", end_time="15:00"
    )
    assert response.status_code == 302


def test_missing_and_mistyped_values_are_form_errors(client, coordinator, malmo):
    response = post_item(client, malmo, title="", start_date="2027-02-30", start_time="25:61")
    assert response.status_code == 400
    text = page_text(response)
    assert "Give the item a title." in text
    assert "Give the end time." in text
    response = post_item(
        client,
        malmo,
        start_date="2027-03-29",
        start_time="10:00",
        end_time="11:00",
        online_url="javascript:alert(1)",
    )
    assert "The online link must start with http:// or https://." in page_text(response)


# --- reordering and deleting -----------------------------------------------------------


def action(client, event, path: str, **fields):
    token = csrf_token_from(client.get(builder(event)))
    return client.post(f"{builder(event)}/{path}", data={"csrf_token": token, **fields})


def parallel_order(client, event) -> list[str]:
    page = client.get(f"/events/{event.id}").text
    slot = page.split('class="programme-slot is-parallel', 1)[1].split("programme-slot", 1)[0]
    return [part.split("</p>", 1)[0] for part in slot.split('class="programme-room">')[1:]]


def test_items_that_start_together_move_up_and_down(client, coordinator, malmo):
    assert parallel_order(client, malmo) == ["Room A", "Room B", "Online"]
    room_b = item_named(malmo, "Hate online")
    response = action(client, malmo, "move", item_id=str(room_b.id), direction="up")
    assert "“Hate online” is moved up." in page_text(client.get(response.location))
    assert parallel_order(client, malmo) == ["Room B", "Room A", "Online"]
    action(client, malmo, "move", item_id=str(room_b.id), direction="up")
    assert "already the first" in page_text(client.get(builder(malmo)))
    action(client, malmo, "move", item_id=str(room_b.id), direction="down")
    action(client, malmo, "move", item_id=str(room_b.id), direction="down")
    assert parallel_order(client, malmo) == ["Room A", "Online", "Room B"]
    # Only items with a neighbour at the same start get the buttons.
    page = client.get(builder(malmo)).text
    assert page.count("</span> Move up<") == 2 and page.count("</span> Move down<") == 2


def test_deleting_asks_first_then_deletes(client, coordinator, malmo):
    coffee = item_named(malmo, "Coffee")
    confirm = client.get(f"{builder(malmo)}/delete?item={coffee.id}")
    assert confirm.status_code == 200
    assert "Delete “Coffee”?" in page_text(confirm)
    assert "Coffee" in titles(malmo)
    response = client.post(
        f"{builder(malmo)}/delete",
        data={"csrf_token": csrf_token_from(confirm), "item_id": str(coffee.id)},
    )
    assert "“Coffee” is deleted from the programme." in page_text(client.get(response.location))
    assert "Coffee" not in titles(malmo)
    assert client.get(f"{builder(malmo)}/delete?item={coffee.id}").status_code == 404


def test_an_item_of_another_event_cannot_be_changed_through_this_one(
    client, coordinator, malmo, make_event
):
    other = make_event("Other meeting")
    coffee = item_named(malmo, "Coffee")
    assert client.get(f"{builder(other)}/delete?item={coffee.id}").status_code == 404
    response = action(client, other, "delete", item_id=str(coffee.id))
    assert "no longer in the programme" in page_text(client.get(response.location))
    assert "Coffee" in titles(malmo)


# --- copying ---------------------------------------------------------------------------


def test_copying_a_programme_keeps_the_wall_clock_times_across_the_clock_change(
    client, coordinator, malmo, make_event
):
    # A winter meeting (CET, UTC+1) gets the programme of the Malmö meeting (CEST, UTC+2).
    winter = make_event(
        "Winter meeting in Malmö",
        timezone="Europe/Stockholm",
        all_day=True,
        start=date(2027, 3, 15),
        end=date(2027, 3, 15),  # one day: the second day's items do not fit
    )
    page = client.get(builder(winter)).text
    assert "City network meeting in Malmö (29–30 March 2027)" in page
    response = action(client, winter, "copy", source_event=str(malmo.id))
    text = page_text(client.get(response.location))
    assert "Copied 7 items from “City network meeting in Malmö”" in text
    assert "Online links are not copied" in text
    assert "Not copied: “Site visit: Rosengård” ends after the event does" in text
    db.session.expire_all()
    welcome = item_named(winter, "Welcome to Malmö")
    assert welcome.starts_at.isoformat() == "2027-03-15T08:00:00+00:00"  # 09:00 CET
    assert welcome.online_url == ""
    assert [speaker.text for speaker in welcome.speakers] == ["Mats Mayor (Malmö)"]
    original = item_named(malmo, "Welcome to Malmö")
    assert original.online_url == PLENARY_LINK and original.starts_at.hour == 7
    assert "09:00–09:30 CET Talk: Welcome to Malmö" in page_text(client.get(f"/events/{winter.id}"))


def test_an_event_cannot_copy_its_own_programme(client, coordinator, malmo):
    response = action(client, malmo, "copy", source_event=str(malmo.id))
    assert "Choose another event to copy from." in page_text(client.get(response.location))
    assert len(titles(malmo)) == 9


# --- who may build ---------------------------------------------------------------------


def test_members_cannot_build_a_programme(client, auth, malmo, make_user):
    make_user("member@example.org")
    assert client.get(builder(malmo)).status_code == 302  # to the login page
    auth.login("member@example.org")
    token = csrf_token_from(client.get("/account"))
    assert client.get(builder(malmo)).status_code == 403
    coffee = item_named(malmo, "Coffee")
    for path, data in [
        (
            "",
            {
                "title": "Hijack",
                "start_date": "2027-03-29",
                "start_time": "10:00",
                "end_time": "11:00",
            },
        ),
        ("/move", {"item_id": str(coffee.id), "direction": "up"}),
        ("/delete", {"item_id": str(coffee.id)}),
        ("/copy", {"source_event": str(malmo.id)}),
    ]:
        response = client.post(builder(malmo) + path, data={"csrf_token": token, **data})
        assert response.status_code == 403, path
    assert len(titles(malmo)) == 9


def test_deleting_an_event_deletes_its_programme(app, malmo):
    db.session.delete(malmo)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(ProgrammeItem.id))) == 0


def test_the_service_refuses_an_item_without_a_title(malmo):
    from nscal.programme.services import ProgrammeError

    with pytest.raises(ProgrammeError, match="title"):
        add_item(malmo, ItemData(" ", wall(2027, 3, 29, 10), wall(2027, 3, 29, 11)))
