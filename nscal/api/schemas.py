"""The shapes of the JSON API, each declared once.

Every model here is at the same time the check of what comes in (the query string of
``GET /api/events``), the serialisation of what goes out (an event, a page of events,
an error) and, through pydantic's JSON Schema 2020-12, a schema of the OpenAPI 3.1
document (``nscal.api.openapi``): the answers and their description cannot drift apart.

``from`` and ``to`` are instants (ISO 8601 with an offset) or dates; a date is the
midnight that begins it in ``tz`` (an IANA zone, default UTC). The window is
[from, to): an event is listed when any part of it falls inside.
"""

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from nscal.cities.models import City, ParticipantRole
from nscal.db import db
from nscal.events import models as stored
from nscal.events.models import (
    TRANSLATED_LANGUAGES,
    EventFormat,
    EventKind,
    EventStatus,
    Visibility,
)
from nscal.events.privacy import public_description
from nscal.timeutil import is_valid_zone

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000
DEFAULT_SPAN = relativedelta(years=1)
LATEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)

# --- times -----------------------------------------------------------------------------

# ISO 8601 / RFC 3339 with a numeric offset, to the second: what the API writes.
OFFSET_DATE_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$"


def offset_date_time(moment: datetime) -> str:
    """``moment`` as ISO 8601 / RFC 3339 to the second, with its own offset.

    Before standard time (about 1900) a zone's offset has seconds in it (local mean
    time: +01:39:49 in Helsinki), which RFC 3339 cannot write and the API would not
    read back in a ``next`` link; such a moment is written in UTC instead.
    """
    offset = moment.utcoffset()
    if offset is not None and offset % timedelta(minutes=1):
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="seconds")


