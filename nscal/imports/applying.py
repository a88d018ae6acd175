"""Applying a plan: every item through the event services, all or nothing.

``apply_import`` runs inside a savepoint, collects every ``EventError`` with its line,
and keeps the changes only when there were no errors (or, with ``skip_invalid``, the
valid components) and it is not a dry run. The caller commits. Each component's
verdict (as is, with a note, refused) is in ``ImportReport.verdicts``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from nscal.accounts.models import User
from nscal.db import db, utcnow
from nscal.events.models import Event, EventSeries, EventStatus
from nscal.events.services import (
    EventData,
    EventError,
    cancel_event,
    create_event,
    create_series,
    delete_draft,
    event_from_data,
    publish_events,
    update_event,
    update_series,
)
from nscal.imports.plan import ImportMessage, ImportPlan, PlannedImport
from nscal.imports.verdicts import ImportAction, Verdict, Verdicts, judge
from nscal.timedisplay import (
    clock,
    format_all_day,
    format_local_moment,
    format_local_range,
    short_date,
    zone_city,
)
from nscal.timeutil import is_valid_zone

# Stored with the event (the reason people read), so in English like the file's own words.
CANCEL_REASON = "Cancelled in the imported calendar."
EXDATE_REASON = "This date was removed from the series."

# Column lengths the services do not check but the database enforces.
MAX_UID = 255
MAX_VENUE = 300
MAX_ONLINE_URL = 500


@dataclass
class ImportReport:
    source: str
    dry_run: bool = False
    skip_invalid: bool = False
    actions: list[ImportAction] = field(default_factory=list)
    errors: list[ImportMessage] = field(default_factory=list)
    notes: list[ImportMessage] = field(default_factory=list)
    # The line and title of every planned item, for the verdicts.
    titles: dict[int, str] = field(default_factory=dict)
    # What each component's kind, host city, zone and format are, and why (by line).
    guesses: dict[int, dict] = field(default_factory=dict)
    # Whether the changes stayed in the session (never on a dry run).
    kept: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def imports_something(self) -> bool:
        """Whether the valid components are (or, in a dry run, would be) kept."""
        return bool(self.actions) and (self.ok or self.skip_invalid)

    @property
    def verdicts(self) -> Verdicts:
        return judge(self.titles, self.actions, self.errors, self.notes)

    def heading(self, verdict: Verdict | str) -> str:
        """A group's heading, in the tense of what happened: "Imported with a note",
        "Would be imported as is", or "Valid as is" when nothing could be imported."""
        verdict = Verdict[verdict] if isinstance(verdict, str) else verdict
        if verdict is Verdict.refused:
            if self.errors and self.imports_something:
                return _("Refused, skipped")
            return _("Refused")
        as_is = verdict is Verdict.as_is
        if self.errors and not self.imports_something:
            return _("Valid as is") if as_is else _("Valid with a note")
        if self.dry_run:
            return _("Would be imported as is") if as_is else _("Would be imported with a note")
        return _("Imported as is") if as_is else _("Imported with a note")

    @property
    def created(self) -> int:
        return sum(action.verb == "create" for action in self.actions)

    @property
    def updated(self) -> int:
        return sum(action.verb == "update" for action in self.actions)

    @property
    def changed_dates(self) -> int:
        return sum(action.verb == "change" for action in self.actions)

    def summary(self) -> str:
        """ "Created 5 event(s), updated 2, 0 errors", or why nothing was imported."""
        errors = len(self.errors)
        if errors and not self.imports_something:
            return ngettext(
                "Nothing was imported: %(num)d error (the other %(fine)s event(s) are fine). "
                "Fix the file and try again.",
                "Nothing was imported: %(num)d errors (the other %(fine)s event(s) are fine). "
                "Fix the file and try again.",
                errors,
                fine=len(self.actions),
            )
        counts = {"created": self.created, "updated": self.updated, "dates": self.changed_dates}
        if self.dry_run and self.changed_dates:
            text = _(
                "would have created %(created)s event(s), updated %(updated)s, "
                "changed %(dates)s date(s) of a series",
                **counts,
            )
        elif self.dry_run:
            text = _("would have created %(created)s event(s), updated %(updated)s", **counts)
        elif self.changed_dates:
            text = _(
                "Created %(created)s event(s), updated %(updated)s, "
                "changed %(dates)s date(s) of a series",
                **counts,
            )
        else:
            text = _("Created %(created)s event(s), updated %(updated)s", **counts)
        if errors:
            refused = [verdict.line for verdict in self.verdicts.refused]
            lines = ", ".join(map(str, refused[:10])) + ", …" * (len(refused) > 10)
            text = _(
                "%(done)s, skipped %(refused)s refused (line %(lines)s)",
                done=text,
                refused=len(refused),
                lines=lines,
            )
        else:
            text = ngettext(
                "%(done)s, %(num)d error", "%(done)s, %(num)d errors", errors, done=text
            )
        if self.dry_run:
            return _("Dry run: %(done)s; nothing was written.", done=text)
        return text


def describe_when(data: EventData) -> str:
    """How the report shows an item's time: wall clock in its own zone, with the zone's
    city ("13 Jan 2027, 10:00–11:30 CET (Stockholm)")."""
    if data.all_day:
        last = data.end - timedelta(days=1) if data.end > data.start else data.start
        return format_all_day(_day(data.start), _day(last))
    if not is_valid_zone(data.timezone):
        return f"{short_date(data.start.date())}, {clock(data.start)} ({data.timezone})"
    zone = ZoneInfo(data.timezone)
    start, end = data.start.replace(tzinfo=zone), data.end.replace(tzinfo=zone)
    text, city = format_local_range(start, end), f"({zone_city(data.timezone)})"
    return text if text.endswith(city) else f"{text} {city}"  # "UTC−1 (Nuuk)" says it


def _day(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def apply_import(
    plan: ImportPlan,
    *,
    publish: bool = False,
    dry_run: bool = False,
    skip_invalid: bool = False,
    agreed_skip: list[int] | None = None,
    created_by: User | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Create or update every planned item through the event services, all or nothing.

    Runs inside a savepoint. A component the reader refused is never applied; one the
    services refuse is rolled back whole. When any component is refused (and
    ``skip_invalid`` is not given) or on a dry run, everything is rolled back and the
    report says what would have happened. With ``skip_invalid`` the valid components
    stay, all or nothing among themselves; given ``agreed_skip`` (the refused lines a
    preview showed), only when exactly those are refused. The caller commits.
    """
    refused = {error.line for error in plan.errors}
    failed: list[ImportMessage] = []
    status = EventStatus.published if publish else EventStatus.draft
    while True:
        report = ImportReport(
            source=plan.source,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            errors=list(plan.errors) + failed,
            notes=list(plan.notes),
        )
        applier = _Applier(status=status, publish=publish, created_by=created_by)
        for item in plan.items:
            if item.recurrence_id is None:
                applier.planned_uids.add(item.uid)
            elif not item.cancelled and item.uid:
                applier.live_changes.setdefault(item.uid, set()).add(item.recurrence_id)
        savepoint = db.session.begin_nested()
        try:
            half_done = _apply_items(
                plan, report, applier, refused | {error.line for error in failed}, progress
            )
        except BaseException:
            savepoint.rollback()
            raise
        if not half_done:
            break
        # A component with several items failed in part: undo it all and go again
        # without it, so that no refused component is half imported.
        savepoint.rollback()
        failed.extend(error for error in report.errors if error.line in half_done)
        progress = None
    report.kept = report.imports_something and not dry_run
    if report.kept and skip_invalid and agreed_skip is not None:
        report.kept = [component.line for component in report.verdicts.refused] == agreed_skip
    # Decided before the savepoint ends: on SQLite, releasing a savepoint that began
    # the transaction commits it, so a rollback afterwards would be too late.
    if report.kept:
        savepoint.commit()
    else:
        savepoint.rollback()
    report.errors.sort()
    report.notes.sort()
    return report


