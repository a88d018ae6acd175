"""Mail to people about their registrations and the events they registered for.

Every message is written to the outbox in the same transaction as the change it
reports (so it exists exactly when the change does). Confirmations and changes carry
an iTIP ``METHOD:REQUEST`` invitation, cancellations ``METHOD:CANCEL``, with the same
UID and SEQUENCE as the feeds.
"""

import sqlalchemy as sa

from nscal.db import db
from nscal.events.display import format_event_time
from nscal.events.models import Event
from nscal.events.services import event_changed
from nscal.feeds.ical import itip_calendar
from nscal.mail.messages import build_message
from nscal.mail.outbox import enqueue
from nscal.registrations.models import ACTIVE_STATUSES, Registration, RegistrationStatus
from nscal.urls import external_url

# What each status means to the person, as the first line of the mail.
STATUS_SUBJECTS = {
    RegistrationStatus.confirmed: "You are registered: {title}",
    RegistrationStatus.pending: "Awaiting approval: {title}",
    RegistrationStatus.waitlisted: "On the waiting list: {title}",
    RegistrationStatus.cancelled: "Registration cancelled: {title}",
    RegistrationStatus.rejected: "Registration not accepted: {title}",
}
STATUS_LINES = {
    RegistrationStatus.confirmed: "Your place is confirmed. The invitation is attached: "
    "add it to your calendar.",
    RegistrationStatus.pending: "Thank you for registering. A coordinator will confirm your "
    "place; we will write to you then.",
    RegistrationStatus.waitlisted: "The event is full, so you are on the waiting list. "
    "If a place comes free, it is yours and we will write to you.",
    RegistrationStatus.cancelled: "Your registration is cancelled. You can register again "
    "on the event page while registration is open.",
    RegistrationStatus.rejected: "The coordinators could not accept your registration this "
    "time. Please contact them if you have questions.",
}
# Statuses whose mail carries the invitation (REQUEST) or its withdrawal (CANCEL).
INVITED = (RegistrationStatus.confirmed,)
UNINVITED = (RegistrationStatus.cancelled, RegistrationStatus.rejected)


def _when(event: Event, registration: Registration) -> str:
    return format_event_time(event, registration.user.display_timezone).text


def _where(event: Event) -> str:
    parts = [
        part for part in (event.venue, event.host_city.name if event.host_city else "") if part
    ]
    if event.online_url:
        parts.append(f"online: {event.online_url}")
    return ", ".join(parts) or event.format.label


def _send(registration: Registration, subject: str, lines: list[str], method: str | None) -> None:
    event, user = registration.event, registration.user
    body = "\n".join(
        [
            f"Hello {user.name},",
            "",
            *lines,
            "",
            event.title,
            f"When:  {_when(event, registration)}",
            f"Where: {_where(event)}",
            f"More:  {external_url('events.detail', event_id=event.id)}",
            "",
            f"Your events: {external_url('registrations.mine')}",
            "",
            "Nordic Safe Cities",
        ]
    )
    calendar = None
    if method is not None:
        calendar = itip_calendar(
            event, method=method, attendee=user, registration_status=registration.status.value
        )
    enqueue(
        build_message(
            f"{user.name} <{user.email}>", subject, body, calendar=calendar, method=method
        )
    )


def _status_mail(registration: Registration, first_line: str | None = None) -> None:
    status = registration.status
    method = "REQUEST" if status in INVITED else "CANCEL" if status in UNINVITED else None
    lines = [first_line] if first_line else []
    lines.append(STATUS_LINES[status])
    _send(
        registration, STATUS_SUBJECTS[status].format(title=registration.event.title), lines, method
    )


def registration_created(registration: Registration) -> None:
    """Confirmed, pending approval or waitlisted."""
    _status_mail(registration)


def registration_cancelled(registration: Registration) -> None:
    _status_mail(registration)


def registration_promoted(registration: Registration) -> None:
    """A place came free and went to this person."""
    _status_mail(registration, "Good news: a place came free and it is yours.")


def registration_moved(registration: Registration, previous: RegistrationStatus) -> None:
    """A coordinator changed the status."""
    if (
        previous is RegistrationStatus.pending
        and registration.status is RegistrationStatus.confirmed
    ):
        _status_mail(registration, "A coordinator approved your registration.")
    else:
        _status_mail(registration)


def event_changed_mail(event: Event) -> int:
    """Tell everyone registered that the event's time, place or status changed.

    Confirmed people get an updated invitation (same UID, higher SEQUENCE); when the
    event is cancelled, everyone registered gets the cancellation. Returns the count.
    """
    registrations = (
        db.session.execute(
            sa.select(Registration).where(
                Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES)
            )
        )
        .scalars()
        .all()
    )
    for registration in registrations:
        if event.is_cancelled:
            reason = f"Reason: {event.cancel_reason}" if event.cancel_reason else ""
            _send(
                registration,
                f"Cancelled: {event.title}",
                ["The event has been cancelled.", reason],
                "CANCEL",
            )
        elif registration.status is RegistrationStatus.confirmed:
            _send(
                registration,
                f"Changed: {event.title}",
                ["The event has changed; the updated invitation is attached."],
                "REQUEST",
            )
        else:
            _send(
                registration,
                f"Changed: {event.title}",
                ["The event you registered for has changed; see the details below."],
                None,
            )
    return len(registrations)


@event_changed.connect
def _on_event_changed(event: Event) -> None:
    event_changed_mail(event)
