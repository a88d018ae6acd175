"""Registration rules, in one place for the web, the CLI and imports.

Never overbook: every change that can take or free a place first takes the event's
lock — a row lock on PostgreSQL, the database write lock (``BEGIN IMMEDIATE``) on
SQLite — then counts, writes, and leaves the commit to the caller, which ends the
lock. A freed place goes to the first person on the waiting list who fits, in the
same transaction.
"""

import functools
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from sqlalchemy.dialects.postgresql import JSONB

from nscal.accounts.models import User
from nscal.cities.models import all_roles
from nscal.db import QUEUED, db, pipelined, take_sqlite_write_lock, utcnow
from nscal.events.models import Event, EventStatus, event_audience
from nscal.events.services import capacity_changed, places_held
from nscal.inputs import MAX_INTEGER, multi_line
from nscal.mail.models import OutboxMessage
from nscal.mail.outbox import held_deferred
from nscal.registrations import notifications
from nscal.registrations.models import (
    ACTIVE_STATUSES,
    HOLDING_STATUSES,
    Registration,
    RegistrationSettings,
    RegistrationStatus,
    RegistrationStatusChange,
    RoleQuota,
)
from nscal.registrations.settings_rules import settings_problems
from nscal.timedisplay import format_instant


class RegistrationError(ValueError):
    """Registration was refused; ``reason`` is a stable code, the message is for people.

    ``when`` carries the instant the message is about (e.g. when registration opens),
    so a page can show it in the reader's own zone.
    """

    def __init__(self, message: str, reason: str, when: datetime | None = None):
        super().__init__(message)
        self.reason = reason
        self.when = when


# --- the lock --------------------------------------------------------------------------


def lock_event(event_id: int) -> Event:
    """Take the event's registration lock and return the event, fresh from the database.

    On SQLite the lock is the database's write lock, held until the caller commits.
    """
    session = db.session
    if session.get_bind().dialect.name == "sqlite":
        take_sqlite_write_lock(session)
        event = session.get(Event, event_id, populate_existing=True, options=[_AUDIENCE_LATER])
    else:
        event = session.execute(_LOCK_EVENT, {"event_id": event_id}).scalar_one_or_none()
    if event is None:
        raise RegistrationError(_("This event does not exist."), "not_found")
    return event


# The audience is read when needed (``_situation`` asks the database under the lock):
# loading it with the event would be one more statement while others wait.
_AUDIENCE_LATER = sa.orm.lazyload(Event.audience)
_LOCK_EVENT = (
    sa.select(Event)
    .where(Event.id == sa.bindparam("event_id", type_=sa.Integer))
    .options(_AUDIENCE_LATER)
    .with_for_update(of=Event)
    .execution_options(populate_existing=True)
)
# PostgreSQL's lock for a registration: the row only; the event is read by the next
# statement, in the same round trip (``_lock_and_read_situation``).
_LOCK_EVENT_ROW = (
    sa.select(Event.__table__.c.id)
    .where(Event.__table__.c.id == sa.bindparam("event_id", type_=sa.Integer))
    .with_for_update()
    .execution_options(**{QUEUED: True})
)


# --- settings and counts ---------------------------------------------------------------


def settings_for(event: Event) -> RegistrationSettings:
    """The event's registration settings; defaults when none were set."""
    settings = db.session.get(RegistrationSettings, event.id)
    return settings or RegistrationSettings(
        event_id=event.id, waitlist=True, self_cancel=True, requires_approval=False
    )


def quotas_for(event: Event) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(RoleQuota.participant_role_id, RoleQuota.places).where(
            RoleQuota.event_id == event.id
        )
    )
    return dict(rows.all())


@dataclass
class PlaceCounts:
    """Places held (confirmed or awaiting approval): in all, per role, per city."""

    total: int
    by_role: dict[int | None, int]
    by_city: dict[int | None, int]


def place_counts(event_id: int) -> PlaceCounts:
    rows = db.session.execute(
        sa.select(Registration.participant_role_id, Registration.city_id, sa.func.count())
        .where(Registration.event_id == event_id, Registration.status.in_(HOLDING_STATUSES))
        .group_by(Registration.participant_role_id, Registration.city_id)
    ).all()
    by_role: dict[int | None, int] = {}
    by_city: dict[int | None, int] = {}
    for role_id, city_id, count in rows:
        by_role[role_id] = by_role.get(role_id, 0) + count
        by_city[city_id] = by_city.get(city_id, 0) + count
    return PlaceCounts(sum(count for *_ignored, count in rows), by_role, by_city)


