"""Reminders go out once, at the right time on each person's clock, with the clock
moved forward as time would pass and the sender run as cron or the mail worker would."""

import threading
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from nscal.db import db
from nscal.events.models import EventFormat, EventKind
from nscal.events.services import cancel_event, event_from_data, update_event
from nscal.mail.outbox import deliver_due
from nscal.registrations.services import cancel_registration, register_for_event
from nscal.reminders.models import ReminderSent
from nscal.reminders.services import parse_offsets, send_due_reminders, set_event_reminders
from tests.reminders.conftest import outbox

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
REGISTRATION_TIME = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


def _local(zone: str, *args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))


def _register(event, *people):
    for person in people:
        register_for_event(event.id, person.id)
    db.session.commit()


def _reminders_only():
    """The outbox rows that are reminders (registration mail is queued too)."""
    return [row for row in outbox() if row.subject.startswith("Reminder:")]


def _run_until(clock, end: datetime, step: timedelta) -> list[tuple[str, str, datetime]]:
    """Run the sender every ``step`` until ``end``, as cron would: (recipient, subject,
    when it was queued) of every reminder queued on the way."""
    queued = []
    seen = len(_reminders_only())
    while clock.now() < end:
        clock.advance(step)
        send_due_reminders()
        rows = _reminders_only()
        queued += [(row.recipient, row.subject, clock.now()) for row in rows[seen:]]
        seen = len(rows)
    return queued


def test_day_reminders_reach_each_zone_at_nine_on_its_own_clock_across_dst(
    clock, network, make_user, make_event
):
    # Europe moves its clocks on 28 March 2027 and Nuuk on 27 March: the 7-day reminder
    # goes out on winter time, the 1-day one on summer time (Reykjavík has neither).
    clock.move_to(REGISTRATION_TIME)
    event = make_event(
        "Spring city meeting",
        start=datetime(2027, 3, 30, 14, 0),  # noqa: DTZ001 - wall clock in Copenhagen
        end=datetime(2027, 3, 30, 16, 0),  # noqa: DTZ001
        kind=EventKind.city_meeting,
        online_url="https://meet.example.org/spring",
    )
    people = {
        "Europe/Helsinki": make_user("aino@example.org", city="helsinki", language="en"),
        "Europe/Stockholm": make_user(
            "sven@example.org", timezone="Europe/Stockholm", language="en"
        ),
        "Atlantic/Reykjavik": make_user("gudrun@example.org", city="reykjavik", language="en"),
        "America/Nuuk": make_user("aputsiaq@example.org", city="nuuk", language="en"),
        # Neither a zone nor a city: the event's own clock.
        "Europe/Copenhagen": make_user("mette@example.org"),
    }
    _register(event, *people.values())
    clock.move_to(datetime(2027, 3, 22, 0, 0, tzinfo=UTC))

    queued = _run_until(clock, datetime(2027, 3, 30, 12, 0, tzinfo=UTC), timedelta(minutes=30))

    assert len(queued) == 2 * len(people)
    for zone, person in people.items():
        mine = [(subject, when) for to, subject, when in queued if person.email in to]
        assert [subject for subject, _when in mine] == [
            "Reminder: Spring city meeting in 7 days",
            "Reminder: Spring city meeting tomorrow",
        ], zone
        for (_subject, when), day in zip(mine, (23, 29), strict=True):
            local = when.astimezone(ZoneInfo(zone))
            # The first run at or after 09:00 on the person's clock (every 30 minutes).
            assert local.date() == datetime(2027, 3, day).date(), zone  # noqa: DTZ001
            assert (local.hour, local.minute) in ((9, 0), (9, 30)), (zone, local)
    # The same "1 day" is a different instant in Helsinki and Nuuk.
    helsinki = next(w for to, s, w in queued if "aino" in to and "tomorrow" in s)
    nuuk = next(w for to, s, w in queued if "aputsiaq" in to and "tomorrow" in s)
    assert round((nuuk - helsinki).total_seconds() / 60) == 4 * 60
    # Run again and again: nothing twice.
    assert send_due_reminders() == 0


