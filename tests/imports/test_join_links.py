"""Imported join links (Teams, Zoom, Meet …) leave the public description for the online
link, which only confirmed participants and coordinators see; the preview says so."""

from pathlib import Path

import pytest

from nscal.db import db
from nscal.events.models import Event, EventFormat
from nscal.imports.join_links import MOVED_NOTE, PLACEHOLDER_LINE, is_join_link
from tests.imports.importing import import_events
from tests.imports.test_import_page import fixture, upload

ICS = Path(__file__).parent.parent / "fixtures" / "ics"
TEAMS_URL = (
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_YjJmOTk0ZDItNTQ2%40thread.v2/0"
    "?context=%7b%22Tid%22%3a%22f00dcafe-1234%22%2c%22Oid%22%3a%22beef-5678%22%7d"
)
ZOOM_URL = "https://us06web.zoom.us/j/84512367890?pwd=Tm9yZGljU2FmZUNpdGllcw.1"
BOILERPLATE = ("Meeting ID", "Passcode", "Dial", "Microsoft Teams", "Zoom", "+45", "organizers")


def test_a_teams_invitation_leaves_the_description(runner, imported):
    result = import_events(runner, ICS / "teams.ics")
    assert result.exit_code == 0, result.output
    assert MOVED_NOTE in result.output
    [meeting] = imported("City meeting: spring lessons")
    assert meeting.online_url == TEAMS_URL
    assert meeting.format is EventFormat.online
    assert meeting.description == (
        "Quarterly city meeting on safe neighbourhoods: what the cities learned this spring."
        f"\n\n{PLACEHOLDER_LINE}"
    )


def test_a_zoom_invitation_leaves_the_description(runner, imported):
    result = import_events(runner, ICS / "zoom.ics")
    assert result.exit_code == 0, result.output
    [webinar] = imported("Webinar: young people online")
    assert webinar.online_url == ZOOM_URL  # from LOCATION, the same as in the description
    assert webinar.description.startswith("Webinar for practitioners on online hate")
    assert "zoom.us" not in webinar.description
    for words in BOILERPLATE:
        assert words not in webinar.description, words


@pytest.mark.parametrize(
    ("path", "moved"),
    [("google.ics", "meet.google.com"), ("outlook.ics", "teams.microsoft.com")],
)
def test_the_other_exports_keep_no_join_link_in_descriptions(runner, imported, path, moved):
    assert import_events(runner, ICS / path).exit_code == 0
    for event in db.session.execute(db.select(Event)).scalars():
        assert moved not in event.description, event.title
        assert "zoom.us/j/" not in event.description, event.title


def test_a_csv_description_gives_up_its_link(runner, imported, tmp_path):
    file = tmp_path / "events.csv"
    file.write_text(
        "title,kind,starts,ends,timezone,venue,description\n"
        "Night walk,workshop,2027-05-04 18:00,2027-05-04 20:00,Europe/Oslo,Oslo City Hall,"
        f'"A walk through the city.\nJoin online: {ZOOM_URL}"\n',
        encoding="utf-8",
    )
    result = runner.invoke(args=["import-events", str(file)])
    assert result.exit_code == 0, result.output
    [walk] = imported("Night walk")
    assert (walk.online_url, walk.format) == (ZOOM_URL, EventFormat.hybrid)
    assert "zoom" not in walk.description
    assert walk.description.startswith("A walk through the city.")


def test_the_preview_says_the_link_moved(client, coordinator):
    page = upload(client, "teams.ics", fixture("ics/teams.ics")).text
    assert MOVED_NOTE in page


@pytest.mark.parametrize(
    ("url", "join"),
    [
        (TEAMS_URL, True),
        (ZOOM_URL, True),
        ("https://zoom.us/j/98765432100", True),
        ("https://meet.google.com/abc-defg-hij", True),
        ("https://nordicsafecities.webex.com/meet/coordinator", True),
        ("https://whereby.com/nsc-room", True),
        ("https://zoom.us/pricing", False),
        ("https://support.google.com/a/users/answer/9282720", False),
        ("https://teams.microsoft.com.evil.example/l/meetup-join/1", False),
        ("https://nordicsafecities.org/events", False),
    ],
)
def test_join_links_are_recognised(url, join):
    assert is_join_link(url) is join
