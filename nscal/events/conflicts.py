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

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from functools import cached_property, partial
from itertools import accumulate, chain, combinations, compress, repeat
from math import inf
from operator import add, ge, lt, not_, or_, sub
from typing import Protocol
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _

from nscal.timedisplay import format_event_when, words, zone_city

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


def _translator() -> Callable[..., str]:
    """Flask-Babel's ``gettext`` for many messages: the same words, the reader's
    translations looked up once (``gettext`` looks them up in the request per call)."""
    translations = get_translations()

    def say(message: str, **values) -> str:
        text = translations.ugettext(message)
        return text % values if values else text

    return say


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
    """One event's conflicts: the first overlaps named, how many more, and office hours.

    ``pending_hours``: for an event not worded, whether it is outside office hours,
    asked only when something reads its office hours (then an empty message or none).
    """

    overlaps: list[str] = field(default_factory=list)
    more_overlaps: int = 0
    outside_hours: list[str] = field(default_factory=list)
    outside_hours_english: list[str] = field(default_factory=list)  # as recorded
    overlap_ids: list[int] = field(default_factory=list)  # beside ``overlaps``
    accepted: set[str] = field(default_factory=set)  # keys a coordinator accepted
    pending_hours: Callable[[], bool] | None = field(default=None, repr=False, compare=False)

    def _settle(self) -> None:
        if self.pending_hours is not None:
            self.outside_hours = [""] if self.pending_hours() else []
            self.pending_hours = None

    @property
    def messages(self) -> list[str]:
        """The named conflicts, overlaps first (in order of start), then office hours."""
        self._settle()
        return self.overlaps + self.outside_hours

    @property
    def conflicts(self) -> list[Conflict]:
        """The named conflicts with their keys: each overlap, then office hours as one."""
        self._settle()
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
        self._settle()
        return " ".join(self.outside_hours_english or self.outside_hours)

    @property
    def open(self) -> list[Conflict]:
        """The named conflicts nobody has accepted."""
        return [conflict for conflict in self.conflicts if not conflict.accepted]

    @property
    def count(self) -> int:
        """Every conflict, named or not."""
        self._settle()
        return len(self.overlaps) + self.more_overlaps + len(self.outside_hours)

    def _open_overlaps(self) -> int:
        accepted = self.accepted
        open_named = sum(overlap_key(other) not in accepted for other in self.overlap_ids)
        return open_named + self.more_overlaps

    @property
    def warnings(self) -> int:
        """The conflicts still to look at: every one not accepted, named or not."""
        self._settle()
        open_hours = bool(self.outside_hours) and OUTSIDE_HOURS not in self.accepted
        return self._open_overlaps() + open_hours

    @property
    def has_warnings(self) -> bool:
        """``bool(warnings)``, reading the office hours only when the overlaps leave it
        open (what a year's counts ask of thousands of events)."""
        if self._open_overlaps():
            return True
        return bool(self.warnings)

    def __bool__(self) -> bool:
        if self.overlaps or self.more_overlaps:
            return True
        return self.count > 0


NAMED_OVERLAPS = 3


def summarise_conflicts(
    events: Sequence,
    member_zones: Iterable[str] | Mapping[str, Sequence[str]] = (),
    office_hours=OFFICE_HOURS,
    named: int | None = NAMED_OVERLAPS,
    worded: Collection[int] | None = None,
    partnered: Collection[int] = (),
) -> dict[int, ConflictSummary]:
    """Each event's conflicts, naming at most ``named`` overlaps (None: all of them).

    ``worded``: the ids of the events whose messages are to be written (None: every
    event's). The others get what counting reads, not words: how many overlaps they
    have (as ``more_overlaps``; for ``partnered`` events, whose acceptances matter, the
    keys of their named overlaps with empty messages), and their office hours checked
    only when something reads them (then one empty message, or none). A page of a busy
    year uses ``plan_conflicts``, which makes no summary for the events it only counts.

    ``member_zones`` are the zones people join online events from; a mapping from
    zone to the names of the member cities in it makes the messages name those
    cities ("starts 07:00 in Reykjavík and Nuuk"). Which conflicts coordinators accepted
    is filled in by ``nscal.events.publishing.mark_accepted``.
    """
    ids = [event.id for event in events]
    plan = plan_conflicts(
        events, member_zones, office_hours, named, ids if worded is None else worded, partnered
    )
    summaries = plan.summaries
    for event in events:
        if event.id not in summaries:
            summary = summaries[event.id] = ConflictSummary()
            if not _is_cancelled(event):
                summary.more_overlaps = plan.counts[event.id]
                if not event.all_day:
                    summary.pending_hours = partial(plan.outside_anywhere, event)
    return {event_id: summaries[event_id] for event_id in ids}


