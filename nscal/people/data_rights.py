"""A person's rights over their data: a copy of it (JSON and .ics), and deleting the account.

Services take plain arguments, raise ``DataRightsError`` with a message for people,
flush, and leave the commit to the caller.

Deleting an account cancels the person's registrations for events still to come through
the registration service (the waiting list moves up, mail goes out as usual), removes
their identity from every registration (``user_id`` NULL; the city and participant role
stay, so counts per city and per role stay true), clears their notes, wipes the account's
personal fields and closes it, and queues a confirmation to the old address.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes, policy

import sqlalchemy as sa
from flask_babel import gettext as _

from nscal.accounts.models import AccountRole, SsoIdentity, User, new_feed_token
from nscal.attendance.models import Attendance, CheckInFailure
from nscal.config import NETWORK_NAME
from nscal.db import db, utcnow
from nscal.events.models import Event
from nscal.feeds.ical import FeedEntry, calendar_for
from nscal.i18n import language_of
from nscal.mail.models import MailStatus, OutboxMessage
from nscal.mail.outbox import enqueue
from nscal.mail.rendering import render_mail
from nscal.materials.models import Material
from nscal.messaging.models import MessageStatus, ParticipantMessage, ParticipantMessageMail
from nscal.programme.models import ProgrammeItem, Speaker
from nscal.questions.models import Answer, FeedbackResponse, ParticipantListing, Question
from nscal.questions.services import answer_text
from nscal.registrations.models import (
    ACTIVE_STATUSES,
    DELETED_ACCOUNT,
    Registration,
    RegistrationStatus,
    RegistrationStatusChange,
)
from nscal.registrations.notifications import recipient
from nscal.registrations.services import set_registration_status
from nscal.reminders.models import FeedAlarm, ReminderSent
from nscal.urls import external_url

EXPORT_FORMAT = "nscal-personal-data-1"
DELETED_DOMAIN = "deleted.invalid"  # RFC 2606: never delivered anywhere


class DataRightsError(ValueError):
    """A request about a person's data was refused; the message says why."""


# --- the copy of a person's data ----------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def _registrations_of(user: User) -> list[Registration]:
    return list(
        db.session.execute(
            sa.select(Registration)
            .join(Registration.event)
            .where(Registration.user_id == user.id)
            .order_by(Event.starts_at, Registration.id)
            .options(sa.orm.contains_eager(Registration.event))
        ).scalars()
    )


def _history_of(registration_ids: list[int]) -> dict[int, list[RegistrationStatusChange]]:
    history: dict[int, list[RegistrationStatusChange]] = {}
    if not registration_ids:
        return history
    rows = db.session.execute(
        sa.select(RegistrationStatusChange)
        .where(RegistrationStatusChange.registration_id.in_(registration_ids))
        .order_by(RegistrationStatusChange.changed_at, RegistrationStatusChange.id)
    ).scalars()
    for change in rows:
        history.setdefault(change.registration_id, []).append(change)
    return history


def _who(changed_by_id: int | None, user: User) -> str:
    """Who made a change, without naming anyone else: "you", "a coordinator" or "nscal"."""
    if changed_by_id is None:
        return "nscal (automatic)"
    return "you" if changed_by_id == user.id else "a coordinator"


def mails_to(user: User) -> list[OutboxMessage]:
    """The mail written to this person's address, oldest first."""
    return list(
        db.session.execute(
            sa.select(OutboxMessage)
            .where(sa.func.lower(OutboxMessage.recipient) == user.email.lower())
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        ).scalars()
    )


def mail_text(raw: bytes) -> str:
    """The plain-text part of a stored message ("" when its text was purged)."""
    if not raw:
        return ""
    message = message_from_bytes(raw, policy=policy.default)
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


@dataclass
class RegistrationExtras:
    """What the other rooms keep per registration, read in one query per kind."""

    answers: dict[int, list[dict]]
    listed: set[int]
    attendance: dict[int, Attendance]
    reminders: dict[int, list[ReminderSent]]


