"""Conflicts in a year's plan, for the coordinators' yearly calendar.

Pure functions over events (anything with the attributes of ``Event``): no database,
no request. Two kinds of conflict are flagged:

- two events for the same audience that overlap in time (audiences overlap when they
  share a participant role, or when either is for everyone);
- a timed meeting outside office hours (08:00–18:00) in a participating city's zone:
  the host city's for in-person events; every member city's zone for online and
  hybrid ones, since people join from all of them. A meeting over several days is
  read per day: it may start on its first day and end on its last within office
  hours (a two-day meeting from 09:00 to 15:00 the next day is fine).

Each conflict has a ``key`` ("overlap:<other id>" or "outside-hours") by which a
coordinator can accept it (``nscal.events.models.AcceptedConflict``).
Cancelled events conflict with nothing.

Messages are in the reader's language; accepted office hours are recorded in English
(``Conflict.recorded``), so an acceptance holds whichever language reads it next.
"""

import heapq
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from flask_babel import get_locale
from flask_babel import gettext as _

from nscal.timedisplay import clock, format_event_when, zone_city

OFFICE_HOURS = (time(8, 0), time(18, 0))


def zone_label(zone: str) -> str:
    """A place people know a zone by: 'Nuuk', 'Tórshavn', 'Copenhagen' …"""
    # English: an accepted conflict is recorded in English and must read the same later.
    return zone_city(zone, english=True)


# --- how a time reads ------------------------------------------------------------------


def N_(message: str) -> str:
    """Marks a message for the catalog; ``_say`` words it in one language or the other."""
    return message


def _english(message: str, **values) -> str:
    return message % values if values else message


def _reads_english() -> bool:
    return getattr(get_locale(), "language", "en") == "en"


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


OUTSIDE_HOURS = "outside-hours"


def overlap_key(other_id: int) -> str:
    return f"overlap:{other_id}"


@dataclass
class Conflict:
    """One named conflict: what a coordinator reads, and the key to accept it by."""

    key: str
    message: str
    other_id: int | None = None
    accepted: bool = False
    # What an acceptance stores (office hours in English); None: the message.
    recorded: str | None = None


@dataclass
class ConflictSummary:
    """One event's conflicts: the first overlaps named, how many more, and office hours."""

    overlaps: list[str] = field(default_factory=list)
    more_overlaps: int = 0
    outside_hours: list[str] = field(default_factory=list)
    outside_hours_english: list[str] = field(default_factory=list)  # as recorded
    overlap_ids: list[int] = field(default_factory=list)  # beside ``overlaps``
    accepted: set[str] = field(default_factory=set)  # keys a coordinator accepted

    @property
    def messages(self) -> list[str]:
        """The named conflicts, overlaps first (in order of start), then office hours."""
        return self.overlaps + self.outside_hours

    @property
    def conflicts(self) -> list[Conflict]:
        """The named conflicts with their keys: each overlap, then office hours as one."""
        found = [
            Conflict(overlap_key(other), message, other, overlap_key(other) in self.accepted)
            for other, message in zip(self.overlap_ids, self.overlaps, strict=True)
        ]
        if self.outside_hours:
            found.append(
                Conflict(
                    OUTSIDE_HOURS,
                    " ".join(self.outside_hours),
                    accepted=OUTSIDE_HOURS in self.accepted,
                    recorded=self.outside_hours_recorded,
                )
            )
        return found

    @property
    def outside_hours_recorded(self) -> str:
        """The office hours' messages as an acceptance records them (English)."""
        return " ".join(self.outside_hours_english or self.outside_hours)

    @property
    def open(self) -> list[Conflict]:
        """The named conflicts nobody has accepted."""
        return [conflict for conflict in self.conflicts if not conflict.accepted]

    @property
    def count(self) -> int:
        """Every conflict, named or not."""
        return len(self.overlaps) + self.more_overlaps + len(self.outside_hours)

    @property
    def warnings(self) -> int:
        """The conflicts still to look at: every one not accepted, named or not."""
        accepted = self.accepted
        open_overlaps = sum(overlap_key(other) not in accepted for other in self.overlap_ids)
        open_hours = bool(self.outside_hours) and OUTSIDE_HOURS not in accepted
        return open_overlaps + open_hours + self.more_overlaps

    def __bool__(self) -> bool:
        return self.count > 0


