"""Coordinators manage events through /manage/events/: create, edit, clone, cancel,
delete, publish, and series, with times entered in the event's own zone."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from nscal.accounts.models import AccountRole
from nscal.cities.models import City, ParticipantRole
from nscal.db import db
from nscal.events.models import Event, EventSeries, EventStatus
from nscal.events.repeat_rules import describe_rule, preset_rule
from tests.conftest import csrf_token_from

NEW = "/manage/events/new"


@pytest.fixture
def coordinator(network, make_user, auth):
    user = make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")
    return user


def event_form(**overrides) -> dict:
    """The fields a browser sends for the event form; blank ones as empty strings."""
    data = {
        "title": "City meeting",
        "kind": "city-meeting",
        "description": "",
        "format": "online",
        "host_city": "0",
        "venue": "",
        "online_url": "",
        "timezone": "Europe/Copenhagen",
        "start_date": "2027-01-13",
        "start_time": "10:00",
        "end_date": "",
        "end_time": "11:30",
        "visibility": "public",
        "capacity": "",
        "repeat": "",
        "rrule": "",
        "until": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def submit(client, path: str, data: dict, **kwargs):
    token = csrf_token_from(client.get(path))
    return client.post(path, data={**data, "csrf_token": token}, **kwargs)


def post(client, path: str, data: dict | None = None, **kwargs):
    """A button's POST, with a token taken from the manage list."""
    token = csrf_token_from(client.get("/manage/events/"))
    return client.post(path, data={**(data or {}), "csrf_token": token}, **kwargs)


def only_event() -> Event:
    return db.session.execute(sa.select(Event)).scalar_one()


def events_titled(title: str) -> list[Event]:
    return list(
        db.session.execute(
            sa.select(Event).where(Event.title == title).order_by(Event.starts_at)
        ).scalars()
    )


def role(slug: str) -> ParticipantRole:
    return db.session.execute(
        sa.select(ParticipantRole).where(ParticipantRole.slug == slug)
    ).scalar_one()


def city(slug: str) -> City:
    return db.session.execute(sa.select(City).where(City.slug == slug)).scalar_one()


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def page(response) -> str:
    return response.get_data(as_text=True)


def field_block(html: str, name: str) -> str:
    """The HTML from a field's input to the start of the next field: its help and errors."""
    rest = html[html.index(f'name="{name}"') :]
    ends = [rest.find(tag) for tag in ('<div class="field', "<fieldset", "</fieldset>")]
    return rest[: min((end for end in ends if end > 0), default=len(rest))]


# --- creating ---------------------------------------------------------------------------


def test_a_winter_meeting_in_copenhagen_is_stored_an_hour_earlier_in_utc(client, coordinator):
    response = submit(
        client,
        NEW,
        event_form(title="Prevention network", audience=[str(role("practitioner").id)]),
    )

    event = only_event()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/manage/events/{event.id}/edit"
    assert event.starts_at == utc(2027, 1, 13, 9, 0)
    assert event.ends_at == utc(2027, 1, 13, 10, 30)
    assert event.timezone == "Europe/Copenhagen"
    assert event.status is EventStatus.draft
    assert [r.slug for r in event.audience] == ["practitioner"]
    assert event.created_by == coordinator
    edit_page = page(client.get(response.headers["Location"]))
    assert "saved as a draft" in edit_page
    assert "13 Jan 2027, 10:00–11:30 CET" in edit_page


def test_a_summer_meeting_in_helsinki_is_stored_three_hours_earlier(client, coordinator):
    submit(
        client,
        NEW,
        event_form(
            timezone="Europe/Helsinki",
            start_date="2027-06-16",
            start_time="14:00",
            end_time="15:30",
            format="hybrid",
            host_city=str(city("helsinki").id),
            venue="City Hall",
            online_url="https://meet.example/abc",
            capacity="40",
            visibility="members",
        ),
    )

    event = only_event()
    assert (event.starts_at, event.ends_at) == (utc(2027, 6, 16, 11), utc(2027, 6, 16, 12, 30))
    assert event.host_city.slug == "helsinki"
    assert (event.capacity, event.visibility.value, event.format.value) == (
        40,
        "members",
        "hybrid",
    )