def spots_left(event: Event) -> int | None:
    """Places still free in all (None: no capacity set)."""
    if event.capacity is None:
        return None
    return max(event.capacity - place_counts(event.id).total, 0)


def _full_because(
    event: Event,
    settings: "RegistrationSettings | SettingsForRules",
    quotas: dict[int, int],
    counts: PlaceCounts,
    role_id: int | None,
    city_id: int | None,
) -> str | None:
    """Why one more person in this role and city would not fit, or None when they fit."""
    if event.capacity is not None and counts.total >= event.capacity:
        return _("The event is full.")
    if role_id in quotas and counts.by_role.get(role_id, 0) >= quotas[role_id]:
        return _("The places for your participant role are taken.")
    if (
        settings.city_limit is not None
        and city_id is not None
        and counts.by_city.get(city_id, 0) >= settings.city_limit
    ):
        return ngettext(
            "Your city already has %(num)d participant(s), the most allowed.",
            "Your city already has %(num)d participant(s), the most allowed.",
            settings.city_limit,
        )
    return None


# --- registering -----------------------------------------------------------------------


def _check_open(
    event: "Event | EventForRules",
    settings: "RegistrationSettings | SettingsForRules",
    now: datetime,
) -> None:
    if event.status is EventStatus.cancelled:
        raise RegistrationError(_("This event is cancelled."), "cancelled")
    if event.status is not EventStatus.published:
        raise RegistrationError(_("This event is not open for registration."), "not_published")
    if settings.opens_at is not None and now < settings.opens_at:
        raise RegistrationError(
            _(
                "Registration opens %(when)s.",
                when=format_instant(settings.opens_at, event.timezone),
            ),
            "not_open_yet",
            when=settings.opens_at,
        )
    closes_at = settings.closes_at or event.starts_at
    if now >= closes_at:
        raise RegistrationError(_("Registration is closed."), "closed", when=closes_at)


def _role_for(
    event: Event, user: User, role_id: int | None, acting: User, situation: "Situation"
) -> int | None:
    """The participant role the person registers in, checked against the audience."""
    own_role = user.participant_role_id
    if role_id is None:
        role_id = own_role
    elif own_role is not None and role_id != own_role and not acting.is_coordinator:
        raise RegistrationError(
            _("You can only register in your own participant role."), "wrong_role"
        )
    if not situation.for_everyone:
        if role_id is None:
            raise RegistrationError(
                _(
                    "This event is for particular participant roles, and your account has "
                    "none yet: ask a coordinator to set yours."
                ),
                "not_eligible",
            )
        if not situation.role_in_audience:
            names = ", ".join(role.label.lower() for role in event.audience)
            raise RegistrationError(
                _(
                    "This event is for %(roles)s only; your participant role is not among them.",
                    roles=names,
                ),
                "not_eligible",
            )
    return role_id


@dataclass(frozen=True)
class Situation:
    """All that deciding one person's registration reads, in one statement: the event's
    settings, whether the person's role may come, the places held in all, in their role
    and in their city, the role's quota, their own active registration, and the last
    place on the waiting list. Read under the event's lock, it is final."""

    settings: "SettingsForRules"
    for_everyone: bool
    role_in_audience: bool
    counts: PlaceCounts
    quotas: dict[int, int]
    existing: RegistrationStatus | None
    last_waitlist_order: int

    @property
    def next_waitlist_order(self) -> int:
        return self.last_waitlist_order + 1


def _situation(event: Event, role_id: int | None, user_id: int, city_id: int | None) -> Situation:
    """Read the ``Situation`` of one person and one event (one SELECT)."""
    row = db.session.execute(
        _situation_statement(role_id is not None, city_id is not None),
        {"event_id": event.id, "role_id": role_id, "city_id": city_id, "user_id": user_id},
    ).one()
    return _situation_from(row, event.id, role_id, city_id)


