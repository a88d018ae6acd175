"""Event operations shared by the coordinators' pages, the CLI and imports.

Times come in as wall-clock values in the event's zone and are stored as UTC
instants. Services raise ``EventError`` with a message for people, flush, and
leave the commit to the caller.
"""

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from blinker import Namespace
from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import contains_eager, subqueryload

from nscal.accounts.models import User
from nscal.cities.models import City, ParticipantRole
from nscal.db import db, utcnow
from nscal.events.models import (
    TRANSLATED_LANGUAGES,
    Event,
    EventFormat,
    EventKind,
    EventSeries,
    EventStatus,
    EventText,
    EventTranslation,
    Visibility,
    event_audience,
    load_translations,
)
from nscal.events.repeat_rules import (
    RepeatRuleError,
    check_rule,
    expand_rule,
    first_start_from,
    normalize_rule,
    pattern_key,
    without_end,
)
from nscal.events.search import text_matches
from nscal.i18n import current_language
from nscal.inputs import MAX_INTEGER, multi_line, single_line
from nscal.timeutil import (
    FIRST_YEAR,
    LAST_YEAR,
    LocalTimeError,
    is_valid_zone,
    local_to_utc,
    year_in_range,
)

# An open-ended series is stored this far ahead of its first occurrence.
SERIES_HORIZON = timedelta(days=731)
MAX_OCCURRENCES = 400


# Sent with the event after a change people's calendars must learn of (time, place,
# status) to a published or cancelled event; registrations mail the people registered.
event_changed = Namespace().signal("event-changed")
# Sent with the event after its capacity changed: registrations fill freed places.
capacity_changed = Namespace().signal("capacity-changed")
# Sent with the event to ask how many people hold or wait for a place at it;
# registrations answers with a count (events know nothing of registrations).
places_held = Namespace().signal("places-held")