OffsetDateTime = Annotated[
    datetime,
    PlainSerializer(offset_date_time, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": OFFSET_DATE_TIME}),
]

# --- what goes out: examples -----------------------------------------------------------

TIMED_EXAMPLE = {
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
    "title_translations": {
        "da": "Bymøde: trygt natteliv",
        "sv": "Stadsmöte: tryggt nattliv",
    },
    "description_translations": {
        "da": "Sådan holder byer nattelivet trygt: erfaringer fra København og Oslo.",
    },
    "cancel_reason": None,
    "sequence": 1,
    "updated_at": "2026-11-02T08:15:00+00:00",
}

ALL_DAY_EXAMPLE = {
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
    "title_translations": {"fi": "Nordic Safe Cities -huippukokous"},
    "description_translations": {
        "fi": "Kaksi päivää verkoston pormestareille, johtajille ja ammattilaisille."
    },
    "cancel_reason": None,
    "sequence": 0,
    "updated_at": "2026-10-20T12:00:00+00:00",
}

CANCELLED_EXAMPLE = {
    **TIMED_EXAMPLE,
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
    "title_translations": {},
    "description_translations": {},
    "cancel_reason": "The speaker is ill; a new date follows.",
    "sequence": 3,
}

ONE_PAGE_EXAMPLE = {
    "events": [TIMED_EXAMPLE, ALL_DAY_EXAMPLE],
    "count": 2,
    "total": 2,
    "limit": 100,
    "offset": 0,
    "from": "2027-01-01T00:00:00+01:00",
    "to": "2028-01-01T00:00:00+01:00",
    "next": None,
}

FIRST_PAGE_EXAMPLE = {
    "events": [CANCELLED_EXAMPLE],
    "count": 1,
    "total": 3,
    "limit": 1,
    "offset": 0,
    "from": "2027-07-01T00:00:00+00:00",
    "to": "2027-08-01T00:00:00+00:00",
    "next": "https://calendar.example.org/api/events"
    "?from=2027-07-01T00:00:00%2B00:00&to=2027-08-01T00:00:00%2B00:00&limit=1&offset=1",
}

# --- what goes out: the models ---------------------------------------------------------

# A language an event's text may be given in besides its original (`title`, `description`).
TranslatedLanguage = Literal[TRANSLATED_LANGUAGES]  # type: ignore[valid-type]
Translations = Annotated[
    dict[TranslatedLanguage, str],
    Field(
        description="The text in other languages, by language code (da, sv, nb, fi, is); "
        "only the languages it is written in. Show the reader's, else the original."
    ),
]


class Event(BaseModel):
    """An event as the pages show it; never its online link (for registered participants)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [TIMED_EXAMPLE, ALL_DAY_EXAMPLE, CANCELLED_EXAMPLE]},
    )

    id: int = Field(ge=1, examples=[42])
    uid: str = Field(
        description="Stable identifier, the iCalendar UID.",
        examples=["5b0c1c8e-8f1e-4c55-9f35-0d6a2f1d6c11@nscal"],
    )
    title: str = Field(
        description="In the event's original language (typically English); "
        "`title_translations` has it in others.",
        examples=["City meeting: safe nightlife"],
    )
    kind: EventKind = Field(examples=["summit"])
    status: EventStatus = Field(
        description="`draft` only reaches coordinators.", examples=["published"]
    )
    timezone: str = Field(
        description="The event's IANA time zone.", examples=["Europe/Copenhagen", "America/Nuuk"]
    )
    starts_at: OffsetDateTime = Field(
        description="The start, with the event's local offset at that moment. For all-day "
        "events, local midnight of `start_date`.",
        examples=["2027-01-13T10:00:00+01:00", "2027-07-13T10:00:00-01:00"],
    )
    ends_at: OffsetDateTime = Field(
        description="The end, with the event's local offset at that moment. For all-day "
        "events, local midnight of `end_date`.",
        examples=["2027-01-13T11:30:00+01:00"],
    )
    all_day: bool = Field(examples=[False])
    start_date: date | None = Field(
        description="All-day events: the first local day; null otherwise.",
        examples=["2027-06-09", None],
    )
    end_date: date | None = Field(
        description="All-day events: the day AFTER the last day (exclusive, as iCalendar's "
        "DTEND;VALUE=DATE); null otherwise. A one-day event on 9 June has end_date 10 June.",
        examples=["2027-06-11", None],
    )
    host_city: str | None = Field(
        description="The slug of the member city hosting the event (the `city` filter takes "
        "it); null for network-wide events.",
        examples=["malmo", None],
    )
    host_city_name: str | None = Field(
        description="The host city's name.", examples=["Malmö", None]
    )
    host_city_country: str | None = Field(
        description="The host city's country.", examples=["Sweden", None]
    )
    url: str = Field(
        description="The event's page.",
        examples=["https://calendar.example.org/events/42"],
        json_schema_extra={"format": "uri"},
    )
    ics_url: str = Field(
        description="The event as an iCalendar file.",
        examples=["https://calendar.example.org/events/42.ics"],
        json_schema_extra={"format": "uri"},
    )
    capacity: Annotated[int, Field(ge=0)] | None = Field(
        description="Places in all; null: no limit.", examples=[40, None]
    )
    spots_left: Annotated[int, Field(ge=0)] | None = Field(
        description="Places not held by confirmed registrations or by those awaiting "
        "approval; null when there is no capacity.",
        examples=[12, None],
    )
    format: EventFormat = Field(examples=["hybrid"])
    visibility: Visibility = Field(
        description="`members` events only reach logged-in members.", examples=["public"]
    )
    audience: list[str] = Field(
        description="Participant-role slugs the event is for; empty: for everyone.",
        examples=[["mayor", "leader"], []],
    )
    venue: str = Field(examples=["Oslo City Hall"])
    description: str = Field(
        description="In the event's original language (typically English); "
        "`description_translations` has it in others."
    )
    title_translations: Translations = Field(
        examples=[{"da": "Bymøde: trygt natteliv", "fi": "Kaupunkikokous: turvallinen yöelämä"}]
    )
    description_translations: Translations = Field(examples=[{}])
    cancel_reason: str | None = Field(
        description="Why a cancelled event is cancelled; null otherwise.",
        examples=["The speaker is ill; a new date follows.", None],
    )
    sequence: int = Field(
        ge=0,
        description="Rises on every change to time, place or status (the iCalendar SEQUENCE).",
        examples=[1],
    )
    updated_at: OffsetDateTime = Field(
        description="The last change, in UTC.", examples=["2026-11-02T08:15:00+00:00"]
    )


def event_to_api(event: stored.Event, *, url: str, ics_url: str, spots_left: int | None) -> Event:
    """One event as the API shows it; never the online link (for participants only)."""
    zone = event.zone
    city = event.host_city
    translations = event.translations_by_language()
    return Event(
        id=event.id,
        uid=event.uid,
        title=event.title,
        kind=event.kind,
        status=event.status,
        timezone=event.timezone,
        starts_at=event.starts_at.astimezone(zone),
        ends_at=event.ends_at.astimezone(zone),
        all_day=event.all_day,
        start_date=event.start_date if event.all_day else None,
        end_date=event.end_date if event.all_day else None,
        host_city=city.slug if city else None,
        host_city_name=city.name if city else None,
        host_city_country=city.country if city else None,
        url=url,
        ics_url=ics_url,
        capacity=event.capacity,
        spots_left=spots_left,
        format=event.format,
        visibility=event.visibility,
        audience=[role.slug for role in event.audience],
        venue=event.venue,
        description=public_description(event),
        title_translations={
            language: text.title for language, text in translations.items() if text.title
        },
        description_translations={
            language: public_description(event, language)
            for language, text in translations.items()
            if text.description
        },
        cancel_reason=event.cancel_reason if event.status is EventStatus.cancelled else None,
        sequence=event.sequence,
        updated_at=event.updated_at.astimezone(UTC),
    )


class EventList(BaseModel):
    """A page of the events overlapping the window [`from`, `to`), by start."""

    model_config = ConfigDict(extra="forbid", validate_by_name=True, validate_by_alias=True)

    events: list[Event]
    count: int = Field(ge=0, description="Events in this response.")
    total: int = Field(ge=0, description="Events in the window and filters, on all pages.")
    limit: int = Field(ge=1, le=MAX_LIMIT)
    offset: int = Field(ge=0)
    from_: OffsetDateTime = Field(
        alias="from", description="The window's start as understood (inclusive)."
    )
    to: OffsetDateTime = Field(description="The window's end as understood (exclusive).")
    next: str | None = Field(
        description="The next page (same window and filters); null on the last page.",
        json_schema_extra={"format": "uri"},
    )


def _without_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _error_examples(schema: dict[str, Any]) -> None:
    # Called when the schema is made, by when the messages below exist: the example is
    # the very answer to ?kind=meetup.
    schema["examples"] = [unknown_kind("meetup").to_error().to_json()]


class Error(BaseModel):
    """What went wrong, for the person reading and for the program."""

    model_config = ConfigDict(json_schema_extra=_error_examples)

    error: str = Field(description="What went wrong, briefly.")
    detail: str = Field(description="Which parameter, and what is expected instead.")
    # Absent rather than null on answers other than 400.
    parameter: str | SkipJsonSchema[None] = Field(
        default=None,
        description="The query parameter at fault (400 only).",
        json_schema_extra=_without_default,
    )
    status: int = Field(description="The HTTP status.")

    def to_json(self) -> dict[str, Any]:
        """The body of the answer."""
        return self.model_dump(mode="json", exclude_none=True)


def event_not_found(event_id: int) -> Error:
    """The answer for an event that does not exist or that this visitor may not see."""
    return Error(
        error="Event not found",
        detail=f"There is no event {event_id} that you may see.",
        status=404,
    )


# --- what comes in: the messages -------------------------------------------------------

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

    def to_error(self) -> Error:
        """The answer that says so."""
        return Error(
            error=f"Invalid parameter: {self.parameter}",
            detail=self.detail,
            parameter=self.parameter,
            status=400,
        )


def no_offset(name: str, value: str) -> BadParameter:
    """A time of day without an offset: any of 24 hours."""
    return BadParameter(
        name,
        f"{name}={value[:64]!r} has no offset, so it could be any of 24 hours. Add one, "
        "e.g. +01:00 for Copenhagen in winter, or Z for UTC (encode + as %2B in a URL).",
    )


def reversed_window(start: datetime, end: datetime) -> BadParameter:
    """``from`` after ``to``."""
    return BadParameter(
        "from",
        f"from ({start.isoformat()}) is after to ({end.isoformat()}); "
        "the window runs from `from` up to `to`.",
    )


def unknown_slug(name: str, noun: str, value: str, known: list[str]) -> BadParameter:
    """A city or role slug that names nothing, with the ones that exist."""
    return BadParameter(
        name, f"There is no {noun} {value[:64]!r}. Known slugs: {', '.join(known)}."
    )


def unknown_kind(value: str) -> BadParameter:
    """A kind of event that does not exist, with the ones that do."""
    known = ", ".join(kind.value for kind in EventKind)
    return BadParameter("kind", f"There is no kind of event {value[:64]!r}. Known kinds: {known}.")


# --- what comes in: the parsers --------------------------------------------------------

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SLUG = re.compile(r"[\w-]{1,100}")
_INSTANT = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})", re.IGNORECASE
)
_WALL_CLOCK = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?", re.IGNORECASE)
# An unencoded "+01:00" in a query string arrives as " 01:00".
_PLUS_AS_SPACE = re.compile(r"(T[\d:.]+) (\d{2}:\d{2})$", re.IGNORECASE)


def _outside_time(name: str, value: str) -> BadParameter:
    return BadParameter(name, f"{name}={value[:64]!r} is outside the years 1 to 9999.")


def _instant(name: str):
    """The validator of ``from`` or ``to``: an aware datetime, or a date still to be read
    in ``tz`` (which the model validator knows)."""

    def parse(value: str) -> date | datetime:
        text = _PLUS_AS_SPACE.sub(r"\1+\2", value)
        shown = value[:64]
        if _DATE.fullmatch(text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                raise BadParameter(
                    name, f"{name}={shown!r} is not a day of the calendar. " + INSTANT_HINT
                ) from None
        if _INSTANT.fullmatch(text):
            try:
                moment = datetime.fromisoformat(text.upper())
            except ValueError:
                raise BadParameter(
                    name, f"{name}={shown!r} is not a real date and time. " + INSTANT_HINT
                ) from None
            return _in_time(name, value, moment)
        if _WALL_CLOCK.fullmatch(text):
            raise no_offset(name, value)
        raise BadParameter(name, f"{name}={shown!r} is not a date or an instant. " + INSTANT_HINT)

    return parse


def _in_time(name: str, value: str, moment: datetime) -> datetime:
    """``moment``, if it is also an instant in UTC (not before year 1 nor after 9999)."""
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise _outside_time(name, value) from None
    return moment


def _zone(value: str) -> str:
    if not is_valid_zone(value):
        raise BadParameter(
            "tz", f"{value[:64]!r} is not an IANA time zone; e.g. Europe/Copenhagen."
        )
    return value


def _kind(value: str) -> EventKind:
    try:
        return EventKind(value.lower())
    except ValueError:
        raise unknown_kind(value) from None


def _by_slug(model: type[City] | type[ParticipantRole], name: str, noun: str):
    """The validator of a slug parameter: the row it names."""

    def find(value: str):
        slug = value.lower()
        found = None
        # Anything but a slug's letters names nothing, and is not sent to the database
        # (PostgreSQL refuses a NUL in text with an error).
        if _SLUG.fullmatch(slug):
            found = db.session.execute(
                sa.select(model).where(model.slug == slug)
            ).scalar_one_or_none()
        if found is None:
            known = db.session.execute(sa.select(model.slug).order_by(model.slug)).scalars()
            raise unknown_slug(name, noun, value, list(known))
        return found

    return find


def _whole_number(name: str, lowest: int, highest: int):
    """The validator of a number parameter, refusing what ``int()`` alone would take
    (signs, other scripts' digits, thousands of digits)."""

    def parse(value: str) -> int:
        digits = value.isascii() and value.isdigit() and len(value) <= len(str(highest))
        if not digits or not lowest <= int(value) <= highest:
            raise BadParameter(
                name, f"{name}={value[:20]!r}: expected a whole number from {lowest} to {highest}."
            )
        return int(value)

    return parse


INSTANT_SCHEMA = {"type": "string", "anyOf": [{"format": "date"}, {"format": "date-time"}]}
SLUG_SCHEMA = {"type": "string"}

# When several parameters are wrong, the answer names the first of these.
_PRECEDENCE = ("tz", "from", "to", "kind", "city", "role", "limit", "offset")


class EventQuery(BaseModel):
    """What ``GET /api/events`` was asked for, checked.

    Every field is a query parameter of the same name, in the OpenAPI document too.
    """

    model_config = ConfigDict(
        extra="ignore",
        frozen=True,
        arbitrary_types_allowed=True,
        validate_by_name=True,
        validate_by_alias=True,
    )

    from_: Annotated[
        date | datetime | None,
        PlainValidator(_instant("from")),
        WithJsonSchema(INSTANT_SCHEMA),
        Field(
            alias="from",
            description="Start of the window (inclusive). An ISO 8601 instant with an offset "
            "or `Z` (recommended; write `+` as `%2B`), or a date: the midnight that begins "
            "it in `tz`. Default: now.",
            examples=["2027-01-01T00:00:00+01:00", "2027-01-01T00:00:00Z", "2027-01-01"],
        ),
    ] = None
    to: Annotated[
        date | datetime | None,
        PlainValidator(_instant("to")),
        WithJsonSchema(INSTANT_SCHEMA),
        Field(
            description="End of the window (exclusive), written like `from`. Default: one "
            "year after `from`. Must not be before `from`.",
            examples=["2027-02-01T00:00:00+01:00", "2027-02-01"],
        ),
    ] = None
    tz: Annotated[
        str | None,
        BeforeValidator(_zone),
        Field(
            description="The IANA time zone in which plain dates in `from` and `to` are read. "
            "Default: UTC. Has no effect on instants, nor on how events are shown (always "
            "in their own zone).",
            examples=["Europe/Helsinki"],
        ),
    ] = None
    city: Annotated[
        City | None,
        PlainValidator(_by_slug(City, "city", "member city")),
        WithJsonSchema(SLUG_SCHEMA),
        Field(
            description="Only events hosted by this member city (its slug). An unknown slug "
            "is a 400.",
            examples=["copenhagen"],
        ),
    ] = None
    kind: Annotated[
        EventKind | None,
        BeforeValidator(_kind),
        Field(description="Only events of this kind.", examples=["city-meeting"]),
    ] = None
    role: Annotated[
        ParticipantRole | None,
        PlainValidator(_by_slug(ParticipantRole, "role", "participant role")),
        WithJsonSchema(SLUG_SCHEMA),
        Field(
            description="Only events for this participant role (its slug) and events for "
            "everyone (empty `audience`). An unknown slug is a 400.",
            examples=["mayor"],
        ),
    ] = None
    limit: Annotated[
        int,
        Field(ge=1, le=MAX_LIMIT, description="At most this many events per page.", examples=[50]),
        BeforeValidator(_whole_number("limit", 1, MAX_LIMIT)),
    ] = DEFAULT_LIMIT
    offset: Annotated[
        int,
        Field(
            ge=0,
            le=MAX_OFFSET,
            description="Skip this many events (follow `next` rather than counting).",
            examples=[100],
        ),
        BeforeValidator(_whole_number("offset", 0, MAX_OFFSET)),
    ] = 0

    _start: datetime = PrivateAttr()
    _end: datetime = PrivateAttr()

    @classmethod
    def from_args(cls, args: Mapping[str, str], *, now: datetime) -> Self:
        """The query string, checked; raises ``BadParameter`` naming what is wrong.

        An empty parameter is an absent one (an empty filter filters nothing); ``from``
        defaults to ``now``.
        """
        values = {name: value.strip() for name, value in args.items() if value.strip()}
        try:
            return cls.model_validate(values, context={"now": now})
        except ValidationError as invalid:
            raise _first_bad_parameter(invalid) from None

    @model_validator(mode="after")
    def _window(self, info: ValidationInfo) -> Self:
        zone = ZoneInfo(self.tz) if self.tz else UTC
        start = self._moment("from", self.from_, zone) if self.from_ else info.context["now"]
        if self.to:
            end = self._moment("to", self.to, zone)
        else:
            try:
                end = start + DEFAULT_SPAN
            except (OverflowError, ValueError):  # past the year 9999
                end = LATEST
        if start > end:
            raise reversed_window(start, end)
        self._start, self._end = start, end
        return self

    @staticmethod
    def _moment(name: str, value: date | datetime, zone: tzinfo) -> datetime:
        if isinstance(value, datetime):
            return value
        return _in_time(name, value.isoformat(), datetime.combine(value, time(), zone))

    @property
    def start(self) -> datetime:
        """The window's start (inclusive)."""
        return self._start

    @property
    def end(self) -> datetime:
        """The window's end (exclusive)."""
        return self._end

    def page_arguments(self, offset: int) -> dict[str, str | int]:
        """The query string of the same window and filters (from and to spelled out),
        further on."""
        values = {
            "from": offset_date_time(self.start),
            "to": offset_date_time(self.end),
            "kind": self.kind.value if self.kind else None,
            "city": self.city.slug if self.city else None,
            "role": self.role.slug if self.role else None,
            "limit": self.limit,
            "offset": offset,
        }
        return {key: value for key, value in values.items() if value is not None}


def _first_bad_parameter(invalid: ValidationError) -> BadParameter:
    """The ``BadParameter`` a validator raised; by ``_PRECEDENCE`` when there are several."""
    found = []
    for error in invalid.errors():
        cause = error.get("ctx", {}).get("error")
        if not isinstance(cause, BadParameter):  # pydantic's own checks, e.g. limit's range
            name = str(error["loc"][0]) if error["loc"] else "query"
            cause = BadParameter(name, f"{name}: {error['msg']}")
        found.append(cause)
    return min(
        found,
        key=lambda bad: (
            _PRECEDENCE.index(bad.parameter) if bad.parameter in _PRECEDENCE else len(_PRECEDENCE)
        ),
    )


# --- an event's programme --------------------------------------------------------------

PROGRAMME_EXAMPLE = {
    "event_id": 42,
    "timezone": "Europe/Stockholm",
    "url": "https://calendar.example.org/events/42#programme",
    "pdf_url": "https://calendar.example.org/events/42/programme.pdf",
    "items": [
        {
            "id": 7,
            "kind": "talk",
            "title": "Welcome and the year in the network",
            "description": "",
            "starts_at": "2027-03-29T09:00:00+02:00",
            "ends_at": "2027-03-29T09:30:00+02:00",
            "room": "Main hall",
            "online": True,
            "position": 0,
            "speakers": [{"name": "Mats Mayor", "affiliation": "Malmö"}],
        }
    ],
}


class ProgrammeSpeaker(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(examples=["Aino Virtanen"])
    affiliation: str = Field(
        description="The city or organisation the speaker comes from; may be empty.",
        examples=["Helsinki", "Nordic Safe Cities"],
    )


class ProgrammeItem(BaseModel):
    """One item of a programme; never its online link (for registered participants)."""

    model_config = ConfigDict(extra="forbid")

    id: int = Field(ge=1, examples=[7])
    kind: Annotated[str, Field(pattern="^(talk|session|break|workshop|other)$")] = Field(
        examples=["talk", "workshop"]
    )
    title: str
    description: str
    starts_at: OffsetDateTime = Field(
        description="The start, with the event's local offset at that moment.",
        examples=["2027-03-29T09:00:00+02:00"],
    )
    ends_at: OffsetDateTime = Field(
        description="The end, with the event's local offset at that moment.",
        examples=["2027-03-29T09:30:00+02:00"],
    )
    room: str = Field(description="Where in the venue; may be empty.", examples=["Room B"])
    online: bool = Field(
        description="Whether the item can be followed online; the link itself is only on "
        "the event page, for registered participants."
    )
    position: int = Field(
        ge=0, description="Orders items that start at the same time (left to right)."
    )
    speakers: list[ProgrammeSpeaker]


class Programme(BaseModel):
    """An event's programme: its items by start, then position."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [PROGRAMME_EXAMPLE]})

    event_id: int = Field(ge=1, examples=[42])
    timezone: str = Field(
        description="The event's IANA time zone, in whose offsets the times are written.",
        examples=["Europe/Stockholm"],
    )
    url: str = Field(
        description="The programme on the event's page.", json_schema_extra={"format": "uri"}
    )
    pdf_url: str = Field(
        description="The printable programme (PDF); 404 while there are no items.",
        json_schema_extra={"format": "uri"},
    )
    items: list[ProgrammeItem] = Field(description="Empty while the event has no programme.")


def programme_to_api(event: stored.Event, items: list, *, url: str, pdf_url: str) -> Programme:
    """``items`` (``nscal.programme.models.ProgrammeItem``) as the API shows them."""
    zone = event.zone
    return Programme(
        event_id=event.id,
        timezone=event.timezone,
        url=url,
        pdf_url=pdf_url,
        items=[
            ProgrammeItem(
                id=item.id,
                kind=item.kind.value,
                title=item.title,
                description=item.description,
                starts_at=item.starts_at.astimezone(zone),
                ends_at=item.ends_at.astimezone(zone),
                room=item.room,
                online=bool(item.online_url),
                position=max(item.position, 0),
                speakers=[
                    ProgrammeSpeaker(name=s.display_name, affiliation=s.display_affiliation)
                    for s in item.speakers
                ],
            )
            for item in items
        ],
    )
