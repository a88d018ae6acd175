"""The read-only JSON API for city websites: /api/events and /api/openapi.json.

The API shows what the pages show: every query starts from ``visible_events``, and
the session cookie is the only credential. Anonymous answers are public: cacheable
for a minute and open to every origin (CORS), so city websites can fetch them from
their own pages. Answers for a logged-in person are private and carry no CORS header,
so a browser never hands them to another site.

``from`` and ``to`` are instants (ISO 8601 with an offset) or dates; a date is the
midnight that begins it in ``tz`` (an IANA zone, default UTC). The window is
[from, to): an event is listed when any part of it falls inside.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask import Blueprint, current_app, jsonify, request, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from nscal.cities.models import City, ParticipantRole
from nscal.db import db, utcnow
from nscal.events.models import Event, EventKind, EventStatus
from nscal.events.services import can_view, events_between, filter_events, visible_events
from nscal.feeds.openapi import openapi_document
from nscal.registrations.services import spots_left_for
from nscal.timeutil import is_valid_zone

api = Blueprint("api", __name__, url_prefix="/api")

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000
DEFAULT_SPAN = relativedelta(years=1)
LATEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)

PUBLIC_CACHE = "public, max-age=60"
PRIVATE_CACHE = "private, no-cache"

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INSTANT = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})", re.IGNORECASE
)
_WALL_CLOCK = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?", re.IGNORECASE)
# An unencoded "+01:00" in a query string arrives as " 01:00".
_PLUS_AS_SPACE = re.compile(r"(T[\d:.]+) (\d{2}:\d{2})$", re.IGNORECASE)

INSTANT_HINT = (
    "Expected a date (YYYY-MM-DD) or an ISO 8601 date and time with an offset, "
    "e.g. 2027-01-01T00:00:00+01:00 or 2027-01-01T00:00:00Z."
)


class BadParameter(ValueError):
    """A query parameter the API cannot use; answered with 400 and what was expected."""

    def __init__(self, parameter: str, detail: str):
        super().__init__(detail)
        self.parameter = parameter
        self.detail = detail


@api.errorhandler(BadParameter)
def bad_parameter(error: BadParameter):
    body = {
        "error": f"Invalid parameter: {error.parameter}",
        "detail": error.detail,
        "parameter": error.parameter,
        "status": 400,
    }
    return jsonify(body), 400


@api.after_app_request
def public_or_private(response):
    """Anonymous answers are the same for everyone: shared caches and other origins may
    use them. Answers for a logged-in person are theirs alone.

    Registered on the app, so the API's 404 and 405 answers get the headers too."""
    if not request.path.startswith(f"{api.url_prefix}/"):
        return response
    response.vary.add("Cookie")
    if current_user.is_authenticated:
        response.headers["Cache-Control"] = PRIVATE_CACHE
        response.headers.pop("Access-Control-Allow-Origin", None)
    else:
        ok = response.status_code == 200
        response.headers["Cache-Control"] = PUBLIC_CACHE if ok else "no-cache"
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# --- parameters ------------------------------------------------------------------------


@dataclass
class EventQuery:
    """What ``GET /api/events`` was asked for, checked."""

    start: datetime
    end: datetime
    kind: EventKind | None
    host_city: City | None
    role: ParticipantRole | None
    limit: int
    offset: int


def _arg(name: str) -> str | None:
    """The parameter's value, None when absent or empty (an empty filter filters nothing)."""
    value = request.args.get(name, "").strip()
    return value or None


