"""What the statistics keep of registrations the retention purge deletes.

The purge (nscal/people/retention.py) deletes cancelled and rejected registrations some
months after their event. Before it does, it adds their counts here, grouped by event,
city, participant role, status and whether they had been on the waiting list: no
person, only numbers. The statistics read the registrations that are left plus these
counts, so "registrations made", "cancelled" and the waiting-list rate stay the same
after a purge.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from nscal.db import UTCDateTime, db, str_enum, utcnow
from nscal.registrations.models import RegistrationStatus


class PurgedRegistrationCount(db.Model):
    __tablename__ = "purged_registration_count"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("city.id"))
    participant_role_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participant_role.id"))
    status: Mapped[RegistrationStatus] = mapped_column(
        str_enum(RegistrationStatus, "purged_registration_status")
    )
    was_waitlisted: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    count: Mapped[int] = mapped_column()
    purged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