def test_the_form_offers_nordic_zones_first_in_their_own_group(client, coordinator):
    html = page(client.get(NEW))

    nordic = html.index('<optgroup label="Nordic zones">')
    others = html.index('<optgroup label="Europe">')
    assert nordic < html.index('value="America/Nuuk"') < others < html.index('value="Asia/Tokyo"')
    assert 'type="date"' in html and 'type="time"' in html


@pytest.mark.parametrize(
    ("zone", "day", "time", "gap"),
    [
        ("Europe/Copenhagen", "2027-03-28", "02:30", "from 02:00 to 03:00"),
        ("America/Nuuk", "2027-03-27", "23:30", "from 23:00 to 00:00"),
    ],
)
def test_a_time_in_the_spring_gap_is_refused_and_the_gap_named(
    client, coordinator, zone, day, time, gap
):
    response = submit(
        client,
        NEW,
        event_form(
            title="Spring meeting", timezone=zone, start_date=day, start_time=time, end_time=""
        )
        | {"end_date": "2027-03-28", "end_time": "10:00"},
    )

    html = page(response)
    assert response.status_code == 200
    assert f"{day} {time} does not exist in {zone}" in html
    assert f"the clocks jump {gap}" in html
    assert 'role="alert"' in html
    assert f"{day} {time} does not exist" in field_block(html, "start_time")
    assert 'aria-invalid="true" id="start_time"' in html
    # Nothing is lost: the form comes back with what was typed.
    assert 'value="Spring meeting"' in html and f'value="{time}"' in html
    assert db.session.execute(sa.select(Event)).first() is None


