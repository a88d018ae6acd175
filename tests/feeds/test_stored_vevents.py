"""Feeds are assembled from VEVENTs stored when events change, shared by every worker."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from nscal import create_app
from nscal.cities.models import City, ParticipantRole
from nscal.db import db
from nscal.events.models import Event, EventFormat, EventStatus, Visibility
from nscal.events.services import (
    cancel_event,
    delete_draft,
    event_from_data,
    publish_events,
    unpublish_event,
    update_event,
)
from nscal.feeds import services, stored
from nscal.feeds.ical import component_bytes, event_to_vevent, with_alarm, with_reader_parts
from nscal.feeds.models import FeedChange, StoredVevent
from nscal.registrations.services import register_for_event
from nscal.reminders.models import FeedAlarm
from nscal.urls import external_url
from tests.conftest import test_config
from tests.feeds.interop import check_bytes


def stored_texts(event_id: int) -> dict[str, str]:
    # Feeds store what they render on a connection of their own: end this session's
    # transaction first, as a request would, so its next read sees what they wrote.
    db.session.commit()
    rows = db.session.execute(
        sa.select(StoredVevent.language, StoredVevent.vevent).where(
            StoredVevent.event_id == event_id
        )
    )
    return dict(rows.all())


def rendered(event, **kwargs) -> str:
    return component_bytes(event_to_vevent(event, **kwargs)).decode()


def retitle(event, title: str) -> None:
    update_event(event, replace(event_from_data(event), title=title))
    db.session.commit()


@pytest.fixture
def meeting(network, make_event):
    return make_event(
        "Årsmøde i Tórshavn",
        host_city="torshavn",
        format=EventFormat.hybrid,
        venue="Norðurlandahúsið",
        online_url="https://meet.example/arsmode",
        description="Vit hittast í Tórshavn. " * 20,
    )


def test_an_event_stores_its_vevent_when_it_changes(meeting):
    assert stored_texts(meeting.id) == {"en": rendered(meeting)}
    retitle(meeting, "Årsmøde i Klaksvík")
    texts = stored_texts(meeting.id)
    assert "SUMMARY:Årsmøde i Klaksvík" in texts["en"]
    assert texts == {"en": rendered(meeting)}
    cancel_event(meeting, "Storm.")
    db.session.commit()
    assert "STATUS:CANCELLED" in stored_texts(meeting.id)["en"]


def test_drafts_are_stored_once_published_and_lose_their_rows_when_unpublished(network, make_event):
    draft = make_event("Plan", status=EventStatus.draft)
    assert stored_texts(draft.id) == {}
    publish_events([draft])
    db.session.commit()
    assert stored_texts(draft.id) == {"en": rendered(draft)}
    unpublish_event(draft)
    db.session.commit()
    assert stored_texts(draft.id) == {}
    event_id = draft.id
    delete_draft(draft)
    db.session.commit()
    assert stored_texts(event_id) == {}


def test_the_feed_is_the_stored_bytes_and_a_new_worker_renders_nothing(
    app, client, meeting, make_event, monkeypatch
):
    other = make_event(
        "Webinar",
        start=datetime(2027, 2, 1, 9, 0),  # noqa: DTZ001 - wall-clock
        end=datetime(2027, 2, 1, 10, 0),  # noqa: DTZ001
    )
    first = client.get("/calendar.ics")
    check_bytes(first.data)
    assert b"BEGIN:VTIMEZONE\r\nTZID:Europe/Copenhagen" in first.data
    body = first.data.decode()
    assert stored_texts(meeting.id)["en"] in body and stored_texts(other.id)["en"] in body

    def no_rendering(*_args, **_kwargs):
        raise AssertionError("a stored VEVENT was rendered again")

    monkeypatch.setattr(stored, "event_to_vevent", no_rendering)
    monkeypatch.setattr(stored, "vtimezone_bytes", no_rendering)  # read, not derived
    fresh = create_app(test_config(app.config["SQLALCHEMY_DATABASE_URI"]))
    with fresh.app_context():
        again = fresh.test_client().get("/calendar.ics")
        db.session.remove()
        db.engine.dispose()
    assert again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]


def test_a_stale_or_missing_row_is_rendered_again_and_stored(client, meeting):
    db.session.execute(
        sa.update(StoredVevent).values(render_key="an older format", vevent="BROKEN")
    )
    db.session.commit()
    response = client.get("/calendar.ics")
    assert b"BROKEN" not in response.data
    assert stored_texts(meeting.id) == {"en": rendered(meeting)}
    db.session.execute(sa.delete(StoredVevent))
    db.session.commit()
    services.clear_feed_cache()  # as a worker that has not joined this feed yet
    assert client.get("/calendar.ics").data == response.data
    assert stored_texts(meeting.id) == {"en": rendered(meeting)}


def test_renaming_a_city_or_a_role_renders_their_events_again(client, network, make_event):
    event = make_event(
        "Summit", host_city="malmo", format=EventFormat.in_person, audience=("mayor",)
    )
    etag = client.get("/calendar.ics").headers["ETag"]
    city = db.session.execute(sa.select(City).where(City.slug == "malmo")).scalar_one()
    city.name = "Malmø"
    role = db.session.execute(
        sa.select(ParticipantRole).where(ParticipantRole.slug == "mayor")
    ).scalar_one()
    role.name = "Borgmester"
    db.session.commit()
    response = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert response.status_code == 200
    text = response.data.replace(b"\r\n ", b"").decode()
    assert "LOCATION:Malmø" in text and "for Borgmester" in text
    assert stored_texts(event.id) == {"en": rendered(event)}


def test_members_only_changes_and_drafts_leave_the_public_feeds_alone(
    client, demo, make_event, make_user
):
    members = make_event("Members", visibility=Visibility.members)
    draft = make_event("Draft", status=EventStatus.draft)
    person = make_user()
    public_etag = client.get("/calendar.ics").headers["ETag"]
    private_path = f"/feeds/{person.feed_token}.ics"
    private_etag = client.get(private_path).headers["ETag"]

    retitle(draft, "Still a draft")
    assert client.get("/calendar.ics").headers["ETag"] == public_etag
    assert client.get(private_path).headers["ETag"] == private_etag

    retitle(members, "Members, moved")
    assert client.get("/calendar.ics").headers["ETag"] == public_etag
    assert client.get(private_path).headers["ETag"] != private_etag
    counters = dict(db.session.execute(sa.select(FeedChange.scope, FeedChange.counter)).all())
    assert counters["all"] > counters.get("public", 0)


def test_a_rolled_back_change_bumps_nothing(client, meeting):
    etag = client.get("/calendar.ics").headers["ETag"]
    before = stored_texts(meeting.id)
    meeting.title = "Never saved"
    db.session.flush()
    db.session.rollback()
    assert client.get("/calendar.ics").headers["ETag"] == etag
    assert stored_texts(meeting.id) == before


@pytest.mark.parametrize(
    ("status", "link", "alarm"),
    [("confirmed", True, 30), ("waitlisted", False, None), ("pending", False, 1440)],
)
def test_the_readers_parts_added_to_the_stored_bytes_equal_a_full_rendering(
    meeting, status, link, alarm
):
    public = stored_texts(meeting.id)["en"].encode()
    own = with_reader_parts(
        public, meeting, registration_status=status, include_online_link=link, alarm_minutes=alarm
    )
    whole = rendered(meeting, registration_status=status, include_online_link=link).encode()
    assert own == (with_alarm(whole, alarm) if alarm else whole)
    assert (b"meet.example/arsmode" in own.replace(b"\r\n ", b"")) is link


def test_a_large_feed_is_sent_in_pieces_with_the_same_bytes(
    client, network, make_event, make_user, monkeypatch
):
    events = [
        make_event(
            f"Meeting {n}",
            host_city="oslo",
            start=datetime(2027, 3, 1 + n, 10, 0),  # noqa: DTZ001 - wall-clock
            end=datetime(2027, 3, 1 + n, 11, 0),  # noqa: DTZ001
            online_url=f"https://meet.example/room-{n}",
        )
        for n in range(7)
    ]
    person = make_user()
    register_for_event(events[3].id, person.id)
    db.session.add(FeedAlarm(user_id=person.id, minutes_before=30))
    db.session.commit()
    private = f"/feeds/{person.feed_token}.ics"
    whole, whole_private = client.get("/calendar.ics"), client.get(private)
    assert b"meet.example/room-3" in whole_private.data.replace(b"\r\n ", b"")
    assert b"BEGIN:VALARM" in whole_private.data

    monkeypatch.setattr(services, "IN_MEMORY_ROWS", 2)
    monkeypatch.setattr(services, "STREAM_ROWS", 2)
    monkeypatch.setattr(services, "STREAM_PIECE", 100)
    db.session.execute(sa.delete(StoredVevent).where(StoredVevent.event_id % 2 == 0))
    db.session.commit()
    services.clear_feed_cache()  # as a worker that has not joined these feeds
    for path, expected in (("/calendar.ics", whole), (private, whole_private)):
        pieces = client.get(path)
        assert pieces.data == expected.data
        assert int(pieces.headers["Content-Length"]) == len(expected.data)
        head = client.head(path)
        assert head.headers["Content-Length"] == pieces.headers["Content-Length"]


def test_the_feed_names_its_own_address_as_external_url_does(client, network, make_event):
    make_event("Summit", host_city="malmo")
    for path, endpoint, values in (
        ("/calendar.ics?city=malmo&kind=summit", "feeds.network_calendar", {"city": "malmo"}),
        ("/cities/malmo/calendar.ics?lang=da", "feeds.city_calendar", {"slug": "malmo"}),
    ):
        response = client.get(path.replace("&kind=summit", ""))
        if "lang" in path:
            values["lang"] = "da"
        source = f"SOURCE;VALUE=URI:{external_url(endpoint, **values)}"
        assert source in response.data.replace(b"\r\n ", b"").decode()


def test_the_language_is_asked_for_else_the_owners_else_english():
    owner = SimpleNamespace(language="sv")
    assert services.feed_language("da", owner) == "da"
    assert services.feed_language("xx", owner) == "sv"
    assert services.feed_language(None, SimpleNamespace()) == "en"
    assert services.feed_language(None, SimpleNamespace(language="de")) == "en"
    assert services.feed_language(None) == "en"


def test_a_feed_in_another_language_is_rendered_once_stored_and_kept_warm(client, meeting):
    english = client.get("/calendar.ics")
    response = client.get("/calendar.ics?lang=da")
    assert response.headers["ETag"] != english.headers["ETag"]
    text = response.data.replace(b"\r\n ", b"").decode()
    assert "Detaljer og tilmelding: https://calendar.test/events/" in text
    # The calendar's description, from the Danish catalog.
    assert "DESCRIPTION:Offentlige arrangementer i Nordic Safe Cities-netværket." in text
    assert "Details and registration" in english.data.replace(b"\r\n ", b"").decode()
    with force_locale("da"):
        assert stored_texts(meeting.id)["da"] == rendered(meeting)
    # Danish is in use now: a change renders it with English, in the same commit.
    cancel_event(meeting, "Storm.")
    db.session.commit()
    texts = stored_texts(meeting.id)
    assert "SUMMARY:Aflyst: Årsmøde i Tórshavn" in texts["da"]
    assert "SUMMARY:Cancelled: Årsmøde i Tórshavn" in texts["en"]
    again = client.get("/calendar.ics?lang=da", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 200
    assert texts["da"].encode() in again.data


def test_the_migration_stores_the_vevents_of_existing_events(app, tmp_path, meeting):
    import flask_migrate

    fresh = create_app(test_config(f"sqlite:///{tmp_path / 'old.sqlite'}"))
    with fresh.app_context():
        flask_migrate.upgrade(revision="0020_wiring")
    # The events of the running app, copied into the old schema by hand.
    rows = {
        name: [dict(row) for row in db.session.execute(sa.text(f"SELECT * FROM {name}")).mappings()]
        for name in ("city", "participant_role", "event", "event_audience")
    }
    with fresh.app_context():
        with db.engine.begin() as connection:
            for name, values in rows.items():
                if values:  # untyped columns: the values go in as they came out
                    table = sa.table(name, *map(sa.column, values[0]))
                    connection.execute(table.insert(), values)
        flask_migrate.upgrade()
        text = db.session.execute(
            sa.select(StoredVevent.vevent).where(StoredVevent.event_id == meeting.id)
        ).scalar_one()
        db.session.remove()
        db.engine.dispose()
    assert text == rendered(meeting)


def test_the_window_moves_by_whole_days():
    now = datetime(2027, 5, 10, 15, 30, tzinfo=UTC)
    assert services.window_start(now) == datetime(2026, 5, 10, tzinfo=UTC)
    tomorrow = services.window_start(now + timedelta(hours=10))
    assert tomorrow - services.window_start(now) == timedelta(days=1)


def test_deleting_a_published_event_takes_it_and_its_rows_out_of_the_feeds(client, meeting):
    first = client.get("/calendar.ics")
    event_id, uid = meeting.id, meeting.uid
    db.session.commit()  # the event is expired, as in a later request
    db.session.delete(db.session.get(Event, event_id))
    db.session.commit()
    response = client.get("/calendar.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert response.status_code == 200
    assert uid.encode() not in response.data
    assert stored_texts(event_id) == {}
