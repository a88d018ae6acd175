"""Events: what, when (UTC instants beside the event's IANA zone), where, for whom.

A series is a recurrence rule whose occurrences are stored as ordinary events
(``series_id`` + ``recurrence_id``), so each one can be moved, cancelled or
registered for on its own.

An event's title and description are its original text (typically English); a
coordinator may add them in the members' other languages (``EventTranslation``).
``Event.text_in(language)`` is the one place that chooses which text a reader gets:
theirs when there is one, else the original, each of the two on its own.
"""

import enum
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from flask_babel.speaklater import LazyString
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from nscal.accounts.models import User
from nscal.cities.models import City, ParticipantRole
from nscal.db import UTCDateTime, db, str_enum, utcnow
from nscal.i18n import DEFAULT_LANGUAGE, LANGUAGES

# The languages an event's text may be given in besides its original one.
TRANSLATED_LANGUAGES = tuple(code for code in LANGUAGES if code != DEFAULT_LANGUAGE)

# The labels people read. ``label`` is a plain str in the language of the request (or
# English outside one), safe for sorting, JSON and spreadsheets; ``lazy_label`` is the
# lazy string for what is built at import time (form choices).


class EventKind(enum.StrEnum):
    city_meeting = "city-meeting"
    summit = "summit"
    kick_off = "kick-off"
    workshop = "workshop"
    webinar = "webinar"
    other = "other"

    @property
    def lazy_label(self):
        return _KIND_LABELS[self.value]

    @property
    def label(self) -> str:
        return str(self.lazy_label)


_KIND_LABELS = {
    "city-meeting": _l("City meeting"),
    "summit": _l("Summit"),
    "kick-off": _l("Kick-off"),
    "workshop": _l("Workshop"),
    "webinar": _l("Webinar"),
    # Translators: a kind of event that is none of the others.
    "other": _l("Other"),
}


class EventFormat(enum.StrEnum):
    online = "online"
    in_person = "in-person"
    hybrid = "hybrid"

    @property
    def lazy_label(self):
        return _FORMAT_LABELS[self.value]

    @property
    def label(self) -> str:
        return str(self.lazy_label)


_FORMAT_LABELS = {
    # Translators: the format of an event (joined on the internet).
    "online": _l("Online"),
    "in-person": _l("In person"),
    "hybrid": _l("Hybrid"),
}


class Visibility(enum.StrEnum):
    public = "public"
    members = "members"

    @property
    def lazy_label(self):
        return _l("Public") if self is Visibility.public else _l("Members only")

    @property
    def label(self) -> str:
        return str(self.lazy_label)


class EventStatus(enum.StrEnum):
    draft = "draft"
    published = "published"
    cancelled = "cancelled"

    @property
    def lazy_label(self):
        return _STATUS_LABELS[self.value]

    @property
    def label(self) -> str:
        return str(self.lazy_label)


_STATUS_LABELS = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "cancelled": LazyString(lambda: pgettext("event status", "Cancelled")),
}


def new_uid() -> str:
    return f"{uuid.uuid4()}@nscal"


