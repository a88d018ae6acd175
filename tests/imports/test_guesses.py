"""What an import guesses when the file does not say (kind, host city, zone, format),
what wins over the guesses, and how a coordinator corrects them in the preview."""

import re

import pytest
import sqlalchemy as sa

from nscal.db import db
from nscal.events.models import Event, EventFormat, EventKind
from nscal.imports.guesses import Guesser, format_from_presence, kind_from_title
from tests.imports.importing import import_events, utc
from tests.imports.test_import_page import confirm_fields, upload

PREVIEW = "/manage/import/"


def vevent(uid: str, summary: str, start: str, end: str, location: str = "", extra=""):
    place = f"LOCATION:{location}\r\n" if location else ""
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261201T120000Z\r\n{start}\r\n{end}\r\n"
        f"SUMMARY:{summary}\r\n{place}{extra}END:VEVENT\r\n"
    )


def calendar(*events: str, header: str = "") -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//nscal tests//EN\r\n"
        + header
        + "".join(events)
        + "END:VCALENDAR\r\n"
    )


AARHUS_OUTLOOK = vevent(
    "aarhus-bymode@example.org",
    "Bymøde i Aarhus om tryghed",
    'DTSTART;TZID="W. Europe Standard Time":20270302T100000',
    'DTEND;TZID="W. Europe Standard Time":20270302T120000',
    "Aarhus Rådhus",
)
MIDSUMMER = vevent(
    "midsummer@example.org",
    "Midsummer – secretariat closed",
    "DTSTART;VALUE=DATE:20270624",
    "DTEND;VALUE=DATE:20270625",
)


def one(uid: str) -> Event:
    db.session.expire_all()
    return db.session.execute(sa.select(Event).where(Event.uid == uid)).scalar_one()


# --- kind from the title ----------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        # English
        ("City meeting: safe neighbourhoods", EventKind.city_meeting),
        ("Nordic Safe Cities Summit 2027", EventKind.summit),
        ("Kick-off in Espoo", EventKind.kick_off),
        ("Kickoff for the new members", EventKind.kick_off),
        ("Workshop: youth and safety", EventKind.workshop),
        ("WEBINAR on safe nightlife", EventKind.webinar),
        # Danish
        ("Bymøde i Aarhus", EventKind.city_meeting),
        ("Bymødet om tryghed", EventKind.city_meeting),
        ("Nordisk topmøde i København", EventKind.summit),
        ("Opstart af netværket", EventKind.kick_off),
        ("Projektopstart", EventKind.kick_off),
        ("Værksted om radikalisering", EventKind.workshop),
        # Norwegian
        ("Bymøte i Bergen", EventKind.city_meeting),
        ("Toppmøte om trygge byer", EventKind.summit),
        ("Oppstart for nye byer", EventKind.kick_off),
        ("Verksted: forebygging", EventKind.workshop),
        # Swedish
        ("Stadsmöte i Malmö", EventKind.city_meeting),
        ("Nordiskt toppmöte", EventKind.summit),
        ("Uppstartsmöte", EventKind.kick_off),
        ("Verkstad om trygghet", EventKind.workshop),
        ("Webbinarium om hat på nätet", EventKind.webinar),
        # Finnish, with its endings
        ("Kaupunkikokous Turussa", EventKind.city_meeting),
        ("Pohjoismainen huippukokous", EventKind.summit),
        ("Hankkeen aloitustilaisuus", EventKind.kick_off),
        ("Työpajassa nuorten kanssa", EventKind.workshop),
        ("Webinaari: vihapuhe", EventKind.webinar),
        # Icelandic, with and without its letters
        ("Borgarfundur í Reykjavík", EventKind.city_meeting),
        ("Leiðtogafundur Norðurlanda", EventKind.summit),
        ("Leidtogafundur", EventKind.summit),
        ("Vinnustofa um öryggi", EventKind.workshop),
        ("Vefnámskeið um öryggi", EventKind.webinar),
        ("Vefnamskeid", EventKind.webinar),
        # The rule order: the occasion wins over the form it takes.
        ("Kick-off City Meeting (online)", EventKind.kick_off),
        ("Summit workshop on schools", EventKind.summit),
        ("Webinar workshop: tools", EventKind.webinar),
        # Words are whole words (at their start): "Midsummer" is no summit.
        ("Midsummer – secretariat closed", EventKind.other),
        ("Capacity meeting", EventKind.other),
        ("Board meeting", EventKind.other),
    ],
)
def test_the_kind_comes_from_the_words_of_the_title(title, kind):
    assert kind_from_title(title)[0] is kind