def _apply_items(
    plan: ImportPlan,
    report: ImportReport,
    applier: _Applier,
    refused: set[int],
    progress: Callable[[int], None] | None,
) -> set[int]:
    """Apply the items of the components not refused; the lines applied only in part."""
    succeeded: set[int] = set()
    failed: set[int] = set()
    # A series before the changed dates of its occurrences.
    for item in sorted(plan.items, key=lambda item: item.recurrence_id is not None):
        report.titles.setdefault(item.line, item.data.title.strip())
        if item.guesses:
            report.guesses.setdefault(item.line, item.guesses)
        report.notes.extend(ImportMessage(item.line, note) for note in item.notes)
        if item.line in refused:
            if progress is not None:
                progress(1)
            continue
        try:
            with db.session.begin_nested():
                action, notes = applier.apply(item)
        except EventError as exc:
            report.errors.append(ImportMessage(item.line, str(exc)))
            failed.add(item.line)
        except sa.exc.IntegrityError:
            report.errors.append(
                ImportMessage(item.line, _("This clashes with an event already in nscal."))
            )
            failed.add(item.line)
        else:
            succeeded.add(item.line)
            report.notes.extend(ImportMessage(item.line, note) for note in notes)
            if action is not None:
                report.actions.append(action)
        if progress is not None:
            progress(1)
    return succeeded & failed


