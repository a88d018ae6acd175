"""How a programme reads: by day on the event's own clocks, each item's time in the
viewer's zone with the event's own beside it, and items that run at the same time
grouped, a column per room.

Pure functions over items and zone names, shared by the event page and the PDF.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from nscal.events.models import Event
from nscal.programme.models import ProgrammeItem
from nscal.timedisplay import Piece, abbreviation, event_place, long_date, moment_piece, words

# Translators: the column of a programme for the items that happen online only.
ONLINE = _l("Online")


@dataclass(frozen=True)
class ItemTime:
    """``primary`` on the viewer's clocks; ``secondary`` on the event's own, when they
    read differently ("09:00–10:00 CEST in Malmö")."""

    primary: tuple[Piece, ...]
    secondary: tuple[Piece, ...] = ()

    @property
    def primary_text(self) -> str:
        return "".join(piece.text for piece in self.primary)

    @property
    def secondary_text(self) -> str:
        return "".join(piece.text for piece in self.secondary)

    @property
    def text(self) -> str:
        if self.secondary:
            return f"{self.primary_text} · {self.secondary_text}"
        return self.primary_text


@dataclass
class Column:
    """The items of one room (or of the online part) in a slot."""

    room: str
    items: list[ProgrammeItem] = field(default_factory=list)


@dataclass
class Slot:
    """Items that overlap one another, directly or through others, in columns by room."""

    columns: list[Column]
    ends_at: datetime

    @property
    def parallel(self) -> bool:
        return len(self.columns) > 1


@dataclass
class Day:
    day: date
    slots: list[Slot]

    @property
    def heading(self) -> str:
        return long_date(self.day)


def short_date(day: date) -> str:
    """ "Sun 28 Mar"."""
    return words().short_date(day, year=False, weekday=True)


def _ends_on(start: datetime, end: datetime) -> date:
    """The day an item ends, for people: one ending at midnight ends the day before."""
    if end.time() == time() and end.date() > start.date():
        return end.date() - timedelta(days=1)
    return end.date()


def _range(start: datetime, end: datetime, day: date, *, with_city: bool = True) -> list[Piece]:
    pieces = [] if start.date() == day else [Piece(f"{short_date(start.date())}, ")]
    pieces.append(moment_piece(start))
    start_abbr = abbreviation(start, with_city=with_city)
    end_abbr = abbreviation(end, with_city=with_city)
    if start_abbr != end_abbr:  # the clocks change during the item
        pieces.append(Piece(f" {start_abbr}"))
    pieces += [Piece("–")]
    if _ends_on(start, end) != start.date():
        pieces.append(Piece(f"{short_date(end.date())}, "))
    pieces += [moment_piece(end), Piece(f" {end_abbr}")]
    return pieces


def item_time(item: ProgrammeItem, event: Event, zone: str | None) -> ItemTime:
    """When ``item`` happens on ``zone``'s clocks (default: the event's own), and on the
    event's own clocks beside it when those read differently."""
    own = ZoneInfo(event.timezone)
    own_start, own_end = item.starts_at.astimezone(own), item.ends_at.astimezone(own)
    day = own_start.date()
    own_pieces = _range(own_start, own_end, day)
    if not zone or zone == event.timezone:
        return ItemTime(tuple(own_pieces))
    tz = ZoneInfo(zone)
    start, end = item.starts_at.astimezone(tz), item.ends_at.astimezone(tz)
    primary = _range(start, end, day)
    if [p.text for p in primary] == [p.text for p in own_pieces]:
        return ItemTime(tuple(primary))
    own_pieces = _range(own_start, own_end, day, with_city=False)
    own_pieces.append(Piece(" " + words().at_place.format(place=event_place(event))))
    return ItemTime(tuple(primary), tuple(own_pieces))


def room_of(item: ProgrammeItem) -> str:
    if item.room:
        return item.room
    return str(ONLINE) if item.online_url else ""


def _slot(items: list[ProgrammeItem]) -> Slot:
    columns: dict[str, Column] = {}
    for item in items:
        room = room_of(item)
        columns.setdefault(room, Column(room)).items.append(item)
    return Slot(list(columns.values()), max(item.ends_at for item in items))


def programme_days(items: list[ProgrammeItem], event: Event) -> list[Day]:
    """``items`` (ordered by start, then position) by day on the event's clocks, each day
    in slots of items running at the same time."""
    own = ZoneInfo(event.timezone)
    by_day: dict[date, list[ProgrammeItem]] = {}
    for item in items:
        by_day.setdefault(item.starts_at.astimezone(own).date(), []).append(item)
    days = []
    for day, day_items in sorted(by_day.items()):
        groups: list[list[ProgrammeItem]] = []
        ends_at = None
        for item in day_items:
            if groups and ends_at is not None and item.starts_at < ends_at:
                groups[-1].append(item)
                ends_at = max(ends_at, item.ends_at)
            else:
                groups.append([item])
                ends_at = item.ends_at
        days.append(Day(day, [_slot(group) for group in groups]))
    return days
