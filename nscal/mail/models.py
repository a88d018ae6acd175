"""The mail outbox: messages written in the same transaction as the change they report.

A row holds either the complete message, built when the change happened, or a
*deferred* reference: what the message needs (its kind, the recipient, the facts as
they were when it was queued), built by the worker after the commit (``outbox``).
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from nscal.db import UTCDateTime, db, str_enum, utcnow


class MailStatus(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"  # gave up after the last retry


class OutboxMessage(db.Model):
    __tablename__ = "mail_outbox"
    __table_args__ = (sa.Index("ix_mail_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    # The complete RFC 5322 message: built when the change happened, or, for a deferred
    # row, by the worker just before sending (empty until then).
    message: Mapped[bytes] = mapped_column(sa.LargeBinary)
    # A deferred row: {"kind": …, …} for the builder registered for that kind; cleared
    # (None) once the message is built. None for rows queued fully built.
    deferred: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True))
    status: Mapped[MailStatus] = mapped_column(
        str_enum(MailStatus, "mail_status"),
        default=MailStatus.pending,
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
