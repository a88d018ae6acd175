"""The outbox: mail goes out once, after the commit, through a real SMTP server, and
survives an outage."""

import threading
from datetime import timedelta

import pytest

from nscal.accounts.services import create_user, send_invitation
from nscal.db import db, utcnow
from nscal.mail.messages import build_message
from nscal.mail.models import MailStatus, OutboxMessage
from nscal.mail.outbox import MAX_ATTEMPTS, deliver_due, enqueue, retry_delay
from nscal.mail.sender import MailConfigError, sent_messages
from tests.mail.conftest import outbox_rows
from tests.mail.test_messages import calendar


def test_an_invitation_arrives_through_smtp_with_its_calendar(app, smtp_server):
    ics = calendar("REQUEST")
    row = enqueue(
        build_message("aino@example.org", "Kick-off in Tórshavn", "Welcome, Aino!\n", calendar=ics)
    )
    db.session.commit()
    assert (row.recipient, row.subject, row.status) == (
        "aino@example.org",
        "Kick-off in Tórshavn",
        MailStatus.pending,
    )

    report = deliver_due()

    assert str(report) == "sent 1, will retry 0, failed 0"
    [envelope] = smtp_server.inbox.envelopes
    assert envelope.mail_from == "calendar@nscal.example"
    assert envelope.rcpt_tos == ["aino@example.org"]
    [message] = smtp_server.inbox.messages
    assert message["From"] == "Nordic Safe Cities <calendar@nscal.example>"
    assert message["To"] == "aino@example.org"
    assert message["Subject"] == "Kick-off in Tórshavn"
    assert message["Date"] and message["Message-ID"]
    assert message.get_body(("plain",)).get_content() == "Welcome, Aino!\r\n"  # SMTP: CRLF
    [inline] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert inline.get_param("method") == "REQUEST"
    assert inline.get_payload(decode=True) == ics
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_payload(decode=True) == ics

    [row] = outbox_rows()
    assert row.status is MailStatus.sent
    assert row.attempts == 1
    assert row.sent_at is not None and row.sent_at.tzinfo is not None
    assert row.last_error is None


def test_mail_of_a_rolled_back_change_is_never_sent(app, smtp_server):
    user = create_user(email="ghost@example.org", name="Ghost")
    send_invitation(user)
    db.session.rollback()

    assert deliver_due().attempted == 0
    assert smtp_server.inbox.envelopes == []
    assert outbox_rows() == []


def test_mail_that_is_not_committed_yet_waits(app, smtp_server):
    enqueue(build_message("early@example.org", "Not yet", "…"))  # flushed, not committed
    # The worker runs elsewhere and sees only committed mail (PostgreSQL); on SQLite
    # it would wait for this transaction's write lock instead, so end it first there.
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one writer: the worker would wait for this transaction")
    assert deliver_due().attempted == 0
    db.session.commit()
    assert deliver_due().sent == 1


def test_an_smtp_outage_keeps_the_mail_and_later_delivers_it_exactly_once(app, smtp, queue_mail):
    for person in ("aino", "mats", "jon"):
        queue_mail(f"{person}@example.org", subject=f"For {person}")
    before = utcnow()

    report = deliver_due()  # nothing listens on the port

    assert str(report) == "sent 0, will retry 3, failed 0"
    assert all("not available" in reason for _to, reason in report.errors)
    rows = outbox_rows()
    assert [row.status for row in rows] == [MailStatus.pending] * 3
    assert [row.attempts for row in rows] == [1, 1, 1]
    assert all(row.next_attempt_at >= before + timedelta(minutes=1) for row in rows)
    assert all("Connection refused" in row.last_error for row in rows)

    smtp.start()
    assert deliver_due().attempted == 0  # the back-off is not over yet
    assert smtp.inbox.envelopes == []

    later = utcnow() + timedelta(minutes=2)
    assert str(deliver_due(now=later)) == "sent 3, will retry 0, failed 0"
    assert deliver_due(now=later + timedelta(hours=5)).attempted == 0

    received = smtp.inbox.messages
    assert sorted(m["To"] for m in received) == [
        "aino@example.org",
        "jon@example.org",
        "mats@example.org",
    ]
    assert len({m["Message-ID"] for m in received}) == 3
    rows = outbox_rows()
    assert [(row.status, row.attempts) for row in rows] == [(MailStatus.sent, 2)] * 3


def fail_once_more(row_id: int) -> OutboxMessage:
    """One more failed attempt, at the moment the message is due again."""
    [row] = [r for r in outbox_rows() if r.id == row_id]
    report = deliver_due(now=row.next_attempt_at)
    assert report.sent == 0 and report.attempted == 1
    [row] = [r for r in outbox_rows() if r.id == row_id]
    return row


