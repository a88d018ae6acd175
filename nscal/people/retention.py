"""How long nscal keeps what: the purge (``flask purge``, and daily in ``send-mail --loop``).

The settings (``NSCAL_RETENTION_*``, months) say how long, counted from the end of the
event or from when a mail was sent:

- cancelled and rejected registrations are deleted (with their status history, their
  answers and their participant-list choice);
- registration notes are emptied, and the answers to registration questions (diet,
  access needs, …) deleted, after the notes' months;
- the text of mail that was sent (or given up on) is removed; its subject, date and
  status stay, so a person's export still lists it; after the same months a message to
  participants loses its text and its attachment (subject, sender, counts and the
  attachment's name stay), and a draft never sent is deleted;
- login and reset throttling counters that would start from zero anyway go.

What the statistics need stays: confirmed (and other active) registrations of past
events are never deleted, with their city and participant role; the deleted ones are
counted first into ``purged_registration_count`` (nscal/statistics/models.py).
"""

import calendar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from nscal.accounts import throttle
from nscal.accounts.models import LoginThrottle
from nscal.db import db, take_sqlite_write_lock, utcnow
from nscal.events.models import Event
from nscal.mail.models import MailStatus, OutboxMessage
from nscal.messaging.models import MessageStatus, ParticipantMessage, ParticipantMessageMail
from nscal.people.models import MaintenanceRun
from nscal.questions.models import Answer
from nscal.registrations.models import Registration, RegistrationStatus
from nscal.statistics.tally import keep_counts

PURGE_TASK = "purge"
PURGE_EVERY = timedelta(days=1)
REMOVED_STATUSES = (RegistrationStatus.cancelled, RegistrationStatus.rejected)

KIND_LABELS = {
    "registrations": "cancelled or rejected registrations deleted",
    "notes": "registration notes emptied",
    "answers": "answers to registration questions deleted",
    "mail_bodies": "mail texts removed",
    "message_texts": "texts and attachments of messages to participants removed",
    "message_drafts": "unsent message drafts deleted",
    "throttle_counters": "stale login/reset counters deleted",
}


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (the month's last day
    when it is shorter: 31 March less one month is 28 or 29 February)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass
class PurgeReport:
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def lines(self) -> list[str]:
        return [f"{self.counts.get(kind, 0)} {label}" for kind, label in KIND_LABELS.items()]


def _cutoffs(now: datetime) -> dict[str, datetime]:
    config = current_app.config
    return {
        "registrations": months_before(now, config["RETENTION_CANCELLED_REGISTRATIONS_MONTHS"]),
        "notes": months_before(now, config["RETENTION_NOTES_MONTHS"]),
        "mail_bodies": months_before(now, config["RETENTION_MAIL_BODIES_MONTHS"]),
    }


def _ended_before(cutoff: datetime):
    return Registration.event_id.in_(sa.select(Event.id).where(Event.ends_at < cutoff))


def _answers_to_purge(cutoffs: dict[str, datetime]) -> sa.ColumnElement[bool]:
    """Registration answers of events past the notes' months, and those of the
    registrations the purge deletes (their rows go by ON DELETE CASCADE; counted here)."""
    registrations = sa.select(Registration.id).where(
        sa.or_(
            _ended_before(cutoffs["notes"]),
            sa.and_(
                Registration.status.in_(REMOVED_STATUSES),
                _ended_before(cutoffs["registrations"]),
            ),
        )
    )
    return Answer.registration_id.in_(registrations)


def _mail_pending_for_message():
    """A message with a mail still waiting in the outbox: the worker needs its attachment."""
    return sa.exists().where(
        ParticipantMessageMail.message_id == ParticipantMessage.id,
        OutboxMessage.id == ParticipantMessageMail.outbox_id,
        OutboxMessage.status == MailStatus.pending,
    )


def _conditions(now: datetime) -> dict[str, sa.ColumnElement[bool]]:
    cutoffs = _cutoffs(now)
    return {
        "registrations": sa.and_(
            Registration.status.in_(REMOVED_STATUSES), _ended_before(cutoffs["registrations"])
        ),
        "notes": sa.and_(Registration.note != "", _ended_before(cutoffs["notes"])),
        "mail_bodies": sa.and_(
            OutboxMessage.status != MailStatus.pending,
            sa.func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at)
            < cutoffs["mail_bodies"],
            sa.func.length(OutboxMessage.message) > 0,
        ),
        "answers": _answers_to_purge(cutoffs),
        "message_texts": sa.and_(
            ParticipantMessage.status == MessageStatus.sent,
            ParticipantMessage.sent_at < cutoffs["mail_bodies"],
            sa.or_(ParticipantMessage.text != "", ParticipantMessage.attachment_key.is_not(None)),
            ~_mail_pending_for_message(),
        ),
        "message_drafts": sa.and_(
            ParticipantMessage.status == MessageStatus.draft,
            ParticipantMessage.created_at < cutoffs["mail_bodies"],
        ),
    }


