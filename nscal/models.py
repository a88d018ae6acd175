"""Every model, imported in one place so the metadata (and Alembic) sees them all."""

from nscal.accounts.models import AccountRole, User
from nscal.cities.models import City, ParticipantRole
from nscal.events.models import Event, EventSeries
from nscal.mail.models import OutboxMessage
from nscal.materials.models import Material, MaterialKind, MaterialVisibility
from nscal.registrations.models import Registration, RegistrationSettings, RoleQuota

__all__ = [
    "AccountRole",
    "City",
    "Event",
    "EventSeries",
    "Material",
    "MaterialKind",
    "MaterialVisibility",
    "OutboxMessage",
    "ParticipantRole",
    "Registration",
    "RegistrationSettings",
    "RoleQuota",
    "User",
]