@dataclass
class PlanConflicts:
    """The conflicts of a year's plan: summaries of the events a page shows (and of
    those whose acceptances count); for every event whether it overlaps another (and,
    when asked, how many it overlaps)."""

    summaries: dict[int, ConflictSummary]  # the worded and partnered events
    rows: "PlanRows"
    overlaps: "_Overlaps"  # over the rows not cancelled
    member_zones: dict[str, list[str]]
    office_hours: tuple[time, time]
    clocks: dict[tuple, list[ZoneInfo]] = field(default_factory=dict)

    @cached_property
    def counts(self) -> dict[int, int]:
        """Event id -> how many events it overlaps, for the events not cancelled (every
        one counted: what a page of a busy year does not ask)."""
        ids, items = self.rows.ids, self.overlaps.items
        return {ids[items[n]]: count for n, count in enumerate(self.overlaps.counts())}

    def outside_anywhere(self, event) -> bool:
        """Whether a timed ``event`` is outside office hours where people join from."""
        host = event.host_city
        kind = (event.format, event.timezone, host and (host.timezone, host.name))
        zones = self.clocks.get(kind)
        if zones is None:
            places = participating_zones(event, self.member_zones)
            zones = self.clocks[kind] = [ZoneInfo(z) for z in dict.fromkeys(z for z, _ in places)]
        return _outside_anywhere(event, zones, self.office_hours)

    def has_warnings(self, event) -> bool:
        """Whether ``event`` has a conflict nobody accepted."""
        return self._warned(self.rows.index(event.id), self.overlaps.overlapping())

    def warnings(self) -> list[bool]:
        """``has_warnings`` of every row, in the rows' order (as ``_warned``, in C but
        for the rows left to look at)."""
        rows, overlaps = self.rows, self.overlaps
        # Any overlap is a warning (the rows not cancelled are the overlaps' items) ...
        found = [False] * len(rows.ids)
        for n in compress(overlaps.items, overlaps.overlapping()):
            found[n] = True
        # ... else a timed event's office hours decide ...
        left = map(not_, map(or_, map(or_, found, rows.cancelled), rows.all_day))
        entry, outside = rows.entry, self.outside_anywhere
        for i in compress(range(len(found)), left):
            found[i] = outside(entry(i))
        # ... but for the events with a summary, whose acceptances count.
        for event_id, summary in self.summaries.items():
            found[rows.index(event_id)] = summary.has_warnings
        return found

    def _warned(self, i: int, overlapping: list[bool]) -> bool:
        # An event without a summary has no acceptance that counts: any overlap is a
        # warning, and only an event without overlaps has its office hours looked at.
        rows = self.rows
        summary = self.summaries.get(rows.ids[i])
        if summary is not None:
            return summary.has_warnings
        if rows.cancelled[i]:
            return False
        if overlapping[self.overlaps.position(i)]:
            return True
        return not rows.all_day[i] and self.outside_anywhere(rows.entry(i))


class PlanRows(Protocol):
    """A year's events as parallel columns, for ``plan_conflicts``: ids, starts and ends
    as numbers (any unit, the same for all), audience keys (role ids), and the event
    with every attribute the messages read, made only for the rows that are worded."""

    ids: Sequence[int]
    starts: Sequence[float]
    ends: Sequence[float]
    keys: Sequence[frozenset]
    cancelled: Sequence[bool]
    all_day: Sequence[bool]

    def entry(self, i: int): ...

    def index(self, event_id: int) -> int: ...

    def has(self, event_id: int) -> bool: ...