def test_the_kind_says_where_it_came_from():
    assert kind_from_title("Bymøde i Aarhus") == (
        EventKind.city_meeting,
        "from the title “Bymøde i Aarhus”",
    )
    assert kind_from_title("Midsummer")[1] == "no kind word in the title"


# --- host city from the place or the title ------------------------------------------


@pytest.mark.parametrize(
    ("venue", "title", "slug"),
    [
        ("Aarhus Rådhus", "", "aarhus"),
        ("Århus Rådhus, Rådhuspladsen 2", "", "aarhus"),
        ("Rådhuspladsen 1, 1550 København V", "", "copenhagen"),
        ("Københavns Rådhus", "", "copenhagen"),  # the genitive
        ("Göteborgs stadshus", "", "gothenburg"),
        ("Turun kaupungintalo", "", "turku"),  # Finnish cases
        ("Kööpenhamina", "", "copenhagen"),
        ("Gustaf Adolfs torg 1, Göteborg", "", "gothenburg"),
        ("Harpa, 101 Reykjavik", "", "reykjavik"),
        ("Tinganes, Torshavn", "", "torshavn"),
        ("Godthåb rådhus", "", "nuuk"),
        ("Helsingfors stadshus", "", "helsinki"),
        ("Åbo slott", "", "turku"),
        ("Malmo stadshus", "", "malmo"),
        ("Copenhagen Street 5, Malmö", "", "malmo"),  # an address ends with its city
        ("", "Bymøde i Aarhus", "aarhus"),  # no place: the title
        ("Room 3", "Oslo breakfast", None),  # a place, without a city: not the title
        ("", "Midsummer – secretariat closed", None),
    ],
)
def test_the_host_city_comes_from_the_place_in_local_and_english_names(
    app, demo, venue, title, slug
):
    city, _source = Guesser().host_city(venue, title)
    assert (city.slug if city else None) == slug


def test_a_place_without_a_city_does_not_look_at_the_title(app, demo):
    # "Oslo breakfast" held in "Room 3": the place is what says where, and it does not.
    city, source = Guesser().host_city("Room 3", "Oslo breakfast")
    assert (city, source) == (None, "no member city in the place")


# --- format from the link and the place ----------------------------------------------


@pytest.mark.parametrize(
    ("venue", "link", "kind", "expected"),
    [
        ("Aarhus Rådhus", "https://teams.microsoft.com/l/meetup-join/x", EventKind.other, "hybrid"),
        ("", "https://zoom.us/j/1", EventKind.workshop, "online"),
        ("Aarhus Rådhus", "", EventKind.webinar, "in-person"),
        ("", "", EventKind.webinar, "online"),  # a webinar's link comes later
        ("", "", EventKind.other, "in-person"),  # never online for nothing to join
        ("", "", EventKind.city_meeting, "in-person"),
    ],
)
def test_the_format_comes_from_the_link_and_the_place(venue, link, kind, expected):
    assert format_from_presence(venue, link, kind)[0] is EventFormat(expected)


# --- through the import --------------------------------------------------------------