def _lock_and_read_situation(
    event_id: int, role_id: int | None, user_id: int, city_id: int | None
) -> tuple["EventForRules", Situation, int]:
    """PostgreSQL, in a ``pipelined`` block: take the event's lock, then read the event
    (what the rules need of it),
    the ``Situation`` and the new registration's id, in one round trip (two statements).

    Correct under READ COMMITTED: the server runs the pipelined statements in order,
    and the second takes its snapshot when it starts, after the first has the lock; so
    it sees every registration committed by whoever held the lock before, and the
    event as they left it, exactly as if it had been sent after the lock came back.
    """
    # Core statements on the session's connection: the session's own layer (ORM
    # execution events, options) would only add CPU time while the lock is held.
    connection = db.session.connection()
    parameters = {"event_id": event_id, "role_id": role_id, "city_id": city_id, "user_id": user_id}
    connection.execute(_LOCK_EVENT_ROW, parameters)  # queued; its row is not needed
    row = connection.execute(
        _situation_statement(role_id is not None, city_id is not None, with_event=True),
        parameters,
    ).one()
    if row.event_found is None:
        raise RegistrationError(_("This event does not exist."), "not_found")
    event = EventForRules(event_id, *(getattr(row, name) for name in _EVENT_RULE_COLUMNS))
    return event, _situation_from(row, event_id, role_id, city_id), row.new_id


def _situation_from(row, event_id: int, role_id: int | None, city_id: int | None) -> Situation:
    # A plain value for the rules, not an ORM object: nothing is written to it, and
    # building a mapped instance cost CPU time while the lock is held.
    if row.has_settings is None:
        settings = _DEFAULT_SETTINGS
    else:
        settings = SettingsForRules(*(getattr(row, name) for name in _SETTINGS_COLUMNS))
    return Situation(
        settings=settings,
        for_everyone=bool(row.for_everyone),
        role_in_audience=bool(row.role_in_audience),
        counts=PlaceCounts(row.total, {role_id: row.in_role}, {city_id: row.in_city}),
        quotas={role_id: row.quota} if role_id is not None and row.quota is not None else {},
        existing=RegistrationStatus(row.existing) if row.existing is not None else None,
        last_waitlist_order=row.last_order or 0,
    )


_SETTINGS_COLUMNS = (
    "city_limit",
    "opens_at",
    "closes_at",
    "requires_approval",
    "waitlist",
    "self_cancel",
    "self_cancel_until",
)


@dataclass(frozen=True)
class SettingsForRules:
    """An event's registration settings as the rules read them (``_SETTINGS_COLUMNS``,
    in that order), from the ``Situation``'s row."""

    city_limit: int | None
    opens_at: datetime | None
    closes_at: datetime | None
    requires_approval: bool
    waitlist: bool
    self_cancel: bool
    self_cancel_until: datetime | None


# An event with no settings row: the defaults of ``settings_for``.
_DEFAULT_SETTINGS = SettingsForRules(None, None, None, False, True, True, None)
# What the rules read of the event itself (``EventForRules``).
_EVENT_RULE_COLUMNS = ("status", "starts_at", "timezone", "capacity")


@dataclass(frozen=True)
class EventForRules:
    """The few columns of an event the registration rules read, read under the lock
    (PostgreSQL): loading the whole event (some fifty columns) as an ORM object cost
    more CPU than anything else while others wait for the lock."""

    id: int
    status: EventStatus
    starts_at: datetime
    timezone: str
    capacity: int | None

    @property
    def audience(self):
        """Only a refusal's message names the audience: read then, not before."""
        return db.session.get(Event, self.id).audience


