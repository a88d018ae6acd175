"""Who may see what a registration opens: an event's online link."""

from nscal.events.models import Event
from nscal.registrations.models import RegistrationStatus
from nscal.registrations.services import active_registration


def can_see_online_link(event: Event, viewer) -> bool:
    """Coordinators, and people whose place at the event is confirmed, see the link."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    if viewer.is_coordinator:
        return True
    registration = active_registration(event.id, viewer.id)
    return registration is not None and registration.status is RegistrationStatus.confirmed