class EventError(ValueError):
    """An event operation was refused; the message says why, in words for people.

    ``field`` names what was refused, in the terms of ``EventData`` (``title``,
    ``timezone``, ``starts``, ``ends``, ``capacity``, ``online_url``, ``rrule``) or
    ``reason`` for a cancellation, so a form can show the message beside its input;
    None when the refusal is about the event as a whole.
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class TimeWarning(str):
    """A note about a time that happens twice (the fall-back hour): shown as a warning."""


@dataclass
class EventData:
    """What a coordinator (or an import) says about an event, in the event's wall-clock time.

    For all-day events ``start`` and ``end`` are dates and ``end`` is exclusive
    (the day after the last day), as in iCalendar.
    """

    title: str
    kind: EventKind
    timezone: str
    start: datetime | date
    end: datetime | date
    all_day: bool = False
    format: EventFormat = EventFormat.online
    description: str = ""
    host_city: City | None = None
    venue: str = ""
    online_url: str = ""
    audience: list[ParticipantRole] = field(default_factory=list)
    visibility: Visibility = Visibility.public
    capacity: int | None = None
    rrule: str | None = None
    uid: str | None = None
    # The title and description in other languages (TRANSLATED_LANGUAGES), all of
    # them: a language left out has none. None leaves the event's translations alone
    # (an import, which knows only the original).
    translations: dict[str, EventText] | None = None


@dataclass
class Schedule:
    """Validated instants for one event, with notes for the coordinator (e.g. a fold)."""

    starts_at: datetime
    ends_at: datetime
    start_date: date | None
    end_date: date | None
    notes: list[str]


def event_from_data(event: Event) -> EventData:
    """The editable description of an existing event, in its own wall-clock time."""
    if event.all_day:
        start, end = event.start_date, event.end_date
    else:
        start = event.local_start.replace(tzinfo=None)
        end = event.local_end.replace(tzinfo=None)
    return EventData(
        title=event.title,
        kind=event.kind,
        timezone=event.timezone,
        start=start,
        end=end,
        all_day=event.all_day,
        format=event.format,
        description=event.description,
        host_city=event.host_city,
        venue=event.venue,
        online_url=event.online_url,
        audience=list(event.audience),
        visibility=event.visibility,
        capacity=event.capacity,
        rrule=event.series.rrule if event.series else None,
        uid=event.uid,
        translations={
            language: EventText(translation.title, translation.description)
            for language, translation in event.translations_by_language().items()
        },
    )


# --- validation ------------------------------------------------------------------------


def schedule_for(data: EventData) -> Schedule:
    """Check the times of ``data`` and turn them into UTC instants."""
    if not is_valid_zone(data.timezone):
        raise EventError(
            _("Unknown time zone %(zone)s. Choose one from the list.", zone=repr(data.timezone)),
            field="timezone",
        )
    zone = ZoneInfo(data.timezone)
    for value, name in ((data.start, "starts"), (data.end, "ends")):
        # A year the zone database cannot shift (1, 9999) fails far from here, on a page.
        if isinstance(value, date) and not year_in_range(value.year):
            raise EventError(
                _(
                    "%(day)s is not between %(first)s and %(last)s.",
                    day=value.isoformat()[:10],
                    first=FIRST_YEAR,
                    last=LAST_YEAR,
                ),
                field=name,
            )
    if data.all_day:
        start, end = _as_date(data.start), _as_date(data.end)
        if end < start:
            raise EventError(_("The last day is before the first day."), field="ends")
        if end == start:
            end = start + timedelta(days=1)  # a one-day event ends the next day (exclusive)
        starts_at = datetime.combine(start, time(), zone).astimezone(UTC)
        ends_at = datetime.combine(end, time(), zone).astimezone(UTC)
        return Schedule(starts_at, ends_at, start, end, [])
    if not isinstance(data.start, datetime):
        raise EventError(_("A timed event needs a start and an end time."), field="starts")
    if not isinstance(data.end, datetime):
        raise EventError(_("A timed event needs a start and an end time."), field="ends")
    notes = []
    starts_at, note = _instant(data.start, data.timezone, "starts")
    if note:
        notes.append(TimeWarning(_("Start: %(note)s", note=note)))
    ends_at, note = _instant(data.end, data.timezone, "ends")
    if note:
        notes.append(TimeWarning(_("End: %(note)s", note=note)))
    if ends_at <= starts_at:
        raise EventError(_("The end must be after the start."), field="ends")
    return Schedule(starts_at, ends_at, None, None, notes)


def _instant(local: datetime, zone_name: str, field: str) -> tuple[datetime, str | None]:
    """``local_to_utc``, refusing a time in the spring-forward gap on ``field``."""
    try:
        return local_to_utc(local, zone_name)
    except LocalTimeError as exc:
        raise EventError(str(exc), field=field) from None


def _as_date(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _check_fields(data: EventData) -> None:
    title = single_line(data.title)
    if not title:
        raise EventError(_("A title is required."), field="title")
    if len(title) > 200:
        raise EventError(_("The title is longer than 200 characters."), field="title")
    if data.capacity is not None and data.capacity < 0:
        raise EventError(_("The capacity cannot be negative."), field="capacity")
    if data.capacity is not None and data.capacity > MAX_INTEGER:
        raise EventError(_("At most %(num)s places.", num=_number(MAX_INTEGER)), field="capacity")
    if data.online_url and not re.match(r"^https?://\S+$", data.online_url.strip()):
        raise EventError(
            _("The online link must start with http:// or https://."), field="online_url"
        )
    if data.format is EventFormat.in_person and data.online_url.strip():
        raise EventError(
            _("An in-person event has no online link; choose hybrid instead."), field="online_url"
        )
    _check_translations(data.translations)


def _check_translations(translations: dict[str, EventText] | None) -> None:
    """The texts in other languages, held to the original's limits."""
    for language, text in (translations or {}).items():
        if language not in TRANSLATED_LANGUAGES:
            raise EventError(_("There is no language “%(code)s” to translate into.", code=language))
        if len(single_line(text.title)) > 200:
            raise EventError(
                _("The title is longer than 200 characters."), field=f"title_{language}"
            )


def _number(value: int) -> str:
    """1,000,000 in English, 1.000.000 in Danish; English outside a request (the CLI)."""
    try:
        return format_number(value)
    except (AttributeError, TypeError, ValueError):
        return f"{value:,}"


# --- single events ---------------------------------------------------------------------

# Changes to these are what people's calendars must learn of: SEQUENCE rises.
SCHEDULING_FIELDS = (
    "starts_at",
    "ends_at",
    "all_day",
    "venue",
    "online_url",
    "host_city_id",
    "format",
    "status",
)