def _extras_of(registration_ids: list[int]) -> RegistrationExtras:
    extras = RegistrationExtras({}, set(), {}, {})
    if not registration_ids:
        return extras
    for registration_id, question, value in db.session.execute(
        sa.select(Answer.registration_id, Question, Answer.value)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.registration_id.in_(registration_ids))
        .order_by(Answer.registration_id, Question.position, Question.id)
    ):
        extras.answers.setdefault(registration_id, []).append(
            {"question": question.label, "answer": answer_text(question, value)}
        )
    extras.listed = set(
        db.session.execute(
            sa.select(ParticipantListing.registration_id).where(
                ParticipantListing.registration_id.in_(registration_ids)
            )
        ).scalars()
    )
    for mark in db.session.execute(
        sa.select(Attendance).where(Attendance.registration_id.in_(registration_ids))
    ).scalars():
        extras.attendance[mark.registration_id] = mark
    for sent in db.session.execute(
        sa.select(ReminderSent)
        .where(ReminderSent.registration_id.in_(registration_ids))
        .order_by(ReminderSent.sent_at, ReminderSent.id)
    ).scalars():
        extras.reminders.setdefault(sent.registration_id, []).append(sent)
    return extras


def _feedback_of(registration_ids: list[int]) -> list[dict]:
    """The feedback the person gave with their name (anonymous responses name nobody, so
    they are nobody's data and cannot be found)."""
    if not registration_ids:
        return []
    responses = list(
        db.session.execute(
            sa.select(FeedbackResponse, Event.title)
            .join(Event, Event.id == FeedbackResponse.event_id)
            .where(FeedbackResponse.registration_id.in_(registration_ids))
            .order_by(FeedbackResponse.submitted_on, FeedbackResponse.id)
        )
    )
    answers: dict[int, list[dict]] = {}
    for response_id, question, value in db.session.execute(
        sa.select(Answer.response_id, Question, Answer.value)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.response_id.in_([response.id for response, _title in responses]))
        .order_by(Question.position, Question.id)
    ):
        answers.setdefault(response_id, []).append(
            {"question": question.label, "answer": answer_text(question, value)}
        )
    return [
        {
            "event_id": response.event_id,
            "event": title,
            "submitted_on": response.submitted_on.isoformat(),
            "answers": answers.get(response.id, []),
        }
        for response, title in responses
    ]


def _messages_to(user: User) -> list[dict]:
    """The coordinators' messages the person received (their text is in ``mails``)."""
    rows = db.session.execute(
        sa.select(ParticipantMessage)
        .join(ParticipantMessageMail, ParticipantMessageMail.message_id == ParticipantMessage.id)
        .where(ParticipantMessageMail.user_id == user.id)
        .order_by(ParticipantMessage.sent_at, ParticipantMessage.id)
        .options(sa.orm.selectinload(ParticipantMessage.event))
        .options(sa.orm.selectinload(ParticipantMessage.series))
    ).scalars()
    return [
        {
            "subject": message.subject,
            "from": message.sender_name,
            "event": message.event.title if message.event else None,
            "series": message.series.title if message.series else None,
            "sent_at": _iso(message.sent_at),
            "attachment": message.attachment_name,
        }
        for message in rows
    ]


def _sso_identities_of(user: User) -> list[dict]:
    return [
        {
            "provider": identity.provider,
            "subject": identity.subject,
            "email": identity.email,
            "linked_at": _iso(identity.created_at),
            "last_login_at": _iso(identity.last_login_at),
        }
        for identity in db.session.execute(
            sa.select(SsoIdentity)
            .where(SsoIdentity.user_id == user.id)
            .order_by(SsoIdentity.provider, SsoIdentity.id)
        ).scalars()
    ]