def test_a_time_that_happens_twice_takes_the_first_and_says_so(client, coordinator):
    response = submit(
        client,
        NEW,
        event_form(start_date="2027-10-31", start_time="02:30", end_time="04:00"),
        follow_redirects=True,
    )

    event = only_event()
    assert event.starts_at == utc(2027, 10, 31, 0, 30)
    html = page(response)
    assert "2027-10-31 02:30 happens twice in Europe/Copenhagen" in html
    assert "flash-warning" in html


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"end_time": "09:00"}, "end_time", "The end must be after the start."),
        ({"end_time": "10:00"}, "end_time", "The end must be after the start."),
        (
            {"timezone": "Mars/Olympus_Mons"},
            "timezone",
            "Unknown time zone &#39;Mars/Olympus_Mons&#39;",
        ),
        (
            {"all_day": "y", "start_date": "2027-06-03", "end_date": "2027-06-02"},
            "end_date",
            "The last day is before the first day.",
        ),
        ({"start_date": ""}, "start_date", "Give the first day."),
        ({"start_time": ""}, "start_time", "Give the start time"),
        ({"start_date": "13/01/2027"}, "start_date", "Not a valid date value."),
        ({"title": " "}, "title", "Give the event a title."),
        ({"capacity": "-3"}, "capacity", "The capacity cannot be negative."),
        ({"capacity": "many"}, "capacity", "Not a valid integer value."),
        ({"host_city": "999999"}, "host_city", "Choose a host city from the list."),
        ({"audience": ["999999"]}, "audience", "Choose participant roles from the list."),
        ({"kind": "party"}, "kind", "Not a valid choice."),
        (
            {"format": "in-person", "online_url": "https://meet.example/x"},
            "online_url",
            "An in-person event has no online link",
        ),
        ({"rrule": "EVERY TUESDAY"}, "rrule", "Write the rule as in iCalendar"),
        ({"rrule": "FREQ=HOURLY"}, "rrule", "repeats daily, weekly, monthly or yearly"),
        ({"rrule": "FREQ=WEEKLY;INTERVAL=0"}, "rrule", "INTERVAL must be a whole number"),
        ({"rrule": "FREQ=MONTHLY;BYDAY=1XX"}, "rrule", "is not valid"),
        ({"repeat": "custom"}, "rrule", "Type a repeat rule"),
        ({"rrule": "FREQ=DAILY;BYHOUR=9,10"}, "rrule", "leave BYHOUR, BYMINUTE"),
        ({"rrule": "FREQ=DAILY;UNTIL=20270230T000000Z"}, "rrule", "is not valid"),
        ({"rrule": "FREQ=MONTHLY;BYDAY=+9WE"}, "rrule", "is not valid"),
        ({"rrule": "FREQ=WEEKLY;COUNT=3", "until": "2027-02-01"}, "rrule", "already says when"),
        ({"start_date": "0001-01-01"}, "start_date", "Choose a day between 1970 and 2199."),
        ({"capacity": "99999999999999999999999"}, "capacity", "At most 1,000,000 places."),
        ({"repeat": "weekly", "until": "2026-01-01"}, "until", "end on or after its first day"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_stored(
    client, coordinator, fields, field, message
):
    response = submit(client, NEW, event_form(title="Kept title") | fields)

    html = page(response)
    assert response.status_code == 200
    assert message in html
    assert message in field_block(html, field)
    assert "The event was not saved." in html
    assert db.session.execute(sa.select(Event)).first() is None


def test_an_end_in_the_spring_gap_is_refused_on_the_end_time(client, coordinator):
    response = submit(
        client,
        NEW,
        event_form(start_date="2027-03-27", start_time="22:00")
        | {"end_date": "2027-03-28", "end_time": "02:30"},
    )

    html = page(response)
    assert "2027-03-28 02:30 does not exist in Europe/Copenhagen" in field_block(html, "end_time")
    assert "does not exist" not in field_block(html, "start_time")
    assert db.session.execute(sa.select(Event)).first() is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"start_date": "9999-12-31"}, "start_date"),
        ({"start_date": "1969-12-31"}, "start_date"),
        ({"end_date": "9999-12-31"}, "end_date"),
        ({"repeat": "weekly", "until": "9999-12-31"}, "until"),
        ({"all_day": "y", "start_date": "0001-01-01", "end_time": ""}, "start_date"),
    ],
)
def test_days_outside_the_years_nscal_handles_are_refused_on_their_field(
    client, coordinator, fields, field
):
    response = submit(client, NEW, event_form() | fields)

    assert response.status_code == 200
    assert "Choose a day between 1970 and 2199." in field_block(page(response), field)
    assert db.session.execute(sa.select(Event)).first() is None


def test_an_all_day_event_is_entered_with_its_last_day(client, coordinator):
    submit(
        client,
        NEW,
        event_form(
            title="Annual summit",
            kind="summit",
            all_day="y",
            start_date="2027-06-02",
            end_date="2027-06-04",
            start_time="",
            end_time="",
            timezone="Europe/Stockholm",
        ),
    )

    event = only_event()
    assert event.all_day
    assert (event.start_date, event.end_date) == (date(2027, 6, 2), date(2027, 6, 5))
    assert event.starts_at == utc(2027, 6, 1, 22)  # local midnight, CEST
    html = page(client.get(f"/manage/events/{event.id}/edit"))
    assert 'value="2027-06-04"' in html  # shown again as the last day
    assert "2–4 Jun 2027 (all day)" in html


def test_a_one_day_all_day_event_needs_no_last_day(client, coordinator):
    submit(client, NEW, event_form(all_day="y", start_time="", end_time=""))

    event = only_event()
    assert (event.start_date, event.end_date) == (date(2027, 1, 13), date(2027, 1, 14))


# --- editing ----------------------------------------------------------------------------