def _apply(event: Event, data: EventData, schedule: Schedule) -> bool:
    """Copy ``data`` onto ``event``; True when a scheduling field changed (SEQUENCE rose)."""
    before = {name: getattr(event, name) for name in SCHEDULING_FIELDS}
    # Every way in (forms, imports, the API) is cleaned here once more: no control
    # characters reach a mail header, a feed or the database.
    event.title = single_line(data.title)
    event.kind = data.kind
    event.description = multi_line(data.description)
    event.format = data.format
    event.host_city = data.host_city
    event.host_city_id = data.host_city.id if data.host_city else None
    event.venue = single_line(data.venue)
    event.online_url = single_line(data.online_url)
    event.timezone = data.timezone
    event.all_day = data.all_day
    event.starts_at, event.ends_at = schedule.starts_at, schedule.ends_at
    event.start_date, event.end_date = schedule.start_date, schedule.end_date
    event.audience = list(data.audience)
    event.visibility = data.visibility
    event.capacity = data.capacity
    if data.translations is not None:
        _apply_translations(event, data.translations)
    changed = event.id is not None and any(
        getattr(event, name) != value for name, value in before.items()
    )
    if changed:
        event.sequence = (event.sequence or 0) + 1
    event.updated_at = utcnow()
    return changed


def _apply_translations(event: Event, texts: dict[str, EventText]) -> None:
    """Make the event's texts in other languages ``texts``, cleaned as the original is.

    Like a new title, a new translation changes the pages and the feeds (``_apply``
    sets ``updated_at``) but not SEQUENCE: calendars need not be told at once.
    """
    stored = event.translations_by_language()
    for language in TRANSLATED_LANGUAGES:
        text = texts.get(language) or EventText("", "")
        title, description = single_line(text.title), multi_line(text.description)
        translation = stored.get(language)
        if not title and not description:
            if translation is not None:
                event.translations.remove(translation)
        elif translation is None:
            event.translations.append(
                EventTranslation(language=language, title=title, description=description)
            )
        else:
            translation.title, translation.description = title, description


def _announce(event: Event) -> None:
    if event.status is not EventStatus.draft:
        event_changed.send(event)


def create_event(
    data: EventData,
    *,
    created_by: User | None = None,
    status: EventStatus = EventStatus.draft,
) -> tuple[Event, list[str]]:
    """Add an event (or a whole series when ``data.rrule`` is set; the first one is returned)."""
    _check_fields(data)
    schedule = schedule_for(data)
    if data.rrule:
        series, notes = create_series(data, created_by=created_by, status=status)
        return series.occurrences[0], notes + schedule.notes
    event = Event(uid=data.uid or None, status=status, created_by=created_by)
    _apply(event, data, schedule)
    db.session.add(event)
    db.session.flush()
    return event, schedule.notes


def update_event(event: Event, data: EventData) -> list[str]:
    """Change one event; an occurrence changed by hand leaves its series' later edits alone."""
    _check_fields(data)
    schedule = schedule_for(data)
    old_capacity = event.capacity
    changed = _apply(event, data, schedule)
    if event.series_id is not None:
        event.detached = True
    db.session.flush()
    if changed:
        _announce(event)
    if event.capacity != old_capacity and event.status is EventStatus.published:
        capacity_changed.send(event)
    return schedule.notes


def cancel_event(event: Event, reason: str) -> None:
    """Cancel: the event stays visible, marked cancelled, with the reason."""
    if event.status is EventStatus.cancelled:
        raise EventError(_("This event is already cancelled."))
    if not multi_line(reason):
        raise EventError(
            _("Say why the event is cancelled; participants will read it."), field="reason"
        )
    if event.status is EventStatus.draft:
        raise EventError(_("A draft was never published: delete it instead of cancelling it."))
    event.status = EventStatus.cancelled
    event.cancel_reason = multi_line(reason)
    event.sequence = (event.sequence or 0) + 1
    event.updated_at = utcnow()
    db.session.flush()
    _announce(event)


def delete_draft(event: Event) -> None:
    if event.status is not EventStatus.draft:
        raise EventError(_("Only drafts can be deleted; cancel a published event instead."))
    db.session.delete(event)
    db.session.flush()


def publish_events(events: list[Event]) -> int:
    """Publish the drafts among ``events``; returns how many were published."""
    published = 0
    for event in events:
        if event.status is EventStatus.draft:
            event.status = EventStatus.published
            event.sequence = (event.sequence or 0) + 1
            event.updated_at = utcnow()
            published += 1
    db.session.flush()
    return published


def people_with_places(event: Event) -> int:
    """How many people hold, wait for or asked for a place at ``event``."""
    return sum(count or 0 for _receiver, count in places_held.send(event))