def _speaking_of(user: User) -> list[dict]:
    return [
        {
            "event_id": item.event_id,
            "event": title,
            "item": item.title,
            "starts_at": _iso(item.starts_at),
        }
        for item, title in db.session.execute(
            sa.select(ProgrammeItem, Event.title)
            .join(Speaker, Speaker.item_id == ProgrammeItem.id)
            .join(Event, Event.id == ProgrammeItem.event_id)
            .where(Speaker.user_id == user.id)
            .order_by(ProgrammeItem.starts_at, ProgrammeItem.id)
        )
    ]


def _materials_by(user: User) -> list[dict]:
    return [
        {
            "event_id": material.event_id,
            "title": material.title,
            "kind": material.kind.value,
            "added_at": _iso(material.created_at),
        }
        for material in db.session.execute(
            sa.select(Material)
            .where(Material.created_by_id == user.id)
            .order_by(Material.created_at, Material.id)
        ).scalars()
    ]


def _check_in_failures_of(user: User) -> list[dict]:
    return [
        {
            "event_id": failure.event_id,
            "wrong_codes": failure.failures,
            "last_at": _iso(failure.last_failure_at),
        }
        for failure in db.session.execute(
            sa.select(CheckInFailure).where(CheckInFailure.user_id == user.id)
        ).scalars()
    ]


def export_data(user: User) -> dict:
    """Everything nscal holds about ``user``, and nothing about anyone else."""
    registrations = _registrations_of(user)
    ids = [registration.id for registration in registrations]
    history = _history_of(ids)
    extras = _extras_of(ids)
    alarm = db.session.get(FeedAlarm, user.id)
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(utcnow()),
        "network": NETWORK_NAME,
        "profile": {
            "name": user.name,
            "email": user.email,
            "city": user.city.name if user.city else None,
            "participant_role": user.participant_role.name if user.participant_role else None,
            "account_role": user.account_role.value,
            "time_zone": user.timezone,
            "language": user.language,
            "active": user.active,
            "has_password": user.has_password,
            "created_at": _iso(user.created_at),
            "invited_at": _iso(user.invited_at),
            "last_login_at": _iso(user.last_login_at),
        },
        "registrations": [
            _registration_data(registration, history.get(registration.id, []), user, extras)
            for registration in registrations
        ],
        "feedback": _feedback_of(ids),
        "messages": _messages_to(user),
        "single_sign_on": _sso_identities_of(user),
        "calendar_alarm_minutes_before": alarm.minutes_before if alarm else None,
        "programme_speaker": _speaking_of(user),
        "materials_added": _materials_by(user),
        "wrong_check_in_codes": _check_in_failures_of(user),
        "notes": [
            {
                "event_id": registration.event_id,
                "event": registration.event.title,
                "note": registration.note,
            }
            for registration in registrations
            if registration.note
        ],
        "mails": [
            {
                "subject": message.subject,
                "written_at": _iso(message.created_at),
                "sent_at": _iso(message.sent_at),
                "status": message.status.value,
                "body": mail_text(message.message),
                "body_removed": not message.message,
            }
            for message in mails_to(user)
        ],
        "calendar": external_url("data_rights.export_calendar"),
    }


def _registration_data(
    registration: Registration,
    changes: list[RegistrationStatusChange],
    user: User,
    extras: RegistrationExtras,
) -> dict:
    event = registration.event
    mark = extras.attendance.get(registration.id)
    return {
        "event": {
            "id": event.id,
            "title": event.title,
            "starts_at": _iso(event.starts_at),
            "ends_at": _iso(event.ends_at),
            "time_zone": event.timezone,
            "url": external_url("events.detail", event_id=event.id),
        },
        "status": registration.status.value,
        "participant_role": registration.participant_role.name
        if registration.participant_role
        else None,
        "city": registration.city.name if registration.city else None,
        "note": registration.note,
        "registered_at": _iso(registration.created_at),
        "registered_by": "a coordinator" if registration.by_coordinator else "you",
        "cancelled_at": _iso(registration.cancelled_at),
        "answers": extras.answers.get(registration.id, []),
        "on_participant_list": registration.id in extras.listed,
        "attendance": {"status": mark.status.value, "checked_in_at": _iso(mark.checked_in_at)}
        if mark
        else None,
        "reminders_received": [
            {"reminder": sent.reminder_key, "sent_at": _iso(sent.sent_at)}
            for sent in extras.reminders.get(registration.id, [])
        ],
        "status_history": [
            {
                "at": _iso(change.changed_at),
                "from": change.from_status.value if change.from_status else None,
                "to": change.to_status.value,
                "by": _who(change.changed_by_id, user),
            }
            for change in changes
        ],
    }