def parse_instant(name: str, value: str, zone: tzinfo) -> datetime:
    """An aware datetime from ``value``: an instant with an offset, or a date read as the
    midnight that begins it in ``zone``."""
    text = value.strip()
    shown = text[:64]
    text = _PLUS_AS_SPACE.sub(r"\1+\2", text)
    if _DATE.fullmatch(text):
        try:
            moment = datetime.combine(date.fromisoformat(text), time(), zone)
        except ValueError:
            raise BadParameter(
                name, f"{name}={shown!r} is not a day of the calendar. " + INSTANT_HINT
            ) from None
    elif _INSTANT.fullmatch(text):
        try:
            moment = datetime.fromisoformat(text.upper())
        except ValueError:
            raise BadParameter(
                name, f"{name}={shown!r} is not a real date and time. " + INSTANT_HINT
            ) from None
    elif _WALL_CLOCK.fullmatch(text):
        raise BadParameter(
            name,
            f"{name}={shown!r} has no offset, so it could be any of 24 hours. Add one, "
            "e.g. +01:00 for Copenhagen in winter, or Z for UTC (encode + as %2B in a URL).",
        )
    else:
        raise BadParameter(name, f"{name}={shown!r} is not a date or an instant. " + INSTANT_HINT)
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise BadParameter(name, f"{name}={shown!r} is outside the years 1 to 9999.") from None
    return moment


def _integer(name: str, default: int, lowest: int, highest: int) -> int:
    value = _arg(name)
    if value is None:
        return default
    digits = value.isascii() and value.isdigit() and len(value) <= len(str(highest))
    if not digits or not lowest <= int(value) <= highest:
        raise BadParameter(
            name, f"{name}={value[:20]!r}: expected a whole number from {lowest} to {highest}."
        )
    return int(value)


def _kind(value: str | None) -> EventKind | None:
    if value is None:
        return None
    try:
        return EventKind(value.lower())
    except ValueError:
        known = ", ".join(kind.value for kind in EventKind)
        raise BadParameter(
            "kind", f"There is no kind of event {value[:64]!r}. Known kinds: {known}."
        ) from None


def _by_slug(model, name: str, value: str | None, noun: str):
    if value is None:
        return None
    found = db.session.execute(
        sa.select(model).where(model.slug == value.lower())
    ).scalar_one_or_none()
    if found is None:
        known = ", ".join(db.session.execute(sa.select(model.slug).order_by(model.slug)).scalars())
        raise BadParameter(name, f"There is no {noun} {value[:64]!r}. Known slugs: {known}.")
    return found