NAMED_OVERLAPS = 3


def summarise_conflicts(
    events: Sequence,
    member_zones: Iterable[str] | Mapping[str, Sequence[str]] = (),
    office_hours=OFFICE_HOURS,
    named: int | None = NAMED_OVERLAPS,
    worded: Collection[int] | None = None,
) -> dict[int, ConflictSummary]:
    """Each event's conflicts, naming at most ``named`` overlaps (None: all of them).

    ``worded``: the ids of the events whose messages are to be written (None: every
    event's). The others get what counting and accepting read, not words: the keys of
    their named overlaps with empty messages, and one empty office-hours message when
    they are outside office hours anywhere. A page of a busy year words what it shows.

    ``member_zones`` are the zones people join online events from; a mapping from
    zone to the names of the member cities in it makes the messages name those
    cities ("starts 07:00 in Reykjavík and Nuuk"). Which conflicts coordinators accepted
    is filled in by ``nscal.events.publishing.mark_accepted``.

    Overlaps are found in one sweep over the events sorted by start, so the work grows
    with the events and their actual overlaps, and only the named ones are worded.
    """
    member_zones = _zone_places(member_zones)
    english = _reads_english()
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
    clocks: dict[tuple, list[ZoneInfo]] = {}  # the zones people join from, per kind of event
    for event in active:
        summary = summaries[event.id]
        if worded is not None and event.id not in worded:
            summary.overlap_ids = [other.id for other, _first, _second in partners[event.id]]
            summary.overlaps = [""] * len(summary.overlap_ids)
            if not event.all_day:
                host = event.host_city
                kind = (event.format, event.timezone, host and (host.timezone, host.name))
                if kind not in clocks:
                    zones = participating_zones(event, member_zones)
                    clocks[kind] = [ZoneInfo(zone) for zone in dict.fromkeys(z for z, _ in zones)]
                outside = _outside_anywhere(event, clocks[kind], office_hours)
                summary.outside_hours = [""] if outside else []
            continue
        for other, first, second in partners[event.id]:
            if other.id not in when:
                when[other.id] = format_when(other)
            shared = shared_audience(first, second)
            summary.overlaps.append(
                _(
                    "Overlaps “%(title)s” (%(when)s), same audience: %(audience)s.",
                    title=other.title,
                    when=when[other.id],
                    audience=shared,
                )
            )
            summary.overlap_ids.append(other.id)
        if not event.all_day:
            zones = participating_zones(event, member_zones)
            summary.outside_hours = office_hours_messages(event, zones, office_hours)
            if summary.outside_hours and not english:
                summary.outside_hours_english = office_hours_messages(
                    event, zones, office_hours, english=True
                )
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


def _role_name(role) -> str:
    """A participant role as the reader reads it ("Borgmester"), else its stored name."""
    return getattr(role, "label", None) or role.name


def shared_audience(first, second) -> str | None:
    """Who both events are for ('everyone', 'Mayor', …), or None when nobody is."""
    if not first.audience and not second.audience:
        return _("everyone")
    if not first.audience or not second.audience:
        return ", ".join(_role_name(role) for role in (first.audience or second.audience))
    second_keys = {_role_key(role) for role in second.audience}
    shared = [_role_name(role) for role in first.audience if _role_key(role) in second_keys]
    return ", ".join(shared) if shared else None


def _zone_places(
    member_zones: Iterable[str] | Mapping[str, Sequence[str]],
) -> dict[str, list[str]]:
    """Zone -> the places named for it: the member cities given, else the zone's label."""
    if isinstance(member_zones, Mapping):
        return {zone: list(names) or [zone_label(zone)] for zone, names in member_zones.items()}
    return {zone: [zone_label(zone)] for zone in dict.fromkeys(member_zones)}


