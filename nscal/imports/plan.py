"""What a reader makes of a file: an ``ImportPlan`` of ``PlannedImport`` items.

Re-importing updates instead of duplicating: an iCalendar UID finds the event (or
series) imported before; CSV rows get a stable UID from their title, start and zone
(or the optional ``uid`` column), so the same row imported twice is one event.

Also the words both readers understand (event kinds and formats written by people),
so that neither reader has to import the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from nscal.events.models import EventFormat, EventKind
from nscal.events.services import EventData


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (wrong type, not text)."""


@dataclass
class PlannedImport:
    """One event, series or changed occurrence, as the file describes it."""

    line: int
    data: EventData
    # A changed occurrence (RECURRENCE-ID): the series' original start of it, in UTC.
    recurrence_id: datetime | None = None
    # Occurrences the source leaves out (EXDATE): UTC instants, or local dates.
    exdates: list[datetime | date] = field(default_factory=list)
    cancelled: bool = False
    notes: list[str] = field(default_factory=list)
    # A series' local wall-clock starts when the file gives more than its one rule says
    # (RDATE, several RRULEs, EXRULE, a DTSTART off the pattern); None: the rule's.
    starts: list[datetime] | None = None
    # RDATE periods longer or shorter than the series: local start → local end.
    period_ends: dict[datetime, datetime] = field(default_factory=dict)
    # A changed date with RANGE=THISANDFUTURE: the change holds for the later dates too.
    this_and_future: bool = False
    # EventData fields the file says nothing about (an .ics has no audience or
    # capacity): an update keeps what the event has in nscal.
    keep: frozenset[str] = frozenset()
    # Kind, host city, zone and format, each with where it came from (the preview
    # shows them and lets the coordinator correct them): nscal.imports.guesses.Guess.
    guesses: dict = field(default_factory=dict)

    @property
    def uid(self) -> str | None:
        return self.data.uid


@dataclass(frozen=True, order=True)
class ImportMessage:
    """A note or a refusal about the component that begins on ``line``."""

    line: int
    message: str
    # The component's title (SUMMARY, CSV title) when the reader knows it, so that a
    # refusal without a planned item can still name what it refuses.
    title: str = field(default="", compare=False)


@dataclass
class ImportPlan:
    """A file's planned items, and what the reader noted or refused, by line.

    A message belongs to the component that begins on its line (a VEVENT's BEGIN line,
    a CSV row's first line); a message on a line where no component begins (line 1:
    the calendar or the header) is about the whole file.
    """

    source: str
    items: list[PlannedImport] = field(default_factory=list)
    errors: list[ImportMessage] = field(default_factory=list)
    notes: list[ImportMessage] = field(default_factory=list)
    # Read with the coordinator's corrections from the preview.
    corrected: bool = False

    def error(self, line: int, message: str, title: str | None = None) -> None:
        """Refuse the component on ``line`` (its planned item, if any, is not applied)."""
        self.errors.append(ImportMessage(line, message, title or ""))

    def note(self, line: int, message: str, title: str | None = None) -> None:
        """Say what was assumed about the component on ``line`` (or the file)."""
        self.notes.append(ImportMessage(line, message, title or ""))


# --- words both readers understand -------------------------------------------------


def _words(value: str) -> str:
    return re.sub(r"[\s_\-]+", "", value.strip().lower())


def kind_from_text(value: str) -> EventKind | None:
    """An event kind from its slug or label in any case: "City meeting", "city-meeting"."""
    wanted = _words(value)
    for kind in EventKind:
        if wanted in {_words(kind.value), _words(kind.label), _words(kind.name)}:
            return kind
    return None


def format_from_text(value: str) -> EventFormat | None:
    wanted = _words(value)
    for event_format in EventFormat:
        if wanted in {_words(event_format.value), _words(event_format.label)}:
            return event_format
    return None
