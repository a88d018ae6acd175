"""Every model, imported in one place so the metadata (and Alembic) sees them all."""

from nscal.accounts.models import AccountRole, User
from nscal.attendance.models import Attendance, CheckInCode, CheckInFailure
from nscal.cities.models import City, ParticipantRole
from nscal.events.models import Event, EventSeries
from nscal.mail.models import OutboxMessage
from nscal.registrations.models import Registration, RegistrationSettings, RoleQuota

__all__ = [
    "AccountRole",
    "Attendance",
    "CheckInCode",
    "CheckInFailure",
    "City",
    "Event",
    "EventSeries",
    "OutboxMessage",
    "ParticipantRole",
    "Registration",
    "RegistrationSettings",
    "RoleQuota",
    "User",
]