event_audience = sa.Table(
    "event_audience",
    db.metadata,
    sa.Column("event_id", sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "participant_role_id",
        sa.ForeignKey("participant_role.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)


class EventSeries(db.Model):
    """A recurrence rule (RFC 5545 RRULE value) expanded in the events' local wall-clock time."""

    __tablename__ = "event_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(255), unique=True, default=new_uid)
    rrule: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    occurrences: Mapped[list["Event"]] = relationship(
        back_populates="series", order_by="Event.recurrence_id"
    )


class Event(db.Model):
    __tablename__ = "event"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.UniqueConstraint("series_id", "recurrence_id", name="uq_event_series_occurrence"),
        sa.Index("ix_event_window", "starts_at", "ends_at"),
        # The events not over yet, or in a feed's window, with what decides who sees
        # them: the upcoming list's count reads only this index (SQLite included, where
        # it read every upcoming event's wide row), and on PostgreSQL a feed's change
        # check (ids, latest change) too; SQLite ignores INCLUDE.
        sa.Index(
            "ix_event_feed_window",
            "ends_at",
            "visibility",
            "status",
            postgresql_include=["id", "updated_at"],
        ),
        sa.Index("ix_event_updated_at", "updated_at"),
        # Every column the year plan (nscal.events.plan._COLUMNS) and the year page
        # (nscal.events.views.calendar.LISTING_COLUMNS) read, in the plan's order
        # (start, id): both read a year's events from this index alone, not from the
        # wide rows, where reaching ``timezone`` means reading past the description (the
        # id named for PostgreSQL, where it is not implicit as SQLite's rowid).
        sa.Index(
            "ix_event_plan",
            "starts_at",
            "id",
            "ends_at",
            "all_day",
            "start_date",
            "end_date",
            "timezone",
            "status",
            "format",
            "host_city_id",
            "title",
            "visibility",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(255), unique=True, default=new_uid)
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, "event_kind"))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    format: Mapped[EventFormat] = mapped_column(str_enum(EventFormat, "event_format"))
    host_city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("city.id"), index=True)
    venue: Mapped[str] = mapped_column(sa.String(300), default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    timezone: Mapped[str] = mapped_column(sa.String(64))
    # Instants in UTC. For all-day events: local midnight of start_date and end_date.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    all_day: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # All-day events only: local dates, end exclusive (as VALUE=DATE in iCalendar).
    start_date: Mapped[date | None] = mapped_column(sa.Date)
    end_date: Mapped[date | None] = mapped_column(sa.Date)
    visibility: Mapped[Visibility] = mapped_column(
        str_enum(Visibility, "event_visibility"), default=Visibility.public
    )
    status: Mapped[EventStatus] = mapped_column(
        str_enum(EventStatus, "event_status"), default=EventStatus.draft, index=True
    )
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    capacity: Mapped[int | None] = mapped_column()
    # Rises on every change people's calendars must learn of (time, place, status).
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    series_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("event_series.id", ondelete="SET NULL"), index=True
    )
    # The start the series rule gave this occurrence (RECURRENCE-ID), even after a move.
    recurrence_id: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Changed by hand: later changes to the series leave this occurrence alone.
    detached: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    host_city: Mapped[City | None] = relationship(lazy="joined")
    audience: Mapped[list[ParticipantRole]] = relationship(
        secondary=event_audience, lazy="selectin", order_by=ParticipantRole.id
    )
    series: Mapped[EventSeries | None] = relationship(back_populates="occurrences")
    created_by: Mapped[User | None] = relationship()
    # Loaded for many events at once when first asked for (see ``text_in``).
    translations: Mapped[list["EventTranslation"]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="EventTranslation.language",
    )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.zone)

    @property
    def is_for_everyone(self) -> bool:
        return not self.audience

    def is_for_role(self, role: ParticipantRole | None) -> bool:
        return self.is_for_everyone or (role is not None and role in self.audience)

    @property
    def is_cancelled(self) -> bool:
        return self.status is EventStatus.cancelled

    def text_in(self, language: str | None) -> "EventText":
        """The title and description a reader of ``language`` gets: the ones written in
        that language, else the original (the title and the description each on its own).

        The original language asks nothing of the database. Otherwise the first event
        asked brings the translations of every event its session holds, in one query,
        so that a page of events costs one query more, not one per event.
        """
        if language not in TRANSLATED_LANGUAGES:
            return EventText(self.title, self.description)
        translation = self.translations_by_language().get(language)
        if translation is None:
            return EventText(self.title, self.description)
        return EventText(
            translation.title or self.title, translation.description or self.description
        )

    def translations_by_language(self) -> dict[str, "EventTranslation"]:
        """The event's texts in other languages, by language code."""
        state = sa.inspect(self)
        if state.session is not None and _lacks_translations(self):
            load_translations(
                [
                    stored
                    for stored in state.session.identity_map.values()
                    if isinstance(stored, Event)
                ]
            )
        return {translation.language: translation for translation in self.translations}

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r} {self.starts_at:%Y-%m-%d %H:%M}Z>"


class EventText(NamedTuple):
    """What a reader gets of an event in their language (``Event.text_in``)."""

    title: str
    description: str


class EventTranslation(db.Model):
    """An event's title and description in one more language.

    Either may be empty: the reader then gets the original one (``Event.text_in``).
    """

    __tablename__ = "event_translation"

    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    # One of TRANSLATED_LANGUAGES (checked by the events service, which writes them).
    language: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")

    event: Mapped[Event] = relationship(back_populates="translations")

    def __repr__(self) -> str:
        return f"<EventTranslation {self.event_id} {self.language} {self.title!r}>"


# Ids per query when translations are loaded for many events (far below the bound-
# parameter limits of SQLite and PostgreSQL: a year's calendar is one query).
_TRANSLATIONS_AT_ONCE = 5000


def _lacks_translations(event: Event) -> bool:
    state = sa.inspect(event)
    return (
        state.key is not None
        and not state.deleted
        and not state.detached
        and "translations" in state.unloaded
    )


def load_translations(events: Iterable[Event]) -> None:
    """Load the translations of those of ``events`` that do not have them yet, in one
    query (for lists and calendars; ``Event.text_in`` calls it by itself)."""
    # The id from the identity key: reading ``event.id`` would refresh an expired event.
    waiting = {sa.inspect(event).key[1][0]: event for event in events if _lacks_translations(event)}
    if not waiting:
        return
    found: dict[int, list[EventTranslation]] = defaultdict(list)
    ordered = sorted(waiting)
    for start in range(0, len(ordered), _TRANSLATIONS_AT_ONCE):
        ids = ordered[start : start + _TRANSLATIONS_AT_ONCE]
        rows = db.session.execute(
            sa.select(EventTranslation)
            .where(EventTranslation.event_id.in_(ids))
            .order_by(EventTranslation.event_id, EventTranslation.language)
        ).scalars()
        for translation in rows:
            found[translation.event_id].append(translation)
    for event_id, event in waiting.items():
        set_committed_value(event, "translations", found.get(event_id, []))


class AcceptedConflict(db.Model):
    """A conflict a coordinator looked at and accepted, so it no longer counts as a warning.

    ``conflict_key`` is ``"overlap:<other event id>"`` or ``"outside-hours"`` (see
    ``nscal.events.conflicts``). An accepted overlap holds for both events of the pair
    while both exist; accepted office hours hold while ``message`` still describes
    them (a new time is a new decision).
    """

    __tablename__ = "accepted_conflict"
    __table_args__ = (sa.UniqueConstraint("event_id", "conflict_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    conflict_key: Mapped[str] = mapped_column(sa.String(40))
    other_event_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("event.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str] = mapped_column(sa.Text, default="")
    accepted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    accepted_by: Mapped[User | None] = relationship()
