"""What the event page shows about registering, for the person looking at it."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from nscal.db import db
from nscal.events.models import Event
from nscal.registrations.models import Registration, RegistrationStatus, RoleQuota
from nscal.registrations.services import (
    PlaceCounts,
    RegistrationError,
    active_registration,
    place_counts,
    preview_registration,
    settings_for,
    waitlist_position,
)
from nscal.timedisplay import format_instant

BUTTON_LABELS = {
    RegistrationStatus.confirmed: _l("Register"),
    RegistrationStatus.pending: _l("Ask for a place"),
    RegistrationStatus.waitlisted: _l("Join the waiting list"),
}


# What leaving reads as, by where the person stands.
CANCEL_LABELS = {
    RegistrationStatus.confirmed: _l("Cancel my registration"),
    RegistrationStatus.waitlisted: _l("Leave the waiting list"),
    RegistrationStatus.pending: _l("Withdraw my request"),
}


def cancel_label(status: RegistrationStatus) -> str:
    return str(CANCEL_LABELS.get(status, CANCEL_LABELS[RegistrationStatus.confirmed]))


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
    deadline: str | None = None  # "Registration closes …", while it is open
    role_places: list["RolePlaces"] | None = None


@dataclass(frozen=True)
class RolePlaces:
    """A role's quota at the event: "Places for mayors: 3 of 10 left"."""

    role: str  # plural, lower case: "mayors"
    places: int
    left: int


def registration_panel(event: Event, viewer, zone: str | None, now: datetime) -> RegistrationPanel:
    counts = place_counts(event.id)
    panel = RegistrationPanel(
        spots_left=None if event.capacity is None else max(event.capacity - counts.total, 0)
    )
    settings = settings_for(event)
    panel.deadline = _deadline(
        settings.opens_at, settings.closes_at or event.starts_at, zone or event.timezone, now
    )
    panel.role_places = _role_places(event, counts)
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
        panel.button = str(BUTTON_LABELS[preview_registration(event, viewer, now=now)])
    except RegistrationError as exc:
        panel.reason = _in_zone(exc, zone or event.timezone)
    return panel


def _in_zone(error: RegistrationError, zone: str) -> str:
    """The refusal, with its moment (e.g. when registration opens) on the reader's clock."""
    if error.reason == "not_open_yet" and error.when is not None:
        return _("Registration opens %(when)s.", when=format_instant(error.when, zone))
    return str(error)


def _deadline(
    opens_at: datetime | None, closes_at: datetime, zone: str, now: datetime
) -> str | None:
    """When registration closes, on the reader's clock; None once it has closed (the
    panel's reason says so) or before it opens (the reason says when it opens)."""
    if now >= closes_at or (opens_at is not None and now < opens_at):
        return None
    return _("Registration closes %(when)s.", when=format_instant(closes_at, zone))


def _role_places(event: Event, counts: PlaceCounts) -> list[RolePlaces]:
    """The quotas of the roles the event is for (all quotas when it is for everyone)."""
    quotas = db.session.execute(
        sa.select(RoleQuota)
        .where(RoleQuota.event_id == event.id)
        .order_by(RoleQuota.participant_role_id)
    ).scalars()
    audience = {role.id for role in event.audience}
    return [
        RolePlaces(
            quota.role.plural_label,
            quota.places,
            max(quota.places - counts.by_role.get(quota.participant_role_id, 0), 0),
        )
        for quota in quotas
        if not audience or quota.participant_role_id in audience
    ]
