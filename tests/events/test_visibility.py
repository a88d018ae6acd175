"""Members-only events and drafts reach only those who may see them, on every page."""

import re
from datetime import UTC, datetime

import pytest

from nscal.accounts.models import AccountRole
from nscal.cities.models import City, ParticipantRole
from nscal.db import db
from nscal.demo import DEMO_CITIES, DEMO_ROLES
from nscal.events.models import EventStatus, Visibility

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

ANONYMOUS, MEMBER, COORDINATOR = "anonymous", "member", "coordinator"
LOGINS = {MEMBER: "member@example.org", COORDINATOR: "coordinator@example.org"}

# Every public page that lists events; all of them show January 2027.
LIST_PAGES = [
    "/",
    "/events/",
    "/events/?q=lighthouse",
    "/calendar/2027",
    "/calendar/2027/1",
]


def wall(*args) -> datetime:
    return datetime(*args)  # noqa: DTZ001 - wall-clock time in the event's zone


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    """The pages' "now" is 1 December 2026, so January 2027 is upcoming."""
    for module in ("nscal.events.views.public", "nscal.events.views.calendar", "nscal.main.views"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: NOW)


@pytest.fixture
def network(app, make_user):
    """The demo's cities and roles (not its events), a member and a coordinator."""
    for name, slug, country, zone in DEMO_CITIES:
        db.session.add(City(name=name, slug=slug, country=country, timezone=zone))
    for slug, name in DEMO_ROLES:
        db.session.add(ParticipantRole(slug=slug, name=name))
    db.session.commit()
    make_user(LOGINS[MEMBER], city="helsinki", participant_role="practitioner")
    make_user(LOGINS[COORDINATOR], city="copenhagen", account_role=AccountRole.coordinator)


@pytest.fixture
def events(network, make_event):
    """A public meeting, a members-only summit and a draft workshop, all in January 2027."""
    return {
        "public": make_event(
            "Lighthouse city meeting", start=wall(2027, 1, 13, 10), end=wall(2027, 1, 13, 11)
        ),
        "members": make_event(
            "Lighthouse members summit",
            start=wall(2027, 1, 20, 10),
            end=wall(2027, 1, 20, 11),
            visibility=Visibility.members,
        ),
        "draft": make_event(
            "Lighthouse draft workshop",
            start=wall(2027, 1, 27, 10),
            end=wall(2027, 1, 27, 11),
            status=EventStatus.draft,
        ),
    }


def log_in(auth, viewer: str) -> None:
    if viewer != ANONYMOUS:
        response = auth.login(LOGINS[viewer])
        assert response.status_code == 302


# Which of the three events each viewer sees.
SEES = {
    ANONYMOUS: {"public"},
    MEMBER: {"public", "members"},
    COORDINATOR: {"public", "members", "draft"},
}


@pytest.mark.parametrize("viewer", [ANONYMOUS, MEMBER, COORDINATOR])
@pytest.mark.parametrize("path", LIST_PAGES)
def test_lists_show_each_viewer_only_what_they_may_see(client, auth, events, viewer, path):
    log_in(auth, viewer)
    response = client.get(path)
    assert response.status_code == 200
    for name, event in events.items():
        assert (event.title in response.text) == (name in SEES[viewer]), (name, viewer, path)
        link = f'href="/events/{event.id}"'
        assert (link in response.text) == (name in SEES[viewer]), (name, viewer, path)


@pytest.mark.parametrize("viewer", [ANONYMOUS, MEMBER, COORDINATOR])
def test_event_pages_are_404_for_those_who_may_not_see_them(client, auth, events, viewer):
    log_in(auth, viewer)
    for name, event in events.items():
        response = client.get(f"/events/{event.id}")
        if name in SEES[viewer]:
            assert response.status_code == 200
            assert event.title in response.text
        else:
            assert response.status_code == 404
            assert "Event not found" in response.text
            assert event.title not in response.text


@pytest.mark.parametrize(("viewer", "count"), [(ANONYMOUS, 1), (MEMBER, 2), (COORDINATOR, 3)])
def test_counts_and_search_results_leave_hidden_events_out(client, auth, events, viewer, count):
    log_in(auth, viewer)
    for path in ("/events/", "/events/?q=LIGHTHOUSE", "/events/?when=upcoming&q=house"):
        text = client.get(path).text
        assert re.search(rf"\b{count} events?\b", text), path


def test_drafts_are_marked_for_coordinators(client, auth, events):
    log_in(auth, COORDINATOR)
    assert "Draft" in client.get("/events/?q=draft").text
    page = client.get(f"/events/{events['draft'].id}").text
    assert "Draft" in page
    assert "Members only" in client.get(f"/events/{events['members'].id}").text


def test_the_anonymous_404_suggests_logging_in_without_revealing_the_event(client, events):
    hidden = client.get(f"/events/{events['members'].id}")
    missing = client.get("/events/999999")
    assert hidden.status_code == missing.status_code == 404
    assert "log in" in hidden.text
    assert hidden.text == missing.text.replace("/events/999999", f"/events/{events['members'].id}")


def test_series_links_skip_occurrences_the_viewer_may_not_see(client, auth, network, make_event):
    first = make_event(
        "Monthly prevention call",
        start=wall(2027, 1, 6, 14),
        end=wall(2027, 1, 6, 15),
        rrule="FREQ=MONTHLY;BYDAY=1WE;COUNT=3",
    )
    january, february, march = first.series.occurrences
    february.visibility = Visibility.members
    db.session.commit()

    page = client.get(f"/events/{january.id}").text
    assert "Part of a series" in page
    assert f'href="/events/{march.id}"' in page
    assert f'href="/events/{february.id}"' not in page

    log_in(auth, MEMBER)
    page = client.get(f"/events/{january.id}").text
    assert f'href="/events/{february.id}"' in page
    assert f'href="/events/{march.id}"' not in page
    page = client.get(f"/events/{february.id}").text
    assert f'rel="prev" href="/events/{january.id}"' in page
    assert f'rel="next" href="/events/{march.id}"' in page


@pytest.mark.parametrize("viewer", [ANONYMOUS, MEMBER, COORDINATOR])
def test_every_page_answers_with_the_demo_year(client, auth, network, demo, viewer):
    log_in(auth, viewer)
    for path in [*LIST_PAGES, "/calendar/2027/3", "/calendar/2026", "/events/?when=past"]:
        assert client.get(path).status_code == 200, path
    listed = re.findall(r'href="/events/(\d+)"', client.get("/calendar/2027").text)
    for event_id in set(listed):
        assert client.get(f"/events/{event_id}").status_code == 200