def test_the_back_off_doubles_up_to_an_hour(app, smtp, queue_mail):
    row_id = queue_mail().id
    delays = []
    for _attempt in range(MAX_ATTEMPTS - 1):
        [row] = [r for r in outbox_rows() if r.id == row_id]
        due = row.next_attempt_at
        row = fail_once_more(row_id)
        assert row.status is MailStatus.pending
        delays.append(row.next_attempt_at - due)
    assert [delay // timedelta(minutes=1) for delay in delays] == [
        1,
        2,
        4,
        8,
        16,
        32,
        60,
        60,
        60,
    ]
    assert retry_delay(1) == timedelta(minutes=1)


def test_a_message_gives_up_after_the_last_attempt_and_keeps_the_reason(app, smtp, queue_mail):
    row_id = queue_mail().id
    for _attempt in range(MAX_ATTEMPTS - 1):
        fail_once_more(row_id)
    row = fail_once_more(row_id)
    assert row.status is MailStatus.failed
    assert row.attempts == MAX_ATTEMPTS
    assert "Connection refused" in row.last_error
    smtp.start()
    assert deliver_due(now=utcnow() + timedelta(days=1)).attempted == 0
    assert smtp.inbox.envelopes == []


@pytest.mark.parametrize(
    ("reply", "status", "counts"),
    [
        ("550 5.1.1 No such user here", MailStatus.failed, "sent 1, will retry 0, failed 1"),
        ("450 4.2.1 Mailbox busy, try later", MailStatus.pending, "sent 1, will retry 1, failed 0"),
    ],
)
def test_a_refused_recipient_fails_for_good_only_on_a_5xx(
    app, smtp_server, queue_mail, reply, status, counts
):
    smtp_server.inbox.refusals["nobody@example.org"] = reply
    queue_mail("nobody@example.org")
    queue_mail("aino@example.org")

    report = deliver_due()

    assert str(report) == counts
    nobody, aino = outbox_rows()
    assert (nobody.status, nobody.attempts) == (status, 1)
    assert reply.split()[0] in nobody.last_error
    assert aino.status is MailStatus.sent
    assert [e.rcpt_tos for e in smtp_server.inbox.envelopes] == [["aino@example.org"]]


def test_oldest_first_and_no_more_than_the_limit(app, smtp_server, queue_mail):
    for person in ("first", "second", "third"):
        queue_mail(f"{person}@example.org")
    assert deliver_due(limit=2).sent == 2
    assert [m["To"] for m in smtp_server.inbox.messages] == [
        "first@example.org",
        "second@example.org",
    ]
    assert deliver_due().sent == 1


def test_broken_mail_settings_stop_delivery_without_using_up_attempts(app, smtp_server, queue_mail):
    app.config["MAIL_USE_TLS"] = True  # the server offers no STARTTLS
    queue_mail()
    with pytest.raises(MailConfigError, match="STARTTLS"):
        deliver_due()
    [row] = outbox_rows()
    assert (row.status, row.attempts) == (MailStatus.pending, 0)
    assert row.next_attempt_at <= utcnow()
    assert "STARTTLS" in row.last_error
    app.config["MAIL_USE_TLS"] = False
    assert deliver_due().sent == 1


def test_two_workers_at_once_deliver_each_message_exactly_once(app, smtp_server, queue_mail):
    count = 24
    for number in range(count):
        queue_mail(f"person{number}@example.org", subject=f"Message {number}")
    smtp_server.inbox.delay = 0.02  # keep both workers busy at the same time
    start = threading.Barrier(2)
    reports, errors = [], []

    def worker():
        try:
            with app.app_context():
                start.wait()
                reports.append(deliver_due())
        except Exception as exc:  # surfaced below, in the test's own thread
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(report.sent for report in reports) == count
    assert sum(report.attempted for report in reports) == count
    ids = [m["Message-ID"] for m in smtp_server.inbox.messages]
    assert len(ids) == len(set(ids)) == count
    assert {row.status for row in outbox_rows()} == {MailStatus.sent}
    assert all(report.sent for report in reports)  # side by side, not one after the other


def test_the_memory_backend_collects_parsed_messages(app, queue_mail):
    queue_mail("aino@example.org", subject="Hei")
    deliver_due()
    [message] = sent_messages()
    assert (message["To"], message["Subject"]) == ("aino@example.org", "Hei")


def test_the_file_backend_writes_one_eml_per_message(app, queue_mail, tmp_path):
    app.config["MAIL_BACKEND"] = "file"
    queue_mail("aino@example.org")
    queue_mail("mats@example.org")
    assert deliver_due().sent == 2
    files = sorted((tmp_path / "instance" / "mail").iterdir())
    assert [f.suffix for f in files] == [".eml", ".eml"]
    assert b"To: aino@example.org" in b"".join(f.read_bytes() for f in files)


def test_the_console_backend_prints_the_message(app, queue_mail, capsys):
    app.config["MAIL_BACKEND"] = "console"
    queue_mail("aino@example.org", subject="On the console")
    assert deliver_due().sent == 1
    assert "Subject: On the console" in capsys.readouterr().err
