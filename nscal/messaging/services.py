"""Writing to the people registered for an event or for a series' coming dates.

A message is saved as a draft with its selection and attachment, previewed exactly as
each person will get it, then sent: one mail per person through the outbox, all in one
transaction. Sending turns the draft into a sent message in a single conditional
UPDATE, so a second click (or a second worker) finds nothing left to send.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage

import sqlalchemy as sa
from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from nscal.accounts.models import User
from nscal.cities.models import City, ParticipantRole
from nscal.db import db, utcnow
from nscal.events.models import Event, EventFormat, EventSeries, EventStatus
from nscal.i18n import in_language, language_of
from nscal.mail.models import MailStatus, OutboxMessage
from nscal.mail.outbox import enqueue, register_expander
from nscal.mail.rendering import render_mail
from nscal.messaging.attachments import (
    attachment_name,
    file_type_of,
    new_key,
    put_back_attachments,
    reference,
)
from nscal.messaging.models import MessageStatus, ParticipantMessage, ParticipantMessageMail
from nscal.messaging.text import message_html
from nscal.registrations.models import Registration, RegistrationStatus
from nscal.registrations.notifications import event_details, reading_zone, recipient

register_expander(put_back_attachments)

# The statuses a message may go to, in the order counts are told.
SELECTABLE_STATUSES = (
    RegistrationStatus.confirmed,
    RegistrationStatus.waitlisted,
    RegistrationStatus.pending,
)
# Lower case, in a sentence: "Confirmed, on the waiting list", "20 confirmed".
STATUS_WORDS = {
    # Translators: lower case; "confirmed" people ("Confirmed, on the waiting list").
    RegistrationStatus.confirmed: _l("confirmed"),
    # Translators: lower case; people "on the waiting list".
    RegistrationStatus.waitlisted: _l("on the waiting list"),
    # Translators: lower case; people "awaiting approval".
    RegistrationStatus.pending: _l("awaiting approval"),
}
# A count of people in a status: "20 confirmed", "3 on the waiting list".
COUNT_WORDS = {
    RegistrationStatus.confirmed: lambda n: ngettext("%(num)d confirmed", "%(num)d confirmed", n),
    RegistrationStatus.waitlisted: lambda n: ngettext(
        "%(num)d on the waiting list", "%(num)d on the waiting list", n
    ),
    RegistrationStatus.pending: lambda n: ngettext(
        "%(num)d awaiting approval", "%(num)d awaiting approval", n
    ),
}
MAX_SUBJECT = 200
MAX_TEXT = 20_000


class MessageError(Exception):
    """The message cannot be saved or sent; the text says why, for the coordinator."""


class AlreadySent(MessageError):
    pass


@dataclass(frozen=True)
class Selection:
    """Who among the registered gets a message: any of ``statuses``, and when given,
    only these participant roles and cities (as they registered)."""

    statuses: tuple[RegistrationStatus, ...] = (RegistrationStatus.confirmed,)
    role_ids: tuple[int, ...] = ()
    city_ids: tuple[int, ...] = ()

    def as_json(self) -> dict:
        return {
            "statuses": [status.value for status in self.statuses],
            "roles": list(self.role_ids),
            "cities": list(self.city_ids),
        }

    @classmethod
    def from_json(cls, value: dict) -> "Selection":
        return cls(
            statuses=tuple(RegistrationStatus(status) for status in value.get("statuses", ())),
            role_ids=tuple(int(role) for role in value.get("roles", ())),
            city_ids=tuple(int(city) for city in value.get("cities", ())),
        )

    def describe(self) -> str:
        """In words: "Confirmed, on the waiting list · Practitioners · Helsinki, Oslo"."""
        parts = [", ".join(str(STATUS_WORDS[status]) for status in self.statuses).capitalize()]
        if self.role_ids:
            parts.append(", ".join(_role_labels(self.role_ids)))
        else:
            parts.append(_("every participant role"))
        if self.city_ids:
            parts.append(", ".join(_names(City, self.city_ids)))
        else:
            parts.append(_("every city"))
        return " · ".join(parts)


def _role_labels(ids) -> list[str]:
    roles = db.session.execute(
        sa.select(ParticipantRole).where(ParticipantRole.id.in_(ids))
    ).scalars()
    return sorted(role.label for role in roles)


def _names(model, ids) -> list[str]:
    return list(
        db.session.execute(
            sa.select(model.name).where(model.id.in_(ids)).order_by(model.name)
        ).scalars()
    )


@dataclass
class Recipient:
    """One person a message goes to, with the events (and their status at each) it is about."""

    user: User
    registrations: list[Registration] = field(default_factory=list)

    @property
    def status(self) -> RegistrationStatus:
        """Their status, the best one when a series gives them several."""
        return min(
            (registration.status for registration in self.registrations),
            key=SELECTABLE_STATUSES.index,
        )


def _selected(query, selection: Selection):
    query = query.where(
        Registration.status.in_(selection.statuses),
        User.active.is_(True),
    )
    if selection.role_ids:
        query = query.where(Registration.participant_role_id.in_(selection.role_ids))
    if selection.city_ids:
        query = query.where(Registration.city_id.in_(selection.city_ids))
    return query


def find_recipients(
    selection: Selection,
    *,
    event_id: int | None = None,
    series_id: int | None = None,
    now: datetime | None = None,
) -> list[Recipient]:
    """The people ``selection`` picks, by name: among those registered for the event, or
    for any coming (not cancelled) date of the series, each person once. One query."""
    if not selection.statuses:
        return []
    query = (
        sa.select(Registration)
        .join(Registration.user)
        .join(Registration.event)
        .options(joinedload(Registration.event))
    )
    if event_id is not None:
        query = query.where(Registration.event_id == event_id)
    else:
        query = query.where(
            Event.series_id == series_id,
            Event.starts_at > (now or utcnow()),
            Event.status != EventStatus.cancelled,
        )
    query = _selected(query, selection).order_by(User.name, User.id, Event.starts_at)
    recipients: dict[int, Recipient] = {}
    for registration in db.session.execute(query).unique().scalars():
        person = recipients.setdefault(registration.user_id, Recipient(registration.user))
        person.registrations.append(registration)
    return list(recipients.values())


def recipients_of(message: ParticipantMessage, now: datetime | None = None) -> list[Recipient]:
    return find_recipients(
        Selection.from_json(message.selection),
        event_id=message.event_id,
        series_id=message.series_id,
        now=now,
    )


def count_text(recipients: list[Recipient]) -> str:
    """ "This goes to 23 people: 20 confirmed, 3 on the waiting list"."""
    if not recipients:
        return _("Nobody matches this selection.")
    counts = Counter(person.status for person in recipients)
    parts = [
        COUNT_WORDS[status](counts[status]) for status in SELECTABLE_STATUSES if counts[status]
    ]
    return ngettext(
        "This goes to %(num)d person: %(parts)s.",
        "This goes to %(num)d people: %(parts)s.",
        len(recipients),
        parts=", ".join(parts),
    )


@dataclass(frozen=True)
class Upload:
    """A file a coordinator chose: its name as sent by the browser, and its bytes."""

    filename: str | None
    data: bytes


def save_draft(
    *,
    sender: User,
    subject: str,
    text: str,
    selection: Selection,
    event_id: int | None = None,
    series_id: int | None = None,
    attachment: Upload | None = None,
    draft_id: int | None = None,
    remove_attachment: bool = False,
) -> ParticipantMessage:
    """Keep the message to preview: a new draft, or ``draft_id`` changed (its attachment
    stays unless a new one is given or ``remove_attachment``). ``MessageError`` when it
    cannot be sent as written."""
    subject, text = " ".join((subject or "").split()), (text or "").strip()
    if not subject:
        raise MessageError(_("Write a subject."))
    if not text:
        raise MessageError(_("Write the message."))
    if len(subject) > MAX_SUBJECT or len(text) > MAX_TEXT:
        raise MessageError(
            _(
                "Keep the subject to %(subject)s and the text to %(text)s characters.",
                subject=format_number(MAX_SUBJECT),
                text=format_number(MAX_TEXT),
            )
        )
    if not selection.statuses:
        raise MessageError(_("Choose at least one registration status."))
    if (event_id is None) == (series_id is None):
        raise ValueError("a message is for one event or one series")
    selection_text = selection.describe()[:500]  # reads names: before the draft is dirty
    fields = {
        "sender_id": sender.id,
        "sender_name": " ".join(sender.name.split())[:200],
        "sender_email": sender.email,
        "subject": subject,
        "text": text,
        "selection": selection.as_json(),
        "selection_text": selection_text,
    }
    if draft_id is not None:
        message = db.session.get(ParticipantMessage, draft_id)
        if message is None or message.is_sent:
            raise MessageError(_("This message has been sent already; write a new one."))
    else:
        message = ParticipantMessage(event_id=event_id, series_id=series_id)
    for name, value in fields.items():
        setattr(message, name, value)
    db.session.add(message)
    if remove_attachment and attachment is None:
        message.attachment_name = message.attachment_type = message.attachment_key = None
        message.attachment_size = None
        message.attachment_data = None
    if attachment is not None:
        file_type = file_type_of(attachment.data)
        message.attachment_name = attachment_name(attachment.filename, file_type)
        message.attachment_type = file_type.mime_type
        message.attachment_size = len(attachment.data)
        message.attachment_data = attachment.data
        message.attachment_key = new_key()
    db.session.flush()
    return message


def _event_as_listed(registration, user) -> dict:
    event = registration.event
    confirmed = registration.status is RegistrationStatus.confirmed
    details = event_details(
        event,
        reading_zone(user, event),
        include_online_link=confirmed and event.format in (EventFormat.online, EventFormat.hybrid),
    )
    details["status_label"] = registration.status.label
    return details


def render_for(message: ParticipantMessage, person: Recipient) -> EmailMessage:
    """The mail exactly as ``person`` gets it: their name, the text first, then the
    event(s) in their own zone; the online link only where they are confirmed."""
    user = person.user
    language = language_of(user)
    with in_language(language):
        events = [_event_as_listed(registration, user) for registration in person.registrations]
    mail = render_mail(
        "participant_message",
        to=recipient(user),
        language=language,
        name=user.name,
        message_subject=message.subject,
        text=message.text,
        text_html=message_html(message.text),
        sender_name=message.sender_name,
        events=events,
        for_series=message.series_id is not None,
    )
    mail["Reply-To"] = _reply_to(message)
    if message.attachment_key:
        maintype, _, subtype = message.attachment_type.partition("/")
        mail.add_attachment(
            reference(message.attachment_key),
            maintype=maintype,
            subtype=subtype,
            filename=message.attachment_name,
            cte="base64",
        )
    return mail


def _reply_to(message: ParticipantMessage) -> str:
    return str(Address(display_name=message.sender_name, addr_spec=message.sender_email))


def send_message(message_id: int, now: datetime | None = None) -> int:
    """Send the draft: one mail per selected person, in the caller's transaction.

    Returns how many. ``AlreadySent`` when it went out before (a second click);
    ``MessageError`` when nobody matches the selection any more.
    """
    at = now or utcnow()
    claimed = db.session.execute(
        sa.update(ParticipantMessage)
        .where(
            ParticipantMessage.id == message_id,
            ParticipantMessage.status == MessageStatus.draft,
        )
        .values(status=MessageStatus.sent, sent_at=at)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise AlreadySent(_("This message has been sent already."))
    message = db.session.execute(
        sa.select(ParticipantMessage)
        .where(ParticipantMessage.id == message_id)
        .execution_options(populate_existing=True)
    ).scalar_one()
    people = recipients_of(message, at)
    if not people:
        raise MessageError(_("Nobody matches this selection now; nothing was sent."))
    links = []
    for person in people:
        row = enqueue(render_for(message, person))
        links.append({"message_id": message.id, "user_id": person.user.id, "outbox_id": row.id})
    db.session.execute(sa.insert(ParticipantMessageMail), links)
    message.recipient_count = len(people)
    db.session.flush()
    return len(people)


@dataclass
class HistoryEntry:
    message: ParticipantMessage
    delivered: int
    failed: int
    waiting: int


def message_history(
    *, event: Event | None = None, series: EventSeries | None = None
) -> list[HistoryEntry]:
    """Sent messages, newest first, with their mails' delivery counts (two queries).

    An event's history includes the messages written to its whole series."""
    query = sa.select(ParticipantMessage).where(ParticipantMessage.status == MessageStatus.sent)
    if event is not None:
        conditions = [ParticipantMessage.event_id == event.id]
        if event.series_id is not None:
            conditions.append(ParticipantMessage.series_id == event.series_id)
        query = query.where(sa.or_(*conditions))
    else:
        query = query.where(ParticipantMessage.series_id == series.id)
    messages = list(
        db.session.execute(
            query.order_by(ParticipantMessage.sent_at.desc(), ParticipantMessage.id.desc())
        ).scalars()
    )
    counts: dict[tuple[int, MailStatus], int] = {}
    if messages:
        rows = db.session.execute(
            sa.select(ParticipantMessageMail.message_id, OutboxMessage.status, sa.func.count())
            .join(OutboxMessage, OutboxMessage.id == ParticipantMessageMail.outbox_id)
            .where(ParticipantMessageMail.message_id.in_([m.id for m in messages]))
            .group_by(ParticipantMessageMail.message_id, OutboxMessage.status)
        )
        counts = {(message_id, status): count for message_id, status, count in rows}
    return [
        HistoryEntry(
            message,
            delivered=counts.get((message.id, MailStatus.sent), 0),
            failed=counts.get((message.id, MailStatus.failed), 0),
            waiting=counts.get((message.id, MailStatus.pending), 0),
        )
        for message in messages
    ]