@functools.cache
def _situation_statement(with_role: bool, with_city: bool, with_event: bool = False) -> sa.Select:
    """The SELECT of ``_situation``, built once per shape (with or without a role and a
    city) with bound parameters: the lock is held while it runs, so none of its time
    goes into building SQL again. ``with_event``: what the rules read of the event too
    and an id for the registration (``_lock_and_read_situation``; an id unused when
    the person is refused is a gap in the sequence, nothing more)."""
    event_id = sa.bindparam("event_id", type_=sa.Integer)
    role_id = sa.bindparam("role_id", type_=sa.Integer)
    city_id = sa.bindparam("city_id", type_=sa.Integer)
    # Tables, not mapped classes: a Core statement, with none of the ORM's work per
    # execution (nothing here becomes an ORM object).
    registration, quota = Registration.__table__.c, RoleQuota.__table__.c
    of_event = registration.event_id == event_id
    holding = sa.and_(of_event, registration.status.in_(HOLDING_STATUSES))
    counts = (
        sa.select(
            sa.func.count().label("total"),
            (
                sa.func.count().filter(registration.participant_role_id == role_id)
                if with_role
                else sa.literal(0)
            ).label("in_role"),
            (
                sa.func.count().filter(registration.city_id == city_id)
                if with_city
                else sa.literal(0)
            ).label("in_city"),
        )
        .where(holding)
        .subquery("counts")
    )
    audience = sa.select(event_audience.c.event_id).where(event_audience.c.event_id == event_id)
    settings = RegistrationSettings.__table__
    statement = (
        sa.select(
            settings.c.event_id.label("has_settings"),
            *(settings.c[name] for name in _SETTINGS_COLUMNS),
            counts.c.total,
            counts.c.in_role,
            counts.c.in_city,
            (
                sa.select(quota.places)
                .where(quota.event_id == event_id, quota.participant_role_id == role_id)
                .scalar_subquery()
                if with_role
                else sa.null()
            ).label("quota"),
            (~audience.exists()).label("for_everyone"),
            (
                audience.where(event_audience.c.participant_role_id == role_id).exists()
                if with_role
                else sa.false()
            ).label("role_in_audience"),
            sa.select(registration.status)
            .where(
                of_event,
                registration.user_id == sa.bindparam("user_id", type_=sa.Integer),
                registration.status.in_(ACTIVE_STATUSES),
            )
            .limit(1)
            .scalar_subquery()
            .label("existing"),
            sa.select(sa.func.max(registration.waitlist_order))
            .where(of_event)
            .scalar_subquery()
            .label("last_order"),
        )
        .select_from(counts)
        .outerjoin(settings, settings.c.event_id == event_id)
    )
    if with_event:
        event = Event.__table__
        statement = statement.add_columns(
            event.c.id.label("event_found"),
            *(event.c[name] for name in _EVENT_RULE_COLUMNS),
            sa.func.nextval(sa.func.pg_get_serial_sequence("registration", "id")).label("new_id"),
        ).outerjoin(event, event.c.id == event_id)
    return statement


@dataclass(frozen=True)
class RegistrationDecision:
    """What registering would give a person: the status, and the role they register in."""

    status: RegistrationStatus
    participant_role_id: int | None
    waitlist_order: int | None = None  # the place in line, should the status be waitlisted


def decide_registration(
    event: "Event | EventForRules",
    user: User | None,
    *,
    participant_role_id: int | None = None,
    acting: User | None = None,
    now: datetime,
    situation: Situation | None = None,
) -> RegistrationDecision:
    """The one set of registration rules, checked in order; writes nothing.

    ``acting`` is the coordinator registering the person on their behalf (None: the
    person themself); such a coordinator may register outside the registration window
    and is never held for approval. Raises ``RegistrationError`` with the reason when
    the person may not register. The counts are only final under the event's lock.
    ``situation``: already read (with the lock), for this person and role.
    """
    if user is None or not user.active:
        raise RegistrationError(_("This account cannot register."), "no_account")
    role_id = participant_role_id if participant_role_id is not None else user.participant_role_id
    if situation is None:
        situation = _situation(event, role_id, user.id, user.city_id)
    settings = situation.settings
    if acting is None or not acting.is_coordinator:
        _check_open(event, settings, now)
    elif event.status is not EventStatus.published:
        raise RegistrationError(_("Only published events take registrations."), "not_published")
    decider = acting or user
    role_id = _role_for(event, user, participant_role_id, decider, situation)
    if situation.existing is not None:
        raise RegistrationError(
            _(
                "You are already registered (%(status)s).",
                status=situation.existing.label.lower(),
            ),
            "already",
        )
    full = _full_because(event, settings, situation.quotas, situation.counts, role_id, user.city_id)
    if full and not settings.waitlist:
        raise RegistrationError(
            # Translators: reason: why the person does not fit, e.g. "The event is full."
            _("%(reason)s There is no waiting list.", reason=full),
            "full",
        )
    if full:
        status = RegistrationStatus.waitlisted
    elif settings.requires_approval and not decider.is_coordinator:
        status = RegistrationStatus.pending
    else:
        status = RegistrationStatus.confirmed
    return RegistrationDecision(status, role_id, situation.next_waitlist_order)