def test_an_hour_reminder_goes_out_at_the_exact_instant(clock, network, make_user, make_event):
    clock.move_to(REGISTRATION_TIME)
    event = make_event(
        "Prevention call",
        start=datetime(2027, 3, 10, 15, 0),  # noqa: DTZ001 - wall clock in Oslo
        end=datetime(2027, 3, 10, 16, 0),  # noqa: DTZ001
        timezone="Europe/Oslo",
        kind=EventKind.webinar,
        online_url="https://meet.example.org/call",
    )
    set_event_reminders(event, parse_offsets("1 hour"))
    db.session.commit()
    _register(event, make_user("nuuk@example.org", city="nuuk", language="en"))
    due = datetime(2027, 3, 10, 13, 0, tzinfo=UTC)  # 15:00 in Oslo is 14:00 UTC

    clock.move_to(due - timedelta(minutes=1))
    assert send_due_reminders() == 0
    clock.move_to(due)
    assert send_due_reminders() == 1
    clock.advance(timedelta(minutes=5))
    assert send_due_reminders() == 0
    [row] = _reminders_only()
    assert row.subject == "Reminder: Prevention call in 1 hour"


def test_people_who_register_after_a_reminder_was_due_do_not_get_it(
    clock, network, make_user, make_event
):
    clock.move_to(REGISTRATION_TIME)
    event = make_event(
        "Summit",
        start=datetime(2027, 3, 20, 10, 0),  # noqa: DTZ001 - wall clock in Copenhagen
        end=datetime(2027, 3, 20, 17, 0),  # noqa: DTZ001
        kind=EventKind.summit,
    )
    early, between, late = (make_user(f"{n}@example.org") for n in ("early", "between", "late"))
    _register(event, early)
    clock.move_to(_local("Europe/Copenhagen", 2027, 3, 13, 9, 5))  # the 7-day one is due
    assert send_due_reminders() == 1
    _register(event, between)
    assert send_due_reminders() == 0
    clock.move_to(_local("Europe/Copenhagen", 2027, 3, 19, 9, 5))  # the 1-day one
    assert send_due_reminders() == 2
    _register(event, late)
    clock.advance(timedelta(hours=1))
    assert send_due_reminders() == 0

    received = [(row.recipient, row.subject) for row in _reminders_only()]
    assert received == [
        ("early@example.org", "Reminder: Summit in 7 days"),
        ("early@example.org", "Reminder: Summit tomorrow"),
        ("between@example.org", "Reminder: Summit tomorrow"),
    ]


def test_a_moved_event_moves_its_reminders(clock, network, make_user, make_event):
    clock.move_to(REGISTRATION_TIME)
    event = make_event(
        "Kick-off",
        start=datetime(2027, 3, 20, 10, 0),  # noqa: DTZ001 - wall clock in Copenhagen
        end=datetime(2027, 3, 20, 12, 0),  # noqa: DTZ001
        kind=EventKind.kick_off,
    )
    _register(event, make_user("aino@example.org"))
    data = event_from_data(event)
    data.start, data.end = data.start + timedelta(days=7), data.end + timedelta(days=7)
    update_event(event, data)
    db.session.commit()

    clock.move_to(_local("Europe/Copenhagen", 2027, 3, 13, 9, 5))  # the old 7-day time
    assert send_due_reminders() == 0
    clock.move_to(_local("Europe/Copenhagen", 2027, 3, 20, 9, 5))  # the new one
    assert send_due_reminders() == 1
    [row] = _reminders_only()
    assert "27 March 2027" in row.message.decode()


def test_cancelled_events_and_registrations_get_no_reminders(clock, network, make_user, make_event):
    clock.move_to(REGISTRATION_TIME)
    start, end = datetime(2027, 3, 20, 10, 0), datetime(2027, 3, 20, 12, 0)  # noqa: DTZ001
    kept = make_event("Kept", start=start, end=end)
    called_off = make_event("Called off", start=start, end=end)
    stays, leaves = make_user("stays@example.org"), make_user("leaves@example.org")
    _register(kept, stays, leaves)
    _register(called_off, stays)
    cancel_registration(kept.id, leaves.id)
    cancel_event(called_off, "The venue is closed.")
    db.session.commit()

    clock.move_to(_local("Europe/Copenhagen", 2027, 3, 13, 9, 5))
    assert send_due_reminders() == 1
    [row] = _reminders_only()
    assert (row.recipient, row.subject) == (
        "stays@example.org",
        "Reminder: Kept in 7 days",
    )


