"""What the coordinators' home keeps: the daily digests of requests for a place."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from nscal.db import UTCDateTime, db, utcnow


class CoordinatorDigest(db.Model):
    """One digest mail to one coordinator on one day (on the coordinator's clock).

    The unique (user, day) pair makes the digest once-only across mail workers: a
    worker inserts the row first and only the one whose insert went in queues the mail.
    ``sent_at`` is where the next digest's "new since" starts.
    """

    __tablename__ = "coordinator_digest"
    __table_args__ = (sa.UniqueConstraint("user_id", "day", name="uq_coordinator_digest_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(sa.Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requests: Mapped[int] = mapped_column(default=0)  # how many requests it listed
