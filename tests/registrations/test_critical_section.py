"""What a registration does while it holds the event's lock: only what must be serialised.

Lock, count, insert, queue a reference to the mail, commit: a fixed number of SQL
statements whatever the rules in play (capacity, role quota, city limit, audience,
waiting list), and no mail built until ``send-mail`` runs after the commit.
"""

from datetime import datetime

import pytest
import sqlalchemy as sa

from nscal.cities.models import role_by_slug_or_name
from nscal.db import db
from nscal.mail.models import OutboxMessage
from nscal.mail.outbox import build_deferred, enqueue_deferred, held_deferred
from nscal.registrations.models import (
    Registration,
    RegistrationSettings,
    RegistrationStatus,
    RegistrationStatusChange,
    RoleQuota,
)
from nscal.registrations.notifications import DEFERRED_KIND
from nscal.registrations.services import cancel_registration, register_for_event
from tests.conftest import csrf_token_from

START = datetime(2099, 1, 13, 10, 0)  # noqa: DTZ001 - wall-clock in the event's zone
END = datetime(2099, 1, 13, 11, 30)  # noqa: DTZ001

# Under the lock, per registration: the lock itself (SQLite: BEGIN IMMEDIATE, then the
# event row), one SELECT reading everything the rules count, then the registration, its
# status history and the outbox reference: one statement on PostgreSQL (a CTE of three
# INSERTs), three on SQLite. The web form adds nothing there: a new registration has
# no answers and no listing to read. The commit ends it.
SERVICE_STATEMENTS = {"postgresql": 3, "sqlite": 6}
FORM_STATEMENTS = 0
# The whole POST /events/<id>/register of a signed-in person, in a fresh request (its
# own session, as under gunicorn): the account, the event (with whether it asks
# questions: this one does not, so they are not read), then the above and the COMMIT.
# Nothing after the commit.
REQUEST_STATEMENTS = {"postgresql": 2 + 3 + 1, "sqlite": 2 + 6 + 1}
# PostgreSQL: the waits on the server while the lock is held (psycopg pipeline mode):
# the lock goes with the rules' SELECT, and the INSERT with the COMMIT (in the web
# form; the service alone sends its INSERT at its end, the caller's COMMIT after it).
FORM_ROUND_TRIPS = 2
SERVICE_ROUND_TRIPS = 3


class Recorder:
    """The SQL statements sent to the database, where each transaction committed, and
    (PostgreSQL) each wait for the server's answer: a round trip."""

    WAIT = "(round trip)"

    def __init__(self):
        self.log: list[str] = []

    def statement(self, conn, cursor, statement, parameters, context, executemany):
        self.log.append(statement)

    def commit(self, conn):
        self.log.append("COMMIT")

    def __enter__(self):
        sa.event.listen(db.engine, "before_cursor_execute", self.statement)
        sa.event.listen(db.engine, "commit", self.commit)
        if dialect() == "postgresql":
            self._patch_psycopg()
        return self

    def _patch_psycopg(self):
        """Log a round trip at each wait for the server: outside pipeline mode every
        ``Connection.wait`` (a statement, a commit); in it, only a sync (the rest just
        sends without waiting for an answer)."""
        from psycopg import Connection
        from psycopg._pipeline_base import BasePipeline

        log, trip = self.log, self.WAIT
        self.originals = {
            (Connection, "wait"): Connection.wait,
            (BasePipeline, "_sync_gen"): BasePipeline._sync_gen,
            (BasePipeline, "_exit_gen"): BasePipeline._exit_gen,
        }

        def counted(original, in_pipeline: bool):
            def call(target, *args, **kwargs):
                pipelined = in_pipeline or getattr(target, "_pipeline", None) is not None
                if in_pipeline or not pipelined:
                    log.append(trip)
                return original(target, *args, **kwargs)

            return call

        for (owner, name), original in self.originals.items():
            setattr(owner, name, counted(original, in_pipeline=owner is BasePipeline))

    def __exit__(self, *exc_info):
        sa.event.remove(db.engine, "before_cursor_execute", self.statement)
        sa.event.remove(db.engine, "commit", self.commit)
        if dialect() == "postgresql":
            for (owner, name), original in self.originals.items():
                setattr(owner, name, original)

    def statements(self) -> list[str]:
        return [entry for entry in self.log if entry != self.WAIT]

    def under_lock(self) -> list[str]:
        """The statements from taking the event's lock to the commit that releases it."""
        [start] = [
            i
            for i, statement in enumerate(self.log)
            if "FOR UPDATE" in statement or statement == "BEGIN IMMEDIATE"
        ]
        end = self.log.index("COMMIT", start)
        return [entry for entry in self.log[start:end] if entry != self.WAIT]

    def round_trips_under_lock(self) -> int:
        """Waits for the server from sending the lock to the COMMIT's answer."""
        [start] = [i for i, statement in enumerate(self.log) if "FOR UPDATE" in statement]
        end = self.log.index(self.WAIT, self.log.index("COMMIT", start))
        return self.log[start : end + 1].count(self.WAIT)


