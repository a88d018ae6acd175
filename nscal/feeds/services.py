"""What each feed shows, its cheap version (ETag, Last-Modified) and its cached body.

A feed is described by a ``FeedSpec``: a SQL condition on events plus names of the
things it refers to. ``feed_version`` answers with a single aggregate query, so a
conditional request (304) never loads or renders events; ``feed_body`` renders
only when that version has not been rendered before in this process.

Feeds show events that ended within the last ``FEED_PAST`` and every later one;
cancelled events stay (STATUS:CANCELLED) so calendar apps learn of the cancellation;
drafts never appear.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from nscal.accounts.models import User
from nscal.cities.models import City, ParticipantRole
from nscal.config import NETWORK_NAME
from nscal.db import db, utcnow
from nscal.events.models import Event, EventFormat, EventKind, EventStatus, Visibility
from nscal.events.services import audience_includes
from nscal.feeds.cache import ByteBoundedCache, app_cache, clear_all
from nscal.feeds.ical import FeedItem, feed_calendar, vevent_key
from nscal.registrations.models import ACTIVE_STATUSES, Registration, RegistrationStatus
from nscal.reminders.models import FeedAlarm

try:
    from tzdata import IANA_VERSION as TZDATA_VERSION
except ImportError:  # pragma: no cover - tzdata is a dependency
    TZDATA_VERSION = "system"

FEED_PAST = timedelta(days=365)
# Part of every ETag: raise it when the rendering of feeds changes.
FEED_FORMAT = "nscal-feed-1"

FEED_STATUSES = (EventStatus.published, EventStatus.cancelled)


@dataclass(frozen=True)
class FeedSpec:
    """Which events a feed shows, and what identifies it among all feeds."""

    kind: str  # "network", "city" or "personal"
    key: tuple  # the feed's identity: kind, filters, reader
    condition: sa.ColumnElement[bool]
    # Conditions that must hold for the feed to exist (e.g. its city exists).
    requires: tuple[sa.ColumnElement[bool], ...] = ()
    # Values beyond the events that change the feed, read in the same query.
    also_changes_with: tuple[sa.ColumnElement, ...] = ()
    user: User | None = None
    filters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FeedVersion:
    etag: str  # without quotes
    last_modified: datetime | None


class UnknownFilter(LookupError):
    """A filter names no city, participant role or kind: the feed does not exist."""


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
    conditions = [_public_condition()]
    requires = []
    filters = {}
    if city:
        conditions.append(Event.host_city.has(City.slug == city))
        requires.append(sa.exists().where(City.slug == city))
        filters["city"] = city
    if kind:
        try:
            conditions.append(Event.kind == EventKind(kind))
        except ValueError:
            raise UnknownFilter(f"unknown event kind {kind!r}") from None
        filters["kind"] = kind
    if role:
        conditions.append(_for_role(role))
        requires.append(sa.exists().where(ParticipantRole.slug == role))
        filters["role"] = role
    key = ("network", tuple(sorted(filters.items())))
    return FeedSpec("network", key, sa.and_(*conditions), tuple(requires), filters=filters)


def city_feed(slug: str) -> FeedSpec:
    """/cities/<slug>/calendar.ics: the public events the city hosts, plus the online
    events for everyone hosted anywhere (or by no city), which anyone in the city can
    join from their desk. Members-only events are never in it."""
    condition = sa.and_(
        _public_condition(),
        sa.or_(
            Event.host_city.has(City.slug == slug),
            sa.and_(Event.format == EventFormat.online, audience_includes(None)),
        ),
    )
    requires = (sa.exists().where(City.slug == slug),)
    return FeedSpec("city", ("city", slug), condition, requires, filters={"city": slug})


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
        "personal",
        key,
        personal_feed_condition(user),
        user=user,
        also_changes_with=_registration_state(user),
    )


def _registration_state(user: User) -> tuple[sa.ColumnElement, ...]:
    """The count and latest change of a person's registrations: their feed shows them;
    and the alarm they asked for in it."""
    mine = Registration.user_id == user.id
    return (
        sa.select(sa.func.count()).where(mine).scalar_subquery(),
        sa.select(sa.func.max(Registration.updated_at)).where(mine).scalar_subquery(),
        _alarm_minutes(user).scalar_subquery(),
    )


def _alarm_minutes(user: User) -> sa.Select:
    return sa.select(FeedAlarm.minutes_before).where(FeedAlarm.user_id == user.id)


def _in_window(condition: sa.ColumnElement[bool], now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(condition, Event.ends_at > now - FEED_PAST)


def feed_version(spec: FeedSpec, *, now: datetime | None = None) -> FeedVersion:
    """The feed's validators, from one aggregate query; UnknownFilter when it does not exist.

    The ETag changes when an event enters or leaves the feed or changes (count, sum of
    ids, latest ``updated_at`` of the feed's events). Last-Modified is the latest change
    of any event: it only rises, even when an event leaves the feed.
    """
    now = now or utcnow()
    # The feed's condition goes in WHERE: evaluated once per event (as CASE arms of each
    # aggregate it was evaluated three times), and an index on the window could serve
    # it. The latest change of any event is a scalar subquery beside it.
    query = (
        sa.select(
            sa.func.count(Event.id),
            sa.func.coalesce(sa.func.sum(Event.id), 0),
            sa.func.max(Event.updated_at),
            sa.select(sa.func.max(Event.updated_at)).correlate(None).scalar_subquery(),
            *spec.also_changes_with,
            *[sa.case((check, 1), else_=0) for check in spec.requires],
        )
        .select_from(Event)
        .where(_in_window(spec.condition, now))
    )
    count, id_sum, latest, last_modified, *rest = db.session.execute(query).one()
    extra, checks = rest[: len(spec.also_changes_with)], rest[len(spec.also_changes_with) :]
    if not all(checks):
        raise UnknownFilter(f"the {spec.kind} feed {spec.key!r} names something unknown")
    state = (
        FEED_FORMAT,
        TZDATA_VERSION,
        current_app.config["BASE_URL"],
        spec.key,
        count,
        int(id_sum),
        str(latest),
        *map(str, extra),
    )
    etag = hashlib.sha256(repr(state).encode()).hexdigest()[:32]
    if isinstance(last_modified, str):  # SQLite returns max() of the raw column as text
        last_modified = datetime.fromisoformat(last_modified)
    return FeedVersion(etag, _aware(last_modified))


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def feed_name(spec: FeedSpec) -> str:
    """The calendar's name in people's apps."""
    if spec.kind == "personal":
        return f"{NETWORK_NAME} ({spec.user.name})"
    names = []
    if "city" in spec.filters:
        city = db.session.execute(
            sa.select(City.name).where(City.slug == spec.filters["city"])
        ).scalar_one()
        names.append(city)
    if "kind" in spec.filters:
        names.append(EventKind(spec.filters["kind"]).label)
    if "role" in spec.filters:
        role = db.session.execute(
            sa.select(ParticipantRole.name).where(ParticipantRole.slug == spec.filters["role"])
        ).scalar_one()
        names.append(f"for {role}")
    return " · ".join([NETWORK_NAME, *names])


def feed_description(spec: FeedSpec) -> str:
    if spec.kind == "personal":
        return "Your private Nordic Safe Cities calendar. Keep its address to yourself."
    if spec.kind == "city":
        return "Events hosted by the city and the network's online events for everyone."
    return "Public events of the Nordic Safe Cities network."


# Whole feeds, a few MB each at thousands of events, bounded by FEED_BODY_CACHE_BYTES.
BODY_CACHE = "feed-bodies"


def _body_cache() -> ByteBoundedCache:
    return app_cache(BODY_CACHE, "FEED_BODY_CACHE_BYTES", len)


def feed_body(spec: FeedSpec, version: FeedVersion, url: str) -> bytes:
    """The feed's bytes, rendered once per version in this process; of a new version,
    only the events whose VEVENT is not cached yet are loaded and rendered."""
    key = (version.etag, url)
    cache = _body_cache()
    body = cache.get(key)
    if body is None:
        body = feed_calendar(
            feed_items(spec),
            load_feed_events,
            name=feed_name(spec),
            url=url,
            description=feed_description(spec),
        )
        cache.put(key, body)
    return body


def feed_items(spec: FeedSpec, *, now: datetime | None = None) -> list[FeedItem]:
    """The feed's events in time order, as the keys of their VEVENTs: a few columns
    per event, no objects. In a private feed, the events the person is registered for
    carry their status, and the online link once their place is confirmed; and the
    person's alarm, when they asked for one (not in cancelled events)."""
    now = now or utcnow()
    statuses = {}
    alarm = None
    if spec.kind == "personal":
        alarm = db.session.execute(_alarm_minutes(spec.user)).scalar_one_or_none()
        statuses = dict(
            db.session.execute(
                sa.select(Registration.event_id, Registration.status).where(
                    Registration.user_id == spec.user.id,
                    Registration.status.in_(ACTIVE_STATUSES),
                )
            ).all()
        )
    host = sa.orm.aliased(City)
    query = (
        sa.select(Event.id, Event.uid, Event.sequence, Event.updated_at, Event.status, host.name)
        .outerjoin(host, Event.host_city_id == host.id)
        .where(_in_window(spec.condition, now))
        .order_by(Event.starts_at, Event.id)
    )
    base_url = current_app.config["BASE_URL"]
    items = []
    for event_id, uid, sequence, updated_at, status, city_name in db.session.execute(query):
        registration = statuses.get(event_id)
        registration_status = registration.value if registration else None
        include_online_link = registration is RegistrationStatus.confirmed
        key = vevent_key(
            uid=uid,
            event_id=event_id,
            sequence=sequence,
            updated_at=updated_at,
            status=status,
            host_city_name=city_name,
            registration_status=registration_status,
            include_online_link=include_online_link,
            base_url=base_url,
        )
        with_alarm = registration is not None and status is not EventStatus.cancelled
        items.append(
            FeedItem(
                event_id,
                key,
                registration_status,
                include_online_link,
                alarm if with_alarm else None,
            )
        )
    return items


# Events are loaded by id in chunks, within any database's limit of bound parameters.
_LOAD_CHUNK = 500


def load_feed_events(ids: list[int]) -> list[Event]:
    """The events with these ids (their host city and audience with them)."""
    events = []
    for start in range(0, len(ids), _LOAD_CHUNK):
        chunk = ids[start : start + _LOAD_CHUNK]
        events += db.session.execute(sa.select(Event).where(Event.id.in_(chunk))).scalars()
    return events


def clear_feed_cache() -> None:
    """Forget every rendered feed (of every app in this process)."""
    clear_all(BODY_CACHE)
