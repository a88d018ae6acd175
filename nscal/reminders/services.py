"""Reminders before events: which apply, when each is due for whom, and sending them.

Rules (documented for coordinators on the reminders page too):

- An event follows its own reminders, else its series', else the defaults of its kind
  (a coordinator's, else ``BUILTIN_DEFAULTS``).
- A day-based reminder ("1 day") goes out at ``REMINDER_HOUR`` (09:00) on the
  recipient's clock, N days before the event's start date on that clock (their own
  zone, else their city's, else the event's): the same "1 day" reaches Nuuk and
  Helsinki at 09:00 local each. An hour-based one ("1 hour", "15 minutes") at the
  exact instant ``start - offset``.
- Due instants are computed from the event's current start every time: a moved event
  moves its reminders. A reminder already sent before a move is not sent again (the
  change mail told people of the new time).
- Only confirmed registrations of published events, one mail per person. A person
  who registered after a reminder was due does not get that one.
- Late delivery (the worker was down): a day-based reminder is still sent up to
  ``DAY_GRACE`` after its time (the same local day), an hour-based one up to
  ``HOUR_GRACE``; later ones are skipped, and nothing is sent once the event started.
- At most once per registration and reminder: ``ReminderSent`` (unique per
  registration and reminder key) is inserted with ``ON CONFLICT DO NOTHING`` in the
  transaction that queues the mail, so workers running at once never send twice.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel.speaklater import LazyString
from sqlalchemy.dialects import postgresql, sqlite

from nscal.accounts.models import User
from nscal.db import db, take_sqlite_write_lock, utcnow
from nscal.events.models import Event, EventFormat, EventKind, EventSeries, EventStatus
from nscal.mail.outbox import enqueue
from nscal.registrations.models import Registration, RegistrationStatus
from nscal.registrations.notifications import mail_about_event, reading_zone
from nscal.reminders.models import FeedAlarm, ReminderPlan, ReminderSent

# Late delivery: how long after its time a reminder is still worth sending.
DAY_GRACE = timedelta(hours=12)
HOUR_GRACE = timedelta(hours=6)
MAX_REMINDERS = 6
_LIMITS = {"d": 60, "h": 72, "m": 24 * 60}  # the largest amount of each unit
# The unit words understood in every language; the reader's own are found from the
# catalog (``_local_unit``), so a field filled with "7 päivää" is read back.
_UNIT_WORDS = {
    "d": "d",
    "day": "d",
    "days": "d",
    "h": "h",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "m": "m",
    "min": "m",
    "mins": "m",
    "minute": "m",
    "minutes": "m",
}
_OFFSET = re.compile(r"^(\d{1,4})\s*(\D+)$")


class ReminderError(ValueError):
    """A reminder setting that cannot be saved; the message is for people."""


@dataclass(frozen=True)
class Offset:
    """One reminder: ``amount`` days, hours or minutes (``unit`` "d", "h", "m") before."""

    amount: int
    unit: str

    @property
    def key(self) -> str:
        return f"{self.amount}{self.unit}"

    @property
    def day_based(self) -> bool:
        return self.unit == "d"

    @property
    def delta(self) -> timedelta:
        return {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}[
            self.unit
        ] * self.amount

    @property
    def label(self) -> str:
        """As a person types it, in the reader's language: "7 days", "1 hour"."""
        return _amount_text(self.amount, self.unit)

    @property
    def before(self) -> str:
        """The reminders table's row: "7 days before"."""
        if self.unit == "d":
            return ngettext("%(num)d day before", "%(num)d days before", self.amount)
        if self.unit == "h":
            return ngettext("%(num)d hour before", "%(num)d hours before", self.amount)
        return ngettext("%(num)d minute before", "%(num)d minutes before", self.amount)

    @property
    def ahead(self):
        """How the mail says it: "tomorrow", "in 7 days", "in 1 hour". Lazy: it is
        worded when the mail is rendered, in the recipient's language."""
        if self.key == "1d":
            # Translators: ends the reminder mail's "<event> is tomorrow."
            return _l("tomorrow")
        return LazyString(self._ahead_text)

    def _ahead_text(self) -> str:
        if self.unit == "d":
            # Translators: ends the reminder mail's "<event> is in 7 days."
            return ngettext("in %(num)d day", "in %(num)d days", self.amount)
        if self.unit == "h":
            # Translators: ends the reminder mail's "<event> is in 2 hours."
            return ngettext("in %(num)d hour", "in %(num)d hours", self.amount)
        # Translators: ends the reminder mail's "<event> is in 15 minutes."
        return ngettext("in %(num)d minute", "in %(num)d minutes", self.amount)