def participating_zones(
    event, member_zones: Sequence[str] | Mapping[str, Sequence[str]]
) -> list[tuple[str, str]]:
    """(zone, place) pairs where people join ``event`` from: for an in-person event its
    host city; for online and hybrid ones every member city (or zone), and the host."""
    places = _zone_places(member_zones)
    host = event.host_city
    host_zone = [(host.timezone, host.name)] if host is not None else []
    in_person = event.format == "in-person"
    if in_person or not places:
        return host_zone or [(event.timezone, zone_label(event.timezone))]
    zones = [(zone, name) for zone, names in places.items() for name in names]
    if event.format == "hybrid" and host is not None and (host.timezone, host.name) not in zones:
        zones += host_zone
    return zones


def office_hours_messages(
    event, zones: Sequence[tuple[str, str]], office_hours=OFFICE_HOURS, *, english=False
) -> list[str]:
    """Where a timed event starts before or ends after office hours, west to east.

    Zones that read the same wall-clock times are named together. An event over
    several local days is read per day: its first day from its start, its last day
    until its end, the days between as whole working days. ``english``: in English
    whatever the reader's language (what an acceptance records).
    """
    say = _english if english else _
    opens, closes = office_hours
    groups: dict[tuple[datetime, datetime], list[str]] = {}
    for zone_name, place in zones:
        zone = ZoneInfo(zone_name)
        start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
        key = (start.replace(tzinfo=None), end.replace(tzinfo=None))
        places = groups.setdefault(key, [])
        if place not in places:
            places.append(place)
    # The reader's clock ("8.00" in Finnish); an acceptance's record keeps "08:00".
    time_text = (lambda moment: f"{moment:%H:%M}") if english else clock
    hours = f"{time_text(opens)}–{time_text(closes)}"
    messages = []
    for (start, end), places in sorted(groups.items()):
        early, late = _outside(start, end, opens, closes)
        values = {
            "hours": hours,
            "start": time_text(start),
            "end": time_text(end),
            "places": _join(places, say),
        }
        days = (end.date() - start.date()).days
        if days > 1:
            values["date"] = _day_and_month(end, english)
        if early and late:
            message = (
                N_("Outside %(hours)s: runs %(start)s–%(end)s in %(places)s.")
                if days <= 0
                else N_("Outside %(hours)s: runs %(start)s–%(end)s the next day in %(places)s.")
                if days == 1
                else N_("Outside %(hours)s: runs %(start)s–%(end)s on %(date)s in %(places)s.")
            )
        elif early:
            message = N_("Outside %(hours)s: starts %(start)s in %(places)s.")
        elif late:
            message = (
                N_("Outside %(hours)s: ends %(end)s in %(places)s.")
                if days <= 0
                else N_("Outside %(hours)s: ends %(end)s the next day in %(places)s.")
                if days == 1
                else N_("Outside %(hours)s: ends %(end)s on %(date)s in %(places)s.")
            )
        else:
            continue
        messages.append(say(message, **values))
    return messages


def _outside_anywhere(event, zones: Sequence[ZoneInfo], office_hours=OFFICE_HOURS) -> bool:
    """Whether ``office_hours_messages`` would say anything for ``event`` in ``zones``,
    without wording it."""
    opens, closes = office_hours
    for zone in zones:
        start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
        if any(_outside(start.replace(tzinfo=None), end.replace(tzinfo=None), opens, closes)):
            return True
    return False


def _outside(start: datetime, end: datetime, opens: time, closes: time) -> tuple[bool, bool]:
    """(starts outside office hours, ends outside them), on the event's local days."""
    if end.date() == start.date():
        return start.time() < opens, end.time() > closes
    # Several days: the first day must begin within office hours and the last end
    # within them; ending at midnight means the day before ran until 24:00.
    early = not opens <= start.time() < closes
    late = end.time() == time(0, 0) or not opens < end.time() <= closes
    return early, late


def _day_and_month(day: datetime, english: bool) -> str:
    """'13 Jan' in English, '13. jan.' in Danish …"""
    locale = get_locale()
    if english or locale is None or locale.language == "en":
        return f"{day.day} {day:%b}"
    return format_skeleton("MMMd", day, locale=locale)


def _join(names: list[str], say=_english) -> str:
    if len(names) == 1:
        return names[0]
    return say(N_("%(names)s and %(last)s"), names=", ".join(names[:-1]), last=names[-1])
