"""The OpenAPI 3.1 description of the JSON API (served at /api/openapi.json).

Written by hand as a Python dict, next to the code it describes; the tests check the
document against the OpenAPI schema, every example against its own schema, and every
response of the API tests against the schemas here.
"""

import copy

from nscal.events.models import EventFormat, EventKind, EventStatus, Visibility

# ISO 8601 / RFC 3339 with a numeric offset, to the second: what starts_at and ends_at are.
OFFSET_DATE_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$"

_TIMED_EXAMPLE = {
    "id": 42,
    "uid": "5b0c1c8e-8f1e-4c55-9f35-0d6a2f1d6c11@nscal",
    "title": "City meeting: safe nightlife",
    "kind": "city-meeting",
    "status": "published",
    "timezone": "Europe/Copenhagen",
    "starts_at": "2027-01-13T10:00:00+01:00",
    "ends_at": "2027-01-13T11:30:00+01:00",
    "all_day": False,
    "start_date": None,
    "end_date": None,
    "host_city": "copenhagen",
    "host_city_name": "Copenhagen",
    "host_city_country": "Denmark",
    "url": "https://calendar.example.org/events/42",
    "ics_url": "https://calendar.example.org/events/42.ics",
    "capacity": 40,
    "spots_left": 12,
    "format": "hybrid",
    "visibility": "public",
    "audience": ["practitioner"],
    "venue": "Copenhagen City Hall, Rådhuspladsen 1",
    "description": "How cities keep nightlife safe: experiences from Copenhagen and Oslo.",
    "cancel_reason": None,
    "sequence": 1,
    "updated_at": "2026-11-02T08:15:00+00:00",
}

_ALL_DAY_EXAMPLE = {
    "id": 43,
    "uid": "b1d7e0a2-3a77-4a43-8d2e-3c5b2b0fb4a2@nscal",
    "title": "Nordic Safe Cities Summit",
    "kind": "summit",
    "status": "published",
    "timezone": "Europe/Helsinki",
    "starts_at": "2027-06-09T00:00:00+03:00",
    "ends_at": "2027-06-11T00:00:00+03:00",
    "all_day": True,
    "start_date": "2027-06-09",
    "end_date": "2027-06-11",
    "host_city": "helsinki",
    "host_city_name": "Helsinki",
    "host_city_country": "Finland",
    "url": "https://calendar.example.org/events/43",
    "ics_url": "https://calendar.example.org/events/43.ics",
    "capacity": None,
    "spots_left": None,
    "format": "in-person",
    "visibility": "public",
    "audience": [],
    "venue": "Helsinki City Hall",
    "description": "Two days for mayors, leaders and practitioners of the network.",
    "cancel_reason": None,
    "sequence": 0,
    "updated_at": "2026-10-20T12:00:00+00:00",
}

_CANCELLED_EXAMPLE = {
    **_TIMED_EXAMPLE,
    "id": 44,
    "uid": "0e9d2c61-0b4e-4c52-a1a4-5a1c7c0f9b3e@nscal",
    "title": "Webinar: youth outreach in Nuuk",
    "kind": "webinar",
    "status": "cancelled",
    "timezone": "America/Nuuk",
    "starts_at": "2027-07-08T14:00:00-01:00",
    "ends_at": "2027-07-08T15:00:00-01:00",
    "host_city": "nuuk",
    "host_city_name": "Nuuk",
    "host_city_country": "Greenland",
    "url": "https://calendar.example.org/events/44",
    "ics_url": "https://calendar.example.org/events/44.ics",
    "format": "online",
    "audience": [],
    "venue": "",
    "capacity": 100,
    "spots_left": 100,
    "description": "",
    "cancel_reason": "The speaker is ill; a new date follows.",
    "sequence": 3,
}


def _error_example(detail: str, parameter: str | None = None, status: int = 400) -> dict:
    if parameter is None:
        return {"error": "Event not found", "detail": detail, "status": status}
    return {
        "error": f"Invalid parameter: {parameter}",
        "detail": detail,
        "parameter": parameter,
        "status": status,
    }


