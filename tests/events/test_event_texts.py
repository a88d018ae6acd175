"""An event's title and description in the members' other languages: coordinators add
them in the event form; readers get theirs where it exists, else the original."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from nscal.accounts.models import AccountRole
from nscal.db import db
from nscal.events.models import Event, EventStatus, EventText, EventTranslation
from nscal.events.services import (
    EventError,
    clone_event,
    delete_draft,
    event_from_data,
    update_event,
)
from tests.conftest import count_statements, csrf_token_from

NEW = "/manage/events/new"
DANISH = EventText("Bymøde om trygt natteliv", "Erfaringer fra København og Oslo.")
FINNISH = EventText("Kaupunkikokous turvallisesta yöelämästä", "")


@pytest.fixture
def coordinator(network, make_user, auth):
    user = make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")
    return user


@pytest.fixture
def nightlife(network, make_event):
    return make_event(
        "City meeting on safe nightlife",
        description="Experiences from Copenhagen and Oslo.",
        translations={"da": DANISH, "fi": FINNISH},
    )


def event_form(**overrides) -> dict:
    data = {
        "title": "City meeting on safe nightlife",
        "kind": "city-meeting",
        "description": "Experiences from Copenhagen and Oslo.",
        "format": "online",
        "host_city": "0",
        "timezone": "Europe/Copenhagen",
        "start_date": "2027-01-13",
        "start_time": "10:00",
        "end_time": "11:30",
        "visibility": "public",
    }
    return data | overrides


def submit(client, path: str, data: dict):
    token = csrf_token_from(client.get(path))
    return client.post(path, data={**data, "csrf_token": token})


def texts(event: Event) -> dict[str, tuple[str, str]]:
    rows = db.session.execute(
        sa.select(EventTranslation).where(EventTranslation.event_id == event.id)
    ).scalars()
    return {row.language: (row.title, row.description) for row in rows}


def html(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- the coordinators' form ------------------------------------------------------------


def test_the_form_stores_the_texts_in_other_languages_and_shows_them_again(client, coordinator):
    response = submit(
        client,
        NEW,
        event_form(
            title_da="  Bymøde om trygt natteliv ",
            description_da="Erfaringer fra\r\nKøbenhavn og Oslo.",
            title_sv="Stadsmöte om tryggt nattliv",
        ),
    )
    assert response.status_code == 302
    event = db.session.execute(sa.select(Event)).scalar_one()
    assert texts(event) == {
        "da": ("Bymøde om trygt natteliv", "Erfaringer fra\nKøbenhavn og Oslo."),
        "sv": ("Stadsmöte om tryggt nattliv", ""),
    }

    form = html(client.get(f"/manage/events/{event.id}/edit"))
    assert "Other languages" in form
    # One <details> per language, each named in itself; the inputs say their language.
    assert form.count("<details") == 5
    assert '<span lang="da">Dansk</span>: <span lang="da">Bymøde om trygt natteliv</span>' in form
    assert (
        'lang="da" maxlength="200" name="title_da" type="text" value="Bymøde om trygt natteliv"'
        in form
    )
    assert "Stadsmöte om tryggt nattliv" in form
    # The coordinators' pages speak of the event by its original title.
    assert "<h1>Edit “City meeting on safe nightlife”</h1>" in form


def test_emptying_a_language_removes_its_text_and_a_change_is_a_change_for_the_pages(
    client, coordinator, nightlife
):
    before = nightlife.updated_at
    fields = event_form(title_da="Bymøde om natteliv", description_da="", title_fi="")
    assert submit(client, f"/manage/events/{nightlife.id}/edit", fields).status_code == 302
    assert texts(nightlife) == {"da": ("Bymøde om natteliv", "")}
    # Like a new title: the pages and feeds learn of it, calendars need no new SEQUENCE.
    assert nightlife.updated_at > before
    assert nightlife.sequence == 0


def test_a_text_in_another_language_is_held_to_the_original_rules(client, coordinator):
    response = submit(client, NEW, event_form(title_nb="x" * 201, description_is="a\x00b"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The event was not saved." in page
    # The language with the message is open; the others stay closed.
    assert page.count("<details open>") == 1
    assert "Field cannot be longer than 200 characters." in page
    assert db.session.execute(sa.select(sa.func.count(Event.id))).scalar_one() == 0

    response = submit(client, NEW, event_form(title_is="Borgarfundur\x00", description_is="a\x00b"))
    assert response.status_code == 302
    [event] = db.session.execute(sa.select(Event)).scalars()
    assert texts(event) == {"is": ("Borgarfundur", "ab")}


def test_the_service_refuses_an_unknown_language_or_a_long_title(network, make_event):
    event = make_event("Board")
    data = event_from_data(event)
    with pytest.raises(EventError):
        update_event(event, data.__class__(**{**vars(data), "translations": {"de": DANISH}}))
    with pytest.raises(EventError) as refused:
        update_event(
            event,
            data.__class__(**{**vars(data), "translations": {"sv": EventText("x" * 201, "")}}),
        )
    assert refused.value.field == "title_sv"


def test_copies_and_series_keep_the_texts_and_deleting_the_event_removes_them(network, make_event):
    draft = make_event("Board", status=EventStatus.draft, translations={"da": DANISH})
    copy = clone_event(draft)
    db.session.commit()
    assert texts(copy) == {"da": tuple(DANISH)}

    series = make_event("Monthly call", rrule="FREQ=MONTHLY;COUNT=3", translations={"fi": FINNISH})
    occurrences = series.series.occurrences
    assert len(occurrences) == 3
    assert all(texts(occurrence) == {"fi": tuple(FINNISH)} for occurrence in occurrences)

    delete_draft(draft)
    db.session.commit()
    assert texts(draft) == {}
    assert texts(copy) == {"da": tuple(DANISH)}


def test_an_import_that_knows_only_the_original_leaves_the_texts_alone(network, make_event):
    event = make_event("Board", translations={"da": DANISH})
    data = event_from_data(event)
    data.translations = None
    data.title = "Board meeting"
    update_event(event, data)
    db.session.commit()
    assert texts(event) == {"da": tuple(DANISH)}


# --- what readers see ------------------------------------------------------------------


def test_the_event_page_in_danish_shows_the_danish_title_and_description(client, nightlife):
    page = html(client.get(f"/events/{nightlife.id}?lang=da"))
    assert "<h1>Bymøde om trygt natteliv</h1>" in page
    assert "<title>Bymøde om trygt natteliv" in page
    assert "Erfaringer fra København og Oslo." in page
    assert "City meeting on safe nightlife" not in page


def test_a_language_without_a_text_reads_the_original(client, nightlife):
    swedish = html(client.get(f"/events/{nightlife.id}?lang=sv"))
    assert "<h1>City meeting on safe nightlife</h1>" in swedish
    # Finnish has a title but no description: the original description stands in.
    finnish = html(client.get(f"/events/{nightlife.id}?lang=fi"))
    assert "<h1>Kaupunkikokous turvallisesta yöelämästä</h1>" in finnish
    assert "Experiences from Copenhagen and Oslo." in finnish
    english = html(client.get(f"/events/{nightlife.id}?lang=en"))
    assert "<h1>City meeting on safe nightlife</h1>" in english


def test_a_translated_description_hides_the_online_link_too(client, make_event, network):
    event = make_event(
        "Webinar",
        online_url="https://meet.example.org/secret",
        translations={"da": EventText("Webinar", "Deltag på https://meet.example.org/secret")},
    )
    page = html(client.get(f"/events/{event.id}?lang=da"))
    assert "meet.example.org/secret" not in page


@pytest.mark.parametrize(
    "path", ["/?lang=da", "/events/?lang=da", "/calendar/2027?lang=da", "/calendar/2027/1?lang=da"]
)
def test_lists_and_calendars_in_danish_show_the_danish_title(client, nightlife, path):
    page = html(client.get(path))
    assert "Bymøde om trygt natteliv" in page
    assert "City meeting on safe nightlife" not in page


def test_a_search_finds_the_text_in_another_language(client, nightlife):
    page = html(client.get("/events/?q=natteliv&lang=da"))
    assert "Bymøde om trygt natteliv" in page
    assert "No events" not in page


def test_my_events_and_the_members_home_speak_the_members_language(
    client, auth, make_user, nightlife
):
    from nscal.registrations.services import register_for_event

    member = make_user("aino@example.org", city="helsinki", language="fi")
    register_for_event(nightlife.id, member.id, now=datetime(2026, 12, 1, tzinfo=nightlife.zone))
    db.session.commit()
    auth.login("aino@example.org")
    assert "Kaupunkikokous turvallisesta yöelämästä" in html(client.get("/my/events"))
    assert "Kaupunkikokous turvallisesta yöelämästä" in html(client.get("/"))


def test_coordinators_pages_show_the_original(client, coordinator, nightlife):
    page = html(client.get("/manage/events/?lang=da"))
    assert "City meeting on safe nightlife" in page
    assert "Bymøde om trygt natteliv" not in page


# --- efficiency ------------------------------------------------------------------------


def test_the_list_in_danish_needs_one_query_more_however_many_events(client, network, make_event):
    def add(number: int):
        make_event(
            f"Meeting {number}",
            start=datetime(2027, 1 + number % 12, 1 + number % 28, 10),  # noqa: DTZ001
            end=datetime(2027, 1 + number % 12, 1 + number % 28, 11),  # noqa: DTZ001
            translations={"da": EventText(f"Møde {number}", "")} if number % 2 else {},
        )

    for number in range(3):
        add(number)
    english = count_statements(client, "/events/?lang=en")
    few = count_statements(client, "/events/?lang=da")
    for number in range(3, 30):
        add(number)
    many = count_statements(client, "/events/?lang=da")
    assert few == many == english + 1
    assert count_statements(client, "/calendar/2027?lang=da") <= few
    assert "Møde 29" in html(client.get("/calendar/2027?lang=da"))
