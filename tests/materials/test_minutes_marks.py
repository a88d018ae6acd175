"""The year plan and the coordinators' event list say which past events have minutes,
beside how many attended (issue 15.6), read in one query whatever the number of events."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask import g

from nscal.accounts.models import AccountRole
from nscal.db import clock, db, utcnow
from nscal.materials.models import Material, MaterialKind, MaterialVisibility
from nscal.materials.services import events_with_minutes
from tests.conftest import count_statements

PAGES = ("/manage/calendar/2027", "/manage/events/?year=2027")


@pytest.fixture
def year(network, make_event, make_user):
    """Five meetings in 2027; the clock in 2028, so all are past."""
    events = [
        make_event(
            f"Meeting {month}",
            start=datetime(2027, month, 10, 9, 0),  # noqa: DTZ001 - wall clock
            end=datetime(2027, month, 10, 12, 0),  # noqa: DTZ001
        )
        for month in (2, 4, 6, 8, 10)
    ]
    make_user("coord@example.org", account_role=AccountRole.coordinator)
    clock.advance(datetime(2028, 1, 5, tzinfo=UTC) - utcnow())
    yield events
    clock.reset()


def add(event, kind: MaterialKind, visibility=MaterialVisibility.public) -> None:
    db.session.add(
        Material(
            event_id=event.id,
            title=f"{kind.label} of {event.title}",
            kind=kind,
            visibility=visibility,
            url="https://docs.example.org/x",
        )
    )
    db.session.commit()


def test_past_events_with_minutes_are_marked_in_the_year_plan_and_the_list(client, auth, year):
    add(year[0], MaterialKind.minutes, MaterialVisibility.coordinators)
    add(year[1], MaterialKind.slides)  # slides are not minutes
    auth.login("coord@example.org")
    for path in PAGES:
        page = client.get(path).text
        assert page.count('class="minutes-mark"') == 1, path
        assert f'href="/events/{year[0].id}#materials">minutes</a>' in page, path


def statements_per_page(client) -> dict[str, int]:
    counts = {}
    for path in PAGES:
        # The tests' app context outlives a request: start each page afresh, as in use.
        g.pop("events_with_minutes", None)
        g.pop("attended_counts", None)
        db.session.expire_all()
        counts[path] = count_statements(client, path)
    return counts


def material_queries(client, path: str) -> int:
    statements = []
    g.pop("events_with_minutes", None)

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return sum("FROM material" in statement for statement in statements)


def test_the_marks_cost_one_query_however_many_events_have_minutes(client, auth, year):
    add(year[0], MaterialKind.minutes)
    auth.login("coord@example.org")
    for path in PAGES:
        client.get(path)  # the first page after login writes the session's bookkeeping
    with_one = statements_per_page(client)
    assert all(with_one.values())
    for event in year[1:]:
        add(event, MaterialKind.minutes)
    assert statements_per_page(client) == with_one
    assert material_queries(client, PAGES[0]) == material_queries(client, PAGES[1]) == 1
    assert client.get(PAGES[0]).text.count('class="minutes-mark"') == 5


def test_minutes_count_only_where_the_viewer_may_see_them(year, make_user):
    from nscal.registrations.services import register_for_event

    add(year[0], MaterialKind.minutes, MaterialVisibility.participants)
    add(year[1], MaterialKind.minutes, MaterialVisibility.members)
    add(year[2], MaterialKind.minutes, MaterialVisibility.coordinators)
    add(year[3], MaterialKind.minutes)
    member = make_user("member@example.org")
    participant = make_user("came@example.org")
    clock.reset()  # register while the meeting is still to come
    register_for_event(year[0].id, participant.id)
    db.session.commit()
    coordinator = db.session.execute(
        db.select(type(member)).where(type(member).email == "coord@example.org")
    ).scalar_one()
    assert events_with_minutes(None) == {year[3].id}
    assert events_with_minutes(member) == {year[1].id, year[3].id}
    assert events_with_minutes(participant) == {year[0].id, year[1].id, year[3].id}
    assert events_with_minutes(coordinator) == {event.id for event in year[:4]}
