"""What each feed shows, its cheap version (ETag, Last-Modified) and its body.

A feed is described by a ``FeedSpec``: a SQL condition on events plus names of the
things it refers to. ``feed_version`` answers with one statement that reads the
feed's change counter (``nscal.feeds.stored``) and, for a private feed, its reader's
registrations by their index: its cost does not depend on the number of events, and
a conditional request (304) never loads or renders events. ``feed_body`` concatenates
the stored VEVENTs (plus the VTIMEZONEs they need) straight from the database, so
every worker serves the same bytes and renders nothing; a large feed is read in
pieces while it is sent, and only small public feeds are kept whole by a worker.

Feeds show the events that ended within ``FEED_PAST`` before the start of the current
UTC day, and every later one: a window that moves once a day, so the counter and the
day say everything about a feed's content. Cancelled events stay (STATUS:CANCELLED) so
calendar apps learn of the cancellation; drafts never appear.
"""

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext

from nscal.accounts.models import User
from nscal.cities.models import City, ParticipantRole
from nscal.config import NETWORK_NAME
from nscal.db import db, utcnow
from nscal.events.models import Event, EventFormat, EventKind, EventStatus, Visibility
from nscal.events.services import audience_includes
from nscal.feeds.cache import ByteBoundedCache, app_cache, clear_all
from nscal.feeds.files import FeedFile, feed_file
from nscal.feeds.ical import END_VCALENDAR, calendar_head, calendar_start, with_reader_parts
from nscal.feeds.models import FeedChange, StoredVevent
from nscal.feeds.stored import (
    ALL_SCOPE,
    FEED_FORMAT,
    FEED_STATUSES,
    PUBLIC_SCOPE,
    load_events,
    render_key,
    store_missing,
    vtimezones,
)
from nscal.i18n import DEFAULT_LANGUAGE, LANGUAGES
from nscal.registrations.models import ACTIVE_STATUSES, Registration, RegistrationStatus
from nscal.reminders.models import FeedAlarm

FEED_PAST = timedelta(days=365)
# A feed of up to this many events is joined in memory (about 1.1 kB each), and kept
# by the worker when it is public; a larger one is sent in pieces of STREAM_PIECE
# bytes, read STREAM_ROWS events at a time.
IN_MEMORY_ROWS = 2000
STREAM_ROWS = 1000
STREAM_PIECE = 256 * 1024


@dataclass(frozen=True)
class FeedSpec:
    """Which events a feed shows, and what identifies it among all feeds.

    The SQL condition is built only when the feed's events are read (``condition``):
    a 304 needs none of it."""

    kind: str  # "network", "city" or "personal"
    key: tuple  # the feed's identity: kind, filters, reader
    where: Callable[[], sa.ColumnElement[bool]]
    user: User | None = None
    filters: dict[str, str] = field(default_factory=dict)
    # The change counter the feed follows: the public feeds ignore members-only events.
    scope: str = PUBLIC_SCOPE

    @property
    def condition(self) -> sa.ColumnElement[bool]:
        return self.where()


@dataclass(frozen=True)
class FeedVersion:
    etag: str  # without quotes
    last_modified: datetime | None


@dataclass(frozen=True)
class FeedBody:
    """A feed's bytes (``data``), or their length and the pieces to read while sending,
    and what to call when the response is closed."""

    length: int
    data: bytes | None = None
    pieces: Callable[[], Iterator[bytes]] | None = None
    close: Callable[[], None] | None = None


class UnknownFilter(LookupError):
    """A filter names no city, participant role or kind: the feed does not exist."""


def feed_language(asked: str | None, reader: User | None = None) -> str:
    """The language a feed is written in: ``?lang=`` when it names one of ours, else
    the private feed's owner's own language (when accounts have one), else English."""
    if asked in LANGUAGES:
        return asked
    own = getattr(reader, "language", None) if reader is not None else None
    return own if own in LANGUAGES else DEFAULT_LANGUAGE


def _public_condition() -> sa.ColumnElement[bool]:
    return sa.and_(Event.visibility == Visibility.public, Event.status.in_(FEED_STATUSES))


def _for_role(slug: str) -> sa.ColumnElement[bool]:
    """Events meant for the role: the role is in the audience, or the audience is everyone."""
    role_id = sa.select(ParticipantRole.id).where(ParticipantRole.slug == slug).scalar_subquery()
    return audience_includes(role_id)


