"""Publishing you can trust: what a publication would show, with its warnings, and the
conflicts coordinators have accepted.

``publication_plan`` lists the drafts about to be published, each with its open
conflicts and the signs that it is not finished yet (``unfinished_reasons``); the
confirmation page shows it and posts back the exact ids it listed.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from nscal.accounts.models import User
from nscal.db import db, utcnow
from nscal.events.conflicts import OUTSIDE_HOURS, ConflictSummary, overlap_key
from nscal.events.models import AcceptedConflict, Event, EventFormat, EventStatus
from nscal.events.services import EventError

# A description that begins with one of these words is a placeholder.
PLACEHOLDER = re.compile(r"^\W*(draft|tbd|tba|todo|xxx)\b", re.IGNORECASE)


def unfinished_reasons(event: Event) -> list[str]:
    """Why ``event`` looks like a draft nobody finished ([] when it looks ready)."""
    reasons = []
    description = (event.description or "").strip()
    if not description:
        reasons.append(_("It has no description."))
    else:
        placeholder = PLACEHOLDER.match(description)
        if placeholder:
            word = placeholder.group(1)
            reasons.append(_("The description starts with “%(word)s”.", word=word))
    in_place = event.format in (EventFormat.in_person, EventFormat.hybrid)
    if in_place and not (event.venue or "").strip():
        if event.format is EventFormat.in_person:
            reasons.append(_("There is no venue for an in-person event."))
        else:
            reasons.append(_("There is no venue for a hybrid event."))
    online = event.format in (EventFormat.online, EventFormat.hybrid)
    if online and not (event.online_url or "").strip():
        if event.format is EventFormat.online:
            reasons.append(_("There is no online link for an online event."))
        else:
            reasons.append(_("There is no online link for a hybrid event."))
    return reasons


@dataclass
class PlannedEvent:
    """One draft on the confirmation page."""

    event: Event
    conflicts: ConflictSummary
    unfinished: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> int:
        return self.conflicts.warnings + len(self.unfinished)

    @property
    def ticked(self) -> bool:
        """Ticked on the confirmation page unless it looks unfinished."""
        return not self.unfinished


@dataclass
class PublicationPlan:
    events: list[PlannedEvent]

    @property
    def ids(self) -> list[int]:
        return [planned.event.id for planned in self.events]

    @property
    def with_conflicts(self) -> int:
        return sum(bool(planned.conflicts.warnings) for planned in self.events)

    @property
    def unfinished(self) -> int:
        return sum(bool(planned.unfinished) for planned in self.events)


def publication_plan(
    drafts: Sequence[Event], summaries: Mapping[int, ConflictSummary]
) -> PublicationPlan:
    """The drafts among ``drafts``, each with its conflicts (from ``summaries``, worked
    out over the whole year) and why it may be unfinished."""
    return PublicationPlan(
        [
            PlannedEvent(
                event, summaries.get(event.id) or ConflictSummary(), unfinished_reasons(event)
            )
            for event in drafts
            if event.status is EventStatus.draft
        ]
    )


# --- accepted conflicts -----------------------------------------------------------------


MANY_IDS = 500


def mark_accepted(summaries: Mapping[int, ConflictSummary]) -> None:
    """Fill each summary's ``accepted`` keys from the accepted conflicts stored.

    An overlap accepted on either event counts for both; accepted office hours only
    while they read as they did when they were accepted.
    """
    ids = list(summaries)
    if not ids:
        return
    query = sa.select(AcceptedConflict)
    if len(ids) <= MANY_IDS:
        query = query.where(
            sa.or_(AcceptedConflict.event_id.in_(ids), AcceptedConflict.other_event_id.in_(ids))
        )
    # For a busy year, every acceptance: fewer rows to skip here than ids to send.
    rows = db.session.execute(query).scalars()
    for row in rows:
        summary = summaries.get(row.event_id)
        if row.conflict_key == OUTSIDE_HOURS:
            if summary is not None and summary.outside_hours_recorded == row.message:
                summary.accepted.add(OUTSIDE_HOURS)
            continue
        if summary is not None:
            summary.accepted.add(row.conflict_key)
        other = summaries.get(row.other_event_id) if row.other_event_id else None
        if other is not None:
            other.accepted.add(overlap_key(row.event_id))


def accept_conflict(event: Event, key: str, summary: ConflictSummary, by: User | None) -> str:
    """Accept ``event``'s conflict ``key`` as it reads in ``summary``; returns its message."""
    conflict = next((c for c in summary.conflicts if c.key == key), None)
    if conflict is None:
        raise EventError(_("That conflict is no longer there: nothing to accept."))
    row = db.session.execute(
        sa.select(AcceptedConflict).where(
            AcceptedConflict.event_id == event.id, AcceptedConflict.conflict_key == key
        )
    ).scalar_one_or_none()
    if row is None:
        row = AcceptedConflict(event_id=event.id, conflict_key=key)
        db.session.add(row)
    row.other_event_id = conflict.other_id
    row.message = conflict.recorded or conflict.message
    row.accepted_by = by
    row.accepted_at = utcnow()
    db.session.flush()
    return conflict.message


def withdraw_acceptance(event: Event, key: str) -> int:
    """Count ``event``'s conflict ``key`` as a warning again (on both events of an
    overlap); returns how many acceptances were withdrawn."""
    conditions = [
        sa.and_(AcceptedConflict.event_id == event.id, AcceptedConflict.conflict_key == key)
    ]
    if key.startswith("overlap:") and key[8:].isdigit():
        conditions.append(
            sa.and_(
                AcceptedConflict.event_id == int(key[8:]),
                AcceptedConflict.conflict_key == overlap_key(event.id),
            )
        )
    result = db.session.execute(sa.delete(AcceptedConflict).where(sa.or_(*conditions)))
    db.session.flush()
    return result.rowcount
