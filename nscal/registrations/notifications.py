"""Mail to people about their registrations and the events they registered for.

Every message is written to the outbox in the same transaction as the change it
reports (so it exists exactly when the change does). Confirmations and changes carry
an iTIP ``METHOD:REQUEST`` invitation, cancellations ``METHOD:CANCEL``, with the same
UID and SEQUENCE as the feeds. The words are templates: ``templates/mail/registration_<status>``,
``event_changed`` and ``event_cancelled`` (``.txt`` and ``.html``).

Registrations change under the event's lock, so what is queued there is only a
reference (``outbox.enqueue_deferred``): the template, the iTIP method, the status as
it was then, who to write to. ``flask send-mail`` builds the message after the commit
(``build_mail``), so a registration cancelled a second later still gets the
confirmation it was given, then the cancellation.
"""

from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage

import sqlalchemy as sa
from sqlalchemy.orm import Session

from nscal.accounts.models import User
from nscal.cities.models import City
from nscal.db import db
from nscal.events.display import format_event_time
from nscal.events.models import Event
from nscal.events.services import event_changed
from nscal.feeds.ical import itip_calendar
from nscal.i18n import current_language, in_language, language_of
from nscal.mail.outbox import NothingToBuild, enqueue_deferred, register_builder
from nscal.mail.rendering import render_mail
from nscal.registrations.models import ACTIVE_STATUSES, Registration, RegistrationStatus
from nscal.timeutil import is_valid_zone
from nscal.urls import external_url

# Statuses whose mail carries the invitation (REQUEST) or its withdrawal (CANCEL).
INVITED = (RegistrationStatus.confirmed,)
UNINVITED = (RegistrationStatus.cancelled, RegistrationStatus.rejected)


def event_details(
    event: Event, zone: str | None, *, url: str | None = None, include_online_link: bool = False
) -> dict:
    """What the mail templates show of ``event`` (``mail/_event.txt``), with times read
    in ``zone``; ``url`` defaults to the event's page. The online link is there only
    with ``include_online_link`` (for confirmed participants). The title is the one
    written in the language in effect (the recipient's, under ``in_language``), else
    the original."""
    return {
        "title": event.text_in(current_language()).title,
        "when": format_event_time(event, zone).text,
        "place": ", ".join(
            part for part in (event.venue, event.host_city.name if event.host_city else "") if part
        ),
        "online_url": event.online_url if include_online_link else "",
        "format_label": event.format.label,
        "url": url or external_url("events.detail", event_id=event.id),
    }


def recipient(user: User) -> str:
    """``Name <address>``, quoted where the name needs it and always on one line."""
    return str(Address(display_name=" ".join(user.name.split()), addr_spec=user.email))


def reading_zone(user: User, event: Event) -> str:
    """The zone a person reads an event's times in: their own, else their city's, else
    the event's (for every mail and reminder that speaks of the event to them)."""
    zone = user.display_timezone
    return zone if zone and is_valid_zone(zone) else event.timezone


def mail_about_event(
    template: str,
    user: User,
    event: Event,
    *,
    zone: str | None = None,
    include_online_link: bool = False,
    **context,
) -> EmailMessage:
    """One mail to one person about one event (``templates/mail/<template>``): to their
    own address, in their language, "Hello <name>", the event's times on their clock
    (``zone``, else ``reading_zone``) beside the event's own; the online link only when
    asked for. Links in ``context`` are built by the caller under
    ``in_language(language_of(user))``."""
    language = language_of(user)
    with in_language(language):
        return render_mail(
            template,
            to=recipient(user),
            language=language,
            name=user.name,
            event=event_details(
                event, zone or reading_zone(user, event), include_online_link=include_online_link
            ),
            **context,
        )


# The kind of the outbox's deferred rows this module queues and builds.
DEFERRED_KIND = "registration"


@dataclass(frozen=True)
class QueuedMail:
    """A registration as its mail speaks of it: the status it had when the mail was
    queued, whatever it has become since."""

    event: Event
    user: User
    status: RegistrationStatus