def parse_event_query(now: datetime) -> EventQuery:
    """Read and check the query string of ``GET /api/events``; raises ``BadParameter``."""
    zone_name = _arg("tz")
    if zone_name is not None and not is_valid_zone(zone_name):
        raise BadParameter(
            "tz", f"{zone_name[:64]!r} is not an IANA time zone; e.g. Europe/Copenhagen."
        )
    zone = ZoneInfo(zone_name) if zone_name else UTC
    raw_start, raw_end = _arg("from"), _arg("to")
    start = parse_instant("from", raw_start, zone) if raw_start else now
    if raw_end:
        end = parse_instant("to", raw_end, zone)
    else:
        try:
            end = start + DEFAULT_SPAN
        except (OverflowError, ValueError):  # past the year 9999
            end = LATEST
    if start > end:
        raise BadParameter(
            "from",
            f"from ({start.isoformat()}) is after to ({end.isoformat()}); "
            "the window runs from `from` up to `to`.",
        )
    return EventQuery(
        start=start,
        end=end,
        kind=_kind(_arg("kind")),
        host_city=_by_slug(City, "city", _arg("city"), "member city"),
        role=_by_slug(ParticipantRole, "role", _arg("role"), "participant role"),
        limit=_integer("limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        offset=_integer("offset", 0, 0, MAX_OFFSET),
    )


# --- events as JSON --------------------------------------------------------------------


def _viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _ics_endpoint() -> tuple[str, str] | None:
    """The endpoint (and its id argument) serving /events/<id>.ics, if the app has one."""
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, values = adapter.match("/events/1.ics", method="GET")
    except (HTTPException, RoutingException):
        return None
    names = [name for name, value in values.items() if str(value) == "1"]
    return (endpoint, names[0]) if len(names) == 1 else None


def event_links(events: list[Event]) -> dict[int, tuple[str, str]]:
    """Absolute links on ``BASE_URL`` to each event's page and its .ics file.

    The same URLs as ``external_url`` builds, in one request context for the whole page.
    """
    ics = _ics_endpoint()
    links = {}
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        for event in events:
            page = url_for("events.detail", event_id=event.id, _external=True)
            if ics is None:
                ics_url = f"{page}.ics"
            else:
                ics_url = url_for(ics[0], _external=True, **{ics[1]: event.id})
            links[event.id] = (page, ics_url)
    return links


def _local(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).isoformat(timespec="seconds")


def event_to_json(event: Event, *, url: str, ics_url: str, spots_left: int | None) -> dict:
    """One event as the API shows it; never the online link (for participants only)."""
    zone = event.zone
    city = event.host_city
    return {
        "id": event.id,
        "uid": event.uid,
        "title": event.title,
        "kind": event.kind.value,
        "status": event.status.value,
        "timezone": event.timezone,
        "starts_at": _local(event.starts_at, zone),
        "ends_at": _local(event.ends_at, zone),
        "all_day": event.all_day,
        "start_date": event.start_date.isoformat() if event.all_day else None,
        "end_date": event.end_date.isoformat() if event.all_day else None,
        "host_city": city.slug if city else None,
        "host_city_name": city.name if city else None,
        "host_city_country": city.country if city else None,
        "url": url,
        "ics_url": ics_url,
        "capacity": event.capacity,
        "spots_left": spots_left,
        "format": event.format.value,
        "visibility": event.visibility.value,
        "audience": [role.slug for role in event.audience],
        "venue": event.venue,
        "description": event.description,
        "cancel_reason": event.cancel_reason if event.status is EventStatus.cancelled else None,
        "sequence": event.sequence,
        "updated_at": event.updated_at.astimezone(UTC).isoformat(timespec="seconds"),
    }


def events_to_json(events: list[Event]) -> list[dict]:
    """Events as JSON with a fixed number of queries, however many there are."""
    links = event_links(events)
    spots = spots_left_for(events)
    return [
        event_to_json(
            event, url=links[event.id][0], ics_url=links[event.id][1], spots_left=spots[event.id]
        )
        for event in events
    ]


# --- the endpoints ---------------------------------------------------------------------


@api.get("/events")
def list_events():
    """Events overlapping [from, to), by start, a page at a time."""
    now = utcnow().replace(microsecond=0)
    asked = parse_event_query(now)
    query = filter_events(
        events_between(visible_events(_viewer()), asked.start, asked.end),
        kind=asked.kind,
        host_city=asked.host_city,
        role=asked.role,
    )
    events = list(
        db.session.execute(
            query.order_by(Event.starts_at, Event.id).limit(asked.limit).offset(asked.offset)
        ).scalars()
    )
    if 0 < len(events) < asked.limit or (not events and asked.offset == 0):
        total = asked.offset + len(events)
    else:
        total = db.session.scalar(
            sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
        )
    following = asked.offset + len(events)
    return {
        "events": events_to_json(events),
        "count": len(events),
        "total": total,
        "limit": asked.limit,
        "offset": asked.offset,
        "from": asked.start.isoformat(),
        "to": asked.end.isoformat(),
        "next": _page_url(asked, following) if following < total else None,
    }


def _page_url(asked: EventQuery, offset: int) -> str:
    """The same window and filters (from and to spelled out), further on."""
    values = {
        "from": asked.start.isoformat(),
        "to": asked.end.isoformat(),
        "kind": asked.kind.value if asked.kind else None,
        "city": asked.host_city.slug if asked.host_city else None,
        "role": asked.role.slug if asked.role else None,
        "limit": asked.limit,
        "offset": offset,
    }
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(
            "api.list_events",
            _external=True,
            **{key: value for key, value in values.items() if value is not None},
        )


@api.get("/events/<int:event_id>")
def event_detail(event_id: int):
    """One event, as in the list; 404 alike whether it does not exist or is hidden."""
    event = db.session.get(Event, event_id)
    if event is None or not can_view(event, _viewer()):
        body = {
            "error": "Event not found",
            "detail": f"There is no event {event_id} that you may see.",
            "status": 404,
        }
        return jsonify(body), 404
    return events_to_json([event])[0]


@api.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return openapi_document(current_app.config["BASE_URL"])
