"""Stored VEVENTs and the feeds' change counters, kept in step with every change.

Two session hooks do it, so no service has to remember: ``after_flush`` notes what a
flush changed that feeds show (events entering, changing in or leaving a feed, cities
and participant roles, whose names feeds print), and ``before_commit`` renders the
changed events' VEVENTs, stores them and bumps the counters, in the same transaction
as the change. A rolled-back transaction leaves both as they were.

Languages. English, the language of every feed that asks for none, is rendered when an
event changes. The other five are rendered the first time a feed asks for them and
stored (``store_missing``), and from then on re-rendered with English whenever the event
changes: a network that never reads Icelandic feeds never pays for rendering them, an
import of thousands of events renders each once rather than six times, and a language
in use stays warm. A row rendered with another feed format, BASE_URL, tzdata or
catalog than the running code's (``render_key``), or from an older state of its event
(``source_updated_at``), is not served but rendered again.

Drafts are in no feed: they have no stored VEVENT until they are published.
"""

import hashlib
import logging
from collections.abc import Iterable
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import force_locale, get_babel
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.base import NO_VALUE

from nscal.cities.models import City, ParticipantRole
from nscal.db import db, utcnow
from nscal.events.models import Event, EventStatus, Visibility, event_audience
from nscal.feeds.ical import component_bytes, event_to_vevent, event_tzid
from nscal.feeds.models import FeedChange, StoredVevent, StoredVtimezone
from nscal.feeds.vtimezone import vtimezone_bytes
from nscal.i18n import DEFAULT_LANGUAGE

try:
    from tzdata import IANA_VERSION as TZDATA_VERSION
except ImportError:  # pragma: no cover - tzdata is a dependency
    TZDATA_VERSION = "system"

log = logging.getLogger(__name__)

# Part of every render key and ETag: raise it when the rendering of feeds changes, and
# every stored VEVENT is rendered again on its next request.
FEED_FORMAT = "nscal-feed-2"
FEED_STATUSES = (EventStatus.published, EventStatus.cancelled)
PUBLIC_SCOPE = "public"  # changes the public feeds show
ALL_SCOPE = "all"  # changes any feed shows (the private feeds read this one)

_CHANGES = "nscal.feeds.changes"
# Events are loaded and rows written in chunks, within any database's parameter limit.
CHUNK = 500


# --- what a stored VEVENT was rendered with ----------------------------------------------


def render_key(language: str) -> str:
    """What a stored VEVENT in ``language`` depends on beyond its event: the feed format,
    BASE_URL (its links), tzdata (its TZID choice) and the language's compiled catalog.
    Computed once per process and language: Flask-Babel, too, reads a catalog once."""
    base_url = current_app.config["BASE_URL"]
    known = current_app.extensions.setdefault("nscal.feeds.render_keys", {})
    key = known.get((base_url, language))
    if key is None:
        state = (FEED_FORMAT, base_url, TZDATA_VERSION, language, _catalog_digest(language))
        key = known[(base_url, language)] = hashlib.sha256(repr(state).encode()).hexdigest()[:32]
    return key


def _catalog_digest(language: str) -> str:
    """A digest of the compiled catalogs of ``language``: their content, not their
    time stamps, so app servers that compiled the same catalogs agree."""
    digest = hashlib.sha256()
    for directory in get_babel().translation_directories:
        path = Path(directory) / language / "LC_MESSAGES" / "messages.mo"
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def render_stored_form(event: Event, language: str) -> tuple[str, str | None]:
    """The public VEVENT of ``event`` in ``language`` as stored, and its TZID."""
    with force_locale(language):
        vevent = component_bytes(event_to_vevent(event))
    return vevent.decode("utf-8"), event_tzid(event)


def stored_rows(events: Iterable[Event], language: str) -> list[dict]:
    """The ``stored_vevent`` rows of ``events`` in ``language``, rendered now."""
    key = render_key(language)
    rows = []
    for event in events:
        text, tzid = render_stored_form(event, language)
        rows.append(
            {
                "event_id": event.id,
                "language": language,
                "render_key": key,
                "source_updated_at": event.updated_at,
                "tzid": tzid,
                "octets": len(text.encode("utf-8")),
                "vevent": text,
            }
        )
    return rows