def unpublish_event(event: Event) -> None:
    """Return a published event nobody registered for to draft.

    It leaves the calendar, the event pages and every feed; SEQUENCE rises, and rises
    again when it is published once more, so calendars that kept a copy update.
    Registered people would lose it without a word, so then it is refused.
    """
    if event.status is not EventStatus.published:
        raise EventError(
            _(
                "“%(title)s” is %(status)s, not published: "
                "only a published event can return to draft.",
                title=event.title,
                status=event.status.label.lower(),
            )
        )
    holding = people_with_places(event)
    if holding:
        raise EventError(
            ngettext(
                "%(num)d person has registered for “%(title)s” (or wait for a place), so it stays "
                "published. Cancel the event instead: they are told by mail.",
                "%(num)d people have registered for “%(title)s” (or wait for a place), so it "
                "stays published. Cancel the event instead: they are told by mail.",
                holding,
                title=event.title,
            )
        )
    event.status = EventStatus.draft
    event.sequence = (event.sequence or 0) + 1
    event.updated_at = utcnow()
    db.session.flush()


def clone_event(event: Event, *, created_by: User | None = None) -> Event:
    """A draft copy with the same details and times and a new identity."""
    data = replace(event_from_data(event), uid=None, rrule=None)
    copy, _notes = create_event(data, created_by=created_by)
    return copy


# --- series ----------------------------------------------------------------------------


def series_starts(rule: str, first_local_start: datetime, zone_name: str) -> list[datetime]:
    """Local wall-clock starts of a series (see ``repeat_rules.expand_rule``), up to
    ``SERIES_HORIZON`` after the first and at most ``MAX_OCCURRENCES``."""
    try:
        return expand_rule(
            rule,
            first_local_start,
            zone_name,
            horizon=first_local_start + SERIES_HORIZON,
            limit=MAX_OCCURRENCES,
        )
    except RepeatRuleError as exc:
        raise EventError(str(exc), field="rrule") from None


def instant_in_zone(local: datetime, zone_name: str) -> datetime:
    """An occurrence's instant; one that falls in a DST gap moves forward by the gap,
    as RFC 5545 prescribes, and one in a fold takes the first."""
    try:
        return local_to_utc(local, zone_name)[0]
    except LocalTimeError:
        return local.replace(tzinfo=ZoneInfo(zone_name), fold=0).astimezone(UTC)


def _occurrence_data(data: EventData, local_start: datetime) -> EventData:
    if data.all_day:
        length = _as_date(data.end) - _as_date(data.start)
        day = local_start.date()
        return replace(data, start=day, end=day + max(length, timedelta(days=1)), rrule=None)
    length = data.end - data.start
    return replace(data, start=local_start, end=local_start + length, rrule=None)


def _first_local_start(data: EventData) -> datetime:
    if data.all_day:
        return datetime.combine(_as_date(data.start), time())
    return data.start


def _chosen_starts(
    rule: str | None, data: EventData, starts: list[datetime] | None
) -> list[datetime]:
    """The rule's starts, or ``starts`` when a file gives more than one rule can say
    (RDATE, several RRULEs, a first start off the pattern); the rule is checked either way."""
    if rule and starts is None:
        return series_starts(rule, _first_local_start(data), data.timezone)
    if rule:
        try:
            check_rule(rule)
        except RepeatRuleError as exc:
            raise EventError(str(exc), field="rrule") from None
    if not starts:
        raise EventError(_("A series needs a repeat rule or a list of dates."), field="rrule")
    return sorted(set(starts))[:MAX_OCCURRENCES]


def create_series(
    data: EventData,
    *,
    created_by: User | None = None,
    status: EventStatus = EventStatus.draft,
    starts: list[datetime] | None = None,
) -> tuple[EventSeries, list[str]]:
    """A series and all its occurrences, each an event of its own.

    ``starts`` (local wall-clock starts) replaces what the rule gives, for imports whose
    dates no single rule describes; the series then keeps the rule it has, or none.
    """
    starts = _chosen_starts(data.rrule, data, starts)
    length = _exact_length(data)
    series = EventSeries(uid=data.uid or None, rrule=normalize_rule(data.rrule))
    db.session.add(series)
    for local_start in starts:
        occurrence_data = _occurrence_data(data, local_start)
        schedule = _occurrence_schedule(occurrence_data, length)
        event = Event(
            status=status, created_by=created_by, series=series, recurrence_id=schedule.starts_at
        )
        _apply(event, occurrence_data, schedule)
        db.session.add(event)
    db.session.flush()
    return series, [
        ngettext(
            "The series has %(num)d occurrence.", "The series has %(num)d occurrences.", len(starts)
        )
    ]