class _EventRows:
    """Events (or anything with the attributes of ``Event``) as ``PlanRows``."""

    def __init__(self, events: Sequence):
        self.events = events
        self.ids = [event.id for event in events]
        self.starts = [event.starts_at.timestamp() for event in events]
        self.ends = [event.ends_at.timestamp() for event in events]
        known: dict[int, object] = {}  # id(role) -> its key: few roles, many events
        self.keys = [_audience_keys(event.audience, known) for event in events]
        self.cancelled = [_is_cancelled(event) for event in events]
        self.all_day = [bool(event.all_day) for event in events]
        self._index = {event_id: i for i, event_id in enumerate(self.ids)}

    def entry(self, i: int):
        return self.events[i]

    def index(self, event_id: int) -> int:
        return self._index[event_id]

    def has(self, event_id: int) -> bool:
        return event_id in self._index


def plan_conflicts(
    events: Sequence | PlanRows,
    member_zones: Iterable[str] | Mapping[str, Sequence[str]] = (),
    office_hours=OFFICE_HOURS,
    named: int | None = NAMED_OVERLAPS,
    worded: Collection[int] = (),
    partnered: Collection[int] = (),
) -> PlanConflicts:
    """The conflicts of ``events`` (events, or a year's ``PlanRows``): worded in full
    for the ids in ``worded``; for those in ``partnered`` the keys of their named
    overlaps, unworded; for all, whether they overlap (``counts``: how often).

    Overlaps are counted with bisections over sorted starts and ends (``_Overlaps``),
    so the work grows as n log n whatever the number of overlaps; only the named ones
    are found one by one, and only for the worded and partnered events.
    """
    rows = events if hasattr(events, "entry") else _EventRows(events)
    member_zones = _zone_places(member_zones)
    english = _reads_english()
    say, role_name = _translator(), _RoleNames()
    kept = list(map(not_, rows.cancelled))
    overlaps = _Overlaps(
        list(compress(rows.starts, kept)),
        list(compress(rows.ends, kept)),
        list(compress(rows.keys, kept)),
        list(compress(range(len(rows.ids)), kept)),
    )
    plan = PlanConflicts({}, rows, overlaps, member_zones, office_hours)
    summaries = plan.summaries
    worded = set(worded)
    known = {*worded, *partnered}
    when: dict[int, str] = {}  # each event's time is worded once, however often named
    for i in sorted(rows.index(event_id) for event_id in known if rows.has(event_id)):
        event_id = rows.ids[i]
        summary = summaries[event_id] = ConflictSummary()
        if rows.cancelled[i]:
            continue
        me = overlaps.position(i)
        count = overlaps.count(me)
        found = overlaps.partners(me, named) if count else []
        summary.more_overlaps = count - len(found)
        summary.overlap_ids = [rows.ids[overlaps.items[n]] for n in found]
        event = rows.entry(i)
        if event_id not in worded:
            summary.overlaps = [""] * len(found)
            if not event.all_day:
                summary.pending_hours = partial(plan.outside_anywhere, event)
            continue
        for n in found:
            other = rows.entry(overlaps.items[n])
            if other.id not in when:
                when[other.id] = format_when(other)
            first, second = (event, other) if me < n else (other, event)
            summary.overlaps.append(
                say(
                    "Overlaps “%(title)s” (%(when)s), same audience: %(audience)s.",
                    title=other.title,
                    when=when[other.id],
                    audience=shared_audience(first, second, say, role_name),
                )
            )
        if not event.all_day:
            zones = participating_zones(event, member_zones)
            summary.outside_hours = office_hours_messages(event, zones, office_hours, say=say)
            if summary.outside_hours and not english:
                summary.outside_hours_english = office_hours_messages(
                    event, zones, office_hours, english=True
                )
    return plan


def _is_cancelled(event) -> bool:
    return event.status == "cancelled"


