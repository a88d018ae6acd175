"""The coordinators' home says what needs them: requests waiting for a decision, this
month's events and how full they are, drafts to publish, mail that was not delivered."""

import html as html_module
import re
from datetime import UTC, datetime, timedelta

from nscal.db import db, utcnow
from nscal.events.models import EventStatus
from nscal.mail.models import MailStatus, OutboxMessage
from nscal.registrations.services import register_for_event
from tests.conftest import count_statements
from tests.manage.conftest import ask_for_a_place

JANUARY = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def wall(*args) -> datetime:
    return datetime(*args)  # noqa: DTZ001 - wall-clock time in the event's zone


def text_of(page: str) -> str:
    words = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    return html_module.unescape(re.sub(r" ([,.:;)])", r"\1", words))


def test_a_request_for_a_place_is_counted_and_links_to_the_roster(
    client, clock, coordinator, approval_event, make_user
):
    clock.move_to(JANUARY)
    summit = approval_event()
    mayor = make_user("mayor@example.org", name="Mia Mayor", city="malmo", participant_role="mayor")
    ask_for_a_place(summit, mayor)

    page = client.get("/manage/")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "1 request for a place waiting for a decision" in text
    assert "Mia Mayor, mayor, Malmö asks for a place at Mayors' summit" in text
    assert f'href="/manage/events/{summit.id}/registrations"' in page.text


def test_nobody_waiting_says_so(client, clock, coordinator):
    clock.move_to(JANUARY)
    text = text_of(client.get("/manage/").text)
    assert "0 requests for a place waiting for a decision" in text
    assert "Nobody is waiting for a decision." in text


def test_this_months_events_show_confirmed_places_of_the_capacity(
    client, clock, coordinator, make_event, make_user
):
    clock.move_to(JANUARY)
    meeting = make_event("January city meeting", capacity=10)
    make_event("Open webinar", start=wall(2027, 1, 20, 10), end=wall(2027, 1, 20, 11))
    make_event("February meeting", start=wall(2027, 2, 3, 10), end=wall(2027, 2, 3, 11))
    for n in range(3):
        register_for_event(meeting.id, make_user(f"p{n}@example.org").id)
    db.session.commit()

    text = text_of(client.get("/manage/").text)
    assert "2 events in January" in text
    assert "January city meeting" in text
    assert "3 of 10 places confirmed (30%)" in text
    assert "0 confirmed, no limit on places" in text
    assert "February meeting" not in text


def test_this_month_is_read_on_the_coordinators_clock(client, clock, coordinator, make_event):
    # 31 January 23:30 in Copenhagen is already February there, still January in UTC.
    clock.move_to(datetime(2027, 1, 31, 23, 30, tzinfo=UTC))
    make_event("Early February call", start=wall(2027, 2, 1, 9), end=wall(2027, 2, 1, 10))
    text = text_of(client.get("/manage/").text)
    assert "1 event in February" in text
    assert "Early February call" in text


def test_drafts_to_publish_are_counted_by_year_with_the_plan_linked(
    client, clock, coordinator, make_event
):
    clock.move_to(datetime(2026, 12, 20, 9, 0, tzinfo=UTC))
    for n in range(3):
        make_event(
            f"Draft {n}",
            status=EventStatus.draft,
            start=wall(2027, 3, 1 + n, 10),
            end=wall(2027, 3, 1 + n, 11),
        )
    make_event("Published", start=wall(2027, 3, 9, 10), end=wall(2027, 3, 9, 11))
    page = client.get("/manage/")
    text = text_of(page.text)
    assert "3 drafts to publish in 2027" in text
    assert "0 drafts to publish in 2026" in text
    assert 'href="/manage/calendar/2027"' in page.text


def test_mail_that_was_not_delivered_is_listed_with_its_error(client, clock, coordinator):
    clock.move_to(JANUARY)
    now = utcnow()
    db.session.add_all(
        [
            OutboxMessage(
                recipient="gone@example.org",
                subject="Registration confirmed: Kick-off",
                message=b"x",
                status=MailStatus.failed,
                attempts=10,
                last_error="550 mailbox unavailable",
                created_at=now - timedelta(days=2),
            ),
            OutboxMessage(
                recipient="old@example.org",
                subject="Very old",
                message=b"x",
                status=MailStatus.failed,
                created_at=now - timedelta(days=90),
            ),
            OutboxMessage(
                recipient="ok@example.org",
                subject="Delivered",
                message=b"x",
                status=MailStatus.sent,
                created_at=now,
            ),
        ]
    )
    db.session.commit()
    text = text_of(client.get("/manage/").text)
    assert "1 mail not delivered" in text
    assert "Registration confirmed: Kick-off to gone@example.org" in text
    assert "550 mailbox unavailable" in text
    assert "Very old" not in text
    assert "Delivered" not in text


def test_the_tools_stay_one_click_away(client, clock, coordinator):
    page = client.get("/manage/").text
    for href in ("/manage/events/", "/manage/events/new", "/manage/import/", "/manage/mail/"):
        assert f'href="{href}' in page


def test_members_cannot_see_it(client, auth, make_user, network):
    make_user("member@example.org")
    auth.login("member@example.org")
    assert client.get("/manage/").status_code == 403


def test_the_home_needs_as_many_queries_for_many_requests_events_and_mails(
    client, clock, coordinator, approval_event, make_event, make_user
):
    clock.move_to(JANUARY)

    def add(n: int):
        summit = approval_event(
            f"Summit {n}",
            capacity=20,
            start=wall(2027, 1, 10 + n % 15, 10),
            end=wall(2027, 1, 10 + n % 15, 12),
        )
        mayor = make_user(
            f"mayor{n}@example.org", city=("oslo", "nuuk")[n % 2], participant_role="mayor"
        )
        ask_for_a_place(summit, mayor)
        make_event(
            f"Draft {n}",
            status=EventStatus.draft,
            start=wall(2027, 5, 1 + n, 10),
            end=wall(2027, 5, 1 + n, 11),
        )
        db.session.add(
            OutboxMessage(
                recipient=f"x{n}@example.org",
                subject=f"Lost {n}",
                message=b"x",
                status=MailStatus.failed,
                created_at=utcnow(),
            )
        )
        db.session.commit()

    for n in range(2):
        add(n)
    few = count_statements(client, "/manage/")
    for n in range(2, 25):
        add(n)
    many = count_statements(client, "/manage/")
    assert few == many
    text = text_of(client.get("/manage/").text)
    assert "25 requests for a place waiting for a decision" in text
    assert "The 20 that have waited longest of 25." in text
