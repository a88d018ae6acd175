"""The Malmö city network meeting (29–30 March 2027, Europe/Stockholm, the day after
the clocks go forward) with a two-day programme: plenaries in the main hall, parallel
workshops in two rooms beside an online-only round, a site visit on day two."""

import html
import re
from datetime import date, datetime

import pytest

from nscal.db import db
from nscal.events.models import EventFormat, EventKind
from nscal.programme.models import ItemKind
from nscal.programme.services import ItemData, OtherSpeaker, add_item

PLENARY_LINK = "https://meet.example.org/malmo-plenary"
ROUND_LINK = "https://meet.example.org/malmo-round"


def wall(*parts: int) -> datetime:
    return datetime(*parts)  # noqa: DTZ001 - wall-clock time in the event's zone


def page_text(response) -> str:
    """What a reader sees in the page's main part: text without tags, blanks collapsed."""
    body = response.text.split("<main", 1)[-1].split("</main>", 1)[0]
    body = re.sub(r"<select.*?</select>", " ", body, flags=re.S)
    body = re.sub(r"</?(time|span|a|strong|abbr|em|b)\b[^>]*>", "", body)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body))


@pytest.fixture
def mayor(make_user):
    return make_user("mats@malmo.example", name="Mats Mayor", city="malmo")


@pytest.fixture
def malmo(network, make_event, mayor):
    event = make_event(
        "City network meeting in Malmö",
        kind=EventKind.city_meeting,
        timezone="Europe/Stockholm",
        host_city="malmo",
        format=EventFormat.hybrid,
        all_day=True,
        start=date(2027, 3, 29),
        end=date(2027, 3, 31),
        venue="Malmö City Hall, August Palms plats 1",
        online_url="https://meet.example.org/malmo-2027",
    )
    items = [
        ItemData(
            "Welcome to Malmö",
            wall(2027, 3, 29, 9, 0),
            wall(2027, 3, 29, 9, 30),
            room="Main hall",
            online_url=PLENARY_LINK,
            speaker_ids=[mayor.id],
        ),
        ItemData(
            "Preventing radicalisation: what works",
            wall(2027, 3, 29, 9, 30),
            wall(2027, 3, 29, 11, 0),
            kind=ItemKind.session,
            room="Main hall",
            online_url=PLENARY_LINK,
            other_speakers=[OtherSpeaker("Lena Berg", "Lund University")],
        ),
        ItemData(
            "Coffee", wall(2027, 3, 29, 11, 0), wall(2027, 3, 29, 11, 15), kind=ItemKind.break_
        ),
        ItemData(
            "Schools and youth work",
            wall(2027, 3, 29, 11, 15),
            wall(2027, 3, 29, 12, 30),
            kind=ItemKind.workshop,
            room="Room A",
            other_speakers=[OtherSpeaker("Sara Lind", "City of Malmö")],
        ),
        ItemData(
            "Hate online",
            wall(2027, 3, 29, 11, 15),
            wall(2027, 3, 29, 12, 30),
            kind=ItemKind.workshop,
            room="Room B",
        ),
        ItemData(
            "Round for remote participants",
            wall(2027, 3, 29, 11, 15),
            wall(2027, 3, 29, 12, 0),
            kind=ItemKind.session,
            online_url=ROUND_LINK,
        ),
        ItemData(
            "Lunch", wall(2027, 3, 29, 12, 30), wall(2027, 3, 29, 13, 30), kind=ItemKind.break_
        ),
        ItemData(
            "Site visit: Rosengård",
            wall(2027, 3, 30, 9, 0),
            wall(2027, 3, 30, 12, 0),
            kind=ItemKind.other,
            room="Bus from City Hall",
        ),
        ItemData(
            "Conclusions and next steps",
            wall(2027, 3, 30, 13, 0),
            wall(2027, 3, 30, 15, 0),
            kind=ItemKind.session,
            room="Main hall",
            online_url=PLENARY_LINK,
        ),
    ]
    for data in items:
        add_item(event, data)
    db.session.commit()
    return event
