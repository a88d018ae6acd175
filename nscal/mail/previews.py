"""Every kind of mail nscal sends, rendered from made-up data for the coordinators' preview.

The samples are transient: a made-up person and event that are never added to the
database session, so a preview shows no real person's data and stores nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from nscal.cities.models import City
from nscal.db import utcnow
from nscal.events.display import format_event_time
from nscal.events.models import Event, EventFormat, EventKind
from nscal.i18n import current_language
from nscal.mail.rendering import render_mail
from nscal.messaging.text import message_html
from nscal.registrations.notifications import event_details
from nscal.urls import external_url

SAMPLE_NAME = "Alex Example"
SAMPLE_ADDRESS = "alex@example.org"
SAMPLE_ZONE = "Europe/Helsinki"  # not the event's: the preview shows both clocks
# Translators: a made-up town in the coordinators' mail previews.
SAMPLE_CITY = _l("Exampleby")
SAMPLE_EVENT_TITLE = _l("Example city meeting on safe neighbourhoods")


@dataclass(frozen=True)
class MailKind:
    """One kind of mail: what coordinators call it, when it goes out, how it renders."""

    label: str
    sent_when: str
    template: str
    context: dict = field(default_factory=dict)


MAIL_KINDS: dict[str, MailKind] = {
    "registration_confirmed": MailKind(
        _l("Registration confirmed"),
        _l("Someone registers and gets a place. Carries the calendar invitation."),
        "registration_confirmed",
    ),
    "registration_promoted": MailKind(
        _l("Place from the waiting list"),
        _l("A place comes free and goes to the first person waiting. Carries the invitation."),
        "registration_confirmed",
        {"promoted": True},
    ),
    "registration_approved": MailKind(
        _l("Registration approved"),
        _l(
            "A coordinator confirms a registration that waited for approval. "
            "Carries the invitation."
        ),
        "registration_confirmed",
        {"approved": True},
    ),
    "registration_pending": MailKind(
        _l("Awaiting approval"),
        _l("Someone registers for an event whose registrations a coordinator approves."),
        "registration_pending",
    ),
    "registration_waitlisted": MailKind(
        _l("On the waiting list"),
        _l("Someone registers for a full event."),
        "registration_waitlisted",
    ),
    "registration_cancelled": MailKind(
        _l("Registration cancelled"),
        _l("A registration is cancelled. Withdraws the calendar invitation."),
        "registration_cancelled",
    ),
    "registration_rejected": MailKind(
        _l("Registration not accepted"),
        _l("A coordinator rejects a registration. Withdraws the calendar invitation."),
        "registration_rejected",
    ),
    "event_changed": MailKind(
        _l("Event changed"),
        _l(
            "The time, place or status of an event changes: to the confirmed, with the "
            "updated invitation."
        ),
        "event_changed",
        {"invitation_attached": True},
    ),
    "event_changed_unconfirmed": MailKind(
        _l("Event changed (waiting or pending)"),
        _l("The same change, to those on the waiting list or awaiting approval."),
        "event_changed",
        {"invitation_attached": False},
    ),
    "event_cancelled": MailKind(
        _l("Event cancelled"),
        _l("An event is cancelled: to everyone registered. Withdraws the calendar invitation."),
        "event_cancelled",
        {"reason": _l("The venue is closed for repairs; we will announce a new date soon.")},
    ),
    "reminder": MailKind(
        _l("Reminder before an event"),
        _l(
            "Before an event, as its reminders say (e.g. 7 days and 1 day before): to each "
            "confirmed participant, with the online link for online and hybrid events."
        ),
        "reminder",
        # Translators: fills "%(title)s is %(ahead)s" in the reminder mail.
        {"ahead": _l("tomorrow")},
    ),
    "feedback_request": MailKind(
        _l("Feedback survey"),
        _l(
            "After an event, a coordinator sends the survey: to each confirmed participant, "
            "with a personal link."
        ),
        "feedback_request",
        {"anonymous": True, "days": 60},
    ),
    "invitation": MailKind(
        _l("Invitation to the calendar"),
        _l("A coordinator invites a person, or people are imported from a CSV file."),
        "invitation",
        {
            "inviter": "Sam Sample",
            "days": 7,
        },
    ),
    "participant_message": MailKind(
        _l("Message to participants"),
        _l(
            "A coordinator writes to the people registered for an event or a series, from the "
            "event's registrations page: one mail per person, replies go to the coordinator."
        ),
        "participant_message",
        {
            "message_subject": _l("The agenda for our meeting"),
            "text": _l(
                "Dear all,\n\nthe agenda is attached. Please bring ID for the city hall.\n\n"
                "The venue map: https://example.org/map"
            ),
            "sender_name": "Sam Sample",
        },
    ),
    "minutes_published": MailKind(
        _l("Minutes published"),
        _l(
            "A coordinator publishes an event's minutes: to each confirmed participant, with a "
            "link that opens for them."
        ),
        "minutes_published",
        {"minutes_title": _l("Minutes of the city meeting")},
    ),
    "coordinator_digest": MailKind(
        _l("Daily digest of requests for a place"),
        _l(
            "Once a day, to each coordinator, when people asked for a place at an event that "
            "needs approval since their last digest."
        ),
        "coordinator_digest",
        {
            "requests": [
                {
                    "person": SAMPLE_NAME,
                    # Translators: a participant role, as the digest lists it (lower case).
                    "role": _l("mayor"),
                    "city": SAMPLE_CITY,
                    "event_title": SAMPLE_EVENT_TITLE,
                }
            ]
        },
    ),
    "password_reset": MailKind(
        _l("Password reset"),
        _l(
            "Someone asks for a new password on the login page, or an admin or operator sends "
            "a reset link."
        ),
        "password_reset",
        # Translators: fills "the link works once, for %(lifetime)s" in the mail.
        {"lifetime": _l("an hour")},
    ),
    "account_deleted": MailKind(
        _l("Account deleted"),
        _l("A person deletes their account, or a coordinator does it on their request."),
        "account_deleted",
        {"cancelled": 1, "kept": 3, "by_someone_else": False},
    ),
}


def _resolved(value):
    """``value`` with its lazy texts read in the coordinator's language, as plain str."""
    if isinstance(value, LazyString):
        return str(value)
    if isinstance(value, dict):
        return {key: _resolved(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolved(item) for item in value]
    return value


def render_preview(kind: MailKind) -> EmailMessage:
    """``kind`` rendered for the made-up person, about the made-up event."""
    context = _resolved(dict(kind.context))
    if "text" in context:
        context["text_html"] = message_html(context["text"])
    if kind.template == "invitation":
        context["link"] = external_url("auth.accept_invitation", token="sample-token")
    elif kind.template == "password_reset":
        context["link"] = external_url("auth.reset_password", token="sample-token")
    elif kind.template == "coordinator_digest":
        context["link"] = external_url("manage.dashboard", _anchor="pending-heading")
        when = format_event_time(_sample_event(), SAMPLE_ZONE).text
        context["requests"] = [
            {**request, "when": when, "roster_url": external_url("manage.dashboard")}
            for request in context["requests"]
        ]
    elif kind.template == "account_deleted":
        pass  # no event, no link: the account is gone
    else:
        if kind.template == "feedback_request":
            context["link"] = external_url("questions.feedback", token="sample-token")
        # As sent: only mails to confirmed people show the online link.
        confirmed = kind.template in ("registration_confirmed", "reminder") or kind.context.get(
            "invitation_attached", False
        )
        context["event"] = event_details(
            _sample_event(),
            SAMPLE_ZONE,
            url=external_url("events.index"),
            include_online_link=confirmed,
        )
        if kind.template == "minutes_published":
            context["link"] = external_url("events.index")
    # In the language of the coordinator looking at it (``?lang=`` shows another).
    return render_mail(
        kind.template,
        to=f"{SAMPLE_NAME} <{SAMPLE_ADDRESS}>",
        language=current_language(),
        name=SAMPLE_NAME,
        **context,
    )


def _sample_event() -> Event:
    zone = ZoneInfo("Europe/Copenhagen")
    day = (utcnow() + timedelta(days=30)).astimezone(zone).date()
    start = datetime(day.year, day.month, day.day, 10, 0, tzinfo=zone)
    host = City(name=str(SAMPLE_CITY), slug="exampleby", country="Denmark", timezone=zone.key)
    return Event(
        title=str(SAMPLE_EVENT_TITLE),
        kind=EventKind.city_meeting,
        format=EventFormat.hybrid,
        host_city=host,
        venue=_("Town Hall, Main Square 1"),
        online_url="https://meet.example.org/city-meeting",
        timezone=zone.key,
        starts_at=start,
        ends_at=start + timedelta(hours=1, minutes=30),
        all_day=False,
    )
