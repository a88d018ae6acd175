"""Every model, imported in one place so the metadata (and Alembic) sees them all."""

from nscal.accounts.models import AccountRole, User
from nscal.cities.models import City, ParticipantRole
from nscal.events.models import Event, EventSeries
from nscal.mail.models import OutboxMessage
from nscal.questions.models import (
    Answer,
    FeedbackInvitation,
    FeedbackResponse,
    FeedbackSurvey,
    ParticipantListing,
    ParticipantListSetting,
    Question,
)
from nscal.registrations.models import Registration, RegistrationSettings, RoleQuota

__all__ = [
    "AccountRole",
    "Answer",
    "City",
    "Event",
    "EventSeries",
    "FeedbackInvitation",
    "FeedbackResponse",
    "FeedbackSurvey",
    "OutboxMessage",
    "ParticipantListSetting",
    "ParticipantListing",
    "ParticipantRole",
    "Question",
    "Registration",
    "RegistrationSettings",
    "RoleQuota",
    "User",
]