def register_for_event(
    event_id: int,
    user_id: int,
    *,
    participant_role_id: int | None = None,
    note: str = "",
    registered_by_id: int | None = None,
    now: datetime | None = None,
) -> Registration:
    """Register a person: confirmed, pending approval, or waitlisted when a limit is reached.

    ``registered_by_id`` is the coordinator acting on the person's behalf (None: themself).
    Raises ``RegistrationError`` when the person may not register.
    """
    # The accounts are not locked: reading them before the lock changes nothing, and a
    # request has them loaded already.
    user = db.session.get(User, user_id)
    acting = db.session.get(User, registered_by_id) if registered_by_id else None
    # PostgreSQL: two round trips under the lock, the lock with the rules' one read,
    # then the insert with the next statement (the caller's COMMIT, when it opened
    # ``pipelined`` around it; else at the end of this block).
    with pipelined(db.session):
        # The lock comes first: the counts the decision reads must not change before
        # the insert.
        situation = registration_id = None
        if db.session.get_bind().dialect.name == "postgresql" and user is not None and user.active:
            role_id = (
                participant_role_id if participant_role_id is not None else user.participant_role_id
            )
            event, situation, registration_id = _lock_and_read_situation(
                event_id, role_id, user.id, user.city_id
            )
        else:
            event = lock_event(event_id)
        decision = decide_registration(
            event,
            user,
            participant_role_id=participant_role_id,
            acting=acting,
            now=now or utcnow(),
            situation=situation,
        )
        stamp = utcnow()  # when it happened (``now`` is the clock the rules read)
        # PostgreSQL read only the event's columns the rules need: the registration's
        # ``event`` is then loaded if someone asks for it (no caller here does).
        loaded = {"event": event} if isinstance(event, Event) else {}
        registration = Registration(
            id=registration_id,
            **loaded,
            user=user,
            event_id=event.id,
            user_id=user.id,
            participant_role_id=decision.participant_role_id,
            city_id=user.city_id,
            status=decision.status,
            waitlist_order=(
                decision.waitlist_order
                if decision.status is RegistrationStatus.waitlisted
                else None
            ),
            note=multi_line(note),
            registered_by_id=registered_by_id if registered_by_id != user.id else None,
            created_at=stamp,
            updated_at=stamp,
            cancelled_at=None,
        )
        with held_deferred() as mail:
            # The mail's reference, as it is now; written below with the registration.
            notifications.registration_created(registration)
            registration.id = _insert_registration(registration, registered_by_id or user.id, mail)
    # The rows are written: the object joins the session as if it had been loaded.
    sa.orm.make_transient_to_detached(registration)
    db.session.add(registration)
    return registration


_REGISTRATION_COLUMNS = (
    "event_id",
    "user_id",
    "participant_role_id",
    "city_id",
    "status",
    "waitlist_order",
    "note",
    "registered_by_id",
    "created_at",
    "updated_at",
    "cancelled_at",
)


def _insert_registration(registration: Registration, by_id: int, mail: list[dict]) -> int:
    """Write a new registration, its first status-history row and the outbox rows of
    its mail (``mail``, from ``held_deferred``, emptied here); returns its id.

    PostgreSQL: one statement (the three INSERTs as a data-modifying CTE), queued
    (``pipelined``): the id was taken with the lock, so nothing of it is read back.
    SQLite (in the process, no round trips): one INSERT each.
    """
    values = {name: getattr(registration, name) for name in _REGISTRATION_COLUMNS}
    history = {
        "from_status": None,
        "to_status": registration.status,
        "changed_by_id": by_id,
        "changed_at": registration.updated_at,
    }
    rows, mail[:] = list(mail), []
    if db.session.get_bind().dialect.name != "postgresql":
        result = db.session.execute(sa.insert(Registration.__table__), values)
        [registration_id] = result.inserted_primary_key
        db.session.execute(
            sa.insert(RegistrationStatusChange.__table__),
            {**history, "registration_id": registration_id},
        )
        for row in rows:
            deferred = {**row["deferred"], "registration_id": registration_id}
            db.session.execute(sa.insert(OutboxMessage.__table__), {**row, "deferred": deferred})
        return registration_id
    parameters = {**values, **{f"history_{name}": value for name, value in history.items()}}
    for number, row in enumerate(rows):
        parameters.update({f"mail{number}_{name}": value for name, value in row.items()})
    parameters["id"] = registration.id
    connection = db.session.connection()
    sql, processors, constants = _compiled_insert(len(rows), connection.dialect)
    for name, value in parameters.items():
        if name in processors:
            parameters[name] = processors[name](value)
    connection.exec_driver_sql(sql, {**constants, **parameters}, execution_options={QUEUED: True})
    return registration.id


@functools.cache
def _compiled_insert(mails: int, dialect) -> tuple[str, dict, dict]:
    """``_insert_statement(mails)`` compiled once for this dialect, with its parameters'
    type processing (instants, enums, JSON): SQLAlchemy's own, so the server gets the
    same SQL and values as from ``Connection.execute``, without its per-execution work
    (cache key, compiled cache lookup, parameter set-up) while the lock is held.
    Returns the SQL, the processors by parameter name, and the constants' values."""
    compiled = _insert_statement(mails).compile(dialect=dialect)
    processors = dict(compiled._bind_processors)
    # The statement's own constants (the JSON key "registration_id"), processed too.
    constants = {
        name: processors[name](bind.effective_value) if name in processors else bind.effective_value
        for name, bind in compiled.binds.items()
        if not bind.required
    }
    return compiled.string, processors, constants