def write_rows(connection: sa.Connection | Session, rows: list[dict]) -> None:
    """Insert or replace stored VEVENT rows (two writers may render the same event)."""
    if not rows:
        return
    bind = connection.get_bind() if isinstance(connection, Session) else connection
    table = StoredVevent.__table__
    for start in range(0, len(rows), CHUNK):
        statement = _upsert(bind.dialect.name, table)
        statement = statement.on_conflict_do_update(
            index_elements=["event_id", "language"],
            set_={
                name: statement.excluded[name]
                for name in ("render_key", "source_updated_at", "tzid", "octets", "vevent")
            },
        )
        connection.execute(statement, rows[start : start + CHUNK])


def _upsert(dialect: str, table: sa.Table):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - nscal runs on SQLite and PostgreSQL
        raise RuntimeError(f"no upsert for {dialect}")
    return insert(table)


def load_events(session: Session, ids: list[int]) -> list[Event]:
    """The events with these ids, fresh from the database, with what their VEVENT shows."""
    events = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        query = (
            sa.select(Event)
            .where(Event.id.in_(chunk))
            .options(joinedload(Event.host_city), selectinload(Event.audience))
            .execution_options(populate_existing=True)
        )
        events += session.execute(query).unique().scalars()
    return events


def store_missing(event_ids: list[int], language: str) -> dict[int, tuple[bytes, str | None]]:
    """Render the events' VEVENTs in ``language`` and store them, in a transaction of
    their own (the caller's snapshot stays as it was); the bytes and TZIDs by event id.
    Storing is a cache fill: when it fails the feed is still served, from these bytes."""
    events = load_events(db.session, event_ids)
    rows = stored_rows(events, language)
    try:
        with db.engine.begin() as connection:
            write_rows(connection, rows)
    except sa.exc.SQLAlchemyError:
        log.warning("could not store %d rendered VEVENTs", len(rows), exc_info=True)
    return {row["event_id"]: (row["vevent"].encode("utf-8"), row["tzid"]) for row in rows}


def vtimezones(tzids: set[str]) -> dict[str, bytes]:
    """The VTIMEZONEs of ``tzids``: kept by this worker once read (a few kB a zone),
    else read from the database, else derived from tzdata now and stored for the
    other workers and the next start."""
    key = hashlib.sha256(repr((FEED_FORMAT, TZDATA_VERSION)).encode()).hexdigest()[:32]
    known = current_app.extensions.setdefault("nscal.feeds.vtimezones", {})
    missing = [tzid for tzid in tzids if (key, tzid) not in known]
    if missing:
        table = StoredVtimezone.__table__
        for tzid, text in db.session.execute(
            sa.select(table.c.tzid, table.c.vtimezone).where(
                table.c.tzid.in_(missing), table.c.render_key == key
            )
        ):
            known[key, tzid] = text.encode("utf-8")
        derived = [
            {"tzid": tzid, "render_key": key, "vtimezone": vtimezone_bytes(tzid).decode()}
            for tzid in missing
            if (key, tzid) not in known
        ]
        if derived:
            try:
                with db.engine.begin() as connection:
                    statement = _upsert(connection.dialect.name, table)
                    statement = statement.on_conflict_do_update(
                        index_elements=["tzid"],
                        set_={
                            name: statement.excluded[name] for name in ("render_key", "vtimezone")
                        },
                    )
                    connection.execute(statement, derived)
            except sa.exc.SQLAlchemyError:
                log.warning("could not store %d VTIMEZONEs", len(derived), exc_info=True)
            for row in derived:
                known[key, row["tzid"]] = row["vtimezone"].encode("utf-8")
    return {tzid: known[key, tzid] for tzid in tzids}


# --- the change counters ---------------------------------------------------------------


def bump(session: Session, scopes: Iterable[str]) -> None:
    """Raise the counters of ``scopes`` (insert them when missing)."""
    table = FeedChange.__table__
    now = utcnow()
    dialect = session.get_bind().dialect.name
    for scope in sorted(scopes):  # a fixed order: two transactions never wait in a ring
        statement = _upsert(dialect, table).values(scope=scope, counter=1, changed_at=now)
        statement = statement.on_conflict_do_update(
            index_elements=["scope"],
            set_={"counter": table.c.counter + 1, "changed_at": now},
        )
        session.execute(statement)


# --- the session hooks -----------------------------------------------------------------


def _changes(session: Session) -> dict:
    return session.info.setdefault(
        _CHANGES, {"scopes": set(), "events": set(), "cities": set(), "roles": set()}
    )