def network_feed(
    *, city: str | None = None, kind: str | None = None, role: str | None = None
) -> FeedSpec:
    """/calendar.ics: the public events (published and cancelled), filtered like /events/:
    ``city`` = host city slug, ``kind`` = event kind, ``role`` = participant role slug
    (events for everyone count as events for every role)."""
    filters = {}
    if city:
        filters["city"] = city
    if kind:
        try:
            EventKind(kind)
        except ValueError:
            raise UnknownFilter(f"unknown event kind {kind!r}") from None
        filters["kind"] = kind
    if role:
        filters["role"] = role

    def where() -> sa.ColumnElement[bool]:
        conditions = [_public_condition()]
        if city:
            conditions.append(Event.host_city.has(City.slug == city))
        if kind:
            conditions.append(Event.kind == EventKind(kind))
        if role:
            conditions.append(_for_role(role))
        return sa.and_(*conditions)

    key = ("network", tuple(sorted(filters.items())))
    return FeedSpec("network", key, where, filters=filters)


def city_feed(slug: str) -> FeedSpec:
    """/cities/<slug>/calendar.ics: the public events the city hosts, plus the online
    events for everyone hosted anywhere (or by no city), which anyone in the city can
    join from their desk. Members-only events are never in it."""

    def where() -> sa.ColumnElement[bool]:
        return sa.and_(
            _public_condition(),
            sa.or_(
                Event.host_city.has(City.slug == slug),
                sa.and_(Event.format == EventFormat.online, audience_includes(None)),
            ),
        )

    return FeedSpec("city", ("city", slug), where, filters={"city": slug})


def user_for_feed_token(token: str) -> User | None:
    """The active person whose private feed URL has ``token``; None for any other token."""
    if len(token) < 20:  # no token we issue is this short: save the query
        return None
    user = db.session.execute(sa.select(User).where(User.feed_token == token)).scalar_one_or_none()
    return user if user is not None and user.active else None


def _registered_event_ids(user: User) -> sa.Select:
    return sa.select(Registration.event_id).where(
        Registration.user_id == user.id, Registration.status.in_(ACTIVE_STATUSES)
    )


def personal_feed_condition(user: User) -> sa.ColumnElement[bool]:
    """The events of a person's private feed: the public events, the members-only
    events meant for them (their participant role is in the audience, or the audience
    is everyone), and every event they are registered for."""
    members_for_them = audience_includes(user.participant_role_id)
    return sa.and_(
        Event.status.in_(FEED_STATUSES),
        sa.or_(
            Event.visibility == Visibility.public,
            members_for_them,
            Event.id.in_(_registered_event_ids(user)),
        ),
    )


def personal_feed(user: User) -> FeedSpec:
    key = (
        "personal",
        user.id,
        user.name,  # in the calendar's name
        user.participant_role_id,
    )
    return FeedSpec(
        "personal", key, lambda: personal_feed_condition(user), user=user, scope=ALL_SCOPE
    )


def _alarm_minutes(user: User) -> sa.Select:
    return sa.select(FeedAlarm.minutes_before).where(FeedAlarm.user_id == user.id)


# The validator statements, one per shape of feed, built once: their values are bound.
_VERSION_QUERIES: dict[tuple, sa.Select] = {}


def _version_query(spec: FeedSpec) -> tuple[sa.Select, dict]:
    """The feed's validator statement and its values: the change counter and, for a
    private feed, its reader's registration state and alarm, and whether the things
    the feed names exist."""
    shape = (spec.kind, "city" in spec.filters, "role" in spec.filters)
    query = _VERSION_QUERIES.get(shape)
    if query is None:
        query = _VERSION_QUERIES[shape] = _build_version_query(*shape)
    values = {
        "scope": spec.scope,
        "city": spec.filters.get("city"),
        "role": spec.filters.get("role"),
    }
    if spec.user is not None:
        values["user_id"] = spec.user.id
    return query, values