class _Overlaps:
    """The overlaps in time among events for the same audience, counted without
    enumerating them, and the first few partners of an event found on demand.

    Built from parallel columns (starts, ends, audience keys and an item for each,
    what the caller knows the event by); positions are in the order of a sweep, by
    (start, end, given order), and an event's partners come in that order. Counting:
    the events overlapping [s, e) are those starting before e less those ended by s
    (every one ended by s started before e), so two bisections over sorted starts and
    sorted ends count them. For the audience, an event for some roles meets the events
    for everyone plus, by inclusion and exclusion over its roles, those sharing a role
    (indexes of the events for every role, every pair of roles …, built as needed); an
    event for everyone meets all. Finding partners: the events are also kept by
    duration (powers of two), so the partners of [s, e) lasting under 2^k start after
    s - 2^k, a short window.
    """

    # Beyond this many roles an event's inclusion and exclusion has too many terms:
    # its events' compatible set is filtered instead (once per such audience).
    MAX_SUBSET_ROLES = 4

    def __init__(self, starts: Sequence, ends: Sequence, keys: Sequence, items: Sequence):
        order = sorted(zip(starts, ends, range(len(starts)), strict=True))
        self.order = [i for _s, _e, i in order]
        self.items = [items[i] for i in self.order]
        self.starts = [s for s, _e, _i in order]
        self.ends = [e for _s, e, _i in order]
        self.keys = [keys[i] for i in self.order]
        self._position: dict | None = None
        self._indexes: dict[object, tuple[list[float], list[float]]] = {}
        self._reaches: dict[object, tuple[list[float], list[float]]] = {}
        self._buckets: dict[int, tuple[list[float], list[int]]] | None = None
        self._overlapping: list[bool] | None = None
        self._by_roles: dict[frozenset, list[int]] | None = None

    def by_roles(self) -> dict[frozenset, list[int]]:
        """The positions of the events by their audience (few audiences, many events)."""
        if self._by_roles is None:
            self._by_roles = {}
            for n, keys in enumerate(self.keys):
                self._by_roles.setdefault(keys, []).append(n)
        return self._by_roles

    def position(self, item) -> int:
        """The position of the event given as ``item``."""
        if self._position is None:
            self._position = dict(zip(self.items, range(len(self.items)), strict=True))
        return self._position[item]

    def buckets(self) -> dict[int, tuple[list[float], list[int]]]:
        """The events by duration: bits of the seconds -> their starts and positions."""
        if self._buckets is None:
            lengths = map(max, map(int, map(sub, self.ends, self.starts)), repeat(0))
            bits = list(map(int.bit_length, lengths))
            # One sort in C by bucket (stable: each bucket's positions, so its starts, stay
            # in order), then a slice per bucket; no Python step per event.
            order = sorted(range(len(bits)), key=bits.__getitem__)
            sizes = list(map(bits.__getitem__, order))
            starts = list(map(self.starts.__getitem__, order))
            self._buckets = {}
            for size in dict.fromkeys(sizes):
                first, last = bisect_left(sizes, size), bisect_right(sizes, size)
                self._buckets[size] = (starts[first:last], order[first:last])
        return self._buckets

    def _index(self, term) -> tuple[list[float], list[float]]:
        """Sorted starts and ends of the events of ``term``: ``_ALL``, ``_FOR_EVERYONE``,
        a set of roles (the events for all of them) or ("meets", roles)."""
        found = self._indexes.get(term)
        if found is None:
            positions = self._positions(term)
            found = (
                list(map(self.starts.__getitem__, positions)),
                sorted(map(self.ends.__getitem__, positions)),
            )
            self._indexes[term] = found
        return found

    def _positions(self, term) -> Sequence[int]:
        """The positions of the events of ``term`` (as ``_index``), in order."""
        if term is _ALL:
            return range(len(self.keys))
        # The audiences' positions that the term takes, merged (sorted runs, in C).
        if term is _FOR_EVERYONE:
            taken = [roles for roles in self.by_roles() if not roles]
        elif isinstance(term, tuple):
            taken = [roles for roles in self.by_roles() if not roles or roles & term[1]]
        else:
            taken = [roles for roles in self.by_roles() if term <= roles]
        return sorted(chain.from_iterable(map(self.by_roles().__getitem__, taken)))

    def _reach(self, term) -> tuple[list[float], list[float]]:
        """Sorted starts of the events of ``term``, and the latest end among the first
        k of them at k (-inf at 0): an event [s, e) overlaps one of them when s is
        before the latest end of those starting before e, one bisection."""
        found = self._reaches.get(term)
        if found is None:
            positions = self._positions(term)
            ends = map(self.ends.__getitem__, positions)
            found = self._reaches[term] = (
                list(map(self.starts.__getitem__, positions)),
                list(accumulate(ends, max, initial=-inf)),
            )
        return found

    def _terms(self, roles: frozenset) -> list[tuple[int, object]]:
        if not roles:
            return [(1, _ALL)]
        if len(roles) > self.MAX_SUBSET_ROLES:
            return [(1, ("meets", roles))]
        ordered = sorted(roles, key=repr)
        terms: list[tuple[int, object]] = [(1, _FOR_EVERYONE)]
        for size in range(1, len(ordered) + 1):
            sign = 1 if size % 2 else -1
            terms += [(sign, frozenset(subset)) for subset in combinations(ordered, size)]
        return terms

    def counts(self) -> list[int]:
        """How many events each event overlaps (for the same audience), by position."""
        found = [0] * len(self.keys)
        for roles, positions in self.by_roles().items():
            starts = [self.starts[n] for n in positions]
            ends = [self.ends[n] for n in positions]
            total = [0] * len(positions)
            for sign, term in self._terms(roles):
                term_starts, term_ends = self._index(term)
                begun = map(bisect_left, repeat(term_starts), ends)
                ended = map(bisect_right, repeat(term_ends), starts)
                total = list(map(add if sign > 0 else sub, total, map(sub, begun, ended)))
            # Less the event itself (an event of no length overlaps nothing, itself too).
            total = list(map(sub, total, map(lt, starts, ends)))
            for n, count in zip(positions, total, strict=True):
                if self.starts[n] >= self.ends[n]:
                    count = len(self.partners(n))
                found[n] = count
        return found

    def count(self, n: int) -> int:
        """How many events the event at ``n`` overlaps (``counts`` for one event)."""
        start, end = self.starts[n], self.ends[n]
        if start >= end:
            return len(self.partners(n))
        total = -1  # less the event itself
        for sign, term in self._terms(self.keys[n]):
            term_starts, term_ends = self._index(term)
            total += sign * (bisect_left(term_starts, end) - bisect_right(term_ends, start))
        return total

    def overlapping(self) -> list[bool]:
        """Whether each event overlaps any other for the same audience, by position.

        Cheaper than ``counts``: an event for some roles overlaps one for the same
        audience when it overlaps one for everyone or one for any of its roles, so
        each role's index is asked alone (no inclusion and exclusion), and only for the
        events the earlier indexes left without an overlap.
        """
        if self._overlapping is not None:
            return self._overlapping
        found = [False] * len(self.keys)
        all_starts, all_ends = self.starts, self.ends
        for roles, positions in self.by_roles().items():
            # (index, whether the events of ``roles`` are in it themselves)
            terms = [(_ALL, True)] if not roles else [(_FOR_EVERYONE, False)]
            terms += [(frozenset((role,)), True) for role in sorted(roles, key=repr)]
            for term, itself in terms:
                if not positions:
                    break
                # In C (map, compress): no Python step per event.
                starts = list(map(all_starts.__getitem__, positions))
                ends = list(map(all_ends.__getitem__, positions))
                if itself:
                    term_starts, term_ends = self._index(term)
                    begun = map(bisect_left, repeat(term_starts), ends)
                    ended = map(bisect_right, repeat(term_ends), starts)
                    counts = map(sub, map(sub, begun, ended), map(lt, starts, ends))
                    hits = list(map(lt, repeat(0), counts))
                else:  # one bisection (``_reach``)
                    term_starts, reach = self._reach(term)
                    begun = map(bisect_left, repeat(term_starts), ends)
                    hits = list(map(lt, starts, map(reach.__getitem__, begun)))
                for n in compress(positions, hits):
                    found[n] = True
                positions = list(compress(positions, map(not_, hits)))
        for n in compress(range(len(found)), map(ge, all_starts, all_ends)):
            # Of no length: the bisections do not hold.
            found[n] = bool(self.partners(n, 1))
        self._overlapping = found
        return found

    def partners(self, me: int, limit: int | None = None) -> list[int]:
        """The positions of the first ``limit`` events (None: all) overlapping the one
        at ``me`` for the same audience, in the order of the sweep."""
        start, end, roles = self.starts[me], self.ends[me], self.keys[me]
        keys, ends = self.keys, self.ends
        found: list[int] = []
        for bits, (bucket_starts, positions) in self.buckets().items():
            taken = 0
            first = bisect_right(bucket_starts, start - (1 << bits))
            last = bisect_left(bucket_starts, end)
            for n in positions[first:last]:
                if n == me or ends[n] <= start or not _meet(roles, keys[n]):
                    continue
                found.append(n)
                taken += 1
                if limit is not None and taken >= limit:
                    break
        found.sort()
        if limit is not None:
            found = found[:limit]
        return found