def _occurrence_schedule(data: EventData, length: timedelta) -> Schedule:
    """An occurrence's instants: its start in the zone (a start in a DST gap moves forward
    by the gap, as RFC 5545 prescribes), and the series' exact length after it."""
    if data.all_day:
        return schedule_for(data)
    starts_at = instant_in_zone(data.start, data.timezone)
    return Schedule(starts_at, starts_at + length, None, None, [])


def _exact_length(data: EventData) -> timedelta:
    schedule = schedule_for(data)
    return schedule.ends_at - schedule.starts_at


def update_series(
    series: EventSeries,
    data: EventData,
    *,
    now: datetime | None = None,
    starts: list[datetime] | None = None,
) -> list[str]:
    """Apply ``data`` (and its rule) to the series' future occurrences not changed by hand.

    Future occurrences the new rule (or ``starts``, as for ``create_series``) no longer
    gives are cancelled when published, deleted when drafts; new dates are added as
    drafts or published like the rest.
    """
    now = now or utcnow()
    _check_fields(data)
    length = _exact_length(data)  # also validates the zone and the first start
    rule = normalize_rule(data.rrule if starts is not None else (data.rrule or series.rrule))
    starts = _chosen_starts(rule, data, starts)
    series.rrule = rule
    occurrences = list(series.occurrences)
    if data.translations is not None:
        load_translations(occurrences)  # for all of them at once, not one by one
    status = occurrences[0].status if occurrences else EventStatus.draft
    by_local_day = {}
    for event in occurrences:
        if event.recurrence_id is not None:
            key = event.recurrence_id.astimezone(ZoneInfo(data.timezone)).date()
            by_local_day[key] = event
    wanted_days = set()
    changed: list[Event] = []
    for local_start in starts:
        occurrence_data = _occurrence_data(data, local_start)
        schedule = _occurrence_schedule(occurrence_data, length)
        if schedule.starts_at < now:
            continue
        wanted_days.add(local_start.date())
        event = by_local_day.get(local_start.date())
        if event is None:
            event = Event(status=status, series=series, recurrence_id=schedule.starts_at)
            db.session.add(event)
        elif event.detached or event.is_cancelled:
            continue
        event.recurrence_id = schedule.starts_at
        if _apply(event, occurrence_data, schedule):
            changed.append(event)
    for day, event in by_local_day.items():
        if day in wanted_days or event.detached or event.starts_at < now:
            continue
        if event.status is EventStatus.draft:
            db.session.delete(event)
        elif event.status is EventStatus.published:
            cancel_event(event, "This date was removed from the series.")
    db.session.flush()
    for event in changed:
        _announce(event)
    return []


def copy_series_to_year(
    series: EventSeries, year: int, *, created_by: User | None = None
) -> EventSeries:
    """Draft a copy of a series for ``year``: same rule, weekday pattern, time and details."""
    template = series.occurrences[0]
    data = event_from_data(template)
    first = _first_local_start(data)
    rule = without_end(series.rrule)
    # Wall-clock times in the event's zone, hence naive.
    start_of_year = datetime(year, 1, 1, first.hour, first.minute)  # noqa: DTZ001
    end_of_year = datetime(year, 12, 31, 23, 59)  # noqa: DTZ001
    new_first = first_start_from(rule, first, start_of_year)
    if new_first is None or new_first > end_of_year:
        raise EventError(
            _(
                "The rule of %(title)s gives no date in %(year)s.",
                title=repr(template.title),
                year=year,
            ),
            field="rrule",
        )
    shift = new_first - first
    data = replace(
        data,
        start=(data.start + shift) if not data.all_day else new_first.date(),
        end=(data.end + shift) if not data.all_day else new_first.date() + (data.end - data.start),
        rrule=f"{rule};UNTIL={end_of_year:%Y%m%dT%H%M%S}",
        uid=None,
    )
    new_series, _notes = create_series(data, created_by=created_by)
    return new_series


# --- who sees what ---------------------------------------------------------------------