def _amount_text(amount: int, unit: str) -> str:
    # Coordinators type reminders back in these words ("7 days, 1 day").
    if unit == "d":
        # Translators: a reminder's time before the event; typed back by coordinators.
        return ngettext("%(num)d day", "%(num)d days", amount)
    if unit == "h":
        # Translators: a reminder's time before the event; typed back by coordinators.
        return ngettext("%(num)d hour", "%(num)d hours", amount)
    # Translators: a reminder's time before the event (or how long a reset link works).
    return ngettext("%(num)d minute", "%(num)d minutes", amount)


def _local_unit(word: str) -> str | None:
    """The unit whose word in the reader's language is ``word`` ("päivää" -> "d")."""
    for unit in _LIMITS:
        for amount in (1, 2, 5, 21):  # every plural form of the six languages
            text = _amount_text(amount, unit).lower().replace(str(amount), "", 1)
            if " ".join(text.split()) == word:
                return unit
    return None


def parse_offset(text: str) -> Offset:
    """ "7 days", "1 day", "7d", "1 hour", "2h", "15 minutes", "15 min" -> an ``Offset``."""
    cleaned = " ".join(text.lower().split())
    match = _OFFSET.match(cleaned)
    word = match.group(2).strip() if match else ""
    unit = (_UNIT_WORDS.get(word) or _local_unit(word)) if match else None
    if unit is None:
        raise ReminderError(
            _(
                "“%(text)s” is not a reminder: write e.g. “7 days”, “1 hour” or “15 minutes”.",
                text=text.strip(),
            )
        )
    amount = int(match.group(1))
    if not 1 <= amount <= _LIMITS[unit]:
        raise ReminderError(_limit_message(text.strip(), unit))
    return Offset(amount, unit)


def _limit_message(text: str, unit: str) -> str:
    limit = _LIMITS[unit]
    if unit == "d":
        return _("“%(text)s”: choose 1 to %(limit)d days.", text=text, limit=limit)
    if unit == "h":
        return _("“%(text)s”: choose 1 to %(limit)d hours.", text=text, limit=limit)
    return _("“%(text)s”: choose 1 to %(limit)d minutes.", text=text, limit=limit)


def parse_offsets(text: str) -> list[Offset]:
    """Reminders separated by commas, semicolons or new lines, largest first, no repeats.
    An empty text is no reminders."""
    pieces = [piece for piece in re.split(r"[,;\n]", text or "") if piece.strip()]
    offsets = sorted({parse_offset(piece) for piece in pieces}, key=lambda o: -o.delta)
    if len(offsets) > MAX_REMINDERS:
        raise ReminderError(
            ngettext(
                "At most %(num)d reminder per event.",
                "At most %(num)d reminders per event.",
                MAX_REMINDERS,
            )
        )
    return offsets


def _stored(offsets: Iterable[Offset]) -> str:
    return ",".join(offset.key for offset in offsets)


def _read(stored: str) -> list[Offset]:
    return [parse_offset(piece) for piece in stored.split(",") if piece]


def offsets_text(offsets: Iterable[Offset]) -> str:
    """The offsets as a person types them: "7 days, 1 day"."""
    return ", ".join(offset.label for offset in offsets)