_NO_ROLES: frozenset = frozenset()


def _audience_keys(audience, known: dict[int, object]) -> frozenset:
    if not audience:
        return _NO_ROLES
    keys = []
    for role in audience:
        key = known.get(id(role))
        if key is None:
            key = known[id(role)] = _role_key(role)
        keys.append(key)
    return frozenset(keys)


def _meet(roles: frozenset, other: frozenset) -> bool:
    """Whether events for ``roles`` and for ``other`` share people (none: everyone)."""
    return not roles or not other or not roles.isdisjoint(other)


def _overlapping_pairs(events: Sequence) -> Iterator[tuple]:
    """Pairs of events for the same audience that overlap in time, earlier start first
    (in the order of a sweep by start)."""
    rows = _EventRows(events)
    overlaps = _Overlaps(rows.starts, rows.ends, rows.keys, events)
    for me, event in enumerate(overlaps.items):
        for other in overlaps.partners(me):
            if me < other:
                yield event, overlaps.items[other]


_ALL = object()  # every event
_FOR_EVERYONE = object()  # the events for everyone


def _role_key(role):
    return role.id if getattr(role, "id", None) is not None else role.slug


def _role_name(role) -> str:
    """A participant role as the reader reads it ("Borgmester"), else its stored name."""
    return getattr(role, "label", None) or role.name