def visible_events(viewer: User | None) -> sa.Select:
    """Events ``viewer`` may see: anonymous visitors public ones, members also members-only
    ones, coordinators drafts too. Every list, count, search and calendar starts here."""
    query = sa.select(Event)
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return query.where(Event.visibility == Visibility.public, Event.status != EventStatus.draft)
    if not viewer.is_coordinator:
        return query.where(Event.status != EventStatus.draft)
    return query


def can_view(event: Event, viewer: User | None) -> bool:
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        return viewer.is_coordinator or event.status is not EventStatus.draft
    return event.visibility is Visibility.public and event.status is not EventStatus.draft


def events_between(query: sa.Select, start: datetime, end: datetime) -> sa.Select:
    """Restrict ``query`` to events overlapping [start, end)."""
    return query.where(Event.starts_at < end, Event.ends_at > start)


# --- public lists ----------------------------------------------------------------------


def audience_includes(role_id: int | sa.ScalarSelect[int] | None) -> sa.ColumnElement[bool]:
    """Events meant for the participant role ``role_id`` (an id, or a subquery giving
    one): the role is in the event's audience, or the audience is empty (the event is
    for everyone). With None, only the events for everyone."""
    for_everyone = ~Event.audience.any()
    if role_id is None:
        return for_everyone
    return sa.or_(for_everyone, Event.audience.any(ParticipantRole.id == role_id))


def filter_events(
    query: sa.Select,
    *,
    kind: EventKind | None = None,
    host_city: City | None = None,
    role: ParticipantRole | None = None,
    text: str | None = None,
) -> sa.Select:
    """Narrow an event query as the public list does (and the feeds may): by kind, host
    city, participant role (events for that role and events for everyone) and text in
    the title, description (in any language) or venue, ignoring case."""
    if kind is not None:
        query = query.where(Event.kind == kind)
    if host_city is not None:
        query = query.where(Event.host_city_id == host_city.id)
    if role is not None:
        query = query.where(audience_includes(role.id))
    if text and text.strip():
        needle = text.strip()
        columns = (Event.title, Event.description, Event.venue)
        dialect = db.session.get_bind().dialect.name
        matches = text_matches(columns, needle, dialect, Event.id)
        language = current_language()
        if language in TRANSLATED_LANGUAGES:
            # A reader searches in their own language too: the event's texts in it (a
            # small table). In English only the originals are read, through the index.
            translated = sa.select(EventTranslation.event_id).where(
                EventTranslation.language == language,
                sa.or_(
                    EventTranslation.title.icontains(needle, autoescape=True),
                    EventTranslation.description.icontains(needle, autoescape=True),
                ),
            )
            matches = sa.or_(matches, Event.id.in_(translated))
        query = query.where(matches)
    return query


def upcoming_events(query: sa.Select, now: datetime) -> sa.Select:
    """Events not yet over at ``now`` (running ones included), soonest first."""
    return query.where(Event.ends_at > now).order_by(Event.starts_at, Event.id)


def past_events(query: sa.Select, now: datetime) -> sa.Select:
    """Events over by ``now``, latest first."""
    return query.where(Event.ends_at <= now).order_by(Event.starts_at.desc(), Event.id.desc())


class MatchesPagination(Pagination):
    """A page of a search, as ``db.paginate`` gives it, in one pass over the matches.

    ``db.paginate`` reads the matches twice: once sorted for the page, once to count
    them, and a common word matches thousands of events. Here the matching ids come in
    their order in one statement (their number is the count), then the page's events
    alone, with their cities and audiences in the same statement.
    """

    def _query_items(self) -> list[Event]:
        # Through the connection: thousands of ids need no ORM rows.
        ids = db.session.connection().execute(
            self._query_args["select"].with_only_columns(Event.id)
        )
        ids = ids.scalars().all()
        self._total = len(ids)
        shown = ids[self._query_offset : self._query_offset + self.per_page]
        if not shown:
            return []
        # Plain outer joins: the audience's own (nested) join would make SQLite read
        # every event's audience first.
        rows = db.session.execute(
            sa.select(Event)
            .outerjoin(event_audience, event_audience.c.event_id == Event.id)
            .outerjoin(ParticipantRole, ParticipantRole.id == event_audience.c.participant_role_id)
            .where(Event.id.in_(shown))
            .order_by(ParticipantRole.id)
            .options(contains_eager(Event.audience))
        )
        by_id = {event.id: event for event in rows.unique().scalars()}
        return [by_id[event_id] for event_id in shown if event_id in by_id]

    def _query_count(self) -> int:
        return self._total