# What an event kind has when no coordinator changed its defaults.
BUILTIN_DEFAULTS: dict[EventKind, str] = {
    EventKind.city_meeting: "7d,1d",
    EventKind.summit: "7d,1d",
    EventKind.kick_off: "7d,1d",
    EventKind.workshop: "7d,1d",
    EventKind.webinar: "1d,1h",
    EventKind.other: "1d",
}


# --- which reminders an event has ------------------------------------------------------


@dataclass(frozen=True)
class EventReminders:
    offsets: list[Offset]
    source: str  # "event", "series", "kind" or "built-in"

    @property
    def source_sentence(self) -> str:
        """Where the reminders come from, for the event's reminders page."""
        if self.source == "event":
            return _("This event follows this event's own.")
        if self.source == "series":
            return _("This event follows the series' reminders.")
        if self.source == "kind":
            return _("This event follows the defaults for its kind.")
        return _("This event follows the built-in defaults for its kind.")


def kind_defaults() -> dict[EventKind, tuple[list[Offset], bool]]:
    """Each kind's default reminders, and whether a coordinator set them."""
    stored = dict(
        db.session.execute(
            sa.select(ReminderPlan.event_kind, ReminderPlan.offsets).where(
                ReminderPlan.event_kind.is_not(None)
            )
        ).all()
    )
    return {
        kind: (_read(stored.get(kind, BUILTIN_DEFAULTS[kind])), kind in stored)
        for kind in EventKind
    }


def _plans_for(events: list[Event]) -> dict[tuple[str, object], str]:
    """The stored plans that can apply to ``events``, by ("event", id), ("series", id),
    ("kind", kind): one query."""
    event_ids = [event.id for event in events]
    series_ids = {event.series_id for event in events if event.series_id}
    condition = sa.or_(
        ReminderPlan.event_id.in_(event_ids),
        ReminderPlan.series_id.in_(series_ids),
        ReminderPlan.event_kind.is_not(None),
    )
    plans = {}
    for plan in db.session.execute(sa.select(ReminderPlan).where(condition)).scalars():
        if plan.event_id is not None:
            plans["event", plan.event_id] = plan.offsets
        elif plan.series_id is not None:
            plans["series", plan.series_id] = plan.offsets
        else:
            plans["kind", plan.event_kind] = plan.offsets
    return plans


def _resolve(event: Event, plans: dict) -> EventReminders:
    if ("event", event.id) in plans:
        return EventReminders(_read(plans["event", event.id]), "event")
    if event.series_id and ("series", event.series_id) in plans:
        return EventReminders(_read(plans["series", event.series_id]), "series")
    if ("kind", event.kind) in plans:
        return EventReminders(_read(plans["kind", event.kind]), "kind")
    return EventReminders(_read(BUILTIN_DEFAULTS[event.kind]), "built-in")


def reminders_for(event: Event) -> EventReminders:
    """The reminders ``event`` follows, and where they come from."""
    return _resolve(event, _plans_for([event]))


def series_reminders(series: EventSeries) -> list[Offset] | None:
    """The series' own reminders; None when it has none of its own (kind defaults)."""
    stored = db.session.execute(
        sa.select(ReminderPlan.offsets).where(ReminderPlan.series_id == series.id)
    ).scalar_one_or_none()
    return None if stored is None else _read(stored)


def _save_plan(owner: dict, offsets: list[Offset] | None) -> None:
    ((column, value),) = owner.items()
    plan = db.session.execute(
        sa.select(ReminderPlan).where(getattr(ReminderPlan, column) == value)
    ).scalar_one_or_none()
    if offsets is None:
        if plan is not None:
            db.session.delete(plan)
    elif plan is None:
        db.session.add(ReminderPlan(**owner, offsets=_stored(offsets)))
    else:
        plan.offsets = _stored(offsets)
    db.session.flush()