def test_aarhus_radhus_gets_its_city_and_copenhagen_time(runner, demo, tmp_path):
    path = tmp_path / "outlook.ics"
    path.write_text(calendar(AARHUS_OUTLOOK, MIDSUMMER), encoding="utf-8")
    result = import_events(runner, path)
    assert result.exit_code == 0, result.output

    meeting = one("aarhus-bymode@example.org")
    assert meeting.kind is EventKind.city_meeting
    assert meeting.host_city.slug == "aarhus"
    # Outlook's "W. Europe Standard Time" keeps Copenhagen's clocks: the same instant,
    # named after the host city instead of Stockholm.
    assert (meeting.timezone, meeting.starts_at) == ("Europe/Copenhagen", utc(2027, 3, 2, 9))
    assert meeting.format is EventFormat.in_person

    midsummer = one("midsummer@example.org")
    assert (midsummer.kind, midsummer.format, midsummer.host_city) == (
        EventKind.other,
        EventFormat.in_person,
        None,
    )
    # The CLI lists each guess with where it came from.
    output = " ".join(result.output.split())
    assert "kind City meeting (from the title “Bymøde i Aarhus om tryghed”)" in output
    assert "host city Aarhus (from the place “Aarhus Rådhus”)" in output
    assert "time zone Europe/Copenhagen (the host city's zone, with the same clocks as" in output
    assert "format In person (no place or link: in person, venue to be announced)" in output


def test_an_explicit_tzid_wins_over_the_host_city(runner, demo, tmp_path):
    path = tmp_path / "helsinki.ics"
    path.write_text(
        calendar(
            vevent(
                "tzid-wins@example.org",
                "Workshop in Aarhus, run from Helsinki",
                "DTSTART;TZID=Europe/Helsinki:20270302T100000",
                "DTEND;TZID=Europe/Helsinki:20270302T120000",
                "Aarhus Rådhus",
            ),
            vevent(
                "stockholm-iana@example.org",
                "Bymøde",
                "DTSTART;TZID=Europe/Stockholm:20270303T100000",
                "DTEND;TZID=Europe/Stockholm:20270303T120000",
                "Aarhus Rådhus",
            ),
        ),
        encoding="utf-8",
    )
    assert import_events(runner, path).exit_code == 0
    workshop = one("tzid-wins@example.org")
    assert workshop.host_city.slug == "aarhus"
    assert (workshop.timezone, workshop.starts_at) == ("Europe/Helsinki", utc(2027, 3, 2, 8))
    # An IANA TZID is kept as written, even where the host city has the same clocks.
    assert one("stockholm-iana@example.org").timezone == "Europe/Stockholm"


def test_floating_times_are_read_on_the_host_citys_clocks(runner, demo, tmp_path):
    path = tmp_path / "floating.ics"
    path.write_text(
        calendar(
            vevent(
                "floating-helsinki@example.org",
                "Työpaja",
                "DTSTART:20270302T100000",
                "DTEND:20270302T120000",
                "Helsingin kaupungintalo, Helsinki",
            ),
            vevent(
                "floating-nowhere@example.org",
                "Reading group",
                "DTSTART:20270302T100000",
                "DTEND:20270302T120000",
            ),
        ),
        encoding="utf-8",
    )
    result = import_events(runner, path)
    assert result.exit_code == 0, result.output
    workshop = one("floating-helsinki@example.org")
    assert (workshop.timezone, workshop.starts_at) == ("Europe/Helsinki", utc(2027, 3, 2, 8))
    assert "it was read as Europe/Helsinki time (the host city's zone)" in result.output
    nowhere = one("floating-nowhere@example.org")  # no city: the default zone, as before
    assert (nowhere.timezone, nowhere.starts_at) == ("Europe/Copenhagen", utc(2027, 3, 2, 9))