@pytest.fixture
def meeting(demo, make_event):
    """Every rule in play: an audience, a capacity, a role quota and a city limit."""
    event = make_event(
        "Practitioners' meeting",
        start=START,
        end=END,
        audience=("practitioner", "mayor"),
        capacity=3,
    )
    db.session.add(RegistrationSettings(event_id=event.id, city_limit=2))
    db.session.add(
        RoleQuota(event_id=event.id, participant_role_id=role_by_slug_or_name("mayor").id, places=1)
    )
    db.session.commit()
    return event


def dialect() -> str:
    return db.engine.dialect.name


def test_each_registration_runs_the_same_few_statements_under_the_lock(
    app, client, auth, make_user, meeting
):
    people = [
        ("p1@example.org", "practitioner", "malmo", RegistrationStatus.confirmed),
        ("m1@example.org", "mayor", "helsinki", RegistrationStatus.confirmed),
        ("m2@example.org", "mayor", "oslo", RegistrationStatus.waitlisted),  # role quota
        ("p2@example.org", "practitioner", "malmo", RegistrationStatus.confirmed),
        ("p3@example.org", "practitioner", "malmo", RegistrationStatus.waitlisted),  # full
    ]
    for email, role, city, _expected in people:
        make_user(email, participant_role=role, city=city)
        auth.login(email)
        token = csrf_token_from(client.get(f"/events/{meeting.id}"))
        with Recorder() as recorder:
            answer = client.post(f"/events/{meeting.id}/register", data={"csrf_token": token})
        assert answer.status_code == 302
        under_lock = recorder.under_lock()
        assert len(under_lock) == SERVICE_STATEMENTS[dialect()] + FORM_STATEMENTS, under_lock
        # Nothing of the mail is built there: no template, no calendar, no user lookup.
        assert not any("mail_outbox" in s and s.startswith("SELECT") for s in under_lock)
        if dialect() == "postgresql":
            assert recorder.round_trips_under_lock() == FORM_ROUND_TRIPS, recorder.log
        auth.logout()
    statuses = [
        status
        for (status,) in db.session.execute(
            sa.text("SELECT status FROM registration ORDER BY id")
        ).all()
    ]
    assert statuses == [expected.value for *_, expected in people]


def test_the_whole_register_request_runs_a_fixed_number_of_statements(
    app, client, auth, make_user, meeting
):
    event_id = meeting.id
    for number, role in enumerate(["practitioner", "mayor"]):
        make_user(f"person{number}@example.org", participant_role=role, city="oslo")
        auth.login(f"person{number}@example.org")
        token = csrf_token_from(client.get(f"/events/{event_id}"))
        db.session.commit()
        # A request of its own, as in a server: nothing loaded or cached beforehand.
        with app.app_context(), Recorder() as recorder:
            answer = client.post(f"/events/{event_id}/register", data={"csrf_token": token})
        assert answer.status_code == 302
        assert answer.headers["Location"] == f"/events/{event_id}"
        assert len(recorder.statements()) == REQUEST_STATEMENTS[dialect()], recorder.log
        assert recorder.statements()[-1] == "COMMIT"  # the account is not read again for the flash
        page = client.get(f"/events/{event_id}").get_data(as_text=True)
        assert "You are registered for Practitioners&#39; meeting." in page
        auth.logout()
    registered = db.session.scalars(
        sa.select(Registration.status).where(Registration.event_id == event_id)
    ).all()
    assert registered == [RegistrationStatus.confirmed, RegistrationStatus.confirmed]