def set_event_reminders(event: Event, offsets: list[Offset] | None) -> None:
    """Give ``event`` its own reminders ([] = none); None: follow its series or kind."""
    _save_plan({"event_id": event.id}, offsets)


def set_series_reminders(series: EventSeries, offsets: list[Offset] | None) -> None:
    """Reminders for every occurrence of ``series`` that has none of its own; None:
    the occurrences follow their kind's defaults."""
    _save_plan({"series_id": series.id}, offsets)


def set_kind_defaults(kind: EventKind, offsets: list[Offset] | None) -> None:
    """The default reminders of ``kind``; None: back to the built-in ones."""
    _save_plan({"event_kind": kind}, offsets)


# --- when a reminder is due ------------------------------------------------------------


def reminder_hour() -> int:
    return current_app.config["REMINDER_HOUR"]


def due_at(event: Event, offset: Offset, zone: str, *, hour: int | None = None) -> datetime:
    """When ``offset`` is due for a person reading times in ``zone`` (UTC)."""
    if not offset.day_based:
        return event.starts_at - offset.delta
    tz = ZoneInfo(zone)
    if event.all_day and event.start_date is not None:
        day = event.start_date  # an all-day event is on its dates in every zone
    else:
        day = event.starts_at.astimezone(tz).date()
    local = datetime.combine(
        day - timedelta(days=offset.amount), time(reminder_hour() if hour is None else hour)
    )
    return local.replace(tzinfo=tz).astimezone(UTC)


def grace(offset: Offset) -> timedelta:
    return DAY_GRACE if offset.day_based else HOUR_GRACE


def _horizon() -> timedelta:
    """How far ahead an event may start and still have a reminder due now: the largest
    offset in use, plus a day (a day-based one is due on the recipient's date)."""
    stored = db.session.execute(sa.select(ReminderPlan.offsets).distinct()).scalars()
    offsets = [o for value in [*stored, *BUILTIN_DEFAULTS.values()] for o in _read(value)]
    return max(o.delta for o in offsets) + timedelta(days=1)


@dataclass
class DueReminder:
    registration_id: int
    event_id: int
    offset: Offset
    due: datetime
    starts_at: datetime
    message: EmailMessage


def find_due_reminders(now: datetime | None = None) -> list[DueReminder]:
    """The reminders to send now, each with its mail built: a query over the published
    events starting within the horizon, their plans, their confirmed registrations and
    what was sent to them — four queries, whatever the number of events."""
    now = now or utcnow()
    events = (
        db.session.execute(
            sa.select(Event).where(
                Event.status == EventStatus.published,
                Event.starts_at > now,
                Event.starts_at <= now + _horizon(),
            )
        )
        .scalars()
        .all()
    )
    if not events:
        return []
    plans = _plans_for(events)
    offsets = {event.id: _resolve(event, plans).offsets for event in events}
    events_by_id = {event.id: event for event in events if offsets[event.id]}
    if not events_by_id:
        return []
    registrations = (
        db.session.execute(
            sa.select(Registration).where(
                Registration.event_id.in_(events_by_id),
                Registration.status == RegistrationStatus.confirmed,
            )
        )
        .scalars()
        .all()
    )
    sent = defaultdict(set)
    for registration_id, key in db.session.execute(
        sa.select(ReminderSent.registration_id, ReminderSent.reminder_key)
        .join(Registration, Registration.id == ReminderSent.registration_id)
        .where(Registration.event_id.in_(events_by_id))
    ):
        sent[registration_id].add(key)
    due = []
    for registration in registrations:
        event, user = events_by_id[registration.event_id], registration.user
        if not user.active:
            continue
        zone = reading_zone(user, event)
        for offset in offsets[event.id]:
            if offset.key in sent[registration.id]:
                continue
            when = due_at(event, offset, zone)
            if not when <= now < when + grace(offset):
                continue
            if registration.created_at > when:  # registered after it was due
                continue
            due.append(
                DueReminder(
                    registration.id,
                    event.id,
                    offset,
                    when,
                    event.starts_at,
                    reminder_message(event, user, zone, offset),
                )
            )
    return due


