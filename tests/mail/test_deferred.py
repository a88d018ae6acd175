"""Deferred mail: rows that hold a reference, built by the worker before the first try,
beside rows queued fully built; both go out once, oldest first."""

from datetime import timedelta

from nscal.db import clock, db
from nscal.mail.models import MailStatus, OutboxMessage
from nscal.mail.outbox import deliver_due
from nscal.registrations.services import register_for_event


def rows() -> list[OutboxMessage]:
    db.session.commit()  # a fresh read: the worker commits in its own session
    return list(db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_built_and_deferred_mail_go_out_together_in_order(
    app, smtp_server, queue_mail, make_user, make_event
):
    queue_mail("first@example.org", "Queued built, first")
    event = make_event("Kick-off", start=clock.now().replace(tzinfo=None) + timedelta(days=9))
    register_for_event(event.id, make_user("aino@example.org", name="Aino Virtanen").id)
    db.session.commit()
    queue_mail("third@example.org", "Queued built, third")

    assert str(deliver_due()) == "sent 3, will retry 0, failed 0"
    subjects = [message["Subject"] for message in smtp_server.inbox.messages]
    assert subjects == [
        "Queued built, first",
        "You are registered: Kick-off",
        "Queued built, third",
    ]
    assert [row.status for row in rows()] == [MailStatus.sent] * 3


def test_a_deferred_mail_that_failed_is_retried_as_the_same_message(
    app, smtp, make_user, make_event
):
    event = make_event("Kick-off", start=clock.now().replace(tzinfo=None) + timedelta(days=9))
    register_for_event(event.id, make_user("aino@example.org").id)
    db.session.commit()

    assert str(deliver_due()) == "sent 0, will retry 1, failed 0"  # the server is down
    [row] = rows()
    assert row.deferred is None and row.subject == "You are registered: Kick-off"
    built = row.message

    smtp.start()
    try:
        clock.advance(timedelta(minutes=2))
        assert str(deliver_due()) == "sent 1, will retry 0, failed 0"
    finally:
        clock.reset()
    [envelope] = smtp.inbox.envelopes
    [row] = rows()
    assert row.message == built  # built once: the retry sent those very bytes
    assert envelope.content.replace(b"\r\n", b"\n") == built.replace(b"\r\n", b"\n")