class _Applier:
    def __init__(self, *, status: EventStatus, publish: bool, created_by: User | None):
        self.status = status
        self.publish = publish
        self.created_by = created_by
        self.new_series: set[str] = set()
        # Changed dates that are not cancelled, by series UID.
        self.live_changes: dict[str, set[datetime]] = {}
        # The UIDs of the series (and single events) the file itself has.
        self.planned_uids: set[str] = set()

    def apply(self, item: PlannedImport) -> tuple[ImportAction | None, list[str]]:
        _check_lengths(item.data)
        if item.recurrence_id is not None:
            return self.change_occurrence(item)
        if item.data.rrule or item.starts is not None:
            return self.import_series(item)
        return self.import_event(item)

    def action(self, item: PlannedImport, verb: str, detail: str = "") -> ImportAction:
        title = item.data.title.strip()
        return ImportAction(item.line, verb, title, describe_when(item.data), detail)

    # One event -----------------------------------------------------------------------

    def import_event(self, item: PlannedImport):
        existing = _event_by_uid(item.uid)
        if existing is None and _series_by_uid(item.uid) is not None:
            raise EventError(
                _(
                    "UID %(uid)s is a repeating series in nscal but a single event in the "
                    "file; change the series in nscal instead.",
                    uid=item.uid,
                )
            )
        if existing is None:
            event, notes = create_event(item.data, created_by=self.created_by, status=self.status)
            if item.cancelled:
                _cancel(event)
            return self.action(item, "create", _status_detail(event)), notes
        notes = update_event(existing, _kept(item, existing))
        if item.cancelled:
            _cancel(existing)
        elif existing.is_cancelled:
            notes.append(_("This event is cancelled in nscal; the import leaves it cancelled."))
        elif self.publish:
            publish_events([existing])
        return self.action(item, "update", _status_detail(existing)), notes

    # A series ------------------------------------------------------------------------

    def import_series(self, item: PlannedImport):
        data = item.data
        if _event_by_uid(item.uid) is not None:
            raise EventError(
                _(
                    "UID %(uid)s is a single event in nscal but repeats in the file; "
                    "change it in nscal instead.",
                    uid=item.uid,
                )
            )
        series = _series_by_uid(item.uid)
        if series is None:
            series, _notes = create_series(
                data, created_by=self.created_by, status=self.status, starts=item.starts
            )
            self.new_series.add(series.uid)
            before: set[int] = set()
            verb = "create"
        else:
            occurrences = _occurrences(series)
            before = {event.id for event in occurrences}
            if occurrences:
                data = _kept(item, occurrences[0])
            update_series(series, data, starts=item.starts)
            verb = "update"
        occurrences = _occurrences(series)
        excluded = _excluded(occurrences, item.exdates, data.timezone)
        for event in excluded:
            _drop_occurrence(event, is_new=event.id not in before)
        kept = [event for event in occurrences if event not in excluded]
        if item.cancelled:
            # A changed date without STATUS:CANCELLED is not cancelled with its series
            # (as recurring-ical-events reads it: a changed date stands on its own).
            live = self.live_changes.get(series.uid, set())
            for event in kept:
                if event.recurrence_id not in live:
                    _cancel(event)
        elif self.publish:
            publish_events(kept)
        db.session.flush()
        dates = len(kept)
        if item.cancelled:
            detail = ngettext(
                "series of %(num)d date, cancelled", "series of %(num)d dates, cancelled", dates
            )
        else:
            detail = ngettext("series of %(num)d date", "series of %(num)d dates", dates)
        return self.action(item, verb, detail), []

    def change_occurrence(self, item: PlannedImport):
        series = _series_by_uid(item.uid)
        if series is None and item.uid in self.planned_uids:
            raise EventError(
                _(
                    "This changes one date of the series with UID %(uid)s, "
                    "but that series was not imported.",
                    uid=item.uid,
                )
            )
        if series is None:
            return self.detached_occurrence(item)
        event = db.session.execute(
            sa.select(Event).where(
                Event.series_id == series.id, Event.recurrence_id == item.recurrence_id
            )
        ).scalar_one_or_none()
        if event is None:
            when = item.recurrence_id.astimezone(ZoneInfo(item.data.timezone))
            return None, [
                _(
                    "The series has no date at %(when)s "
                    "(removed or too far ahead); this change was skipped.",
                    when=format_local_moment(when),
                )
            ]
        verb = "change" if series.uid in self.new_series else "update"
        if item.cancelled:
            _cancel(event)
            return self.action(item, verb, _("one date of a series, cancelled")), []
        notes = update_event(event, _kept(item, event))
        if self.publish and not event.is_cancelled:
            publish_events([event])
        return self.action(item, verb, _("one date of a series")), notes

    def detached_occurrence(self, item: PlannedImport):
        """A changed date of a series that is neither in nscal nor in the file (Google's
        invitation to one date of someone else's series): an event of its own, whose UID
        is made of the series' UID and the date, so importing it again updates it."""
        original = item.recurrence_id
        when = original.astimezone(ZoneInfo(item.data.timezone))
        single = replace(
            item,
            data=replace(item.data, uid=f"{item.uid}/{original:%Y%m%dT%H%M%SZ}", rrule=None),
            recurrence_id=None,
        )
        action, notes = self.import_event(single)
        note = _(
            "This changes the date %(when)s of a series "
            "that is not in the file; it is imported as an event of its own.",
            when=format_local_moment(when),
        )
        return action, [note, *notes]


