"""Attendance marks, the events' check-in codes and the count of wrong codes typed.

Attendance lives in a table of its own, one row per registration that has a mark, so
the registration rules stay as they are: a registration without a row is "not marked".
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nscal.db import UTCDateTime, db, str_enum, utcnow
from nscal.registrations.models import Registration


class AttendanceStatus(enum.StrEnum):
    attended = "attended"
    absent = "absent"
    excused = "excused"

    @property
    def label(self) -> str:
        return ATTENDANCE_LABELS[self]


ATTENDANCE_LABELS = {
    AttendanceStatus.attended: _l("Attended"),
    AttendanceStatus.absent: _l("Absent"),
    # Translators: attendance: absent with a reason given beforehand.
    AttendanceStatus.excused: _l("Excused"),
}


class Attendance(db.Model):
    """Whether the person of a registration came; ``checked_in_at`` when they checked
    themselves in with the event's code (None when a coordinator marked it)."""

    __tablename__ = "attendance"

    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[AttendanceStatus] = mapped_column(
        str_enum(AttendanceStatus, "attendance_status")
    )
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    marked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    registration: Mapped[Registration] = relationship()


class CheckInCode(db.Model):
    """The code people type (or scan) to check themselves in; one per event."""

    __tablename__ = "check_in_code"

    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CheckInFailure(db.Model):
    """Wrong codes one person typed for one event: enough of them and check-in stops."""

    __tablename__ = "check_in_failure"

    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