def _before_and_after(event: Event, attribute: str) -> tuple:
    """The attribute's value before this flush and now, read without loading anything
    (``NO_VALUE`` where it was not loaded: e.g. an expired event being deleted)."""
    state = sa.inspect(event).attrs[attribute]
    now = state.loaded_value
    before = state.history.deleted
    return (before[0] if before else now), now


def _event_scopes(event: Event) -> set[str]:
    """The feeds the change of ``event`` shows in: before or after it, the event was in
    a feed (published or cancelled); the public ones if it was public then. What was
    not loaded may have been anything."""
    scopes = set()
    for status, visibility in zip(
        _before_and_after(event, "status"), _before_and_after(event, "visibility"), strict=True
    ):
        if status is NO_VALUE or status in FEED_STATUSES:
            scopes.add(ALL_SCOPE)
            if visibility is NO_VALUE or visibility is Visibility.public:
                scopes.add(PUBLIC_SCOPE)
    return scopes


@sa.event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _flush_context) -> None:
    """Note what this flush changed that feeds show (the session still has the
    flush's history here); ``_apply_changes`` acts on it at commit."""
    changes = None
    for event in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(event, Event):
            new = event in session.new
            if not new and event not in session.deleted and not session.is_modified(event):
                continue
            scopes = _event_scopes(event)
            if scopes:
                changes = changes or _changes(session)
                changes["scopes"] |= scopes
                if event not in session.deleted:
                    changes["events"].add(event.id)
        elif isinstance(event, City | ParticipantRole):
            if event in session.new or (event in session.dirty and not session.is_modified(event)):
                continue  # a new city or role is in no event yet
            changes = changes or _changes(session)
            changes["scopes"] |= {PUBLIC_SCOPE, ALL_SCOPE}
            name = sa.inspect(event).attrs.name.history
            if event not in session.deleted and name.has_changes():
                changes["cities" if isinstance(event, City) else "roles"].add(event.id)


@sa.event.listens_for(Session, "before_commit")
def _apply_changes(session: Session) -> None:
    """Store the changed events' VEVENTs and bump the counters, before the commit."""
    # The commit flushes only after this hook: flush now, so that what is still
    # pending is noted too (``_note_changes``).
    if session.new or session.dirty or session.deleted:
        session.flush()
    changes = session.info.pop(_CHANGES, None)
    if not changes:
        return
    bump(session, changes["scopes"])
    if not has_app_context():  # pragma: no cover - nscal's sessions live in one
        # Nothing to render with (BASE_URL, the catalogs): the rows no longer match
        # their events' updated_at, and feeds render them on their next request.
        return
    ids = set(changes["events"])
    if changes["cities"]:
        ids |= set(
            session.scalars(sa.select(Event.id).where(Event.host_city_id.in_(changes["cities"])))
        )
    if changes["roles"]:
        ids |= set(
            session.scalars(
                sa.select(event_audience.c.event_id).where(
                    event_audience.c.participant_role_id.in_(changes["roles"])
                )
            )
        )
    refresh_stored(session, sorted(ids))


@sa.event.listens_for(Session, "after_transaction_end")
def _forget_changes(session: Session, transaction) -> None:
    if transaction.parent is None:  # the whole transaction ended: committed or not
        session.info.pop(_CHANGES, None)


def refresh_stored(session: Session, ids: list[int]) -> None:
    """Render and store the VEVENTs of these events: English, and every language already
    stored for them; an event no longer in feeds (a draft again) loses its rows."""
    table = StoredVevent.__table__
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        languages: dict[int, set[str]] = {event_id: {DEFAULT_LANGUAGE} for event_id in chunk}
        for event_id, language in session.execute(
            sa.select(table.c.event_id, table.c.language).where(table.c.event_id.in_(chunk))
        ):
            languages[event_id].add(language)
        events = [event for event in load_events(session, chunk) if event.status in FEED_STATUSES]
        rows = []
        for event in events:
            try:
                for language in sorted(languages[event.id]):
                    rows += stored_rows([event], language)
            except Exception:  # noqa: BLE001 - a save never fails for its feeds' sake
                # Its old rows go below; a feed then renders it on request, as before.
                log.exception("could not render the VEVENT of event %s", event.id)
        # Rows no longer wanted: drafts again, and what could not be rendered.
        gone = set(chunk) - {row["event_id"] for row in rows}
        if gone:
            session.execute(sa.delete(table).where(table.c.event_id.in_(gone)))
        write_rows(session, rows)
