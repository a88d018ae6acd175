"""Retention: `flask purge` removes exactly what the NSCAL_RETENTION_* settings say, when
they say it (the app's clock moved forward), and never what the statistics need."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from nscal import create_app
from nscal.accounts.models import LoginThrottle, ThrottleScope
from nscal.config import ConfigError
from nscal.db import clock as app_clock
from nscal.db import db, utcnow
from nscal.mail.models import OutboxMessage
from nscal.people.cli import daily_purge
from nscal.people.retention import last_purge, months_before, purge, purge_if_due
from nscal.registrations.models import (
    Registration,
    RegistrationStatus,
    RegistrationStatusChange,
)
from nscal.registrations.services import (
    cancel_registration,
    register_for_event,
    set_registration_status,
)
from tests.conftest import test_config

ZONE = ZoneInfo("Europe/Oslo")


@pytest.fixture
def clock():
    yield app_clock
    app_clock.reset()


@pytest.fixture
def history(app, network, make_user, make_event, deliver_outbox, clock):
    """A meeting that ended: Aino came (with a note), Bo cancelled, Cy was rejected;
    their mail was delivered. Retention: registrations 12 months, notes 6, mail 3."""
    app.config.update(
        RETENTION_CANCELLED_REGISTRATIONS_MONTHS=12,
        RETENTION_NOTES_MONTHS=6,
        RETENTION_MAIL_BODIES_MONTHS=3,
    )
    start = (utcnow() + timedelta(days=1)).astimezone(ZONE).replace(tzinfo=None, microsecond=0)
    event = make_event("Oslo city meeting", start=start, end=start + timedelta(hours=2))
    aino, bo, cy = (
        make_user(f"{name}@example.org", city=city)
        for name, city in (("aino", "helsinki"), ("bo", "malmo"), ("cy", "oslo"))
    )
    register_for_event(event.id, aino.id, note="Vegetarian")
    register_for_event(event.id, bo.id, note="Late by ten minutes")
    cy_registration = register_for_event(event.id, cy.id)
    db.session.commit()
    cancel_registration(event.id, bo.id)
    set_registration_status(cy_registration.id, RegistrationStatus.rejected)
    db.session.commit()
    deliver_outbox()
    clock.advance(timedelta(days=2))  # the meeting is over
    return event


def registrations(event_id: int) -> dict[str, tuple[RegistrationStatus, str]]:
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(Registration).where(Registration.event_id == event_id)
    ).scalars()
    return {row.user.email.partition("@")[0]: (row.status, row.note) for row in rows}


def mail_texts() -> list[int]:
    return sorted(db.session.execute(sa.select(sa.func.length(OutboxMessage.message))).scalars())


def advance_to(clock, moment: datetime) -> None:
    clock.advance(moment - utcnow())


def test_each_kind_goes_exactly_when_its_setting_says(history, clock, runner):
    event_id, ended_at = history.id, history.ends_at
    sent_at = db.session.scalar(sa.select(sa.func.max(OutboxMessage.sent_at)))
    first_sent = db.session.scalar(sa.select(sa.func.min(OutboxMessage.sent_at)))
    before = registrations(event_id)
    assert set(before) == {"aino", "bo", "cy"}
    assert len(mail_texts()) == 5 and min(mail_texts()) > 0

    # A day short of three months after the mail: nothing is due.
    advance_to(clock, months_before(first_sent, -3) - timedelta(days=1))
    assert purge(dry_run=True).total == 0
    # Just after: every mail's text goes (subject and date stay); nothing else.
    advance_to(clock, months_before(sent_at, -3) + timedelta(minutes=1))
    result = runner.invoke(args=["purge", "--dry-run"])
    assert "Dry run: nothing was removed" in result.output
    assert "5 mail texts removed" in result.output
    assert min(mail_texts()) > 0  # the dry run removed nothing
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "Purged:" in result.output and "5 mail texts removed" in result.output
    assert "0 registration notes emptied" in result.output
    assert mail_texts() == [0, 0, 0, 0, 0]
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.subject))) == 5
    assert registrations(event_id) == before

    # Six months after the meeting's end: the notes are emptied, the registrations stay.
    advance_to(clock, months_before(ended_at, -6) - timedelta(minutes=1))
    assert purge(dry_run=True).counts["notes"] == 0
    advance_to(clock, months_before(ended_at, -6) + timedelta(minutes=1))
    report = purge()
    db.session.commit()
    assert report.counts == {
        "answers": 0,
        "registrations": 0,
        "notes": 2,
        "mail_bodies": 0,
        "message_texts": 0,
        "message_drafts": 0,
        "throttle_counters": 0,
    }
    assert registrations(event_id) == {
        "aino": (RegistrationStatus.confirmed, ""),
        "bo": (RegistrationStatus.cancelled, ""),
        "cy": (RegistrationStatus.rejected, ""),
    }

    # Twelve months: the cancelled and rejected registrations (and their history) go;
    # Aino's confirmed one stays for the statistics, with its city.
    advance_to(clock, months_before(ended_at, -12) - timedelta(minutes=1))
    assert purge(dry_run=True).counts["registrations"] == 0
    advance_to(clock, months_before(ended_at, -12) + timedelta(minutes=1))
    assert purge(dry_run=True).counts["registrations"] == 2
    assert len(registrations(event_id)) == 3
    report = purge()
    db.session.commit()
    assert report.counts["registrations"] == 2
    assert registrations(event_id) == {"aino": (RegistrationStatus.confirmed, "")}
    kept = db.session.execute(sa.select(Registration)).scalar_one()
    assert kept.city.slug == "helsinki"
    assert set(
        db.session.execute(sa.select(RegistrationStatusChange.registration_id)).scalars()
    ) == {kept.id}
    assert purge().total == 0  # nothing left to remove


def test_stale_throttling_counters_go_too(app, clock):
    db.session.add(
        LoginThrottle(
            scope=ThrottleScope.login_address, key="192.0.2.1", failures=3, last_failure_at=utcnow()
        )
    )
    db.session.commit()
    assert purge(dry_run=True).counts["throttle_counters"] == 0
    clock.advance(app.config["LOGIN_THROTTLE_WINDOW"] + timedelta(minutes=1))
    assert purge(dry_run=True).counts["throttle_counters"] == 1
    assert db.session.scalar(sa.select(sa.func.count(LoginThrottle.id))) == 1
    assert purge().counts["throttle_counters"] == 1
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(LoginThrottle.id))) == 0


def test_the_workers_purge_once_a_day_whichever_asks(app, database_url, history, clock, capsys):
    assert last_purge() is None
    daily_purge()
    assert "send-mail: daily purge: 0 cancelled or rejected" in capsys.readouterr().out
    ran_at = last_purge()
    assert ran_at is not None
    # A second worker (another app on the same database) finds today's run done.
    second = create_app(test_config(database_url))
    with second.app_context():
        assert purge_if_due() is None
        db.session.remove()
        db.engine.dispose()
    assert purge_if_due() is None
    clock.advance(timedelta(hours=23))
    assert purge_if_due() is None
    clock.advance(timedelta(hours=1, minutes=1))
    assert purge_if_due() is not None
    assert last_purge() > ran_at


def test_months_are_calendar_months():
    moment = datetime(2027, 3, 31, 12, 0, tzinfo=UTC)
    assert months_before(moment, 1) == datetime(2027, 2, 28, 12, 0, tzinfo=UTC)
    assert months_before(moment, 12) == datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    assert months_before(moment, -2) == datetime(2027, 5, 31, 12, 0, tzinfo=UTC)


def test_retention_settings_come_from_the_environment(database_url, monkeypatch):
    monkeypatch.setenv("NSCAL_RETENTION_NOTES_MONTHS", "3")
    app = create_app(test_config(database_url))
    assert app.config["RETENTION_NOTES_MONTHS"] == 3
    assert app.config["RETENTION_MAIL_BODIES_MONTHS"] == 12
    monkeypatch.setenv("NSCAL_RETENTION_MAIL_BODIES_MONTHS", "soon")
    with pytest.raises(ConfigError, match="NSCAL_RETENTION_MAIL_BODIES_MONTHS must be a whole"):
        create_app(test_config(database_url))
    monkeypatch.setenv("NSCAL_RETENTION_MAIL_BODIES_MONTHS", "0")
    with pytest.raises(ConfigError, match="at least 1"):
        create_app(test_config(database_url))


def test_the_privacy_page_shows_the_settings_and_is_linked_everywhere(app, client, network):
    app.config.update(RETENTION_NOTES_MONTHS=7, PRIVACY_CONTACT="privacy@nscal.example")
    page = client.get("/privacy")
    assert page.status_code == 200
    assert (
        "Notes on registrations and answers to an event's questions: <strong>7 months</strong>"
    ) in page.text
    assert "Cancelled and rejected registrations: <strong>12 months</strong>" in page.text
    assert "mailto:privacy@nscal.example" in page.text
    assert "Download my data" in page.text and "Delete my account" in page.text
    assert 'href="/privacy"' in client.get("/events/").text