COUNTED_IN = {
    "registrations": Registration,
    "notes": Registration,
    "answers": Answer,
    "mail_bodies": OutboxMessage,
    "message_texts": ParticipantMessage,
    "message_drafts": ParticipantMessage,
}


def purge(*, dry_run: bool = False, now: datetime | None = None) -> PurgeReport:
    """Apply the retention settings; with ``dry_run`` only count. Flushes, the caller
    commits (or rolls back)."""
    now = now or utcnow()
    conditions = _conditions(now)
    report = PurgeReport(dry_run)
    if dry_run:
        for kind, model in COUNTED_IN.items():
            report.counts[kind] = db.session.scalar(
                sa.select(sa.func.count()).select_from(model).where(conditions[kind])
            )
        since = now - current_app.config["LOGIN_THROTTLE_WINDOW"]
        report.counts["throttle_counters"] = db.session.scalar(
            sa.select(sa.func.count()).where(
                LoginThrottle.last_failure_at < since,
                sa.or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until < since),
            )
        )
        return report
    # The statistics keep their counts first (no person, only numbers per event, city
    # and role). Deleting a registration deletes its status history (ON DELETE CASCADE).
    keep_counts(conditions["registrations"], now)
    # Before the registrations go, for the count (their own answers cascade anyway).
    report.counts["answers"] = db.session.execute(
        sa.delete(Answer).where(conditions["answers"]).execution_options(synchronize_session=False)
    ).rowcount
    report.counts["registrations"] = db.session.execute(
        sa.delete(Registration)
        .where(conditions["registrations"])
        .execution_options(synchronize_session=False)
    ).rowcount
    report.counts["notes"] = db.session.execute(
        sa.update(Registration)
        .where(conditions["notes"])
        .values(note="")
        .execution_options(synchronize_session=False)
    ).rowcount
    report.counts["mail_bodies"] = db.session.execute(
        sa.update(OutboxMessage)
        .where(conditions["mail_bodies"])
        .values(message=b"")
        .execution_options(synchronize_session=False)
    ).rowcount
    report.counts["message_texts"] = db.session.execute(
        sa.update(ParticipantMessage)
        .where(conditions["message_texts"])
        .values(text="", attachment_data=None, attachment_key=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    report.counts["message_drafts"] = db.session.execute(
        sa.delete(ParticipantMessage)
        .where(conditions["message_drafts"])
        .execution_options(synchronize_session=False)
    ).rowcount
    report.counts["throttle_counters"] = throttle.forget_stale_counters()
    db.session.flush()
    return report


def purge_if_due(*, now: datetime | None = None) -> PurgeReport | None:
    """The daily purge of the mail workers: runs and commits when no worker did in the
    last day, else does nothing and returns None.

    The claim is an UPDATE of the task's row in the purge's own transaction: a second
    worker waits on the row (PostgreSQL) or the write lock (SQLite), then finds it
    claimed. A failed purge rolls its claim back, so the next look tries again.
    """
    now = now or utcnow()
    take_sqlite_write_lock(db.session)
    if db.session.get(MaintenanceRun, PURGE_TASK) is None:
        db.session.add(MaintenanceRun(name=PURGE_TASK, last_run_at=None))
        try:
            with db.session.begin_nested():
                db.session.flush()
        except sa.exc.IntegrityError:  # another worker made it meanwhile
            pass
    claimed = db.session.execute(
        sa.update(MaintenanceRun)
        .where(
            MaintenanceRun.name == PURGE_TASK,
            sa.or_(
                MaintenanceRun.last_run_at.is_(None),
                MaintenanceRun.last_run_at <= now - PURGE_EVERY,
            ),
        )
        .values(last_run_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.rollback()
        return None
    try:
        report = purge(now=now)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return report


def last_purge() -> datetime | None:
    run = db.session.get(MaintenanceRun, PURGE_TASK)
    return run.last_run_at if run else None
