"""What the event page shows about registering, for the person looking at it."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

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

BUTTON_LABELS = {
    RegistrationStatus.confirmed: "Register",
    RegistrationStatus.pending: "Ask for a place",
    RegistrationStatus.waitlisted: "Join the waiting list",
}


# What leaving reads as, by where the person stands.
CANCEL_LABELS = {
    RegistrationStatus.confirmed: "Cancel my registration",
    RegistrationStatus.waitlisted: "Leave the waiting list",
    RegistrationStatus.pending: "Withdraw my request",
}


def cancel_label(status: RegistrationStatus) -> str:
    return CANCEL_LABELS.get(status, "Cancel my registration")


def may_self_cancel(event: Event, now: datetime) -> bool:
    """Whether people may still cancel their own registration for ``event``."""
    settings = settings_for(event)
    until = settings.self_cancel_until or event.starts_at
    return bool(settings.self_cancel) and now < until


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
        panel.may_cancel = may_self_cancel(event, now)
        return panel
    try:
        panel.button = BUTTON_LABELS[preview_registration(event, viewer, now=now)]
    except RegistrationError as exc:
        panel.reason = _in_zone(exc, zone or event.timezone)
    return panel


def _in_zone(error: RegistrationError, zone: str) -> str:
    """The refusal, with its moment (e.g. when registration opens) on the reader's clock."""
    if error.reason == "not_open_yet" and error.when is not None:
        local = error.when.astimezone(ZoneInfo(zone))
        return f"Registration opens {local:%-d %B %Y at %H:%M} {local.tzname()}."
    return str(error)
