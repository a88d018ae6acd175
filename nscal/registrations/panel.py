"""What the event page shows about registering, for the person looking at it."""

from dataclasses import dataclass
from datetime import datetime

from nscal.events.models import Event
from nscal.registrations.models import Registration, RegistrationStatus
from nscal.registrations.services import (
    RegistrationError,
    active_registration,
    preview_registration,
    settings_for,
    spots_left,
    waitlist_position,
)
from nscal.timedisplay import format_instant

BUTTON_LABELS = {
    RegistrationStatus.confirmed: "Register",
    RegistrationStatus.pending: "Ask for a place",
    RegistrationStatus.waitlisted: "Join the waiting list",
}


@dataclass
class RegistrationPanel:
    spots_left: int | None
    registration: Registration | None = None
    position: int | None = None
    button: str | None = None  # the register button's label, when registering is possible
    reason: str | None = None  # why registering is not possible
    may_cancel: bool = False
    anonymous: bool = False


def registration_panel(event: Event, viewer, zone: str | None, now: datetime) -> RegistrationPanel:
    panel = RegistrationPanel(spots_left=spots_left(event))
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        panel.anonymous = True
        return panel
    registration = active_registration(event.id, viewer.id)
    if registration is not None:
        panel.registration = registration
        panel.position = waitlist_position(registration)
        settings = settings_for(event)
        until = settings.self_cancel_until or event.starts_at
        panel.may_cancel = settings.self_cancel and now < until
        return panel
    try:
        panel.button = BUTTON_LABELS[preview_registration(event, viewer, now=now)]
    except RegistrationError as exc:
        panel.reason = _in_zone(exc, zone or event.timezone)
    return panel


def _in_zone(error: RegistrationError, zone: str) -> str:
    """The refusal, with its moment (e.g. when registration opens) on the reader's clock."""
    if error.reason == "not_open_yet" and error.when is not None:
        return f"Registration opens {format_instant(error.when, zone)}."
    return str(error)
