"""The coordinators' daily digest: who asked for a place since their last digest.

At most one mail per coordinator per day (on the coordinator's clock), and none when
nobody new is waiting. The mail workers (``send-mail --loop``) look every round, and
``flask send-digest`` does the same for cron; any number may run at once: each digest
is recorded (``CoordinatorDigest``, unique per person and day) in the transaction that
queues its mail, and only the worker whose record went in sends it.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload, lazyload

from nscal.accounts.models import AccountRole, User
from nscal.db import db, take_sqlite_write_lock, utcnow
from nscal.events.display import format_event_time
from nscal.events.models import Event
from nscal.i18n import in_language, language_of
from nscal.mail.outbox import enqueue
from nscal.mail.rendering import render_mail
from nscal.manage.models import CoordinatorDigest
from nscal.registrations.models import Registration, RegistrationStatus, RegistrationStatusChange
from nscal.registrations.notifications import recipient
from nscal.timeutil import is_valid_zone
from nscal.urls import external_url


@dataclass(frozen=True)
class DigestRequest:
    """One request as the digest lists it (plain values for the mail templates)."""

    person: str
    role: str
    city: str
    event_title: str
    when: str
    roster_url: str


def coordinators() -> list[User]:
    return list(
        db.session.execute(
            sa.select(User)
            .where(
                User.account_role.in_([AccountRole.coordinator, AccountRole.admin]),
                User.active.is_(True),
                User.deleted_at.is_(None),
            )
            .order_by(User.id)
        )
        .unique()
        .scalars()
    )


def new_requests(since: datetime | None) -> list[Registration]:
    """Registrations waiting for approval that came to wait after ``since`` (None: all),
    oldest first."""
    query = sa.select(Registration).where(Registration.status == RegistrationStatus.pending)
    if since is not None:
        query = query.where(
            sa.exists().where(
                RegistrationStatusChange.registration_id == Registration.id,
                RegistrationStatusChange.to_status == RegistrationStatus.pending,
                RegistrationStatusChange.changed_at > since,
            )
        )
    return list(
        db.session.execute(
            query.options(
                joinedload(Registration.event).options(lazyload(Event.audience))
            ).order_by(Registration.created_at, Registration.id)
        )
        .unique()
        .scalars()
    )


def _zone_of(user: User) -> str:
    zone = user.display_timezone
    return zone if is_valid_zone(zone) else "UTC"


def _last_digest(user_id: int) -> datetime | None:
    return db.session.scalar(
        sa.select(sa.func.max(CoordinatorDigest.sent_at)).where(
            CoordinatorDigest.user_id == user_id
        )
    )


def _record(user_id: int, day, now: datetime, count: int) -> bool:
    """Record today's digest for the person; False when a worker already did."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(CoordinatorDigest)
        .values(user_id=user_id, day=day, sent_at=now, requests=count)
        .on_conflict_do_nothing(index_elements=["user_id", "day"])
        .returning(CoordinatorDigest.id)
    )
    return db.session.execute(statement).scalar_one_or_none() is not None


def _as_listed(registration: Registration, zone: str) -> DigestRequest:
    event = registration.event
    return DigestRequest(
        person=registration.person_name,
        role=registration.participant_role.label.lower() if registration.participant_role else "",
        city=registration.city.name if registration.city else "",
        event_title=event.title,
        when=format_event_time(event, zone).text,
        roster_url=external_url("registrations.roster", event_id=event.id),
    )


def send_digests(now: datetime | None = None) -> int:
    """Queue today's digest for every coordinator with new requests; returns how many.

    A worker, like ``send_due_reminders``: one transaction per coordinator (the record
    and the outbox row together), so it must not run inside a caller's unit of work.
    """
    now = now or utcnow()
    people = [(user.id, _zone_of(user)) for user in coordinators()]
    db.session.commit()  # end the read: each digest below is a transaction of its own
    queued = 0
    for user_id, zone in people:
        take_sqlite_write_lock(db.session)
        day = now.astimezone(ZoneInfo(zone)).date()
        requests = new_requests(_last_digest(user_id))
        if not requests or not _record(user_id, day, now, len(requests)):
            db.session.rollback()
            continue
        user = db.session.get(User, user_id)
        language = language_of(user)
        with in_language(language):
            enqueue(
                render_mail(
                    "coordinator_digest",
                    to=recipient(user),
                    language=language,
                    name=user.name,
                    requests=[_as_listed(registration, zone) for registration in requests],
                    link=external_url("manage.dashboard", _anchor="pending-heading"),
                )
            )
        db.session.commit()
        queued += 1
    return queued