def export_calendar(user: User) -> bytes:
    """Every event the person registered for, as one .ics file, with their status; the
    online link only where their place is confirmed."""
    entries = [
        FeedEntry(
            registration.event,
            registration.status.value,
            registration.status is RegistrationStatus.confirmed,
        )
        for registration in _registrations_of(user)
    ]
    return calendar_for(entries, name=f"{NETWORK_NAME} ({user.name})")


# --- deleting an account ------------------------------------------------------------


@dataclass
class DeletionPlan:
    """What deleting the account will do, for the confirm page."""

    upcoming: list[Registration]  # active, event still to start: cancelled
    kept: int  # registrations kept without the person's identity


def deletion_plan(user: User, *, now: datetime | None = None) -> DeletionPlan:
    now = now or utcnow()
    registrations = _registrations_of(user)
    upcoming = [
        registration
        for registration in registrations
        if registration.status in ACTIVE_STATUSES and registration.event.starts_at > now
    ]
    return DeletionPlan(upcoming, len(registrations))


def check_may_delete(user: User, acting: User) -> None:
    """The person themself; for others coordinators delete members, admins anyone. The
    last active admin cannot go (nobody could manage accounts any more)."""
    if user.is_deleted:
        raise DataRightsError(_("This account is already deleted."))
    if user.id != acting.id:
        if not acting.is_coordinator:
            raise DataRightsError(_("Only coordinators and admins delete other people's accounts."))
        if user.account_role is AccountRole.coordinator and not acting.is_admin:
            raise DataRightsError(_("Only an admin can delete the account of a coordinator."))
        if user.account_role is not AccountRole.member and not acting.is_admin:
            raise DataRightsError(_("Only an admin can delete the account of an admin."))
    if user.is_admin:
        admins = db.session.scalar(
            sa.select(sa.func.count()).where(
                User.account_role == AccountRole.admin, User.active, User.id != user.id
            )
        )
        if not admins:
            raise DataRightsError(
                _("This is the last admin account: make someone else admin first.")
            )


def _bulk(statement) -> None:
    db.session.execute(statement.execution_options(synchronize_session=False))


def _forget_in_other_rooms(user: User, registration_ids) -> None:
    """What the other rooms keep about the person, before their registrations lose
    their name: answers, participant listings and the link of named feedback go (the
    feedback's answers stay, as anonymous ones); single sign-on links, the feed alarm,
    wrong check-in codes and unsent message drafts go; attendance stays with the
    anonymous registration (the counts per city and role); a programme keeps the
    speaker's name as it was printed, without the link to the account."""
    registration_answer = Answer.registration_id.in_(registration_ids)
    _bulk(sa.delete(Answer).where(registration_answer))
    _bulk(
        sa.delete(ParticipantListing).where(
            ParticipantListing.registration_id.in_(registration_ids)
        )
    )
    _bulk(
        sa.update(FeedbackResponse)
        .where(FeedbackResponse.registration_id.in_(registration_ids))
        .values(registration_id=None)
    )
    _bulk(sa.delete(SsoIdentity).where(SsoIdentity.user_id == user.id))
    _bulk(sa.delete(FeedAlarm).where(FeedAlarm.user_id == user.id))
    _bulk(sa.delete(CheckInFailure).where(CheckInFailure.user_id == user.id))
    _bulk(
        sa.delete(ParticipantMessage).where(
            ParticipantMessage.sender_id == user.id,
            ParticipantMessage.status == MessageStatus.draft,
        )
    )
    _bulk(sa.update(Attendance).where(Attendance.marked_by_id == user.id).values(marked_by_id=None))
    _bulk(
        sa.update(Speaker)
        .where(Speaker.user_id == user.id)
        .values(
            user_id=None,
            name=sa.case((Speaker.name == "", user.name), else_=Speaker.name),
            affiliation=sa.case(
                (Speaker.affiliation == "", user.city.name if user.city else ""),
                else_=Speaker.affiliation,
            ),
        )
    )
    _bulk(sa.update(Material).where(Material.created_by_id == user.id).values(created_by_id=None))


