"""Every model, imported in one place so the metadata (and Alembic) sees them all."""

from nscal.accounts.models import AccountRole, SsoIdentity, User
from nscal.attendance.models import Attendance, CheckInCode, CheckInFailure
from nscal.cities.models import City, ParticipantRole
from nscal.events.models import AcceptedConflict, Event, EventSeries
from nscal.feeds.models import FeedChange, StoredVevent, StoredVtimezone
from nscal.mail.models import OutboxMessage
from nscal.manage.models import CoordinatorDigest
from nscal.materials.models import Material, MaterialKind, MaterialVisibility
from nscal.messaging.models import ParticipantMessage, ParticipantMessageMail
from nscal.people.models import MaintenanceRun
from nscal.programme.models import ProgrammeItem, Speaker
from nscal.questions.models import (
    Answer,
    FeedbackInvitation,
    FeedbackResponse,
    FeedbackSurvey,
    ParticipantListing,
    ParticipantListSetting,
    Question,
)
from nscal.registrations.models import (
    Registration,
    RegistrationSettings,
    RegistrationStatusChange,
    RoleQuota,
)
from nscal.reminders.models import FeedAlarm, ReminderPlan, ReminderSent
from nscal.statistics.models import PurgedRegistrationCount

__all__ = [
    "AcceptedConflict",
    "AccountRole",
    "Answer",
    "Attendance",
    "CheckInCode",
    "CheckInFailure",
    "City",
    "CoordinatorDigest",
    "Event",
    "EventSeries",
    "FeedAlarm",
    "FeedChange",
    "FeedbackInvitation",
    "FeedbackResponse",
    "FeedbackSurvey",
    "MaintenanceRun",
    "Material",
    "MaterialKind",
    "MaterialVisibility",
    "OutboxMessage",
    "ParticipantListSetting",
    "ParticipantListing",
    "ParticipantMessage",
    "ParticipantMessageMail",
    "ParticipantRole",
    "ProgrammeItem",
    "PurgedRegistrationCount",
    "Question",
    "Registration",
    "RegistrationSettings",
    "RegistrationStatusChange",
    "ReminderPlan",
    "ReminderSent",
    "RoleQuota",
    "Speaker",
    "SsoIdentity",
    "StoredVevent",
    "StoredVtimezone",
    "User",
]