def edit(client, event: Event, **changes):
    path = f"/manage/events/{event.id}/edit"
    html = page(client.get(path))
    assert f'value="{event.title}"' in html
    fields = event_form(
        title=event.title,
        timezone=event.timezone,
        start_date=f"{event.local_start:%Y-%m-%d}",
        start_time=f"{event.local_start:%H:%M}",
        end_time=f"{event.local_end:%H:%M}",
        format=event.format.value,
        venue=event.venue,
        description=event.description,
    )
    fields.pop("repeat")
    fields.pop("rrule")
    fields.pop("until")
    return submit(client, path, fields | changes)


def test_the_edit_form_shows_the_stored_wall_clock_time(client, coordinator, make_event):
    event = make_event(
        "Helsinki call",
        timezone="Europe/Helsinki",
        start=datetime(2027, 6, 16, 14),  # noqa: DTZ001
        end=datetime(2027, 6, 16, 15),  # noqa: DTZ001
    )

    html = page(client.get(f"/manage/events/{event.id}/edit"))

    assert 'value="2027-06-16"' in html and 'value="14:00"' in html and 'value="15:00"' in html
    assert '<option selected value="Europe/Helsinki">' in html
    assert "16 Jun 2027, 14:00–15:00 EEST" in html


def test_moving_an_event_raises_its_sequence_and_a_new_description_does_not(
    client, coordinator, make_event
):
    event = make_event("Board")
    assert event.sequence == 0

    response = edit(client, event, description="Agenda follows.")
    assert response.status_code == 302
    assert (event.description, event.sequence) == ("Agenda follows.", 0)

    edit(client, event, description="Agenda follows.", start_time="12:00", end_time="13:00")
    assert event.starts_at == utc(2027, 1, 13, 11)
    assert event.sequence == 1

    edit(client, event, description="Agenda follows.", start_time="12:00", end_time="13:00",
         venue="Room 2")  # fmt: skip
    assert event.sequence == 2


def test_publishing_raises_the_sequence(client, coordinator, make_event):
    draft = make_event("Draft", status=EventStatus.draft)

    confirmation = post(client, f"/manage/events/{draft.id}/publish")
    assert "Publish “Draft”?" in page(confirmation)
    assert (draft.status, draft.sequence) == (EventStatus.draft, 0)

    response = post(
        client, f"/manage/events/{draft.id}/publish", {"confirmed": "yes"}, follow_redirects=True
    )

    assert "is published" in page(response)
    assert (draft.status, draft.sequence) == (EventStatus.published, 1)


def test_an_edit_refused_by_the_service_keeps_the_event_and_the_form(
    client, coordinator, make_event
):
    event = make_event("Board")

    response = edit(client, event, start_date="2027-03-28", start_time="02:30", end_time="03:30")

    assert "does not exist in Europe/Copenhagen" in page(response)
    assert 'value="2027-03-28"' in page(response)
    db.session.expire_all()
    assert event.starts_at == utc(2027, 1, 13, 9)


def test_unknown_events_are_not_found(client, coordinator):
    assert client.get("/manage/events/999/edit").status_code == 404
    assert post(client, "/manage/events/999/publish").status_code == 404


# --- clone, cancel, delete --------------------------------------------------------------


def test_a_clone_is_a_new_draft_with_the_same_details(client, coordinator, make_event):
    original = make_event("Kick-off", audience=("mayor",), host_city="oslo")

    response = post(client, f"/manage/events/{original.id}/clone")

    copy = db.session.execute(sa.select(Event).where(Event.id != original.id)).scalar_one()
    assert response.headers["Location"] == f"/manage/events/{copy.id}/edit"
    assert copy.status is EventStatus.draft
    assert copy.uid != original.uid
    assert (copy.title, copy.starts_at, copy.host_city, copy.audience) == (
        original.title,
        original.starts_at,
        original.host_city,
        original.audience,
    )