def test_the_calendars_zone_wins_over_the_host_city_for_floating_times(runner, demo, tmp_path):
    path = tmp_path / "x-wr.ics"
    path.write_text(
        calendar(
            vevent(
                "xwr-helsinki@example.org",
                "Työpaja",
                "DTSTART:20270302T100000",
                "DTEND:20270302T120000",
                "Helsinki",
            ),
            header="X-WR-TIMEZONE:Europe/Oslo\r\n",
        ),
        encoding="utf-8",
    )
    assert import_events(runner, path).exit_code == 0
    workshop = one("xwr-helsinki@example.org")
    assert (workshop.timezone, workshop.starts_at) == ("Europe/Oslo", utc(2027, 3, 2, 9))


def test_a_csv_row_without_zone_takes_its_host_citys(runner, demo, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(
        "title,kind,starts,ends,timezone,host_city,format,venue,online_url\n"
        "Stadsmöte om trygghet,,2027-03-02 10:00,2 h,,,,Malmö stadshus,\n"
        "Webinaari,,2027-03-03 10:00,1 h,,helsinki,,,\n",
        encoding="utf-8",
    )
    result = import_events(runner, path)
    assert result.exit_code == 0, result.output
    meeting = db.session.execute(
        sa.select(Event).where(Event.title == "Stadsmöte om trygghet")
    ).scalar_one()
    assert (meeting.kind, meeting.host_city.slug, meeting.timezone, meeting.format) == (
        EventKind.city_meeting,
        "malmo",
        "Europe/Stockholm",
        EventFormat.in_person,
    )
    assert meeting.starts_at == utc(2027, 3, 2, 9)
    webinar = db.session.execute(sa.select(Event).where(Event.title == "Webinaari")).scalar_one()
    assert (webinar.kind, webinar.timezone, webinar.format) == (
        EventKind.webinar,
        "Europe/Helsinki",
        EventFormat.online,
    )


# --- the preview: see the guesses, correct them ----------------------------------------


def guess_lines(page: str) -> dict[str, int]:
    """The preview's component line by title."""
    return {
        title: int(line)
        for line, title in re.findall(r"<legend>Line (\d+): ([^<]+)</legend>", page)
    }


def test_the_preview_shows_each_guess_and_its_source(client, coordinator):
    content = calendar(AARHUS_OUTLOOK, MIDSUMMER).encode()
    page = upload(client, "outlook.ics", content).get_data(as_text=True)
    assert "What nscal worked out (2)" in page
    assert "Guessed: from the title “Bymøde i Aarhus om tryghed”" in page
    assert "Guessed: from the place “Aarhus Rådhus”" in page
    assert "Guessed: no place or link: in person, venue to be announced" in page
    lines = guess_lines(page)
    line = lines["Bymøde i Aarhus om tryghed"]
    assert re.search(
        rf'<select id="guess-{line}-kind" name="guess-{line}-kind"[^>]*>.*?'
        r'<option value="city-meeting" selected>City meeting</option>',
        page,
        re.S,
    )
    assert '<option value="aarhus" selected>Aarhus</option>' in page


def test_corrections_in_the_preview_are_imported(client, coordinator):
    content = calendar(AARHUS_OUTLOOK, MIDSUMMER).encode()
    page = upload(client, "outlook.ics", content).get_data(as_text=True)
    lines = guess_lines(page)
    meeting, midsummer = (
        lines["Bymøde i Aarhus om tryghed"],
        lines["Midsummer – secretariat closed"],
    )
    fields = confirm_fields(page)
    fields |= {
        f"guess-{meeting}-kind": "summit",
        f"guess-{meeting}-host_city": "copenhagen",
        # Unchanged selects are sent as they were shown: no correction.
        f"guess-{meeting}-timezone": "Europe/Copenhagen",
        f"guess-{midsummer}-format": "online",
        f"guess-{midsummer}-timezone": "Europe/Helsinki",
    }
    response = client.post("/manage/import/confirm", data=fields, follow_redirects=True)
    assert "Created 2 event(s)" in response.get_data(as_text=True)
    event = one("aarhus-bymode@example.org")
    assert (event.kind, event.host_city.slug, event.timezone) == (
        EventKind.summit,
        "copenhagen",
        "Europe/Copenhagen",
    )
    assert event.starts_at == utc(2027, 3, 2, 9)  # the file's instant
    closed = one("midsummer@example.org")
    assert (closed.format, closed.timezone, closed.all_day) == (
        EventFormat.online,
        "Europe/Helsinki",
        True,
    )


def test_a_correction_the_preview_did_not_offer_imports_nothing(client, coordinator):
    page = upload(client, "outlook.ics", calendar(AARHUS_OUTLOOK).encode()).get_data(as_text=True)
    line = guess_lines(page)["Bymøde i Aarhus om tryghed"]
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    for name, value in [("kind", "party"), ("host_city", "atlantis"), ("timezone", "Mars/Base")]:
        fields = confirm_fields(page) | {f"guess-{line}-{name}": value}
        response = client.post("/manage/import/confirm", data=fields, follow_redirects=True)
        assert "Please upload the file again" in response.get_data(as_text=True)
    # A line the preview did not show is not read at all.
    fields = confirm_fields(page) | {"guess-999-kind": "party"}
    assert client.post("/manage/import/confirm", data=fields).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == before + 1


def test_a_reimport_keeps_the_coordinators_correction(client, coordinator, runner, tmp_path):
    content = calendar(AARHUS_OUTLOOK).encode()
    page = upload(client, "outlook.ics", content).get_data(as_text=True)
    line = guess_lines(page)["Bymøde i Aarhus om tryghed"]
    fields = confirm_fields(page) | {f"guess-{line}-kind": "workshop"}
    client.post("/manage/import/confirm", data=fields)
    assert one("aarhus-bymode@example.org").kind is EventKind.workshop

    # Imported again: the preview shows what nscal has, and the import keeps it.
    page = upload(client, "outlook.ics", content).get_data(as_text=True)
    assert "as in nscal (imported before; a guess does not overwrite it)" in page
    assert '<option value="workshop" selected>Workshop</option>' in page
    client.post("/manage/import/confirm", data=confirm_fields(page))
    assert one("aarhus-bymode@example.org").kind is EventKind.workshop
    path = tmp_path / "again.ics"
    path.write_bytes(content)
    assert "updated 1" in import_events(runner, path).output
    assert one("aarhus-bymode@example.org").kind is EventKind.workshop

    # A correction in this preview, or a kind the file states, is applied.
    page = upload(client, "outlook.ics", content).get_data(as_text=True)
    fields = confirm_fields(page) | {f"guess-{line}-kind": "kick-off"}
    client.post("/manage/import/confirm", data=fields)
    assert one("aarhus-bymode@example.org").kind is EventKind.kick_off
    stated = calendar(AARHUS_OUTLOOK.replace("END:VEVENT", "CATEGORIES:Summit\r\nEND:VEVENT"))
    path.write_text(stated, encoding="utf-8")
    assert import_events(runner, path).exit_code == 0
    assert one("aarhus-bymode@example.org").kind is EventKind.summit


def test_a_correction_nscal_refuses_says_so_and_imports_nothing(client, coordinator):
    teams = AARHUS_OUTLOOK.replace(
        "END:VEVENT",
        "DESCRIPTION:Join: https://teams.microsoft.com/l/meetup-join/abc\r\nEND:VEVENT",
    )
    page = upload(client, "outlook.ics", calendar(teams).encode()).get_data(as_text=True)
    line = guess_lines(page)["Bymøde i Aarhus om tryghed"]
    assert '<option value="hybrid" selected>Hybrid</option>' in page
    fields = confirm_fields(page) | {f"guess-{line}-format": "in-person"}
    response = client.post("/manage/import/confirm", data=fields)
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "with your corrections, nscal refuses what is listed below" in text
    assert "An in-person event has no online link; choose hybrid instead." in text
    assert not db.session.execute(
        sa.select(Event).where(Event.uid == "aarhus-bymode@example.org")
    ).first()