def test_the_service_alone_counts_and_inserts_in_a_fixed_number_of_statements(
    app, make_user, meeting
):
    users = [make_user(f"p{i}@example.org", participant_role="practitioner") for i in range(5)]
    for user in users:
        db.session.commit()
        with Recorder() as recorder:
            register_for_event(meeting.id, user.id)
            db.session.commit()
        assert len(recorder.under_lock()) == SERVICE_STATEMENTS[dialect()], recorder.log
        if dialect() == "postgresql":
            assert recorder.round_trips_under_lock() == SERVICE_ROUND_TRIPS, recorder.log


def test_the_outbox_holds_a_reference_until_send_mail_builds_it(
    app, make_user, meeting, deliver_outbox
):
    user = make_user("aino@example.org", name="Aino Virtanen", participant_role="practitioner")
    register_for_event(meeting.id, user.id)
    db.session.commit()
    [row] = db.session.scalars(sa.select(OutboxMessage)).all()
    [registration] = db.session.scalars(sa.select(Registration)).all()
    assert row.message == b"" and row.recipient == "aino@example.org"
    assert row.deferred["status"] == "confirmed" and row.deferred["method"] == "REQUEST"
    assert row.deferred["registration_id"] == registration.id
    [change] = db.session.scalars(sa.select(RegistrationStatusChange)).all()
    assert (change.registration_id, change.from_status, change.to_status) == (
        registration.id,
        None,
        RegistrationStatus.confirmed,
    )

    [message] = deliver_outbox()
    assert message["Subject"] == "You are registered: Practitioners' meeting"
    db.session.expire_all()
    [row] = db.session.scalars(sa.select(OutboxMessage)).all()
    # Built once, stored like any other message: retries, exports and purges read it.
    assert row.deferred is None and row.subject == message["Subject"]
    assert b"Aino Virtanen" in row.message
    assert deliver_outbox() == []  # exactly once


def test_a_confirmation_cancelled_before_send_mail_still_says_confirmed(
    app, make_user, meeting, deliver_outbox
):
    user = make_user("aino@example.org", participant_role="practitioner")
    register_for_event(meeting.id, user.id)
    db.session.commit()
    cancel_registration(meeting.id, user.id)
    db.session.commit()
    confirmed, cancelled = deliver_outbox()
    assert confirmed["Subject"] == "You are registered: Practitioners' meeting"
    assert "Your place is confirmed" in confirmed.get_body(("plain",)).get_content()
    [calendar] = [p for p in confirmed.walk() if p.get_content_type() == "text/calendar"]
    assert calendar.get_param("method") == "REQUEST"
    assert b"PARTSTAT=ACCEPTED" in calendar.get_payload(decode=True).replace(b"\r\n ", b"")
    [withdrawal] = [p for p in cancelled.walk() if p.get_content_type() == "text/calendar"]
    assert withdrawal.get_param("method") == "CANCEL"


def test_build_deferred_fills_the_rows_for_readers_of_the_outbox(app, make_user, meeting):
    user = make_user("aino@example.org", participant_role="practitioner")
    register_for_event(meeting.id, user.id)
    db.session.commit()
    assert build_deferred() == 1
    db.session.expire_all()
    [row] = db.session.scalars(sa.select(OutboxMessage)).all()
    assert row.subject == "You are registered: Practitioners' meeting"
    assert row.deferred is None and row.status.value == "pending"
    assert build_deferred() == 0


def test_mail_about_a_deleted_event_fails_with_the_reason(app, make_user, meeting, deliver_outbox):
    user = make_user("aino@example.org", participant_role="practitioner")
    register_for_event(meeting.id, user.id)
    db.session.commit()
    db.session.execute(sa.text("DELETE FROM registration"))
    db.session.delete(meeting)
    db.session.commit()
    assert deliver_outbox() == []
    db.session.expire_all()
    [row] = db.session.scalars(sa.select(OutboxMessage)).all()
    assert row.status.value == "failed"
    assert row.last_error == "nothing to send: the event was deleted"
    assert row.deferred is None  # no address or name kept in it


def test_mail_held_back_but_not_written_by_the_caller_is_queued_all_the_same(app, make_user):
    user = make_user("aino@example.org")
    values = {"event_id": 1, "user_id": user.id, "status": "confirmed"}
    with held_deferred() as held:
        enqueue_deferred(DEFERRED_KIND, user.email, values)
        assert len(held) == 1
        assert db.session.scalars(sa.select(OutboxMessage)).all() == []
    db.session.commit()
    [row] = db.session.scalars(sa.select(OutboxMessage)).all()
    assert row.recipient == "aino@example.org" and row.deferred["status"] == "confirmed"