def test_cancelling_needs_a_reason_and_keeps_the_event_visible(client, coordinator, make_event):
    event = make_event("Summit")
    path = f"/manage/events/{event.id}/cancel"
    assert "Why is it cancelled?" in page(client.get(path))

    response = submit(client, path, {"reason": "  "})
    assert "Say why the event is cancelled" in page(response)
    assert event.status is EventStatus.published

    response = submit(client, path, {"reason": "The venue flooded."}, follow_redirects=True)
    assert "is cancelled" in page(response)
    assert (event.status, event.cancel_reason, event.sequence) == (
        EventStatus.cancelled,
        "The venue flooded.",
        1,
    )
    listing = page(client.get("/manage/events/"))
    assert "Summit" in listing and "<strong>Cancelled</strong>" in listing
    assert "The venue flooded." in page(client.get(f"/manage/events/{event.id}/edit"))


def test_a_draft_cannot_be_cancelled_only_deleted(client, coordinator, make_event):
    draft = make_event("Draft", status=EventStatus.draft)

    response = submit(client, f"/manage/events/{draft.id}/cancel", {"reason": "No"})

    assert "Delete it instead" in page(response) or "delete it instead" in page(response)
    assert draft.status is EventStatus.draft


def test_only_drafts_can_be_deleted(client, coordinator, make_event):
    published = make_event("Published")
    draft = make_event("Draft", status=EventStatus.draft)
    draft_id = draft.id

    response = post(client, f"/manage/events/{published.id}/delete", follow_redirects=True)
    assert "Only drafts can be deleted" in page(response)
    assert db.session.get(Event, published.id) is not None

    response = post(client, f"/manage/events/{draft_id}/delete")
    assert response.headers["Location"] == "/manage/events/"
    assert db.session.get(Event, draft_id) is None


# --- series -----------------------------------------------------------------------------


def create_monthly_helsinki_series(client) -> list[Event]:
    response = submit(
        client,
        NEW,
        event_form(
            title="Monthly call",
            timezone="Europe/Helsinki",
            start_date="2027-01-06",  # the first Wednesday of 2027
            start_time="14:00",
            end_time="15:00",
            repeat="monthly-weekday",
            until="2027-12-31",
        ),
        follow_redirects=True,
    )
    assert "The series has 12 occurrences." in page(response)
    return events_titled("Monthly call")


def test_a_monthly_series_on_the_first_wednesday_stays_at_14_in_helsinki(client, coordinator):
    occurrences = create_monthly_helsinki_series(client)

    series = db.session.execute(sa.select(EventSeries)).scalar_one()
    assert series.rrule == "FREQ=MONTHLY;BYDAY=1WE;UNTIL=20271231T235959"
    helsinki = ZoneInfo("Europe/Helsinki")
    starts = [event.starts_at.astimezone(helsinki) for event in occurrences]
    assert [(s.weekday(), s.day <= 7, s.hour) for s in starts] == [(2, True, 14)] * 12
    assert occurrences[0].starts_at == utc(2027, 1, 6, 12)  # EET, UTC+2
    assert occurrences[6].starts_at == utc(2027, 7, 7, 11)  # EEST, UTC+3
    assert all(event.status is EventStatus.draft for event in occurrences)
    html = page(client.get(f"/manage/events/{occurrences[3].id}/edit"))
    assert "monthly on the first Wednesday" in html
    assert "This occurrence only" in html
    assert "This and the following occurrences" in html


def test_a_custom_rule_is_used_as_typed(client, coordinator):
    submit(
        client,
        NEW,
        event_form(title="Fortnightly", rrule="RRULE:freq=weekly;interval=2;count=3"),
    )

    occurrences = events_titled("Fortnightly")
    assert [event.local_start.day for event in occurrences] == [13, 27, 10]


