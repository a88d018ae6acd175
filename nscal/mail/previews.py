"""Every kind of mail nscal sends, rendered from made-up data for the coordinators' preview.

The samples are transient: a made-up person and event that are never added to the
database session, so a preview shows no real person's data and stores nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from nscal.cities.models import City
from nscal.db import utcnow
from nscal.events.models import Event, EventFormat, EventKind
from nscal.i18n import current_language
from nscal.mail.rendering import render_mail
from nscal.messaging.text import message_html
from nscal.registrations.notifications import event_details
from nscal.urls import external_url

SAMPLE_NAME = "Alex Example"
SAMPLE_ADDRESS = "alex@example.org"
SAMPLE_ZONE = "Europe/Helsinki"  # not the event's: the preview shows both clocks


@dataclass(frozen=True)
class MailKind:
    """One kind of mail: what coordinators call it, when it goes out, how it renders."""

    label: str
    sent_when: str
    template: str
    context: dict = field(default_factory=dict)


MAIL_KINDS: dict[str, MailKind] = {
    "registration_confirmed": MailKind(
        "Registration confirmed",
        "Someone registers and gets a place. Carries the calendar invitation.",
        "registration_confirmed",
    ),
    "registration_promoted": MailKind(
        "Place from the waiting list",
        "A place comes free and goes to the first person waiting. Carries the invitation.",
        "registration_confirmed",
        {"promoted": True},
    ),
    "registration_approved": MailKind(
        "Registration approved",
        "A coordinator confirms a registration that waited for approval. Carries the invitation.",
        "registration_confirmed",
        {"approved": True},
    ),
    "registration_pending": MailKind(
        "Awaiting approval",
        "Someone registers for an event whose registrations a coordinator approves.",
        "registration_pending",
    ),
    "registration_waitlisted": MailKind(
        "On the waiting list",
        "Someone registers for a full event.",
        "registration_waitlisted",
    ),
    "registration_cancelled": MailKind(
        "Registration cancelled",
        "A registration is cancelled. Withdraws the calendar invitation.",
        "registration_cancelled",
    ),
    "registration_rejected": MailKind(
        "Registration not accepted",
        "A coordinator rejects a registration. Withdraws the calendar invitation.",
        "registration_rejected",
    ),
    "event_changed": MailKind(
        "Event changed",
        "The time, place or status of an event changes: to the confirmed, with the "
        "updated invitation.",
        "event_changed",
        {"invitation_attached": True},
    ),
    "event_changed_unconfirmed": MailKind(
        "Event changed (waiting or pending)",
        "The same change, to those on the waiting list or awaiting approval.",
        "event_changed",
        {"invitation_attached": False},
    ),
    "event_cancelled": MailKind(
        "Event cancelled",
        "An event is cancelled: to everyone registered. Withdraws the calendar invitation.",
        "event_cancelled",
        {"reason": "The venue is closed for repairs; we will announce a new date soon."},
    ),
    "reminder": MailKind(
        "Reminder before an event",
        "Before an event, as its reminders say (e.g. 7 days and 1 day before): to each "
        "confirmed participant, with the online link for online and hybrid events.",
        "reminder",
        {"ahead": "tomorrow"},
    ),
    "feedback_request": MailKind(
        "Feedback survey",
        "After an event, a coordinator sends the survey: to each confirmed participant, "
        "with a personal link.",
        "feedback_request",
        {"anonymous": True, "days": 60},
    ),
    "invitation": MailKind(
        "Invitation to the calendar",
        "A coordinator invites a person, or people are imported from a CSV file.",
        "invitation",
        {
            "inviter": "Sam Sample",
            "days": 7,
        },
    ),
    "participant_message": MailKind(
        "Message to participants",
        "A coordinator writes to the people registered for an event or a series, from the "
        "event's registrations page: one mail per person, replies go to the coordinator.",
        "participant_message",
        {
            "message_subject": "The agenda for our meeting",
            "text": "Dear all,\n\nthe agenda is attached. Please bring ID for the city hall.\n\n"
            "The venue map: https://example.org/map",
            "sender_name": "Sam Sample",
        },
    ),
    "minutes_published": MailKind(
        "Minutes published",
        "A coordinator publishes an event's minutes: to each confirmed participant, with a "
        "link that opens for them.",
        "minutes_published",
        {"minutes_title": "Minutes of the city meeting"},
    ),
    "coordinator_digest": MailKind(
        "Daily digest of requests for a place",
        "Once a day, to each coordinator, when people asked for a place at an event that "
        "needs approval since their last digest.",
        "coordinator_digest",
        {
            "requests": [
                {
                    "person": SAMPLE_NAME,
                    "role": "mayor",
                    "city": "Exampleby",
                    "event_title": "Example city meeting on safe neighbourhoods",
                    "when": "in 30 days, 10:00–11:30",
                }
            ]
        },
    ),
    "password_reset": MailKind(
        "Password reset",
        "Someone asks for a new password on the login page, or an admin or operator sends "
        "a reset link.",
        "password_reset",
        {"lifetime": "an hour"},
    ),
    "account_deleted": MailKind(
        "Account deleted",
        "A person deletes their account, or a coordinator does it on their request.",
        "account_deleted",
        {"cancelled": 1, "kept": 3, "by_someone_else": False},
    ),
}


def render_preview(kind: MailKind) -> EmailMessage:
    """``kind`` rendered for the made-up person, about the made-up event."""
    context = dict(kind.context)
    if "text" in context:
        context["text_html"] = message_html(context["text"])
    if kind.template == "invitation":
        context["link"] = external_url("auth.accept_invitation", token="sample-token")
    elif kind.template == "password_reset":
        context["link"] = external_url("auth.reset_password", token="sample-token")
    elif kind.template == "coordinator_digest":
        context["link"] = external_url("manage.dashboard", _anchor="pending-heading")
        context["requests"] = [
            {**request, "roster_url": external_url("manage.dashboard")}
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
    host = City(name="Exampleby", slug="exampleby", country="Denmark", timezone=zone.key)
    return Event(
        title="Example city meeting on safe neighbourhoods",
        kind=EventKind.city_meeting,
        format=EventFormat.hybrid,
        host_city=host,
        venue="Town Hall, Main Square 1",
        online_url="https://meet.example.org/city-meeting",
        timezone=zone.key,
        starts_at=start,
        ends_at=start + timedelta(hours=1, minutes=30),
        all_day=False,
    )
