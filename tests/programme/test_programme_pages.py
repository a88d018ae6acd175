"""The Malmö meeting's programme as people read it: on the event page in the viewer's
own zone (Helsinki, Nuuk, or Stockholm, the event's own), as a PDF, and in the API."""

import io

import jsonschema
import pytest
from pypdf import PdfReader

from nscal.accounts.models import AccountRole
from nscal.api.openapi import OPENAPI
from nscal.db import db
from nscal.events.models import Visibility
from nscal.registrations.models import Registration, RegistrationStatus
from tests.programme.conftest import PLENARY_LINK, ROUND_LINK, page_text


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def check(schema_name: str, instance) -> None:
    root = {"allOf": [{"$ref": f"#/components/schemas/{schema_name}"}], **OPENAPI}
    jsonschema.Draft202012Validator(
        root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(instance)


# --- the event page --------------------------------------------------------------------


def test_a_visitor_reads_the_programme_by_day_in_the_events_own_time(client, malmo):
    text = page_text(client.get(f"/events/{malmo.id}"))
    assert "Programme" in text
    assert "Times in Malmö time, the event's own." in text
    day_one, day_two = text.index("Monday 29 March 2027"), text.index("Tuesday 30 March 2027")
    assert day_one < text.index("Welcome to Malmö") < day_two < text.index("Site visit")
    # The day after the clocks went forward: summer time, and no second clock.
    assert "09:00–09:30 CEST Talk: Welcome to Malmö" in text
    assert "Mats Mayor (Malmö)" in text
    assert "Lena Berg (Lund University)" in text
    assert "CEST in Malmö" not in text
    assert text.index("Welcome to Malmö") < text.index("Preventing radicalisation")


def test_a_member_in_helsinki_reads_helsinki_time_with_stockholms_beside_it(
    client, auth, malmo, make_user
):
    make_user("aino@hel.example", city="helsinki")
    auth.login("aino@hel.example")
    text = page_text(client.get(f"/events/{malmo.id}"))
    assert "Times in Helsinki time, with Malmö time (the event's own) beside them." in text
    assert "10:00–10:30 EEST · 09:00–09:30 CEST in Malmö" in text
    assert "Tuesday 30 March 2027" in text
    assert "16:00–18:00 EEST · 15:00–17:00 CEST" not in text  # the conclusions end at 15:00
    assert "14:00–16:00 EEST · 13:00–15:00 CEST in Malmö" in text


def test_a_member_in_nuuk_reads_nuuk_time_five_hours_behind_stockholm(
    client, auth, malmo, make_user
):
    # Greenland went to summer time (UTC-1) on Saturday night, Sweden on Sunday.
    make_user("pipaluk@nuuk.example", city="nuuk")
    auth.login("pipaluk@nuuk.example")
    text = page_text(client.get(f"/events/{malmo.id}"))
    assert "Times in Nuuk time" in text
    assert "06:00–06:30 UTC−1 (Nuuk) · 09:00–09:30 CEST in Malmö" in text
    assert "08:15–09:30 UTC−1 (Nuuk) · 11:15–12:30 CEST in Malmö" in text


def test_parallel_items_sit_side_by_side_a_column_per_room(client, malmo):
    page = client.get(f"/events/{malmo.id}").text
    slot = page.split('class="programme-slot is-parallel', 1)[1].split("programme-slot", 1)[0]
    assert slot.startswith(" programme-cols-3")
    rooms = [part.split("</p>", 1)[0] for part in slot.split('class="programme-room">')[1:]]
    assert rooms == ["Room A", "Room B", "Online"]
    assert page.count('class="programme-slot is-parallel') == 1


def test_online_links_only_for_those_who_see_the_events_link(client, auth, malmo, make_user):
    page = client.get(f"/events/{malmo.id}").text
    assert PLENARY_LINK not in page and ROUND_LINK not in page
    assert "the link is shared with registered participants" in page

    member = make_user("member@example.org")
    auth.login("member@example.org")
    assert PLENARY_LINK not in client.get(f"/events/{malmo.id}").text
    db.session.add(
        Registration(event_id=malmo.id, user_id=member.id, status=RegistrationStatus.confirmed)
    )
    db.session.commit()
    page = client.get(f"/events/{malmo.id}").text
    assert f'href="{PLENARY_LINK}"' in page and f'href="{ROUND_LINK}"' in page


def test_an_event_without_a_programme_shows_no_programme(client, network, make_event):
    event = make_event("Board call")
    page = client.get(f"/events/{event.id}").text
    assert 'id="programme"' not in page
    assert client.get(f"/events/{event.id}/programme.pdf").status_code == 404


# --- the PDF ---------------------------------------------------------------------------


def test_the_pdf_has_the_programme_to_hand_out(client, malmo):
    page = client.get(f"/events/{malmo.id}").text
    assert f'href="/events/{malmo.id}/programme.pdf"' in page
    response = client.get(f"/events/{malmo.id}/programme.pdf")
    text = pdf_text(response)
    assert "City network meeting in Malmö" in text
    assert "29–30 March 2027" in text
    assert "Monday 29 March 2027" in text and "Tuesday 30 March 2027" in text
    assert "09:00–09:30 CEST" in text
    assert "Welcome to Malmö" in text and "Mats Mayor (Malmö)" in text
    for room in ("Room A", "Room B", "Bus from City Hall"):
        assert room in text
    assert "meet.example.org" not in text
    assert "the link is shared with registered participants" in text


def test_the_pdf_for_a_member_in_helsinki_has_both_clocks(client, auth, malmo, make_user):
    make_user("aino@hel.example", city="helsinki")
    auth.login("aino@hel.example")
    text = pdf_text(client.get(f"/events/{malmo.id}/programme.pdf"))
    assert "10:00–10:30 EEST · 09:00–09:30 CEST in Malmö" in text


# --- the API ---------------------------------------------------------------------------


def test_the_api_gives_the_programme_with_offsets_and_without_links(client, malmo):
    response = client.get(f"/api/events/{malmo.id}/programme")
    assert response.status_code == 200
    body = response.get_json()
    check("Programme", body)
    assert body["timezone"] == "Europe/Stockholm"
    assert body["pdf_url"] == f"https://calendar.test/events/{malmo.id}/programme.pdf"
    first = body["items"][0]
    assert first["title"] == "Welcome to Malmö"
    assert (first["starts_at"], first["ends_at"]) == (
        "2027-03-29T09:00:00+02:00",
        "2027-03-29T09:30:00+02:00",
    )
    assert first["speakers"] == [{"name": "Mats Mayor", "affiliation": "Malmö"}]
    assert first["online"] is True and first["room"] == "Main hall"
    parallel = [
        item["room"] for item in body["items"] if item["starts_at"].endswith("11:15:00+02:00")
    ]
    assert parallel == ["Room A", "Room B", ""]
    assert len(body["items"]) == 9
    assert "meet.example.org" not in response.get_data(as_text=True)


def test_the_api_documents_the_programme(client):
    document = client.get("/api/openapi.json").get_json()
    operation = document["paths"]["/api/events/{event_id}/programme"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Programme"
    }
    check("Programme", operation["responses"]["200"]["content"]["application/json"]["example"])


def test_an_unknown_events_programme_is_a_404_in_the_api(client, network):
    response = client.get("/api/events/4242/programme")
    assert response.status_code == 404
    check("Error", response.get_json())


# --- members only ----------------------------------------------------------------------


@pytest.fixture
def members_only(malmo):
    malmo.visibility = Visibility.members
    db.session.commit()
    return malmo


def test_a_members_only_programme_is_hidden_from_visitors(client, members_only):
    event_id = members_only.id
    assert client.get(f"/events/{event_id}").status_code == 404
    pdf = client.get(f"/events/{event_id}/programme.pdf")
    assert pdf.status_code == 404 and pdf.mimetype == "text/html"
    assert "Welcome to Malmö" not in pdf.text
    api = client.get(f"/api/events/{event_id}/programme")
    assert api.status_code == 404 and "Welcome" not in api.text


def test_a_member_sees_a_members_only_programme(client, auth, members_only, make_user):
    make_user("member@example.org", account_role=AccountRole.member)
    auth.login("member@example.org")
    event_id = members_only.id
    assert "Welcome to Malmö" in client.get(f"/events/{event_id}").text
    assert "Welcome to Malmö" in pdf_text(client.get(f"/events/{event_id}/programme.pdf"))
    assert client.get(f"/api/events/{event_id}/programme").get_json()["items"]