def reminder_message(event: Event, user: User, zone: str, offset: Offset) -> EmailMessage:
    """The reminder mail to one confirmed person, times on their clock beside the
    event's, with the online link for online and hybrid events."""
    online = event.format in (EventFormat.online, EventFormat.hybrid)
    return mail_about_event(
        "reminder", user, event, zone=zone, include_online_link=online, ahead=offset.ahead
    )


def _insert_sent(reminder: DueReminder, now: datetime) -> bool:
    """Record the reminder as sent; False when another worker already did."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(ReminderSent)
        .values(
            registration_id=reminder.registration_id,
            reminder_key=reminder.offset.key,
            event_starts_at=reminder.starts_at,
            sent_at=now,
        )
        .on_conflict_do_nothing(index_elements=["registration_id", "reminder_key"])
        .returning(ReminderSent.id)
    )
    return db.session.execute(statement).scalar_one_or_none() is not None


def _still_due(reminder: DueReminder) -> bool:
    """Nothing changed since the reminder was found: the place is still confirmed and
    the event still published at the same start."""
    row = db.session.execute(
        sa.select(Registration.status, Event.status, Event.starts_at)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.id == reminder.registration_id)
    ).one_or_none()
    return row is not None and tuple(row) == (
        RegistrationStatus.confirmed,
        EventStatus.published,
        reminder.starts_at,
    )


def send_due_reminders(now: datetime | None = None) -> int:
    """Queue every reminder that is due; returns how many were queued.

    A worker, like ``deliver_due``: it commits once per reminder (the record and its
    outbox row together), so it must not run inside a caller's unit of work.
    """
    now = now or utcnow()
    due = find_due_reminders(now)
    db.session.commit()  # end the read: each reminder below is a transaction of its own
    queued = 0
    for reminder in due:
        take_sqlite_write_lock(db.session)
        if _insert_sent(reminder, now) and _still_due(reminder):
            enqueue(reminder.message)
            db.session.commit()
            queued += 1
        else:
            db.session.rollback()
    return queued


# --- what the reminders page tells coordinators ---------------------------------------


@dataclass(frozen=True)
class ReminderTime:
    offset: Offset
    due_in_event_zone: datetime  # for day-based ones: 09:00 on the event's clock
    sent: int


def reminder_times(event: Event) -> list[ReminderTime]:
    """The event's reminders with their time on the event's clock, and how many went out."""
    counts = dict(
        db.session.execute(
            sa.select(ReminderSent.reminder_key, sa.func.count())
            .join(Registration, Registration.id == ReminderSent.registration_id)
            .where(Registration.event_id == event.id)
            .group_by(ReminderSent.reminder_key)
        ).all()
    )
    return [
        ReminderTime(
            offset,
            due_at(event, offset, event.timezone).astimezone(event.zone),
            counts.get(offset.key, 0),
        )
        for offset in reminders_for(event).offsets
    ]


# --- alarms in a person's private feed ------------------------------------------------

ALARM_MINUTES = (15, 60, 1440)


def feed_alarm_minutes(user: User) -> int | None:
    alarm = db.session.get(FeedAlarm, user.id)
    return alarm.minutes_before if alarm else None


def set_feed_alarm(user: User, minutes: int | None) -> None:
    """Alarms ``minutes`` before each registered event in the person's private feed;
    None: none (the default)."""
    if minutes is not None and minutes not in ALARM_MINUTES:
        raise ReminderError(_("Choose one of the alarm times offered."))
    alarm = db.session.get(FeedAlarm, user.id)
    if minutes is None:
        if alarm is not None:
            db.session.delete(alarm)
    elif alarm is None:
        db.session.add(FeedAlarm(user_id=user.id, minutes_before=minutes))
    else:
        alarm.minutes_before = minutes
    db.session.flush()