@functools.cache
def _insert_statement(mails: int) -> sa.Select:
    """PostgreSQL's one statement for ``_insert_registration`` with ``mails`` outbox
    rows, built once: ``WITH`` the registration's ``INSERT … RETURNING id``, the
    history's and each mail's ``INSERT … SELECT`` from it, ``SELECT`` the id."""
    registration = Registration.__table__
    inserted = (
        sa.insert(registration)
        .values({name: sa.bindparam(name) for name in ("id", *_REGISTRATION_COLUMNS)})
        .returning(registration.c.id)
        .cte("inserted_registration")
    )
    statement = sa.select(inserted.c.id)
    history = RegistrationStatusChange.__table__
    statement = statement.add_cte(
        _insert_from(
            history,
            {
                "registration_id": inserted.c.id,
                **{name: f"history_{name}" for name in _HISTORY_COLUMNS},
            },
        ).cte("inserted_history")
    )
    outbox = OutboxMessage.__table__
    for number in range(mails):
        # The registration's id goes into the reference as the database gives it.
        deferred = sa.cast(
            sa.cast(sa.bindparam(f"mail{number}_deferred", type_=outbox.c.deferred.type), JSONB).op(
                "||"
            )(sa.func.jsonb_build_object("registration_id", inserted.c.id)),
            outbox.c.deferred.type,
        )
        columns = {name: f"mail{number}_{name}" for name in _OUTBOX_COLUMNS}
        statement = statement.add_cte(
            _insert_from(outbox, {**columns, "deferred": deferred}).cte(f"inserted_mail_{number}")
        )
    return statement.execution_options(**{QUEUED: True})


_HISTORY_COLUMNS = ("from_status", "to_status", "changed_by_id", "changed_at")
_OUTBOX_COLUMNS = (
    "recipient",
    "subject",
    "message",
    "status",
    "attempts",
    "next_attempt_at",
    "created_at",
)


def _insert_from(table: sa.Table, values: dict) -> sa.Insert:
    """``INSERT INTO table (…) SELECT …``: a name is a parameter bound with its column's
    type, an SQL expression (another CTE's column) goes in as it is."""
    selected = [
        sa.bindparam(value, type_=table.c[name].type) if isinstance(value, str) else value
        for name, value in values.items()
    ]
    return sa.insert(table).from_select(list(values), sa.select(*selected))


def preview_registration(
    event: Event, user: User, *, now: datetime | None = None
) -> RegistrationStatus:
    """What registering now would give this person (no lock, nothing written).

    Raises ``RegistrationError`` with the reason when they may not register: the event
    page uses this to show the right button or the reason, before anyone clicks.
    """
    return decide_registration(event, user, now=now or utcnow()).status


def active_registration(event_id: int, user_id: int) -> Registration | None:
    """The person's confirmed, pending or waitlisted registration for the event."""
    return db.session.execute(
        sa.select(Registration).where(
            Registration.event_id == event_id,
            Registration.user_id == user_id,
            Registration.status.in_(ACTIVE_STATUSES),
        )
    ).scalar_one_or_none()


def confirmed_with_account(event_id: int) -> sa.Select:
    """The confirmed registrations of an event whose person still has an account (a
    deleted one's stay only as counts), joined to ``User`` so callers may filter and
    order by it: who is marked attended, asked for feedback, sent the minutes."""
    return (
        sa.select(Registration)
        .join(User, User.id == Registration.user_id)
        .where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.confirmed,
        )
    )


