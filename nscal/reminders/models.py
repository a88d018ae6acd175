"""Reminders: offsets before an event's start, kept with the event, its series or its kind.

A ``ReminderPlan`` belongs to exactly one of an event, a series or an event kind (the
defaults). Which plan an event follows: its own, else its series', else its kind's,
else the built-in default of its kind (``nscal.reminders.services.BUILTIN_DEFAULTS``).
A plan with no offsets means "no reminders" and still counts as the event's own.

Due instants are never stored: they follow from the event's current start (so a moved
event moves its reminders) and, for day-based reminders, from each recipient's zone.
``ReminderSent`` is the record that a reminder went to a registration, written in the
transaction that queues the mail; its unique constraint is what makes "at most once"
hold when several workers run at the same time.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from nscal.db import UTCDateTime, db, str_enum, utcnow
from nscal.events.models import EventKind


class ReminderPlan(db.Model):
    __tablename__ = "reminder_plan"
    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN event_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN series_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN event_kind IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_owner",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("event.id", ondelete="CASCADE"), unique=True
    )
    series_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("event_series.id", ondelete="CASCADE"), unique=True
    )
    event_kind: Mapped[EventKind | None] = mapped_column(
        str_enum(EventKind, "reminder_event_kind"), unique=True
    )
    # Canonical offsets, largest first, comma-separated: "7d,1d", "1d,1h", "15m"; "" = none.
    offsets: Mapped[str] = mapped_column(sa.String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReminderSent(db.Model):
    __tablename__ = "reminder_sent"
    __table_args__ = (
        sa.UniqueConstraint("registration_id", "reminder_key", name="uq_reminder_sent_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE")
    )
    reminder_key: Mapped[str] = mapped_column(sa.String(10))  # "7d", "1h", "15m"
    # The start the reminder spoke of, and when it was queued: for the coordinators' page.
    event_starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedAlarm(db.Model):
    """A person's wish for an alarm (VALARM) in the events of their private feed."""

    __tablename__ = "feed_alarm"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    minutes_before: Mapped[int] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