def test_editing_one_occurrence_detaches_it(client, coordinator):
    occurrences = create_monthly_helsinki_series(client)
    march = occurrences[2]

    response = edit(client, march, scope="occurrence", start_time="10:00", end_time="11:00")

    assert response.headers["Location"] == f"/manage/events/{march.id}/edit"
    assert march.detached
    assert march.local_start.hour == 10
    assert [event.local_start.hour for event in occurrences if event is not march] == [14] * 11


def test_editing_the_series_leaves_earlier_and_detached_occurrences_alone(client, coordinator):
    occurrences = create_monthly_helsinki_series(client)
    february, april, june = occurrences[1], occurrences[3], occurrences[5]
    edit(client, june, scope="occurrence", venue="Moved by hand")

    response = edit(
        client,
        april,
        scope="series",
        start_time="15:00",
        end_time="16:00",
        repeat="monthly-weekday",
        until="2027-12-31",
        description="New agenda",
    )

    assert response.status_code == 302
    db.session.expire_all()
    occurrences = events_titled("Monthly call")
    assert len(occurrences) == 12
    hours = [event.local_start.hour for event in occurrences]
    assert hours == [14, 14, 14, 15, 15, 14, 15, 15, 15, 15, 15, 15]
    assert february.description == "" and april.description == "New agenda"
    assert june.detached and june.venue == "Moved by hand" and june.description == ""
    assert all(event.local_start.weekday() == 2 for event in occurrences)


def test_the_series_until_date_ends_it_earlier(client, coordinator):
    occurrences = create_monthly_helsinki_series(client)

    edit(client, occurrences[0], scope="series", repeat="monthly-weekday", until="2027-06-30")

    assert len(events_titled("Monthly call")) == 6
    series = db.session.execute(sa.select(EventSeries)).scalar_one()
    assert series.rrule.endswith("UNTIL=20270630T235959")


# --- the list ---------------------------------------------------------------------------


def test_the_list_shows_drafts_and_filters_by_year_and_status(client, coordinator, make_event):
    make_event("Published 2027")
    make_event("Draft 2027", status=EventStatus.draft)
    make_event(
        "Draft 2028",
        status=EventStatus.draft,
        start=datetime(2028, 2, 2, 10),  # noqa: DTZ001
        end=datetime(2028, 2, 2, 11),  # noqa: DTZ001
    )

    everything = page(client.get("/manage/events/"))
    assert all(title in everything for title in ("Published 2027", "Draft 2027", "Draft 2028"))

    drafts_2027 = page(client.get("/manage/events/?year=2027&status=draft"))
    assert "Draft 2027" in drafts_2027
    assert "Published 2027" not in drafts_2027 and "Draft 2028" not in drafts_2027

    # Nonsense filters are ignored rather than failing.
    assert client.get("/manage/events/?year=abc&status=nope&page=x").status_code == 200


def test_a_new_years_eve_party_in_helsinki_belongs_to_its_local_year(
    client, coordinator, make_event
):
    # 00:30 on 1 January in Helsinki is still 31 December in UTC.
    make_event(
        "New year",
        timezone="Europe/Helsinki",
        start=datetime(2028, 1, 1, 0, 30),  # noqa: DTZ001
        end=datetime(2028, 1, 1, 1, 30),  # noqa: DTZ001
    )

    assert "New year" in page(client.get("/manage/events/?year=2028"))
    assert "New year" not in page(client.get("/manage/events/?year=2027"))


# --- who may ----------------------------------------------------------------------------