def _next_waitlist_order(event_id: int) -> int:
    last = db.session.scalar(
        sa.select(sa.func.max(Registration.waitlist_order)).where(Registration.event_id == event_id)
    )
    return (last or 0) + 1


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in line; None when not waitlisted."""
    if registration.status is not RegistrationStatus.waitlisted:
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count()).where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.waitlisted,
            Registration.waitlist_order < registration.waitlist_order,
        )
    )
    return ahead + 1


# --- cancelling, approving, moving -----------------------------------------------------


def cancel_registration(
    event_id: int,
    user_id: int,
    *,
    cancelled_by_id: int | None = None,
    now: datetime | None = None,
) -> Registration:
    """Cancel a person's active registration and give the place to the next in line."""
    event = lock_event(event_id)
    now = now or utcnow()
    registration = active_registration(event.id, user_id)
    if registration is None:
        raise RegistrationError(_("There is no registration to cancel."), "not_registered")
    acting = db.session.get(User, cancelled_by_id) if cancelled_by_id else None
    if not (acting is not None and acting.is_coordinator):
        settings = settings_for(event)
        if not settings.self_cancel:
            raise RegistrationError(
                _(
                    "Registrations for this event cannot be cancelled here; "
                    "please contact the coordinators."
                ),
                "no_self_cancel",
            )
        until = settings.self_cancel_until or event.starts_at
        if now >= until:
            raise RegistrationError(_("It is too late to cancel here."), "too_late", when=until)
    _set_status(registration, RegistrationStatus.cancelled, now, by_id=cancelled_by_id or user_id)
    notifications.registration_cancelled(registration)
    promote_from_waitlist(event)
    return registration


def set_registration_status(
    registration_id: int,
    status: RegistrationStatus,
    *,
    now: datetime | None = None,
    changed_by_id: int | None = None,
) -> Registration:
    """A coordinator moves a registration (approve, reject, confirm, waitlist, cancel).

    Coordinators may confirm beyond the limits on purpose; freed places are passed on.
    ``changed_by_id`` is who did it, for the registration's status history.
    """
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise RegistrationError(_("This registration does not exist."), "not_found")
    event = lock_event(registration.event_id)
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    now = now or utcnow()
    previous = registration.status
    if previous is status:
        return registration
    if status.is_active and not previous.is_active:
        if registration.user_id is None:
            raise RegistrationError(
                _("This registration belongs to a deleted account; it cannot be made active."),
                "deleted_account",
            )
        clash = active_registration(event.id, registration.user_id)
        if clash is not None:
            raise RegistrationError(_("This person already has an active registration."), "already")
    _set_status(registration, status, now, by_id=changed_by_id)
    if status is RegistrationStatus.waitlisted:
        registration.waitlist_order = _next_waitlist_order(event.id)
    notifications.registration_moved(registration, previous)
    if previous in HOLDING_STATUSES and status not in HOLDING_STATUSES:
        promote_from_waitlist(event)
    return registration


def _set_status(
    registration: Registration,
    status: RegistrationStatus,
    now: datetime,
    *,
    by_id: int | None = None,
) -> None:
    """The one place a registration's status changes; each change is recorded in its
    history (``by_id`` None: nscal itself, e.g. a place from the waiting list)."""
    previous = registration.status
    registration.status = status
    registration.updated_at = now
    if status is RegistrationStatus.cancelled:
        registration.cancelled_at = now
    if status is not RegistrationStatus.waitlisted:
        registration.waitlist_order = None
    db.session.flush()
    _record_change(registration, previous, by_id, now)


def _record_change(
    registration: Registration,
    previous: RegistrationStatus | None,
    by_id: int | None,
    now: datetime | None = None,
) -> None:
    # One INSERT, no ORM object: the event's lock is held, keep its section short.
    db.session.execute(
        sa.insert(RegistrationStatusChange).values(
            registration_id=registration.id,
            from_status=previous,
            to_status=registration.status,
            changed_by_id=by_id,
            changed_at=now or registration.updated_at or utcnow(),
        )
    )


def promote_from_waitlist(event: Event) -> list[Registration]:
    """Give free places to waitlisted people in order, skipping those who do not fit.

    The caller holds the event's lock (all services above take it first).
    """
    settings = settings_for(event)
    quotas = quotas_for(event)
    promoted = []
    waiting = db.session.execute(
        sa.select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.waitlisted,
        )
        .order_by(Registration.waitlist_order, Registration.id)
    ).scalars()
    for registration in waiting:
        counts = place_counts(event.id)
        if event.capacity is not None and counts.total >= event.capacity:
            break
        if _full_because(
            event, settings, quotas, counts, registration.participant_role_id, registration.city_id
        ):
            continue
        status = (
            RegistrationStatus.pending
            if settings.requires_approval
            else RegistrationStatus.confirmed
        )
        _set_status(registration, status, utcnow())
        notifications.registration_promoted(registration)
        promoted.append(registration)
    return promoted


def change_capacity(event_id: int, capacity: int | None) -> list[Registration]:
    """Set the event's capacity; a raised capacity promotes from the waiting list."""
    if capacity is not None and capacity < 0:
        raise RegistrationError(_("The capacity cannot be negative."), "bad_capacity")
    if capacity is not None and capacity > MAX_INTEGER:
        raise RegistrationError(
            _("At most %(count)s places.", count=format_number(MAX_INTEGER)), "bad_capacity"
        )
    event = lock_event(event_id)
    event.capacity = capacity
    db.session.flush()
    return promote_from_waitlist(event)


