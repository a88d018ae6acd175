"""The transactional mail outbox.

Services ``enqueue`` a fully built message in the same transaction as the change it
reports, so the mail exists if and only if that change is committed. A worker
(``flask send-mail``) later delivers what is due with ``deliver_due``, retrying with
exponential back-off, and never sends a message twice while it runs normally.

A service whose transaction must stay short (one that holds a lock others wait for)
``enqueue_deferred`` instead: one small row with what the message needs, the facts
as they were when it was queued. The worker builds the message from it (with the
builder the service's room registered for that kind) just before the first attempt,
and stores what it built in the row, so a retry sends the same message and the row
then reads like any other. ``build_deferred`` builds them all at once for readers
that want whole messages now.

A message is *claimed* before it is sent: in one short transaction its ``attempts``
goes up and its ``next_attempt_at`` moves a lease ahead, so no other worker takes it;
then it is sent with no transaction open, and its outcome is committed at once. A
worker that dies between sending and that commit leaves the message to be tried again
when the lease runs out (at-least-once: the one window no database can close).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import getaddresses

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from nscal.db import db, take_sqlite_write_lock, utcnow
from nscal.mail.models import MailStatus, OutboxMessage
from nscal.mail.sender import DeliveryError, MailConfigError, open_transport

# Back-off after a failed attempt: 1 min, 2, 4 … capped at 1 h. The 10th failure gives
# up, about 4 hours after the first try.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
MAX_ATTEMPTS = 10
# How long a claimed message is reserved for its worker: far longer than one SMTP
# conversation (a few round trips of at most MAIL_TIMEOUT each).
CLAIM_LEASE = timedelta(minutes=10)

# Rooms that keep a large part once for many mails (an attachment sent to hundreds)
# register a function that puts it back into a message just before it is sent.
MessageExpander = Callable[[Session, bytes], bytes]
_expanders: list[MessageExpander] = []


def register_expander(expander: MessageExpander) -> None:
    """Have ``expander(session, raw)`` complete each message before it is sent."""
    if expander not in _expanders:
        _expanders.append(expander)


def _complete(session: Session, raw: bytes) -> bytes:
    for expander in _expanders:
        raw = expander(session, raw)
    session.rollback()  # what they read: no transaction stays open while sending
    return raw


# Rooms that queue references (``enqueue_deferred``) register how each kind is built:
# ``builder(session, values)`` returns the message, reading what it needs through
# ``session`` (the worker's own), or raises ``NothingToBuild``.
MessageBuilder = Callable[[Session, dict], EmailMessage]
_builders: dict[str, MessageBuilder] = {}


class NothingToBuild(LookupError):
    """What a deferred message speaks of is gone (its event was deleted): the row fails
    for good, with this reason."""


def register_builder(kind: str, builder: MessageBuilder) -> None:
    """Have ``builder`` build the deferred messages of ``kind``."""
    _builders[kind] = builder


def _built(message: EmailMessage) -> dict:
    """The outbox columns of a built message."""
    recipients = ", ".join(address for _name, address in getaddresses(message.get_all("To", [])))
    if not recipients:
        raise ValueError("the message has no To address")
    return {
        "recipient": recipients[:254],
        "subject": str(message.get("Subject", ""))[:300],
        "message": bytes(message),
    }


def enqueue(message: EmailMessage) -> OutboxMessage:
    """Put ``message`` in the outbox, in the current transaction (flushed, not committed).

    Build it with ``nscal.mail.messages.build_message``. It goes out once the caller
    commits; a rollback takes it back with everything else.
    """
    row = OutboxMessage(
        **_built(message), status=MailStatus.pending, attempts=0, next_attempt_at=utcnow()
    )
    db.session.add(row)
    db.session.flush()
    return row


def enqueue_deferred(kind: str, recipient: str, values: dict) -> None:
    """Queue a message of ``kind`` to be built by the worker: one INSERT in the current
    transaction, no ORM object, nothing rendered.

    ``values`` (plain JSON values) is everything the kind's builder needs, as it was
    now: the builder runs after the commit, when things may have changed since.
    ``recipient`` is the address, for readers of the outbox until the message is built.
    Like ``enqueue``, it goes out once the caller commits. Inside ``held_deferred`` the
    row is handed to the caller instead, to be written with its own statement.
    """
    if kind not in _builders:
        raise ValueError(f"no builder is registered for deferred mail of kind {kind!r}")
    now = utcnow()
    row = {
        "recipient": recipient[:254],
        "subject": "",
        "message": b"",
        "deferred": {"kind": kind, **values},
        "status": MailStatus.pending,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    held = db.session.info.get(_HELD)
    if held is not None:
        held.append(row)
    else:
        db.session.execute(sa.insert(OutboxMessage).values(**row))


_HELD = "nscal.mail.held_deferred"


@contextmanager
def held_deferred() -> Iterator[list[dict]]:
    """Within the block, ``enqueue_deferred`` appends its row (the ``mail_outbox``
    column values) to the list this yields instead of inserting it, so a caller that
    holds a lock can write the rows together with its own change, in one statement.

    The caller removes from the list the rows it wrote (in the same transaction);
    whatever is left is inserted when the block ends, so no mail is ever lost.
    """
    if _HELD in db.session.info:
        raise RuntimeError("held_deferred blocks do not nest")
    held: list[dict] = []
    db.session.info[_HELD] = held
    try:
        yield held
    finally:
        del db.session.info[_HELD]
    for row in held:
        db.session.execute(sa.insert(OutboxMessage).values(**row))


def _build(session: Session, deferred: dict) -> dict:
    """Build a deferred row's message: the columns to store in its row."""
    builder = _builders.get(deferred.get("kind"))
    if builder is None:
        raise LookupError(f"no builder for deferred mail of kind {deferred.get('kind')!r}")
    return {**_built(builder(session, deferred)), "deferred": None}