def _check_lengths(data: EventData) -> None:
    if data.uid and len(data.uid) > MAX_UID:
        raise EventError(_("The UID is longer than %(num)s characters.", num=MAX_UID))
    if len((data.venue or "").strip()) > MAX_VENUE:
        raise EventError(_("The venue is longer than %(num)s characters.", num=MAX_VENUE))
    if len((data.online_url or "").strip()) > MAX_ONLINE_URL:
        raise EventError(
            _("The online link is longer than %(num)s characters.", num=MAX_ONLINE_URL)
        )


def _kept(item: PlannedImport, event: Event) -> EventData:
    """The item's data, with what the file does not say taken from ``event``."""
    if not item.keep:
        return item.data
    current = event_from_data(event)
    return replace(item.data, **{name: getattr(current, name) for name in item.keep})


def _status_detail(event: Event) -> str:
    return event.status.label.lower()


def _event_by_uid(uid: str | None) -> Event | None:
    if not uid:
        return None
    return db.session.execute(sa.select(Event).where(Event.uid == uid)).scalar_one_or_none()


def _series_by_uid(uid: str | None) -> EventSeries | None:
    if not uid:
        return None
    return db.session.execute(
        sa.select(EventSeries).where(EventSeries.uid == uid)
    ).scalar_one_or_none()


def _occurrences(series: EventSeries) -> list[Event]:
    db.session.flush()
    return list(
        db.session.execute(
            sa.select(Event).where(Event.series_id == series.id).order_by(Event.recurrence_id)
        ).scalars()
    )


def _excluded(events: list[Event], exdates: list[datetime | date], zone: str) -> list[Event]:
    instants = {value for value in exdates if isinstance(value, datetime)}
    days = {value for value in exdates if not isinstance(value, datetime)}
    return [
        event
        for event in events
        if event.recurrence_id is not None
        and (
            event.recurrence_id in instants
            or event.recurrence_id.astimezone(ZoneInfo(zone)).date() in days
        )
    ]


def _drop_occurrence(event: Event, *, is_new: bool) -> None:
    """An occurrence the source excludes: gone when nobody saw it, else cancelled."""
    if is_new:
        db.session.delete(event)
    elif event.status is EventStatus.draft:
        delete_draft(event)
    elif event.status is EventStatus.published:
        cancel_event(event, EXDATE_REASON)


def _cancel(event: Event) -> None:
    """Cancelled in the source calendar: published events through ``cancel_event``; a
    draft is marked cancelled directly (``cancel_event`` refuses drafts, because a
    coordinator would delete one instead, but the import must keep the UID known)."""
    if event.status is EventStatus.published:
        cancel_event(event, CANCEL_REASON)
    elif event.status is EventStatus.draft:
        event.status = EventStatus.cancelled
        event.cancel_reason = CANCEL_REASON
        event.updated_at = utcnow()
        db.session.flush()
