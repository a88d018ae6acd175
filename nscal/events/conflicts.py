"""Conflicts in a year's plan, for the coordinators' yearly calendar.

Pure functions over events (anything with the attributes of ``Event``): no database,
no request. Two kinds of conflict are flagged:

- two events for the same audience that overlap in time (audiences overlap when they
  share a participant role, or when either is for everyone);
- a timed meeting outside office hours (08:00–18:00) in a participating city's zone:
  the host city's for in-person events; every member city's zone for online and
  hybrid ones, since people join from all of them.

Cancelled events conflict with nothing.
"""

import heapq
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from nscal.timedisplay import format_event_when, zone_city

OFFICE_HOURS = (time(8, 0), time(18, 0))


def zone_label(zone: str) -> str:
    """A place people know a zone by: 'Nuuk', 'Tórshavn', 'Copenhagen' …"""
    return zone_city(zone)


# --- how a time reads ------------------------------------------------------------------


def format_when(event) -> str:
    """When ``event`` happens, in its own zone: "13 Jan 2027, 10:00–11:30 CET"."""
    return format_event_when(event)


# --- conflicts -------------------------------------------------------------------------


def find_conflicts(
    events: Sequence, member_zones: Iterable[str] = (), office_hours=OFFICE_HOURS
) -> dict[int, list[str]]:
    """Conflict messages per event id (an empty list for an event without conflicts).

    ``member_zones`` are the zones of the member cities, where people join online
    and hybrid events from. Every overlap is named: for a page, use
    ``summarise_conflicts``, which names the first few.
    """
    summaries = summarise_conflicts(events, member_zones, office_hours, named=None)
    return {
        event_id: summary.overlaps + summary.outside_hours
        for event_id, summary in summaries.items()
    }


@dataclass
class ConflictSummary:
    """One event's conflicts: the first overlaps named, how many more, and office hours."""

    overlaps: list[str] = field(default_factory=list)
    more_overlaps: int = 0
    outside_hours: list[str] = field(default_factory=list)

    @property
    def messages(self) -> list[str]:
        """The named conflicts, overlaps first (in order of start), then office hours."""
        return self.overlaps + self.outside_hours

    @property
    def count(self) -> int:
        """Every conflict, named or not."""
        return len(self.overlaps) + self.more_overlaps + len(self.outside_hours)

    def __bool__(self) -> bool:
        return self.count > 0


NAMED_OVERLAPS = 3


def summarise_conflicts(
    events: Sequence,
    member_zones: Iterable[str] = (),
    office_hours=OFFICE_HOURS,
    named: int | None = NAMED_OVERLAPS,
) -> dict[int, ConflictSummary]:
    """Each event's conflicts, naming at most ``named`` overlaps (None: all of them).

    Overlaps are found in one sweep over the events sorted by start, so the work grows
    with the events and their actual overlaps, and only the named ones are worded.
    """
    member_zones = list(dict.fromkeys(member_zones))
    summaries = {event.id: ConflictSummary() for event in events}
    active = [event for event in events if not _is_cancelled(event)]
    partners: dict[int, list] = {event.id: [] for event in active}
    for first, second in _overlapping_pairs(active):
        for event, other in ((first, second), (second, first)):
            found = partners[event.id]
            if named is None or len(found) < named:
                found.append((other, first, second))
            else:
                summaries[event.id].more_overlaps += 1
    when: dict[int, str] = {}  # each event's time is worded once, however often named
    for event in active:
        summary = summaries[event.id]
        for other, first, second in partners[event.id]:
            if other.id not in when:
                when[other.id] = format_when(other)
            shared = shared_audience(first, second)
            summary.overlaps.append(
                f"Overlaps “{other.title}” ({when[other.id]}), same audience: {shared}."
            )
        if not event.all_day:
            zones = participating_zones(event, member_zones)
            summary.outside_hours = office_hours_messages(event, zones, office_hours)
    return summaries


