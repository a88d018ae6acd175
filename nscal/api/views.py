"""The blueprint of the JSON API: /api/events, /api/events/<id>, /api/openapi.json.

The API shows what the pages show: every query starts from ``visible_events``, and
the session cookie is the only credential. Anonymous answers are public: cacheable
for a minute and open to every origin (CORS), so city websites can fetch them from
their own pages. Answers for a logged-in person are private and carry no CORS header,
so a browser never hands them to another site.
"""

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from nscal.api.openapi import openapi_document
from nscal.api.schemas import (
    BadParameter,
    EventList,
    EventQuery,
    event_not_found,
    event_to_api,
    programme_to_api,
)
from nscal.api.schemas import Event as ApiEvent
from nscal.db import db, utcnow
from nscal.events.models import Event, load_translations
from nscal.events.services import can_view, events_between, filter_events, visible_events
from nscal.programme.services import programme_of
from nscal.registrations.services import spots_left_for

api = Blueprint("api", __name__, url_prefix="/api")

PUBLIC_CACHE = "public, max-age=60"
PRIVATE_CACHE = "private, no-cache"


@api.errorhandler(BadParameter)
def bad_parameter(error: BadParameter):
    return jsonify(error.to_error().to_json()), 400


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


def events_to_api(events: list[Event]) -> list[ApiEvent]:
    """Events as the API shows them, with a fixed number of queries however many there are."""
    links = event_links(events)
    spots = spots_left_for(events)
    load_translations(events)
    return [
        event_to_api(
            event, url=links[event.id][0], ics_url=links[event.id][1], spots_left=spots[event.id]
        )
        for event in events
    ]


@api.get("/events")
def list_events():
    """Events overlapping [from, to), by start, a page at a time."""
    asked = EventQuery.from_args(request.args, now=utcnow().replace(microsecond=0))
    query = filter_events(
        events_between(visible_events(_viewer()), asked.start, asked.end),
        kind=asked.kind,
        host_city=asked.city,
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
    page = EventList(
        events=events_to_api(events),
        count=len(events),
        total=total,
        limit=asked.limit,
        offset=asked.offset,
        from_=asked.start,
        to=asked.end,
        next=_page_url(asked, following) if following < total else None,
    )
    return page.model_dump(mode="json", by_alias=True)


def _page_url(asked: EventQuery, offset: int) -> str:
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for("api.list_events", _external=True, **asked.page_arguments(offset))


@api.get("/events/<int:event_id>")
def event_detail(event_id: int):
    """One event, as in the list; 404 alike whether it does not exist or is hidden."""
    event = db.session.get(Event, event_id)
    if event is None or not can_view(event, _viewer()):
        return jsonify(event_not_found(event_id).to_json()), 404
    return events_to_api([event])[0].model_dump(mode="json")


@api.get("/events/<int:event_id>/programme")
def event_programme(event_id: int):
    """An event's programme (empty when it has none); 404 as for the event itself."""
    event = db.session.get(Event, event_id)
    if event is None or not can_view(event, _viewer()):
        return jsonify(event_not_found(event_id).to_json()), 404
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        url = url_for("events.detail", event_id=event.id, _anchor="programme", _external=True)
        pdf_url = url_for("programme.pdf", event_id=event.id, _external=True)
    programme = programme_to_api(event, programme_of(event), url=url, pdf_url=pdf_url)
    return programme.model_dump(mode="json")


@api.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return openapi_document(current_app.config["BASE_URL"])