class _RoleNames(dict):
    """``_role_name`` for the many overlaps of one plan: each role worded once (its
    label is translated when read)."""

    def __call__(self, role) -> str:
        key = _role_key(role)
        found = self.get(key)
        if found is None:
            found = self[key] = _role_name(role)
        return found


def shared_audience(first, second, say=None, name=None) -> str | None:
    """Who both events are for ('everyone', 'Mayor', …), or None when nobody is.
    ``say``: ``gettext`` or the same (``_translator``); ``name``: ``_role_name`` or the
    same (``_RoleNames``)."""
    if not first.audience and not second.audience:
        return (say or _)("everyone")
    if name is None:  # not ``name or …``: an empty ``_RoleNames`` is falsy
        name = _role_name
    if not first.audience or not second.audience:
        return ", ".join(name(role) for role in (first.audience or second.audience))
    second_keys = {_role_key(role) for role in second.audience}
    shared = [name(role) for role in first.audience if _role_key(role) in second_keys]
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
    event,
    zones: Sequence[tuple[str, str]],
    office_hours=OFFICE_HOURS,
    *,
    english=False,
    say: Callable[..., str] | None = None,
) -> list[str]:
    """Where a timed event starts before or ends after office hours, west to east.

    Zones that read the same wall-clock times are named together. An event over
    several local days is read per day: its first day from its start, its last day
    until its end, the days between as whole working days. ``english``: in English
    whatever the reader's language (what an acceptance records); else ``say``
    (``gettext`` or the same, ``_translator``).
    """
    say = _english if english else say or _
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
    time_text = (lambda moment: f"{moment:%H:%M}") if english else words().clock
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