def _is_cancelled(event) -> bool:
    return event.status == "cancelled"


def _overlapping_pairs(events: Sequence) -> Iterator[tuple]:
    """Pairs of events for the same audience that overlap in time, earlier start first.

    A sweep by start: the events still running are kept per audience role (and apart,
    those for everyone), so an event meets only the running events it shares people
    with. Each event's partners come in order of start, as they would by comparing
    every pair.
    """
    ordered = sorted(events, key=lambda event: (event.starts_at, event.ends_at))
    everyone = _EVERYONE
    running: dict[object, dict[int, object]] = {}  # audience key -> index -> event
    running_all: dict[int, object] = {}
    ending: list[tuple] = []  # (ends_at, index, keys): a heap of the running events
    for index, event in enumerate(ordered):
        while ending and ending[0][0] <= event.starts_at:
            _end, gone, keys = heapq.heappop(ending)
            del running_all[gone]
            for key in keys:
                del running[key][gone]
        keys = [_role_key(role) for role in event.audience] or [everyone]
        keys = list(dict.fromkeys(keys))
        if keys == [everyone]:
            earlier = running_all
        else:
            seen: dict[int, object] = dict(running.get(everyone, {}))
            for key in keys:
                seen.update(running.get(key, {}))
            earlier = dict(sorted(seen.items()))
        for other in earlier.values():
            yield other, event
        running_all[index] = event
        for key in keys:
            running.setdefault(key, {})[index] = event
        heapq.heappush(ending, (event.ends_at, index, keys))


_EVERYONE = object()


def _role_key(role):
    return role.id if getattr(role, "id", None) is not None else role.slug


def shared_audience(first, second) -> str | None:
    """Who both events are for ('everyone', 'Mayor', …), or None when nobody is."""
    if not first.audience and not second.audience:
        return "everyone"
    if not first.audience or not second.audience:
        return ", ".join(role.name for role in (first.audience or second.audience))
    second_keys = {_role_key(role) for role in second.audience}
    shared = [role.name for role in first.audience if _role_key(role) in second_keys]
    return ", ".join(shared) if shared else None


def participating_zones(event, member_zones: Sequence[str]) -> list[tuple[str, str]]:
    """(zone, place) pairs where people join ``event`` from."""
    host = event.host_city
    host_zone = [(host.timezone, host.name)] if host is not None else []
    in_person = event.format == "in-person"
    if in_person or not member_zones:
        return host_zone or [(event.timezone, zone_label(event.timezone))]
    zones = [(zone, zone_label(zone)) for zone in member_zones]
    if event.format == "hybrid" and host is not None and host.timezone not in member_zones:
        zones += host_zone
    return zones


def office_hours_messages(
    event, zones: Sequence[tuple[str, str]], office_hours=OFFICE_HOURS
) -> list[str]:
    """Where a timed event starts before or ends after office hours, west to east.

    Zones that read the same wall-clock times are named together.
    """
    opens, closes = office_hours
    groups: dict[tuple[datetime, datetime], list[str]] = {}
    for zone_name, place in zones:
        zone = ZoneInfo(zone_name)
        start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
        key = (start.replace(tzinfo=None), end.replace(tzinfo=None))
        places = groups.setdefault(key, [])
        if place not in places:
            places.append(place)
    messages = []
    for (start, end), places in sorted(groups.items()):
        early = start.time() < opens
        late = end > datetime.combine(start.date(), closes)
        where = _join(places)
        next_day = " the next day" if end.date() > start.date() else ""
        if early and late:
            text = f"runs {start:%H:%M}–{end:%H:%M}{next_day} in {where}"
        elif early:
            text = f"starts {start:%H:%M} in {where}"
        elif late:
            text = f"ends {end:%H:%M}{next_day} in {where}"
        else:
            continue
        messages.append(f"Outside {opens:%H:%M}–{closes:%H:%M}: {text}.")
    return messages


def _join(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} and {names[-1]}"
