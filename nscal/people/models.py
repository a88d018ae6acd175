"""When periodic maintenance last ran, shared by every worker."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from nscal.db import UTCDateTime, db


class MaintenanceRun(db.Model):
    """One row per periodic task (e.g. the daily purge): when it last ran. Several mail
    workers claim the run by updating this row, so the task runs once per period."""

    __tablename__ = "maintenance_run"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