def _build_version_query(kind: str, names_city: bool, names_role: bool) -> sa.Select:
    change = FeedChange.__table__
    mine = change.c.scope == sa.bindparam("scope")
    columns = [
        sa.select(change.c.counter).where(mine).scalar_subquery(),
        sa.select(change.c.changed_at).where(mine).scalar_subquery(),
    ]
    if kind == "personal":
        # The count and latest change of the reader's registrations (their feed shows
        # them), and their alarm. Read through the registrations' index on the person
        # rather than counted into the change counter: a registration then writes
        # nothing more in its critical section, changes no one else's ETag, and a
        # purge that deletes registrations in bulk (no session hook sees it) counts.
        reader = sa.bindparam("user_id")
        theirs = Registration.user_id == reader
        columns += [
            sa.select(sa.func.count()).where(theirs).scalar_subquery(),
            sa.select(sa.func.max(Registration.updated_at)).where(theirs).scalar_subquery(),
            sa.select(FeedAlarm.minutes_before)
            .where(FeedAlarm.user_id == reader)
            .scalar_subquery(),
        ]
    if names_city:
        exists = sa.exists().where(City.slug == sa.bindparam("city"))
        columns.append(sa.case((exists, 1), else_=0).label("city_exists"))
    if names_role:
        exists = sa.exists().where(ParticipantRole.slug == sa.bindparam("role"))
        columns.append(sa.case((exists, 1), else_=0).label("role_exists"))
    return sa.select(*columns)


def window_start(now: datetime) -> datetime:
    """The earliest end of an event in feeds: ``FEED_PAST`` before today (UTC) began."""
    today = now.astimezone(UTC).date()
    return datetime.combine(today, time(0), tzinfo=UTC) - FEED_PAST