@dataclass
class DeletionReport:
    cancelled: int  # upcoming registrations cancelled
    anonymised: int  # registrations kept without the person's identity
    old_email: str


def delete_account(user: User, *, acting: User, now: datetime | None = None) -> DeletionReport:
    """Delete ``user``'s account as described in the module's docstring; flushes."""
    check_may_delete(user, acting)
    now = now or utcnow()
    plan = deletion_plan(user, now=now)
    by_someone_else = acting.id != user.id
    for registration in plan.upcoming:
        # The coordinators' service: no self-cancel deadline, the place passes on.
        set_registration_status(
            registration.id, RegistrationStatus.cancelled, now=now, changed_by_id=acting.id
        )
    old_address, old_email, old_name = recipient(user), user.email, user.name
    mine = Registration.user_id == user.id
    _forget_in_other_rooms(user, sa.select(Registration.id).where(mine).scalar_subquery())
    anonymised = db.session.execute(
        sa.update(Registration)
        .where(mine)
        .values(user_id=None, note="")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(
        sa.update(Registration)
        .where(Registration.registered_by_id == user.id)
        .values(registered_by_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(RegistrationStatusChange)
        .where(RegistrationStatusChange.changed_by_id == user.id)
        .values(changed_by_id=None)
        .execution_options(synchronize_session=False)
    )
    # Mail already delivered keeps neither its text nor the address; mail still queued
    # (the cancellations just written, the confirmation below) goes out as usual.
    placeholder = f"deleted-{user.id}-{secrets.token_hex(4)}@{DELETED_DOMAIN}"
    db.session.execute(
        sa.update(OutboxMessage)
        .where(
            sa.func.lower(OutboxMessage.recipient) == old_email.lower(),
            OutboxMessage.status != MailStatus.pending,
        )
        .values(recipient=placeholder, message=b"")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(ParticipantMessage)
        .where(
            ParticipantMessage.sender_id == user.id, ParticipantMessage.status == MessageStatus.sent
        )
        .values(sender_id=None, sender_email="")
        .execution_options(synchronize_session=False)
    )
    # Asked before the city and the setting go: the last mail is in their language.
    language = language_of(user)
    user.name = DELETED_ACCOUNT
    user.email = placeholder
    user.password_hash = None
    user.active = False  # ends every session too
    user.city_id = None
    user.participant_role_id = None
    user.timezone = None
    user.language = None
    user.invited_at = None
    user.last_login_at = None
    user.account_role = AccountRole.member
    user.feed_token = new_feed_token()
    user.deleted_at = now
    db.session.flush()
    db.session.expire_all()  # registrations loaded before the bulk updates
    enqueue(
        render_mail(
            "account_deleted",
            to=old_address,
            language=language,
            name=old_name,
            cancelled=len(plan.upcoming),
            kept=anonymised,
            by_someone_else=by_someone_else,
        )
    )
    return DeletionReport(len(plan.upcoming), anonymised, old_email)
