"""The OpenAPI 3.1 description of the JSON API (served at /api/openapi.json).

Built from the models in ``nscal.api.schemas``: their JSON Schema 2020-12 is what
OpenAPI 3.1 uses, so the component schemas are pydantic's output with the references
pointed at ``#/components/schemas``, and the query parameters are the fields of
``EventQuery``. Only what no model knows is written here: paths, prose, headers.
"""

import copy
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema

from nscal.api.schemas import (
    FIRST_PAGE_EXAMPLE,
    ONE_PAGE_EXAMPLE,
    PROGRAMME_EXAMPLE,
    TIMED_EXAMPLE,
    Error,
    Event,
    EventList,
    EventQuery,
    Programme,
    event_not_found,
    no_offset,
    reversed_window,
    unknown_slug,
)

REF_TEMPLATE = "#/components/schemas/{model}"


class _Schema(GenerateJsonSchema):
    """pydantic's JSON Schema without a title on every property: the names say it."""

    def field_title_should_be_set(self, schema) -> bool:
        return False


def component_schemas(*models: type[BaseModel]) -> dict[str, Any]:
    """The models' schemas as they are written out, and every schema they refer to."""
    schemas: dict[str, Any] = {}
    for model in models:
        schema = model.model_json_schema(
            ref_template=REF_TEMPLATE, schema_generator=_Schema, mode="serialization"
        )
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    return schemas


def query_parameters(model: type[BaseModel]) -> dict[str, Any]:
    """One OpenAPI query parameter per field of ``model``, named by its alias.

    A parameter's schema stands alone (references into the model's definitions are
    written out) and says nothing of null: a parameter left out is how one asks for
    nothing, so the default of an optional one is not shown either. A parameter sent
    empty (``?city=``, as a form with a blank field sends it) is one left out
    (``EventQuery.from_args``): ``allowEmptyValue`` says so.
    """
    schema = model.model_json_schema(schema_generator=_Schema, mode="validation")
    definitions = schema.get("$defs", {})
    required = set(schema.get("required", ()))
    parameters = {}
    for name, field in schema["properties"].items():
        field = _standalone(dict(field), definitions)
        description = field.pop("description")
        if field.get("default", 0) is None:
            del field["default"]
        parameters[name] = {
            "name": name,
            "in": "query",
            "description": description,
            "schema": field,
            "allowEmptyValue": True,
            **({"required": True} if name in required else {}),
        }
    return parameters


def _standalone(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    alternatives = schema.get("anyOf", [])
    if {"type": "null"} in alternatives:
        others = [each for each in alternatives if each != {"type": "null"}]
        if len(others) == 1:
            del schema["anyOf"]
            schema = {**others[0], **schema}
    if "$ref" in schema:
        definition = definitions[schema.pop("$ref").rsplit("/", 1)[-1]]
        shape = {key: value for key, value in definition.items() if key not in ("title",)}
        schema = {**shape, **schema}
    return schema


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
`ends_at` are local midnights. Moments before standard time (about 1900), whose local
offset had seconds in it, are written in UTC.

**The window.** `from` and `to` are instants: preferably ISO 8601 with an offset
(`2027-01-01T00:00:00+01:00`; write `+` as `%2B` in a URL, though an unencoded `+`
that arrives as a space is understood) or `Z`. A plain date (`2027-01-01`) means the
midnight that begins that day in `tz` (an IANA zone; UTC when `tz` is not given).
Events overlapping [`from`, `to`) are listed, so one that started before `from` and
is still running is included. `from` defaults to now and `to` to one year after `from`.

**Empty parameters.** A parameter sent empty (`?to=&city=`, as a form with blank
fields sends it) is the same as one left out.

**Caching and CORS.** Anonymous responses are `Cache-Control: public, max-age=60`
with `Access-Control-Allow-Origin: *`; responses for a logged-in person are private
and have no CORS header.

**Errors.** A bad parameter gives `400` with a JSON body naming the parameter and
what was expected; an unknown or hidden event gives `404`.
"""

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


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF_TEMPLATE.format(model=name)}


def _bad_parameter_examples() -> dict[str, Any]:
    """What the API answers to a few bad queries, made by the code that answers them."""
    winter = (datetime(2027, 2, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    cities = ["aarhus", "copenhagen", "helsinki", "nuuk", "reykjavik"]
    cases = {
        "no_offset": ("A time without an offset", no_offset("from", "2027-01-01T00:00")),
        "reversed": ("from after to", reversed_window(*winter)),
        "unknown_city": (
            "An unknown city slug",
            unknown_slug("city", "member city", "atlantis", cities),
        ),
    }
    return {
        key: {"summary": summary, "value": bad.to_error().to_json()}
        for key, (summary, bad) in cases.items()
    }


def build_document() -> dict[str, Any]:
    """The whole description, with the example server."""
    parameters = query_parameters(EventQuery)
    return {
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
                    "description": "Events whose time overlaps [`from`, `to`), ordered by "
                    "start (then id), a page at a time. Filters combine with AND.",
                    "parameters": [
                        {"$ref": f"#/components/parameters/{name}"} for name in parameters
                    ],
                    "responses": {
                        "200": {
                            "description": "A page of events.",
                            "headers": _PUBLIC_HEADERS,
                            "content": {
                                "application/json": {
                                    "schema": _ref("EventList"),
                                    "examples": {
                                        "january": {
                                            "summary": "Two events, no further page",
                                            "value": ONE_PAGE_EXAMPLE,
                                        },
                                        "paged": {
                                            "summary": "The first page of several",
                                            "value": FIRST_PAGE_EXAMPLE,
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
                                    "schema": _ref("Error"),
                                    "examples": _bad_parameter_examples(),
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
                                    "schema": _ref("Event"),
                                    "example": TIMED_EXAMPLE,
                                }
                            },
                        },
                        "404": {
                            "description": "No such event, or not one this visitor may see "
                            "(the same answer for both).",
                            "content": {
                                "application/json": {
                                    "schema": _ref("Error"),
                                    "example": event_not_found(4242).to_json(),
                                }
                            },
                        },
                    },
                }
            },
            "/api/events/{event_id}/programme": {
                "get": {
                    "operationId": "getEventProgramme",
                    "summary": "One event's programme",
                    "description": "The items of the event's programme (talks, sessions, "
                    "breaks, workshops), by start and then position, with their speakers and "
                    "rooms; times with the event's local offset. Online links are never "
                    "included. The same visibility as the event: a members-only event's "
                    "programme is a 404 without a member's session.",
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
                            "description": "The programme; `items` is empty while there is none.",
                            "headers": _PUBLIC_HEADERS,
                            "content": {
                                "application/json": {
                                    "schema": _ref("Programme"),
                                    "example": PROGRAMME_EXAMPLE,
                                }
                            },
                        },
                        "404": {
                            "description": "No such event, or not one this visitor may see "
                            "(the same answer for both).",
                            "content": {
                                "application/json": {
                                    "schema": _ref("Error"),
                                    "example": event_not_found(4242).to_json(),
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
            "parameters": parameters,
            "schemas": component_schemas(Event, EventList, Error, Programme),
        },
    }


OPENAPI = build_document()


def openapi_document(base_url: str) -> dict[str, Any]:
    """The description, with this installation's address as its server."""
    document = copy.deepcopy(OPENAPI)
    document["servers"] = [{"url": base_url.rstrip("/") or "/"}]
    return document