def _send(registration: Registration, template: str, method: str | None, **context) -> None:
    """Queue the mail (a reference, built by ``build_mail`` after the commit)."""
    user = registration.user
    if user is None:  # a deleted account: nobody to write to
        return
    enqueue_deferred(
        DEFERRED_KIND,
        user.email,
        {
            "template": template,
            "method": method,
            "status": registration.status.value,
            "registration_id": registration.id,
            "event_id": registration.event_id,
            "user_id": user.id,
            # Who to write to should the account be deleted before the mail is built
            # (its row stays, anonymised): columns already loaded, no query here.
            "name": user.name,
            "email": user.email,
            "timezone": user.timezone,
            "city_id": user.city_id,
            "language": user.language,
            "context": context,
        },
    )


def build_mail(
    registration: QueuedMail | Registration, template: str, method: str | None, **context
) -> EmailMessage:
    """The message about ``registration`` (``templates/mail/<template>``), with its iTIP
    part when ``method`` is given; the times on the person's clock, the words (and the
    event's title, where it has one) in the person's language."""
    event, user = registration.event, registration.user
    # Waitlisted, pending, cancelled and rejected people do not get the join link, and
    # nobody needs it for an event or a place that is withdrawn (CANCEL).
    confirmed = registration.status is RegistrationStatus.confirmed and method != "CANCEL"
    language = language_of(user)
    with in_language(language):
        calendar = None
        if method is not None:  # the invitation in the mail's language too
            calendar = itip_calendar(
                event,
                method=method,
                attendee=user,
                registration_status=registration.status.value,
                include_online_link=confirmed,
            )
        return render_mail(
            template,
            to=recipient(user),
            language=language,
            calendar=calendar,
            method=method,
            name=user.name,
            event=event_details(event, user.display_timezone, include_online_link=confirmed),
            **context,
        )


def _build_queued(session: Session, values: dict) -> EmailMessage:
    """The outbox's builder for this module's deferred rows (the worker's ``session``)."""
    event = session.get(Event, values["event_id"])
    if event is None:
        raise NothingToBuild("the event was deleted")
    user = session.get(User, values["user_id"]) if values.get("user_id") else None
    if user is None or user.deleted_at is not None:
        # The account was deleted after the mail was queued: the mail still goes to
        # the person, as one built at once would have (a stand-in never added to the
        # session, with the name, address and clock they had).
        zone = values.get("timezone")
        city = session.get(City, values["city_id"]) if values.get("city_id") else None
        user = User(
            name=values["name"],
            email=values["email"],
            timezone=zone or (city and city.timezone),
            language=values.get("language"),
        )
        user.city = city  # their city's language, when they chose none
    queued = QueuedMail(event, user, RegistrationStatus(values["status"]))
    return build_mail(queued, values["template"], values["method"], **values["context"])


register_builder(DEFERRED_KIND, _build_queued)


def _status_mail(registration: Registration, **context) -> None:
    status = registration.status
    method = "REQUEST" if status in INVITED else "CANCEL" if status in UNINVITED else None
    _send(registration, f"registration_{status.value}", method, **context)


def registration_created(registration: Registration) -> None:
    """Confirmed, pending approval or waitlisted."""
    _status_mail(registration)


def registration_cancelled(registration: Registration) -> None:
    _status_mail(registration)


def registration_promoted(registration: Registration) -> None:
    """A place came free and went to this person."""
    _status_mail(registration, promoted=True)


def registration_moved(registration: Registration, previous: RegistrationStatus) -> None:
    """A coordinator changed the status."""
    if (
        previous is RegistrationStatus.pending
        and registration.status is RegistrationStatus.confirmed
    ):
        _status_mail(registration, approved=True)
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
            _send(registration, "event_cancelled", "CANCEL", reason=event.cancel_reason)
        else:
            confirmed = registration.status is RegistrationStatus.confirmed
            _send(
                registration,
                "event_changed",
                "REQUEST" if confirmed else None,
                invitation_attached=confirmed,
            )
    return len(registrations)


@event_changed.connect
def _on_event_changed(event: Event) -> None:
    event_changed_mail(event)