def test_late_reminders_are_sent_within_their_grace_and_skipped_after(
    clock, network, make_user, make_event
):
    clock.move_to(REGISTRATION_TIME)
    event = make_event(
        "Workshop",
        start=datetime(2027, 3, 20, 18, 0),  # noqa: DTZ001 - wall clock in Copenhagen
        end=datetime(2027, 3, 20, 20, 0),  # noqa: DTZ001
        kind=EventKind.workshop,
    )
    set_event_reminders(event, parse_offsets("7 days, 1 day, 12 hours"))
    db.session.commit()
    _register(event, make_user("aino@example.org"))

    # The worker was down: the 7-day reminder (due 09:00) still goes at noon.
    clock.move_to(_local("Europe/Copenhagen", 2027, 3, 13, 12, 0))
    assert send_due_reminders() == 1
    # Down again: the 1-day one (09:00 on the 19th) is 13 hours late by 22:00: skipped.
    clock.move_to(_local("Europe/Copenhagen", 2027, 3, 19, 22, 0))
    assert send_due_reminders() == 0
    # The 12-hour one was due at 06:00 on the 20th; at 12:30 it is 6.5 hours late: skipped.
    clock.move_to(_local("Europe/Copenhagen", 2027, 3, 20, 12, 30))
    assert send_due_reminders() == 0
    assert [row.subject for row in _reminders_only()] == ["Reminder: Workshop in 7 days"]


def test_two_workers_at_once_send_each_reminder_once(app, clock, network, make_user, make_event):
    clock.move_to(REGISTRATION_TIME)
    event = make_event(
        "Busy summit",
        start=datetime(2027, 3, 20, 10, 0),  # noqa: DTZ001 - wall clock in Copenhagen
        end=datetime(2027, 3, 20, 17, 0),  # noqa: DTZ001
        kind=EventKind.summit,
    )
    people = [make_user(f"p{n}@example.org") for n in range(30)]
    _register(event, *people)
    clock.move_to(_local("Europe/Copenhagen", 2027, 3, 13, 9, 5))

    start = threading.Barrier(2)
    counts, errors = [], []

    def worker():
        with app.app_context():
            start.wait()
            try:
                counts.append(send_due_reminders())
            except Exception as exc:  # reported by the assertion below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(counts) == len(people)
    rows = _reminders_only()
    assert sorted(row.recipient for row in rows) == sorted(p.email for p in people)
    assert db.session.scalar(sa.select(sa.func.count(ReminderSent.id))) == len(people)
    assert send_due_reminders() == 0


def test_reminders_in_a_real_mail_server_one_person_each_link_only_when_online(
    clock, network, make_user, make_event, smtp_server
):
    clock.move_to(REGISTRATION_TIME)
    start, end = datetime(2027, 3, 20, 10, 0), datetime(2027, 3, 20, 12, 0)  # noqa: DTZ001
    hybrid = make_event(
        "Hybrid meeting",
        start=start,
        end=end,
        format=EventFormat.hybrid,
        venue="City Hall",
        online_url="https://meet.example.org/hybrid",
    )
    in_person = make_event(
        "In-person meeting", start=start, end=end, format=EventFormat.in_person, venue="Harbour"
    )
    # Both read English (their cities' languages are tests/i18n's concern).
    aino = make_user("aino@example.org", name="Aino Virtanen", city="helsinki", language="en")
    jon = make_user("jon@example.org", name="Jón Jónsson", city="reykjavik", language="en")
    _register(hybrid, aino, jon)
    _register(in_person, aino, jon)
    deliver_due()  # the registration mail
    smtp_server.inbox.envelopes.clear()

    clock.move_to(datetime(2027, 3, 13, 12, 0, tzinfo=UTC))  # past 09:00 in both zones
    assert send_due_reminders() == 4
    db.session.commit()
    report = deliver_due()
    assert report.sent == 4

    envelopes = smtp_server.inbox.envelopes
    assert len(envelopes) == 4
    for envelope in envelopes:
        assert len(envelope.rcpt_tos) == 1
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert len(message.get_all("To")) == 1 and "," not in message["To"]
        assert "Bcc" not in message and "Cc" not in message
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        name = "Aino Virtanen" if envelope.rcpt_tos == ["aino@example.org"] else "Jón Jónsson"
        assert f"Hello {name}," in text
        if "Hybrid" in message["Subject"]:
            assert "Join online: https://meet.example.org/hybrid" in text
            assert 'href="https://meet.example.org/hybrid"' in html
        else:
            assert "meet.example.org" not in text and "meet.example.org" not in html
        # Times on the recipient's clock, the event's own beside them.
        if name == "Aino Virtanen":
            assert "11:00–13:00" in text and "Copenhagen" in text
        else:
            assert "09:00–11:00" in text and "Copenhagen" in text
