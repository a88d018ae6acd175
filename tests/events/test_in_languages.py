"""Events in the members' languages: labels and messages follow the reader's language,
and what a coordinator accepts in one language holds in every other.

Each test brings a small Danish catalog of its own, so it does not depend on the
shipped catalogs being compiled."""

from datetime import datetime

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask_babel import get_domain, refresh

from nscal.accounts.models import AccountRole
from tests.conftest import csrf_token_from

DANISH = {
    "Outside %(hours)s: starts %(start)s in %(places)s.": (
        "Uden for %(hours)s: starter %(start)s i %(places)s."
    ),
    "Accepted conflict: %(conflict)s": "Accepteret konflikt: %(conflict)s",
    "Conflict: %(conflict)s": "Konflikt: %(conflict)s",
    "City meeting": "Bymøde",
    "Kind": "Type",
}


@pytest.fixture
def danish(app, tmp_path):
    catalog = Catalog(locale="da")
    for english, danish in DANISH.items():
        catalog.add(english, danish)
    folder = tmp_path / "translations" / "da" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "messages.mo", "wb") as file:
        write_mo(file, catalog)
    babel = app.extensions["babel"]
    kept = babel.translation_directories
    babel.translation_directories = [str(tmp_path / "translations")]
    get_domain().cache.clear()
    yield
    babel.translation_directories = kept
    get_domain().cache.clear()


@pytest.fixture
def coordinator(network, make_user, auth):
    user = make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")
    return user


def get(client, path: str) -> str:
    refresh()  # the tests share one application context; a request asks afresh
    return client.get(path).get_data(as_text=True)


def test_office_hours_accepted_in_danish_stay_accepted_in_english(
    client, coordinator, make_event, danish
):
    call = make_event(
        "Early call",
        description="The agenda is attached.",
        online_url="https://meet.example.org/x",
        start=datetime(2027, 1, 13, 9),  # noqa: DTZ001 - wall clock: 06:00 in Nuuk
        end=datetime(2027, 1, 13, 10),  # noqa: DTZ001
    )
    danish_plan = get(client, "/manage/calendar/2027?lang=da")
    # Danish clocks: 08.00 (the English record below keeps 08:00).
    assert "Konflikt: Uden for 08.00–18.00: starter 06.00 i Nuuk." in danish_plan

    token = csrf_token_from(client.get("/manage/events/"))
    refresh()
    client.post(
        f"/manage/events/{call.id}/conflicts?lang=da",
        data={"csrf_token": token, "conflict": "outside-hours"},
    )

    assert "Accepteret konflikt: Uden for 08.00–18.00" in get(
        client, "/manage/calendar/2027?lang=da"
    )
    english_plan = get(client, "/manage/calendar/2027?lang=en")
    assert "Accepted conflict: Outside 08:00–18:00: starts 06:00 in Nuuk." in english_plan
    assert "no open conflicts" in english_plan


def test_kinds_of_event_are_named_in_the_readers_language(client, coordinator, danish):
    form = get(client, "/manage/events/new?lang=da")
    assert '<option selected value="city-meeting">Bymøde</option>' in form
    assert ">Type</label>" in form

    assert '<option selected value="city-meeting">City meeting</option>' in get(
        client, "/manage/events/new?lang=en"
    )
