"""A coordinator's message to the people registered for an event (or a series), and
the one outbox mail each recipient got from it."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nscal.accounts.models import User
from nscal.db import UTCDateTime, db, str_enum, utcnow
from nscal.events.models import Event, EventSeries


class MessageStatus(enum.StrEnum):
    draft = "draft"  # written and previewed, not sent yet
    sent = "sent"


class ParticipantMessage(db.Model):
    """One message, written once: to the people of one event, or of a series' coming dates.

    The attachment is kept here once (``attachment_data``, loaded only when asked for);
    each outbox mail carries a reference to it (``attachment_key``) that the mail
    worker replaces with the file just before sending.
    """

    __tablename__ = "participant_message"
    __table_args__ = (
        sa.CheckConstraint("(event_id IS NULL) <> (series_id IS NULL)", name="event_or_series"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("event.id", ondelete="CASCADE"), index=True
    )
    series_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("event_series.id", ondelete="CASCADE"), index=True
    )
    sender_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Kept as written: the history still says who wrote it after the account is gone.
    sender_name: Mapped[str] = mapped_column(sa.String(200))
    sender_email: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    text: Mapped[str] = mapped_column(sa.Text)
    # Who it is for: {"statuses": [...], "roles": [ids], "cities": [ids]}, and in words.
    selection: Mapped[dict] = mapped_column(sa.JSON)
    selection_text: Mapped[str] = mapped_column(sa.String(500))
    status: Mapped[MessageStatus] = mapped_column(
        str_enum(MessageStatus, "participant_message_status"), default=MessageStatus.draft
    )
    recipient_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attachment_name: Mapped[str | None] = mapped_column(sa.String(255))
    attachment_type: Mapped[str | None] = mapped_column(sa.String(120))
    attachment_size: Mapped[int | None] = mapped_column()
    attachment_key: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    attachment_data: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)

    event: Mapped[Event | None] = relationship()
    series: Mapped[EventSeries | None] = relationship()
    sender: Mapped[User | None] = relationship()

    @property
    def is_sent(self) -> bool:
        return self.status is MessageStatus.sent


class ParticipantMessageMail(db.Model):
    """The outbox mail one person got from a message: at most one per person."""

    __tablename__ = "participant_message_mail"

    message_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant_message.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    outbox_id: Mapped[int] = mapped_column(
        sa.ForeignKey("mail_outbox.id", ondelete="CASCADE"), unique=True
    )
