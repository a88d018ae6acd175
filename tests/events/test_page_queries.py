"""Pages that grow with the events ask the database a fixed number of questions.

The counts are the machine-independent half of bench/pages.py: however many events a
year holds, the public year and month, the search and the coordinators' plan run the
same SQL statements (their time is measured in the benchmark, never here).
"""

from datetime import datetime

import pytest
import sqlalchemy as sa

from nscal.accounts.models import AccountRole
from nscal.db import db, utcnow
from nscal.events.models import AcceptedConflict, EventStatus, Visibility
from nscal.events.services import upcoming_events, visible_events
from nscal.events.views import manage as manage_views
from tests.conftest import count_statements

# The statements of each page; a change here is a change in how the page reads the
# database, to be made on purpose.
PUBLIC_PAGES = {
    "/calendar/2027": 1,  # the events' columns, nothing per event
    "/calendar/2027/3": 1,
    # the filter form's cities and roles (one statement), the matching ids in their
    # order (through the search index; their number is the count), the page's events
    # with their audiences
    "/events/?q=meeting": 3,
    "/events/?q=ng": 3,  # too short for trigrams: the same statements, unindexed
    # the filter form's cities and roles, the page's events, their audiences, and the
    # count of upcoming events (from an index alone, see below)
    "/events/": 4,
}
# The plan: the year's events as rows, the cities, the roles and the audiences they
# point to, the accepted office hours, the member cities and every acceptance (the
# page's events are written from those rows, not loaded again).
PLAN = 7


def wall(*args) -> datetime:
    return datetime(*args)  # noqa: DTZ001 - wall-clock time in the event's zone


def add_events(make_event, first: int, last: int) -> None:
    roles = (("mayor",), ("practitioner", "leader"), ())
    for n in range(first, last):
        day = wall(2027, 1 + n % 12, 1 + n % 28, 7 + n % 12)
        make_event(
            f"City meeting {n}",
            description=f"Agenda {n}: meeting notes",
            audience=roles[n % 3],
            host_city=("oslo", "nuuk", None)[n % 3],
            status=(EventStatus.draft, EventStatus.published, EventStatus.cancelled)[n % 3]
            if n % 5
            else EventStatus.published,
            visibility=Visibility.members if n % 7 == 0 else Visibility.public,
            start=day,
            end=day.replace(hour=day.hour + 2),
        )


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_run_the_same_statements_for_many_events_as_for_few(
    client, network, make_event, path
):
    add_events(make_event, 0, 6)
    client.get(path)
    few = count_statements(client, path)
    add_events(make_event, 6, 60)
    client.get(path)
    assert count_statements(client, path) == few == PUBLIC_PAGES[path]


def test_the_plan_runs_the_same_statements_for_many_events_as_for_few(
    client, network, make_user, auth, make_event, monkeypatch
):
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")
    add_events(make_event, 0, 6)
    client.get("/manage/calendar/2027")  # the session's account is read again after commits
    few = count_statements(client, "/manage/calendar/2027")
    add_events(make_event, 6, 60)
    client.get("/manage/calendar/2027")
    many = count_statements(client, "/manage/calendar/2027")
    monkeypatch.setattr(manage_views, "PLAN_PAGE_SIZE", 7)
    paged = count_statements(client, "/manage/calendar/2027?page=4")
    assert few == many == paged == PLAN


def test_a_paged_plan_counts_the_conflicts_of_the_events_it_does_not_show(
    client, network, make_user, auth, make_event, monkeypatch
):
    coordinator = make_user("coord@example.org", account_role=AccountRole.coordinator)
    auth.login("coord@example.org")
    add_events(make_event, 0, 40)
    early = make_event("Early call", start=wall(2027, 12, 20, 6), end=wall(2027, 12, 20, 7))
    whole = client.get("/manage/calendar/2027").text
    counted = whole.split(" with conflicts")[0].rsplit("<strong>", 1)[1]

    monkeypatch.setattr(manage_views, "PLAN_PAGE_SIZE", 5)
    first = client.get("/manage/calendar/2027").text
    assert "Early call" not in first
    assert f"<strong>{counted} with conflicts</strong>" in first

    # Accepting the early call's office hours (on its own page) counts on every page.
    pages = (client.get(f"/manage/calendar/2027?page={n}").text for n in range(2, 10))
    last = next(html for html in pages if "Early call" in html)
    message = last.split(f'<li id="event-{early.id}">', 1)[1].split("Conflict: ", 1)[1]
    message = message.split("\n", 1)[0].strip()
    db.session.add(
        AcceptedConflict(
            event_id=early.id,
            conflict_key="outside-hours",
            message=message,
            accepted_by=coordinator,
        )
    )
    db.session.commit()
    assert f"<strong>{int(counted) - 1} with conflicts</strong>" in (
        client.get("/manage/calendar/2027").text
    )


def test_the_upcoming_list_counts_its_events_from_an_index_alone(app, network, make_event):
    """The count under the list of upcoming events (every visitor's first page) reads
    the end, visibility and status from ix_event_feed_window, not every upcoming event's
    wide row (at 20,000 events that was 14 ms of SQLite's time, now 1.6)."""
    add_events(make_event, 0, 30)
    shown = upcoming_events(visible_events(None), utcnow())
    count = sa.select(sa.func.count()).select_from(shown.order_by(None).subquery())
    sql = str(count.compile(db.engine, compile_kwargs={"literal_binds": True}))
    connection = db.session.connection()
    if db.engine.dialect.name == "sqlite":
        plan = " ".join(row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
        assert "USING COVERING INDEX ix_event_feed_window" in plan, plan
        return
    # With so few rows the planner would rather scan: ask whether it can read the index
    # alone (the table was just written, so its pages are not yet all-visible).
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
    plan = "\n".join(connection.exec_driver_sql("EXPLAIN " + sql).scalars())
    assert "Index Only Scan using ix_event_feed_window" in plan, plan