def build_deferred() -> int:
    """Build every pending deferred message in place, as the worker would before its
    first attempt, and commit; returns how many were built. For readers of the outbox
    that want whole messages now (a person's data export, previews, tests). Messages
    whose subject is gone are left to the worker, which records why they fail."""
    built: dict[int, dict] = {}
    with Session(db.engine) as session:
        rows = session.execute(
            sa.select(OutboxMessage.id, OutboxMessage.deferred)
            .where(OutboxMessage.status == MailStatus.pending, OutboxMessage.deferred.is_not(None))
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        ).all()
        for row_id, deferred in rows:
            try:
                built[row_id] = _build(session, deferred)
            except NothingToBuild:
                continue
        session.rollback()  # end the reads; SQLite's write lock comes next
        if not built:
            return 0
        _begin_write(session)
        for row_id, values in built.items():
            session.execute(
                sa.update(OutboxMessage)
                # Not one the worker built meanwhile.
                .where(OutboxMessage.id == row_id, OutboxMessage.deferred.is_not(None))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        session.commit()
    return len(built)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


@dataclass
class DeliveryReport:
    """What one ``deliver_due`` run did."""

    sent: int = 0
    retrying: int = 0  # failed this time, pending for a later attempt
    failed: int = 0  # given up: refused for good, or out of attempts
    errors: list[tuple[str, str]] = field(default_factory=list)  # (recipient, reason)

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed

    def __str__(self) -> str:
        return f"sent {self.sent}, will retry {self.retrying}, failed {self.failed}"


@dataclass
class _Claim:
    id: int
    recipient: str
    message: bytes
    attempts: int  # including this one
    deferred: dict | None = None
    built: dict = field(default_factory=dict)  # a deferred message's columns, once built


def deliver_due(
    *,
    now: datetime | None = None,
    limit: int = 100,
    should_stop: Callable[[], bool] | None = None,
) -> DeliveryReport:
    """Deliver up to ``limit`` pending messages whose time has come, oldest first.

    A worker, not a service: it uses its own database session and commits after every
    message (claim, then outcome), so a crash mid-batch never resends what was already
    sent, and the caller's unit of work is left alone. Messages the caller has not
    committed are not seen. ``now`` (aware) stands in for the clock, for tests;
    ``should_stop`` is asked before each message (the worker's SIGTERM).

    A failed attempt stays pending with a later ``next_attempt_at`` (``retry_delay``)
    until ``MAX_ATTEMPTS``, then is marked failed with its ``last_error`` kept; a
    permanent refusal (5xx for the recipient) fails at once. ``MailConfigError`` is
    raised when the mail settings are broken; the message at hand stays due and its
    attempt does not count.
    """
    report = DeliveryReport()
    with Session(db.engine) as session, open_transport() as transport:
        while report.attempted < limit and not (should_stop and should_stop()):
            claim = _claim_next(session, now or utcnow())
            if claim is None:
                break
            try:
                if claim.deferred is not None:
                    claim.built = _build(session, claim.deferred)
                    claim.message, claim.recipient = (
                        claim.built["message"],
                        claim.built["recipient"],
                    )
                transport.send(_complete(session, claim.message))
            except NothingToBuild as exc:
                session.rollback()
                claim.built = {"deferred": None}  # nothing to keep of it, no address either
                _record_failure(session, claim, f"nothing to send: {exc}", True, now, report)
            except MailConfigError as exc:
                _record(
                    session,
                    claim,
                    attempts=claim.attempts - 1,
                    next_attempt_at=now or utcnow(),
                    last_error=f"configuration: {exc}",
                )
                raise
            except DeliveryError as exc:
                _record_failure(session, claim, str(exc), exc.permanent, now, report)
            except Exception as exc:  # a bug must not stop the rest of the queue
                current_app.logger.exception("delivering outbox message %s failed", claim.id)
                _record_failure(session, claim, repr(exc), False, now, report)
            else:
                at = now or utcnow()
                _record(session, claim, status=MailStatus.sent, sent_at=at, last_error=None)
                report.sent += 1
    return report


def _claim_next(session: Session, at: datetime) -> _Claim | None:
    """Reserve the oldest due message for this worker and commit the reservation."""
    _begin_write(session)
    candidate = session.execute(
        sa.select(
            OutboxMessage.id,
            OutboxMessage.recipient,
            OutboxMessage.message,
            OutboxMessage.attempts,
            OutboxMessage.deferred,
        )
        .where(OutboxMessage.status == MailStatus.pending, OutboxMessage.next_attempt_at <= at)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
        .limit(1)
        # PostgreSQL: workers step past each other's rows instead of queueing on them.
        # SQLite renders nothing here; the write lock taken above serializes the claim.
        .with_for_update(skip_locked=True)
    ).one_or_none()
    if candidate is None:
        session.rollback()
        return None
    session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == candidate.id)
        .values(attempts=candidate.attempts + 1, next_attempt_at=at + CLAIM_LEASE)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return _Claim(
        candidate.id,
        candidate.recipient,
        candidate.message,
        candidate.attempts + 1,
        candidate.deferred,
    )


def _record_failure(
    session: Session,
    claim: _Claim,
    reason: str,
    permanent: bool,
    now: datetime | None,
    report: DeliveryReport,
) -> None:
    report.errors.append((claim.recipient, reason))
    if permanent or claim.attempts >= MAX_ATTEMPTS:
        _record(session, claim, status=MailStatus.failed, last_error=reason)
        report.failed += 1
    else:
        at = now or utcnow()
        _record(
            session,
            claim,
            next_attempt_at=at + retry_delay(claim.attempts),
            last_error=reason,
        )
        report.retrying += 1


def _record(session: Session, claim: _Claim, **values) -> None:
    """The attempt's outcome; a message built for this attempt is stored with it, so a
    retry sends the same message."""
    _begin_write(session)
    session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == claim.id)
        .values(**claim.built, **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _begin_write(session: Session) -> None:
    # SQLite: take the write lock up front, so the claim cannot race another worker.
    take_sqlite_write_lock(session)