def save_registration_settings(
    event_id: int,
    *,
    capacity: int | None,
    city_limit: int | None,
    quotas: dict[int, int | None],
    opens_at: datetime | None,
    closes_at: datetime | None,
    requires_approval: bool,
    waitlist: bool,
    self_cancel: bool,
    self_cancel_until: datetime | None = None,
) -> list[Registration]:
    """Store how the event takes registrations; places that came free are passed on.

    Refuses settings ``settings_problems`` finds wrong (the first problem's message);
    the event form shows them all on their fields before it gets here.
    """
    event = lock_event(event_id)
    for places in (capacity, city_limit, *quotas.values()):
        if places is not None and places < 0:
            raise RegistrationError(_("The capacity cannot be negative."), "bad_capacity")
        if places is not None and places > MAX_INTEGER:
            raise RegistrationError(
                _("At most %(count)s places.", count=format_number(MAX_INTEGER)), "bad_capacity"
            )
    problems = settings_problems(
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        zone=event.timezone,
        capacity=capacity,
        held=place_counts(event.id).total,
        quotas=quotas,
        audience={role.id: role.label for role in event.audience},
        role_names={role.id: role.label for role in all_roles()},
        city_limit=city_limit,
        opens_at=opens_at,
        closes_at=closes_at,
        self_cancel_until=self_cancel_until,
    )
    if problems:
        raise RegistrationError(problems[0].message, "bad_settings")
    settings = db.session.get(RegistrationSettings, event.id)
    if settings is None:
        settings = RegistrationSettings(event_id=event.id)
        db.session.add(settings)
    settings.city_limit = city_limit
    settings.opens_at, settings.closes_at = opens_at, closes_at
    settings.requires_approval = requires_approval
    settings.waitlist = waitlist
    settings.self_cancel = self_cancel
    settings.self_cancel_until = self_cancel_until
    event.capacity = capacity
    existing = {
        quota.participant_role_id: quota
        for quota in db.session.execute(
            sa.select(RoleQuota).where(RoleQuota.event_id == event.id)
        ).scalars()
    }
    for role_id, places in quotas.items():
        if places is None:
            if role_id in existing:
                db.session.delete(existing[role_id])
        elif role_id in existing:
            existing[role_id].places = places
        else:
            db.session.add(RoleQuota(event_id=event.id, participant_role_id=role_id, places=places))
    db.session.flush()
    db.session.info.get(_SETTINGS_FOLLOW, set()).discard(event.id)
    return promote_from_waitlist(event)


def spots_left_for(events: list[Event]) -> dict[int, int | None]:
    """``spots_left`` for many events at once: one grouped query, however many events.

    Counts the same places as ``place_counts`` (``HOLDING_STATUSES``); None where no
    capacity is set.
    """
    limited = [event.id for event in events if event.capacity is not None]
    held: dict[int, int] = {}
    if limited:
        held = dict(
            db.session.execute(
                sa.select(Registration.event_id, sa.func.count())
                .where(
                    Registration.event_id.in_(limited),
                    Registration.status.in_(HOLDING_STATUSES),
                )
                .group_by(Registration.event_id)
            ).all()
        )
    return {
        event.id: None if event.capacity is None else max(event.capacity - held.get(event.id, 0), 0)
        for event in events
    }


# Events whose registration settings are about to be saved in this session (the event
# form saves them right after the event): their new places wait for the new settings.
_SETTINGS_FOLLOW = "nscal.registrations.settings_follow"


def settings_follow(event_ids: list[int]) -> None:
    """Say that ``save_registration_settings`` follows for these events in this session,
    so a raised capacity is passed on with the new settings (approval, quotas), once."""
    db.session.info.setdefault(_SETTINGS_FOLLOW, set()).update(event_ids)


@capacity_changed.connect
def _fill_freed_places(event: Event) -> None:
    """An event edited to take more people gives the new places to the waiting list."""
    if event.id in db.session.info.get(_SETTINGS_FOLLOW, ()):
        return  # save_registration_settings promotes, with the settings saved beside it
    promote_from_waitlist(lock_event(event.id))


@places_held.connect
def _count_places_held(event: Event) -> int:
    """For events: how many people hold, wait for or asked for a place at ``event``."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES))
    )