PAGES = [
    ("get", "/manage/events/"),
    ("get", NEW),
    ("get", "/manage/events/{id}/edit"),
    ("get", "/manage/events/{id}/cancel"),
    ("post", "/manage/events/{id}/clone"),
    ("post", "/manage/events/{id}/publish"),
    ("post", "/manage/events/{id}/delete"),
    ("post", "/manage/events/{id}/cancel"),
    ("get", "/manage/calendar/2027"),
    ("post", "/manage/calendar/2027/publish-all"),
    ("post", "/manage/calendar/2027/publish-selected"),
    ("post", "/manage/calendar/2027/copy-series"),
]


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_members_are_refused_and_visitors_sent_to_log_in(
    client, auth, network, make_user, make_event, method, path
):
    event = make_event("Draft", status=EventStatus.draft)
    path = path.format(id=event.id)
    token = csrf_token_from(client.get("/auth/login"))

    response = getattr(client, method)(path, data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")

    make_user("member@example.org")
    auth.login("member@example.org")
    token = csrf_token_from(client.get("/account"))
    response = getattr(client, method)(path, data={"csrf_token": token, "reason": "x"})
    assert response.status_code == 403
    assert db.session.get(Event, event.id).status is EventStatus.draft


def test_posts_without_a_csrf_token_are_refused(client, coordinator, make_event):
    draft = make_event("Draft", status=EventStatus.draft)

    assert client.post(f"/manage/events/{draft.id}/publish").status_code == 400
    assert client.post(NEW, data=event_form()).status_code == 400
    assert draft.status is EventStatus.draft


def test_admins_may_manage_events(client, auth, network, make_user):
    make_user("admin@example.org", account_role=AccountRole.admin)
    auth.login("admin@example.org")

    assert client.get(NEW).status_code == 200


def test_the_dashboard_links_to_the_event_pages(client, coordinator):
    html = page(client.get("/manage/"))
    this_year = datetime.now(UTC).year

    assert 'href="/manage/events/"' in html and 'href="/manage/events/new"' in html
    assert f'href="/manage/calendar/{this_year}"' in html
    assert f'href="/manage/calendar/{this_year + 1}"' in html


# --- repeat patterns ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "day", "rule"),
    [
        ("weekly", date(2027, 1, 13), "FREQ=WEEKLY"),
        ("biweekly", date(2027, 1, 13), "FREQ=WEEKLY;INTERVAL=2"),
        ("monthly-weekday", date(2027, 1, 6), "FREQ=MONTHLY;BYDAY=1WE"),
        ("monthly-weekday", date(2027, 1, 13), "FREQ=MONTHLY;BYDAY=2WE"),
        ("monthly-weekday", date(2027, 1, 29), "FREQ=MONTHLY;BYDAY=-1FR"),
        ("monthly-date", date(2027, 1, 13), "FREQ=MONTHLY;BYMONTHDAY=13"),
        ("", date(2027, 1, 13), None),
    ],
)
def test_the_repeat_menu_turns_into_rules(preset, day, rule):
    assert preset_rule(preset, day) == rule


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=MONTHLY;BYDAY=1WE", "monthly on the first Wednesday"),
        ("FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20271231T235959",
         "monthly on the last Friday, until 31 Dec 2027"),
        ("FREQ=WEEKLY;INTERVAL=2", "every 2 weeks"),
        ("FREQ=WEEKLY;BYDAY=TU;COUNT=4", "every week on Tuesday, 4 times"),
        ("FREQ=MONTHLY;BYMONTHDAY=22", "monthly on the 22nd"),
        ("FREQ=YEARLY", "every year"),
        ("FREQ=MONTHLY;BYDAY=MO,WE", None),
    ],
)  # fmt: skip
def test_rules_are_described_in_words(rule, words):
    assert describe_rule(rule) == words


def test_editing_the_series_without_a_new_rule_keeps_its_rule(client, coordinator):
    occurrences = create_monthly_helsinki_series(client)

    edit(client, occurrences[0], scope="series", repeat="", until="2027-12-31", venue="Online")

    series = db.session.execute(sa.select(EventSeries)).scalar_one()
    assert series.rrule == "FREQ=MONTHLY;BYDAY=1WE;UNTIL=20271231T235959"
    assert len(events_titled("Monthly call")) == 12
