"""Every model, imported in one place so the metadata (and Alembic) sees them all."""

from nscal.accounts.models import AccountRole, SsoIdentity, User
from nscal.attendance.models import Attendance, CheckInCode, CheckInFailure
from nscal.cities.models import City, ParticipantRole
from nscal.events.models import Event, EventSeries
from nscal.mail.models import OutboxMessage
from nscal.materials.models import Material, MaterialKind, MaterialVisibility
from nscal.messaging.models import ParticipantMessage, ParticipantMessageMail
from nscal.people.models import MaintenanceRun
from nscal.programme.models import ProgrammeItem, Speaker
from nscal.registrations.models import (
    Registration,
    RegistrationSettings,
    RegistrationStatusChange,
    RoleQuota,
)
from nscal.reminders.models import FeedAlarm, ReminderPlan, ReminderSent

__all__ = [
    "AccountRole",
    "Attendance",
    "CheckInCode",
    "CheckInFailure",
    "City",
    "Event",
    "EventSeries",
    "FeedAlarm",
    "MaintenanceRun",
    "Material",
    "MaterialKind",
    "MaterialVisibility",
    "OutboxMessage",
    "ParticipantMessage",
    "ParticipantMessageMail",
    "ParticipantRole",
    "ProgrammeItem",
    "Registration",
    "RegistrationSettings",
    "ReminderPlan",
    "ReminderSent",
    "RegistrationStatusChange",
    "RoleQuota",
    "SsoIdentity",
    "Speaker",
    "User",
]
