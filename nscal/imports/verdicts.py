"""What became of each component of a file: imported as is, with a note, or refused.

A component is what begins on one line: a VEVENT (its BEGIN line) or a CSV row. Its
verdict comes from the reader's messages and the services' answer on that line: any
refusal refuses it, else any note makes it "with a note", else it is imported as is.
Messages on a line where no component begins are about the file as a whole.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field

from nscal.imports.plan import ImportMessage


@dataclass(frozen=True)
class ImportAction:
    """What happened (or, in a dry run, would happen) to one planned item."""

    line: int
    verb: str  # "create", "update", or "change" (one date of a series)
    title: str
    when: str
    detail: str = ""


class Verdict(enum.Enum):
    as_is = "as is"
    with_note = "with a note"
    refused = "refused"


@dataclass
class ComponentVerdict:
    """One component's verdict; ``messages`` are its notes, or its reasons if refused."""

    line: int
    verdict: Verdict
    title: str
    actions: list[ImportAction] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


@dataclass
class Verdicts:
    """Every component's verdict, grouped, and the notes about the whole file."""

    as_is: list[ComponentVerdict] = field(default_factory=list)
    with_note: list[ComponentVerdict] = field(default_factory=list)
    refused: list[ComponentVerdict] = field(default_factory=list)
    file_notes: list[ImportMessage] = field(default_factory=list)

    @property
    def valid(self) -> int:
        """Components that import (as is or with a note)."""
        return len(self.as_is) + len(self.with_note)


def judge(
    titles: dict[int, str],
    actions: list[ImportAction],
    errors: list[ImportMessage],
    notes: list[ImportMessage],
) -> Verdicts:
    """Group the components (``titles``: the line and title of every planned item)."""
    actions_at: dict[int, list[ImportAction]] = defaultdict(list)
    for action in actions:
        actions_at[action.line].append(action)
    errors_at: dict[int, list[ImportMessage]] = defaultdict(list)
    for error in errors:
        errors_at[error.line].append(error)
    notes_at: dict[int, list[ImportMessage]] = defaultdict(list)
    verdicts = Verdicts()
    for note in notes:
        if note.line in titles or note.line in errors_at:
            notes_at[note.line].append(note)
        else:
            verdicts.file_notes.append(note)
    for line in sorted(set(titles) | set(errors_at)):
        title = titles.get(line) or next((m.title for m in errors_at[line] if m.title), "")
        if errors_at[line]:
            reasons = _unique(error.message for error in errors_at[line])
            verdicts.refused.append(ComponentVerdict(line, Verdict.refused, title, [], reasons))
        elif notes_at[line]:
            said = _unique(note.message for note in notes_at[line])
            verdicts.with_note.append(
                ComponentVerdict(line, Verdict.with_note, title, actions_at[line], said)
            )
        else:
            verdicts.as_is.append(ComponentVerdict(line, Verdict.as_is, title, actions_at[line]))
    return verdicts


def _unique(messages) -> list[str]:
    return list(dict.fromkeys(messages))