_INSTANT_PARAMETER_SCHEMA = {
    "type": "string",
    "anyOf": [{"format": "date"}, {"format": "date-time"}],
}

_PUBLIC_HEADERS = {
    "Cache-Control": {
        "description": "`public, max-age=60` for anonymous requests; "
        "`private, no-cache` for a logged-in person.",
        "schema": {"type": "string"},
    },
    "Access-Control-Allow-Origin": {
        "description": "`*` on anonymous responses only (never on a response for a "
        "logged-in person, never with credentials), so any website may fetch the "
        "public calendar.",
        "schema": {"type": "string", "const": "*"},
    },
}

_JSON_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}

INFO_DESCRIPTION = """\
Read-only JSON for city websites: the network's events, as the event pages show them.

**Who sees what.** Without a session cookie you get public events that are published
or cancelled. A logged-in member (the session cookie of the website) also gets
members-only events, a coordinator drafts as well. No tokens are needed.

**Times.** `starts_at` and `ends_at` are ISO 8601 / RFC 3339 with the event's own
local offset (`2027-01-13T10:00:00+01:00` in Copenhagen in winter,
`2027-07-13T10:00:00-01:00` in Nuuk in summer); `timezone` names the IANA zone.
All-day events also have `start_date` and `end_date` (local dates; `end_date` is
exclusive, the day after the last day, as in iCalendar) and their `starts_at` and
`ends_at` are local midnights.

**The window.** `from` and `to` are instants: preferably ISO 8601 with an offset
(`2027-01-01T00:00:00+01:00`; write `+` as `%2B` in a URL, though an unencoded `+`
that arrives as a space is understood) or `Z`. A plain date (`2027-01-01`) means the
midnight that begins that day in `tz` (an IANA zone; UTC when `tz` is not given).
Events overlapping [`from`, `to`) are listed, so one that started before `from` and
is still running is included. `from` defaults to now and `to` to one year after `from`.

**Caching and CORS.** Anonymous responses are `Cache-Control: public, max-age=60`
with `Access-Control-Allow-Origin: *`; responses for a logged-in person are private
and have no CORS header.

**Errors.** A bad parameter gives `400` with a JSON body naming the parameter and
what was expected; an unknown or hidden event gives `404`.
"""


OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "nscal events API",
        "version": "1.0.0",
        "summary": "The events of the network of Nordic cities, for city websites.",
        "description": INFO_DESCRIPTION,
    },
    "servers": [{"url": "https://calendar.example.org"}],
    "paths": {
        "/api/events": {
            "get": {
                "operationId": "listEvents",
                "summary": "Events overlapping a window, by start",
                "description": "Events whose time overlaps [`from`, `to`), ordered by start "
                "(then id), a page at a time. Filters combine with AND.",
                "parameters": [
                    {"$ref": "#/components/parameters/from"},
                    {"$ref": "#/components/parameters/to"},
                    {"$ref": "#/components/parameters/tz"},
                    {"$ref": "#/components/parameters/city"},
                    {"$ref": "#/components/parameters/kind"},
                    {"$ref": "#/components/parameters/role"},
                    {"$ref": "#/components/parameters/limit"},
                    {"$ref": "#/components/parameters/offset"},
                ],
                "responses": {
                    "200": {
                        "description": "A page of events.",
                        "headers": _PUBLIC_HEADERS,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/EventList"},
                                "examples": {
                                    "january": {
                                        "summary": "Two events, no further page",
                                        "value": {
                                            "events": [_TIMED_EXAMPLE, _ALL_DAY_EXAMPLE],
                                            "count": 2,
                                            "total": 2,
                                            "limit": 100,
                                            "offset": 0,
                                            "from": "2027-01-01T00:00:00+01:00",
                                            "to": "2028-01-01T00:00:00+01:00",
                                            "next": None,
                                        },
                                    },
                                    "paged": {
                                        "summary": "The first page of several",
                                        "value": {
                                            "events": [_CANCELLED_EXAMPLE],
                                            "count": 1,
                                            "total": 3,
                                            "limit": 1,
                                            "offset": 0,
                                            "from": "2027-07-01T00:00:00+00:00",
                                            "to": "2027-08-01T00:00:00+00:00",
                                            "next": "https://calendar.example.org/api/events"
                                            "?from=2027-07-01T00:00:00%2B00:00"
                                            "&to=2027-08-01T00:00:00%2B00:00&limit=1&offset=1",
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "400": {
                        "description": "A parameter is not valid; `detail` says which and "
                        "what is expected.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Error"},
                                "examples": {
                                    "no_offset": {
                                        "summary": "A time without an offset",
                                        "value": _error_example(
                                            "from='2027-01-01T00:00' has no offset, so it "
                                            "could be any of 24 hours. Add one, e.g. +01:00 "
                                            "for Copenhagen in winter, or Z for UTC (encode + "
                                            "as %2B in a URL).",
                                            "from",
                                        ),
                                    },
                                    "reversed": {
                                        "summary": "from after to",
                                        "value": _error_example(
                                            "from (2027-02-01T00:00:00+00:00) is after to "
                                            "(2027-01-01T00:00:00+00:00); the window runs from "
                                            "`from` up to `to`.",
                                            "from",
                                        ),
                                    },
                                    "unknown_city": {
                                        "summary": "An unknown city slug",
                                        "value": _error_example(
                                            "There is no member city 'atlantis'. Known slugs: "
                                            "aarhus, copenhagen, helsinki, nuuk, reykjavik.",
                                            "city",
                                        ),
                                    },
                                },
                            }
                        },
                    },
                },
            }
        },
        "/api/events/{event_id}": {
            "get": {
                "operationId": "getEvent",
                "summary": "One event",
                "parameters": [
                    {
                        "name": "event_id",
                        "in": "path",
                        "required": True,
                        "description": "The event's `id`.",
                        "schema": {"type": "integer", "minimum": 1},
                        "example": 42,
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The event, as in the list.",
                        "headers": _PUBLIC_HEADERS,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Event"},
                                "example": _TIMED_EXAMPLE,
                            }
                        },
                    },
                    "404": {
                        "description": "No such event, or not one this visitor may see "
                        "(the same answer for both).",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Error"},
                                "example": _error_example(
                                    "There is no event 4242 that you may see.", status=404
                                ),
                            }
                        },
                    },
                },
            }
        },
        "/api/openapi.json": {
            "get": {
                "operationId": "getOpenAPI",
                "summary": "This description",
                "responses": {
                    "200": {
                        "description": "The OpenAPI 3.1 document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    },
    "components": {
        "parameters": {
            "from": {
                "name": "from",
                "in": "query",
                "description": "Start of the window (inclusive). An ISO 8601 instant with an "
                "offset or `Z` (recommended), or a date: the midnight that begins it in `tz`. "
                "Default: now.",
                "schema": _INSTANT_PARAMETER_SCHEMA,
                "examples": {
                    "instant": {
                        "summary": "Midnight in Copenhagen, winter",
                        "value": "2027-01-01T00:00:00+01:00",
                    },
                    "utc": {"summary": "An instant in UTC", "value": "2027-01-01T00:00:00Z"},
                    "date": {"summary": "A date, read in `tz`", "value": "2027-01-01"},
                },
            },
            "to": {
                "name": "to",
                "in": "query",
                "description": "End of the window (exclusive), written like `from`. "
                "Default: one year after `from`. Must not be before `from`.",
                "schema": _INSTANT_PARAMETER_SCHEMA,
                "examples": {
                    "instant": {
                        "summary": "Midnight in Copenhagen, winter",
                        "value": "2027-02-01T00:00:00+01:00",
                    },
                    "date": {"summary": "A date, read in `tz`", "value": "2027-02-01"},
                },
            },
            "tz": {
                "name": "tz",
                "in": "query",
                "description": "The IANA time zone in which plain dates in `from` and `to` "
                "are read. Default: UTC. Has no effect on instants, nor on how events are "
                "shown (always in their own zone).",
                "schema": {"type": "string"},
                "example": "Europe/Helsinki",
            },
            "city": {
                "name": "city",
                "in": "query",
                "description": "Only events hosted by this member city (its slug). An "
                "unknown slug is a 400.",
                "schema": {"type": "string"},
                "example": "copenhagen",
            },
            "kind": {
                "name": "kind",
                "in": "query",
                "description": "Only events of this kind.",
                "schema": {"type": "string", "enum": [kind.value for kind in EventKind]},
                "example": "city-meeting",
            },
            "role": {
                "name": "role",
                "in": "query",
                "description": "Only events for this participant role (its slug) and "
                "events for everyone (empty `audience`). An unknown slug is a 400.",
                "schema": {"type": "string"},
                "example": "mayor",
            },
            "limit": {
                "name": "limit",
                "in": "query",
                "description": "At most this many events per page.",
                "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100},
                "example": 50,
            },
            "offset": {
                "name": "offset",
                "in": "query",
                "description": "Skip this many events (follow `next` rather than counting).",
                "schema": {"type": "integer", "minimum": 0, "default": 0},
                "example": 100,
            },
        },
        "schemas": {
            "Event": {
                "type": "object",
                "description": "An event as the pages show it; never its online link "
                "(that is for registered participants).",
                "required": [
                    "id",
                    "uid",
                    "title",
                    "kind",
                    "status",
                    "timezone",
                    "starts_at",
                    "ends_at",
                    "all_day",
                    "start_date",
                    "end_date",
                    "host_city",
                    "host_city_name",
                    "host_city_country",
                    "url",
                    "ics_url",
                    "capacity",
                    "spots_left",
                    "format",
                    "visibility",
                    "audience",
                    "venue",
                    "description",
                    "cancel_reason",
                    "sequence",
                    "updated_at",
                ],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "integer", "minimum": 1, "examples": [42]},
                    "uid": {
                        "type": "string",
                        "description": "Stable identifier, the iCalendar UID.",
                        "examples": ["5b0c1c8e-8f1e-4c55-9f35-0d6a2f1d6c11@nscal"],
                    },
                    "title": {"type": "string", "examples": ["City meeting: safe nightlife"]},
                    "kind": {
                        "type": "string",
                        "enum": [kind.value for kind in EventKind],
                        "examples": ["summit"],
                    },
                    "status": {
                        "type": "string",
                        "enum": [status.value for status in EventStatus],
                        "description": "`draft` only reaches coordinators.",
                        "examples": ["published"],
                    },
                    "timezone": {
                        "type": "string",
                        "description": "The event's IANA time zone.",
                        "examples": ["Europe/Copenhagen", "America/Nuuk"],
                    },
                    "starts_at": {
                        "type": "string",
                        "format": "date-time",
                        "pattern": OFFSET_DATE_TIME,
                        "description": "The start, with the event's local offset at that "
                        "moment. For all-day events, local midnight of `start_date`.",
                        "examples": ["2027-01-13T10:00:00+01:00", "2027-07-13T10:00:00-01:00"],
                    },
                    "ends_at": {
                        "type": "string",
                        "format": "date-time",
                        "pattern": OFFSET_DATE_TIME,
                        "description": "The end, with the event's local offset at that "
                        "moment. For all-day events, local midnight of `end_date`.",
                        "examples": ["2027-01-13T11:30:00+01:00"],
                    },
                    "all_day": {"type": "boolean", "examples": [False]},
                    "start_date": {
                        "type": ["string", "null"],
                        "format": "date",
                        "description": "All-day events: the first local day; null otherwise.",
                        "examples": ["2027-06-09", None],
                    },
                    "end_date": {
                        "type": ["string", "null"],
                        "format": "date",
                        "description": "All-day events: the day AFTER the last day "
                        "(exclusive, as iCalendar's DTEND;VALUE=DATE); null otherwise. "
                        "A one-day event on 9 June has end_date 10 June.",
                        "examples": ["2027-06-11", None],
                    },
                    "host_city": {
                        "type": ["string", "null"],
                        "description": "The slug of the member city hosting the event "
                        "(the `city` filter takes it); null for network-wide events.",
                        "examples": ["malmo", None],
                    },
                    "host_city_name": {
                        "type": ["string", "null"],
                        "description": "The host city's name.",
                        "examples": ["Malmö", None],
                    },
                    "host_city_country": {
                        "type": ["string", "null"],
                        "description": "The host city's country.",
                        "examples": ["Sweden", None],
                    },
                    "url": {
                        "type": "string",
                        "format": "uri",
                        "description": "The event's page.",
                        "examples": ["https://calendar.example.org/events/42"],
                    },
                    "ics_url": {
                        "type": "string",
                        "format": "uri",
                        "description": "The event as an iCalendar file.",
                        "examples": ["https://calendar.example.org/events/42.ics"],
                    },
                    "capacity": {
                        "type": ["integer", "null"],
                        "minimum": 0,
                        "description": "Places in all; null: no limit.",
                        "examples": [40, None],
                    },
                    "spots_left": {
                        "type": ["integer", "null"],
                        "minimum": 0,
                        "description": "Places not held by confirmed registrations or by "
                        "those awaiting approval; null when there is no capacity.",
                        "examples": [12, None],
                    },
                    "format": {
                        "type": "string",
                        "enum": [fmt.value for fmt in EventFormat],
                        "examples": ["hybrid"],
                    },
                    "visibility": {
                        "type": "string",
                        "enum": [visibility.value for visibility in Visibility],
                        "description": "`members` events only reach logged-in members.",
                        "examples": ["public"],
                    },
                    "audience": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "Participant-role slugs the event is for; empty: "
                        "for everyone.",
                        "examples": [["mayor", "leader"], []],
                    },
                    "venue": {"type": "string", "examples": ["Oslo City Hall"]},
                    "description": {"type": "string"},
                    "cancel_reason": {
                        "type": ["string", "null"],
                        "description": "Why a cancelled event is cancelled; null otherwise.",
                        "examples": ["The speaker is ill; a new date follows.", None],
                    },
                    "sequence": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "Rises on every change to time, place or status "
                        "(the iCalendar SEQUENCE).",
                        "examples": [1],
                    },
                    "updated_at": {
                        "type": "string",
                        "format": "date-time",
                        "pattern": OFFSET_DATE_TIME,
                        "description": "The last change, in UTC.",
                        "examples": ["2026-11-02T08:15:00+00:00"],
                    },
                },
                "examples": [_TIMED_EXAMPLE, _ALL_DAY_EXAMPLE, _CANCELLED_EXAMPLE],
            },
            "EventList": {
                "type": "object",
                "required": ["events", "count", "total", "limit", "offset", "from", "to", "next"],
                "additionalProperties": False,
                "properties": {
                    "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
                    "count": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "Events in this response.",
                    },
                    "total": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "Events in the window and filters, on all pages.",
                    },
                    "limit": {"type": "integer", "minimum": 1, "maximum": 500},
                    "offset": {"type": "integer", "minimum": 0},
                    "from": {
                        "type": "string",
                        "format": "date-time",
                        "description": "The window's start as understood (inclusive).",
                    },
                    "to": {
                        "type": "string",
                        "format": "date-time",
                        "description": "The window's end as understood (exclusive).",
                    },
                    "next": {
                        "type": ["string", "null"],
                        "format": "uri",
                        "description": "The next page (same window and filters); null on "
                        "the last page.",
                    },
                },
            },
            "Error": {
                "type": "object",
                "required": ["error", "detail"],
                "properties": {
                    "error": {"type": "string", "description": "What went wrong, briefly."},
                    "detail": {
                        "type": "string",
                        "description": "Which parameter, and what is expected instead.",
                    },
                    "parameter": {
                        "type": "string",
                        "description": "The query parameter at fault (400 only).",
                    },
                    "status": {"type": "integer", "description": "The HTTP status."},
                },
                "examples": [
                    _error_example(
                        "There is no kind of event 'meetup'. Known kinds: city-meeting, summit, "
                        "kick-off, workshop, webinar, other.",
                        "kind",
                    )
                ],
            },
        },
    },
}


def openapi_document(base_url: str) -> dict:
    """The description, with this installation's address as its server."""
    document = copy.deepcopy(OPENAPI)
    document["servers"] = [{"url": base_url.rstrip("/") or "/"}]
    return document