def _in_window(condition: sa.ColumnElement[bool], now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(condition, Event.ends_at > window_start(now))


def feed_version(spec: FeedSpec, language: str, *, now: datetime | None = None) -> FeedVersion:
    """The feed's validators, from one statement; UnknownFilter when it does not exist.

    The ETag follows the feed's change counter, the day (the window moves daily), the
    feed and its reader, the language and what the VEVENTs were rendered with.
    Last-Modified is the later of the counter's last change and the start of the day:
    it only rises.
    """
    now = now or utcnow()
    query, values = _version_query(spec)
    counter, changed_at, *rest = db.session.execute(query, values).one()
    checks = len(rest) - (3 if spec.kind == "personal" else 0)
    extra, found = rest[: len(rest) - checks], rest[len(rest) - checks :]
    if not all(found):
        raise UnknownFilter(f"the {spec.kind} feed {spec.key!r} names something unknown")
    start = window_start(now)
    state = (
        FEED_FORMAT,
        render_key(language),
        spec.key,
        language,
        spec.scope,
        counter,
        str(changed_at),
        start.isoformat(),
        *map(str, extra),
    )
    etag = hashlib.sha256(repr(state).encode()).hexdigest()[:32]
    day = start + FEED_PAST
    return FeedVersion(etag, max(changed_at, day) if changed_at is not None else day)


def feed_name(spec: FeedSpec) -> str:
    """The calendar's name in people's apps (in the current locale)."""
    if spec.kind == "personal":
        return f"{NETWORK_NAME} ({spec.user.name})"
    names = []
    if "city" in spec.filters:
        city = db.session.execute(
            sa.select(City.name).where(City.slug == spec.filters["city"])
        ).scalar_one()
        names.append(city)
    if "kind" in spec.filters:
        names.append(str(EventKind(spec.filters["kind"]).label))
    if "role" in spec.filters:
        role = db.session.execute(
            sa.select(ParticipantRole.name).where(ParticipantRole.slug == spec.filters["role"])
        ).scalar_one()
        names.append(gettext("for %(role)s", role=role))
    return " · ".join([NETWORK_NAME, *names])


def feed_description(spec: FeedSpec) -> str:
    if spec.kind == "personal":
        return gettext("Your private Nordic Safe Cities calendar. Keep its address to yourself.")
    if spec.kind == "city":
        return gettext("Events hosted by the city and the network's online events for everyone.")
    return gettext("Public events of the Nordic Safe Cities network.")


def _stored_in(language: str):
    """The join of an event to its stored VEVENT in ``language``, when that is current."""
    stored = StoredVevent.__table__
    return stored, sa.and_(
        stored.c.event_id == Event.id,
        stored.c.language == language,
        stored.c.render_key == render_key(language),
        stored.c.source_updated_at == Event.updated_at,
    )


def feed_body(
    spec: FeedSpec,
    language: str,
    *,
    name: str,
    url: str,
    now: datetime | None = None,
    length_only: bool = False,
) -> FeedBody:
    """The feed in ``language``: the stored VEVENTs of its events in time order, those
    not stored yet rendered and stored now, a private feed's reader's own parts added
    to theirs. ``name`` is the calendar's name, ``url`` its address (SOURCE);
    ``length_only`` for a HEAD request, which sends no body.

    A feed of up to ``IN_MEMORY_ROWS`` events is read in one statement and joined; a
    larger one is sent in pieces read while it is sent (``STREAM_ROWS`` at a time),
    its length and VTIMEZONEs known first from an aggregate over the same snapshot:
    the memory a worker needs stays flat as events grow."""
    now = now or utcnow()
    condition = _in_window(spec.condition, now)
    # How large the feed is, from the events alone, counting no further than the limit.
    probe = sa.select(Event.id).where(condition).limit(IN_MEMORY_ROWS + 1).subquery()
    if db.session.scalar(sa.select(sa.func.count()).select_from(probe)) > IN_MEMORY_ROWS:
        if length_only:
            return _streamed_body(db.session.connection(), spec, language, name, url, condition)
        # A connection of its own, in one snapshot from the aggregate to the last piece,
        # closed after the last piece, or with the response if it is never read.
        connection = _snapshot_connection()
        try:
            body = _streamed_body(connection, spec, language, name, url, condition)
        except BaseException:
            connection.close()
            raise
        return replace(body, close=connection.close)
    stored, current = _stored_in(language)
    # One statement: consistent by itself, on every database.
    rows = db.session.execute(
        sa.select(Event.id, stored.c.vevent, stored.c.tzid)
        .outerjoin(stored, current)
        .where(condition)
        .order_by(Event.starts_at, Event.id)
    ).all()
    substitutes: dict[int, bytes] = {}
    tzids = {tzid for _id, text, tzid in rows if text is not None and tzid}
    missing = [event_id for event_id, text, _tzid in rows if text is None]
    if missing:
        for event_id, (vevent, tzid) in store_missing(missing, language).items():
            substitutes[event_id] = vevent
            if tzid:
                tzids.add(tzid)
    if spec.kind == "personal":
        _add_reader_parts(db.session.connection(), spec.user, language, condition, substitutes)
    head = calendar_head(name, url, "PUBLISH", feed_description(spec))
    start = calendar_start(head, tzids, vtimezones(tzids).__getitem__)
    parts = [start]
    for event_id, text, _tzid in rows:
        vevent = substitutes.get(event_id)
        if vevent is None and text is not None:
            vevent = text.encode("utf-8")
        if vevent is not None:  # deleted while it was rendered: left out
            parts.append(vevent)
    parts.append(END_VCALENDAR)
    body = b"".join(parts)
    return FeedBody(len(body), data=body)


def _streamed_body(
    connection: sa.Connection,
    spec: FeedSpec,
    language: str,
    name: str,
    url: str,
    condition: sa.ColumnElement[bool],
) -> FeedBody:
    stored, current = _stored_in(language)
    totals = connection.execute(
        sa.select(
            stored.c.tzid,
            sa.func.count(Event.id),
            sa.func.count(stored.c.event_id),
            sa.func.coalesce(sa.func.sum(stored.c.octets), 0),
        )
        .select_from(Event)
        .outerjoin(stored, current)
        .where(condition)
        .group_by(stored.c.tzid)
    ).all()
    tzids = {tzid for tzid, _all, found, _octets in totals if tzid and found}
    length = sum(int(octets) for *_rest, octets in totals)
    # Bytes sent in place of the stored ones (or of none), by event id.
    substitutes: dict[int, bytes] = {}
    if any(count != found for _tzid, count, found, _octets in totals):
        missing = connection.scalars(
            sa.select(Event.id)
            .outerjoin(stored, current)
            .where(condition, stored.c.event_id.is_(None))
        ).all()
        rendered = store_missing(missing, language)
        for event_id in missing:
            # An event deleted while it was rendered is left out, though this snapshot
            # still lists it: as no bytes.
            vevent, tzid = rendered.get(event_id, (b"", None))
            substitutes[event_id] = vevent
            length += len(vevent)
            if tzid:
                tzids.add(tzid)
    if spec.kind == "personal":
        length += _add_reader_parts(connection, spec.user, language, condition, substitutes)
    head = calendar_head(name, url, "PUBLISH", feed_description(spec))
    start = calendar_start(head, tzids, vtimezones(tzids).__getitem__)
    length += len(start) + len(END_VCALENDAR)

    def pieces() -> Iterator[bytes]:
        yield start
        query = (
            sa.select(Event.id, stored.c.vevent)
            .outerjoin(stored, current)
            .where(condition)
            .order_by(Event.starts_at, Event.id)
        )
        piece, size = [], 0
        try:
            result = connection.execution_options(yield_per=STREAM_ROWS).execute(query)
            # Whole partitions: one FETCH of STREAM_ROWS rows each, not a row at a time.
            for rows in result.partitions():
                for event_id, text in rows:
                    vevent = substitutes.get(event_id)
                    if vevent is None:
                        vevent = text.encode("utf-8")
                    piece.append(vevent)
                    size += len(vevent)
                if size >= STREAM_PIECE:
                    yield b"".join(piece)
                    piece, size = [], 0
        finally:
            connection.close()
        piece.append(END_VCALENDAR)
        yield b"".join(piece)

    return FeedBody(length, pieces=pieces)


# Public feeds of up to IN_MEMORY_ROWS events, whole, by version and address, within
# FEED_BODY_CACHE_BYTES: a warm feed is then a 304's one statement plus the bytes.
# Not the private feeds: each has one reader, who fetches it once an hour or so.
BODY_CACHE = "feed-bodies"


def _body_cache() -> ByteBoundedCache:
    return app_cache(BODY_CACHE, "FEED_BODY_CACHE_BYTES", len)


def cached_body(spec: FeedSpec, version: FeedVersion, url: str) -> bytes | None:
    """The bytes of this version of a public feed, when this worker joined them before."""
    if spec.kind == "personal":
        return None
    return _body_cache().get((version.etag, url))


def keep_body(spec: FeedSpec, version: FeedVersion, url: str, body: FeedBody) -> None:
    if spec.kind != "personal" and body.data is not None:
        _body_cache().put((version.etag, url), body.data)


def public_feed_file(
    spec: FeedSpec, version: FeedVersion, url: str, language: str
) -> FeedFile | None:
    """Where this server keeps this version of a public feed sent in pieces
    (``nscal.feeds.files``); None for a private feed, which is never written to disk,
    and when the server keeps no feed files."""
    if spec.kind == "personal" or spec.scope != PUBLIC_SCOPE:
        return None
    return feed_file(version.etag, url, language)


def clear_feed_cache() -> None:
    """Forget every whole feed kept (of every app in this process)."""
    clear_all(BODY_CACHE)


def _add_reader_parts(
    connection: sa.Connection,
    user: User,
    language: str,
    condition: sa.ColumnElement[bool],
    substitutes: dict[int, bytes],
) -> int:
    """Put the reader's own parts (registration, online link once confirmed, alarm) into
    the VEVENTs of the events they registered for; the bytes this adds to the feed."""
    statuses = dict(
        db.session.execute(
            sa.select(Registration.event_id, Registration.status).where(
                Registration.user_id == user.id, Registration.status.in_(ACTIVE_STATUSES)
            )
        ).all()
    )
    if not statuses:
        return 0
    alarm = db.session.execute(_alarm_minutes(user)).scalar_one_or_none()
    stored, current = _stored_in(language)
    public = {
        event_id: text.encode("utf-8") if text is not None else None
        for event_id, text in connection.execute(
            sa.select(Event.id, stored.c.vevent)
            .outerjoin(stored, current)
            .where(condition, Event.id.in_(list(statuses)))
        )
    }
    added = 0
    for event in load_events(db.session, list(public)):
        before = substitutes.get(event.id) or public[event.id]
        status = statuses[event.id]
        own = with_reader_parts(
            before,
            event,
            registration_status=status.value,
            include_online_link=status is RegistrationStatus.confirmed,
            alarm_minutes=alarm if event.status is not EventStatus.cancelled else None,
        )
        substitutes[event.id] = own
        added += len(own) - len(before)
    return added


def feed_reads() -> None:
    """Read this request's statements without a transaction (PostgreSQL: AUTOCOMMIT, set
    before the first statement, no round trip): a feed request only reads, each of its
    statements is consistent by itself, and it saves the BEGIN and the ROLLBACK, two of
    a 304's few round trips. A feed sent in pieces reads them on a connection of its
    own, in one snapshot (``_snapshot_connection``). SQLite begins no transaction for reads."""
    if db.session().in_transaction():  # too late to choose (only where tests share a session)
        return
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def _snapshot_connection() -> sa.Connection:
    """A connection whose statements read one snapshot: PostgreSQL's REPEATABLE READ,
    SQLite's read transaction (its driver begins one only for writes)."""
    connection = db.engine.connect()
    if connection.dialect.name == "postgresql":
        connection.execution_options(isolation_level="REPEATABLE READ")
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")
    return connection