def paginate_matches(query: sa.Select, page: int, per_page: int) -> MatchesPagination:
    """``db.paginate(query, page=page, per_page=per_page, error_out=False)`` for a
    search (``query`` sorted, from ``filter_events`` with a text): the same page."""
    return MatchesPagination(page=page, per_page=per_page, error_out=False, select=query)


def series_neighbours(event: Event, query: sa.Select) -> tuple[Event | None, Event | None]:
    """The occurrences of ``event``'s series just before and after it, among ``query``
    (start it from ``visible_events``, so hidden occurrences are skipped)."""
    if event.series_id is None:
        return None, None
    same_series = query.where(Event.series_id == event.series_id, Event.id != event.id)
    previous = db.session.execute(
        same_series.where(Event.starts_at < event.starts_at)
        .order_by(Event.starts_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    following = db.session.execute(
        same_series.where(Event.starts_at > event.starts_at).order_by(Event.starts_at).limit(1)
    ).scalar_one_or_none()
    return previous, following


# --- coordinators' pages: the yearly calendar and "this and the following" -------------


# A year's audiences in one query: the relationship's own "selectin" asks again for
# every 500 events.
AUDIENCES_AT_ONCE = subqueryload(Event.audience)


def events_in_year(year: int, query: sa.Select | None = None) -> list[Event]:
    """The events of ``query`` (default: all) whose start falls in ``year``, by start.

    The year is read on each event's own wall clock: the database is asked for a
    window wide enough for every zone (UTC−12 to UTC+14) and the edges are settled here.
    """
    query = sa.select(Event) if query is None else query
    window_start = datetime(year, 1, 1, tzinfo=UTC) - timedelta(hours=14)
    window_end = datetime(year + 1, 1, 1, tzinfo=UTC) + timedelta(hours=12)
    rows = db.session.execute(
        query.where(Event.starts_at >= window_start, Event.starts_at < window_end)
        .order_by(Event.starts_at, Event.id)
        .options(AUDIENCES_AT_ONCE)
    ).scalars()
    return [event for event in rows if _local_start_day(event).year == year]


def _local_start_day(event: Event) -> date:
    if event.all_day and event.start_date is not None:
        return event.start_date
    return event.local_start.date()


def _series_key(title: str, rule: str) -> tuple[str, str]:
    """A series' title and rule, without its end, to recognise a copy of it."""
    return title.strip().casefold(), pattern_key(rule)


def copy_year_series(year: int, *, created_by: User | None = None) -> tuple[list[str], list[str]]:
    """Draft copies in ``year`` of every series with occurrences in ``year - 1``.

    A series already present in ``year`` (an occurrence with the same title and rule:
    an earlier copy, or a series that runs on) is skipped. Returns the titles copied
    and, for each series skipped, why.
    """
    with_series = sa.select(Event).where(Event.series_id.is_not(None))
    present = {
        _series_key(event.title, event.series.rrule)
        for event in events_in_year(year, with_series)
        if event.series is not None
    }
    copied, skipped, seen = [], [], set()
    for event in events_in_year(year - 1, with_series):
        series = event.series
        if series is None or series.id in seen or not series.occurrences:
            continue
        seen.add(series.id)
        title = series.occurrences[0].title
        key = _series_key(title, series.rrule)
        if key in present:
            skipped.append(_("“%(title)s” is already in %(year)s.", title=title, year=year))
            continue
        try:
            copy_series_to_year(series, year, created_by=created_by)
        except EventError as exc:
            skipped.append(str(exc))
            continue
        present.add(key)
        copied.append(title)
    return copied, skipped


def update_this_and_following(occurrence: Event, data: EventData) -> list[str]:
    """Change ``occurrence`` and the later occurrences of its series not changed by hand.

    Earlier occurrences keep their details: ``update_series`` is told to leave alone
    everything that starts before this occurrence.
    """
    if occurrence.series is None:
        raise EventError(_("This event is not part of a series."))
    schedule = schedule_for(data)
    if occurrence.detached:  # chosen by hand now, so it follows this change too
        update_event(occurrence, data)
    earliest = min(
        occurrence.starts_at, occurrence.recurrence_id or occurrence.starts_at, schedule.starts_at
    )
    return schedule.notes + update_series(occurrence.series, data, now=max(utcnow(), earliest))
