"""Attendance rules: coordinators' marks, self check-in with the event's code, counts.

Like every service: plain arguments in, ``AttendanceError`` with a message for people
out, flush but never commit. One exception to "roll back on error": a wrong check-in
code is counted (``WrongCheckInCode``), and the caller commits that count, or the
limit on guessing would never be reached.
"""

import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from nscal.accounts.models import User
from nscal.attendance.models import Attendance, AttendanceStatus, CheckInCode, CheckInFailure
from nscal.db import db, utcnow
from nscal.events.models import Event, EventStatus
from nscal.registrations.models import ACTIVE_STATUSES, Registration, RegistrationStatus
from nscal.registrations.services import confirmed_with_account

# No 0/O, 1/I/L: people read the code off a screen across a room.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
# Check-in opens this long before the start and closes at the end.
CHECK_IN_OPENS_BEFORE = timedelta(hours=1)
# Wrong codes one person may type for one event; then only a coordinator can mark them.
MAX_WRONG_CODES = 10


class AttendanceError(ValueError):
    """Attendance could not be recorded; ``reason`` is a stable code, the message for people."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


class WrongCheckInCode(AttendanceError):
    """The code was wrong; the failure is counted and the caller must commit it."""


# --- coordinators' marks ---------------------------------------------------------------


def confirmed_registrations(event_id: int) -> list[Registration]:
    """The confirmed registrations of an event, by name: the rows attendance is taken on."""
    query = confirmed_with_account(event_id).order_by(sa.func.lower(User.name), Registration.id)
    return list(db.session.execute(query).scalars())


def attendance_by_registration(registration_ids: Iterable[int]) -> dict[int, Attendance]:
    """The marks of these registrations (those without a mark are left out)."""
    ids = list(registration_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Attendance).where(Attendance.registration_id.in_(ids))
    ).scalars()
    return {row.registration_id: row for row in rows}


def attendance_of(registration_id: int) -> Attendance | None:
    return db.session.get(Attendance, registration_id)


def mark_attendance(
    registration_id: int, status: AttendanceStatus | None, *, marked_by_id: int | None
) -> Registration:
    """Mark a confirmed registration attended, absent or excused; ``None`` clears the mark."""
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise AttendanceError(_("That registration no longer exists."), "unknown")
    if registration.status is not RegistrationStatus.confirmed:
        raise AttendanceError(
            _(
                "%(name)s is not confirmed (%(status)s): only confirmed people are marked.",
                name=registration.user.name,
                status=registration.status.label.lower(),
            ),
            "not-confirmed",
        )
    mark = db.session.get(Attendance, registration_id)
    if status is None:
        if mark is not None:
            db.session.delete(mark)
    elif mark is None:
        db.session.add(
            Attendance(registration_id=registration_id, status=status, marked_by_id=marked_by_id)
        )
    elif mark.status is not status:
        mark.status = status
        mark.marked_by_id = marked_by_id
        if status is not AttendanceStatus.attended:
            mark.checked_in_at = None
    db.session.flush()
    return registration


def unmarked_confirmed(event_id: int) -> list[Registration]:
    """Confirmed registrations without a mark: what "mark all attended" would mark."""
    confirmed = confirmed_registrations(event_id)
    marks = attendance_by_registration(r.id for r in confirmed)
    return [r for r in confirmed if r.id not in marks]


def mark_all_attended(event_id: int, *, marked_by_id: int | None) -> int:
    """Mark every confirmed registration without a mark attended; absent and excused
    marks stay as they are. Returns how many were marked."""
    marked = unmarked_confirmed(event_id)
    for registration in marked:
        db.session.add(
            Attendance(
                registration_id=registration.id,
                status=AttendanceStatus.attended,
                marked_by_id=marked_by_id,
            )
        )
    db.session.flush()
    return len(marked)


def attendance_counts(event_ids: Iterable[int] | None = None) -> dict[int, int]:
    """How many confirmed people attended, per event id (events with none left out);
    every event's when ``event_ids`` is None."""
    query = (
        sa.select(Registration.event_id, sa.func.count())
        .join(Attendance, Attendance.registration_id == Registration.id)
        .where(
            Attendance.status == AttendanceStatus.attended,
            Registration.status == RegistrationStatus.confirmed,
        )
        .group_by(Registration.event_id)
    )
    if event_ids is not None:
        query = query.where(Registration.event_id.in_(list(event_ids)))
    return {row[0]: row[1] for row in db.session.execute(query)}


# --- check-in codes --------------------------------------------------------------------


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))


def normalize_code(typed: str) -> str:
    """A code as people type it: any case, with spaces or dashes."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def check_in_code(event_id: int) -> str | None:
    row = db.session.get(CheckInCode, event_id)
    return row.code if row else None


def make_check_in_code(event_id: int) -> str:
    """Give the event a new check-in code, replacing the old one (printed posters of the
    old code stop working)."""
    if db.session.get(Event, event_id) is None:
        raise AttendanceError(_("That event no longer exists."), "unknown")
    row = db.session.get(CheckInCode, event_id)
    code = new_code()
    if row is None:
        db.session.add(CheckInCode(event_id=event_id, code=code))
    else:
        row.code = code
        row.created_at = utcnow()
    db.session.flush()
    return code


def check_in_window(event: Event) -> tuple[datetime, datetime]:
    """From an hour before the start to the end, as instants."""
    return event.starts_at - CHECK_IN_OPENS_BEFORE, event.ends_at


def is_check_in_open(event: Event, now: datetime) -> bool:
    opens, closes = check_in_window(event)
    return event.status is EventStatus.published and opens <= now < closes


def check_in(event_id: int, user_id: int, typed_code: str, now: datetime) -> Registration:
    """Check a person in at an event with its code: their confirmed registration is
    marked attended. Refused outside the window, for people not confirmed, after too
    many wrong codes, and for a wrong code (which is counted)."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise AttendanceError(_("That event no longer exists."), "unknown")
    if event.status is not EventStatus.published:
        raise AttendanceError(
            _("%(title)s is not taking place: no check-in.", title=event.title), "not-published"
        )
    opens, closes = check_in_window(event)
    if now < opens:
        raise AttendanceError(
            _("Check-in opens an hour before the start. Please try again then."), "too-early"
        )
    if now >= closes:
        raise AttendanceError(
            _(
                "%(title)s has ended, so check-in is closed. "
                "Ask a coordinator if you attended and are not marked.",
                title=event.title,
            ),
            "ended",
        )
    registration = db.session.execute(
        sa.select(Registration).where(
            Registration.event_id == event_id,
            Registration.user_id == user_id,
            Registration.status.in_(ACTIVE_STATUSES),
        )
    ).scalar_one_or_none()
    if registration is None:
        raise AttendanceError(
            _(
                "You are not registered for %(title)s, so you cannot check in. "
                "Please see the organisers at the desk.",
                title=event.title,
            ),
            "not-registered",
        )
    if registration.status is not RegistrationStatus.confirmed:
        raise AttendanceError(
            _(
                "Your registration for %(title)s is not confirmed (%(status)s), so you cannot "
                "check in. Please see the organisers at the desk.",
                title=event.title,
                status=registration.status.label.lower(),
            ),
            "not-confirmed",
        )
    failure = db.session.get(CheckInFailure, (event_id, user_id))
    if failure is not None and failure.failures >= MAX_WRONG_CODES:
        raise AttendanceError(
            _("Too many wrong codes. Please ask a coordinator to check you in."), "too-many"
        )
    expected = check_in_code(event_id)
    code = normalize_code(typed_code)
    if expected is None or not hmac.compare_digest(code.encode(), expected.encode()):
        if failure is None:
            failure = CheckInFailure(event_id=event_id, user_id=user_id, failures=0)
            db.session.add(failure)
        failure.failures += 1
        failure.last_failure_at = now
        db.session.flush()
        left = MAX_WRONG_CODES - failure.failures
        wrong = _(
            "That is not the check-in code of this event: check the code shown at the venue "
            "or in the online meeting."
        )
        if left:
            wrong += " " + ngettext(
                "You can try %(num)d more time.", "You can try %(num)d more times.", left
            )
        raise WrongCheckInCode(wrong, "wrong-code")
    mark = db.session.get(Attendance, registration.id)
    if mark is None:
        db.session.add(
            Attendance(
                registration_id=registration.id,
                status=AttendanceStatus.attended,
                checked_in_at=now,
                marked_by_id=user_id,
            )
        )
    elif mark.status is not AttendanceStatus.attended or mark.checked_in_at is None:
        mark.status = AttendanceStatus.attended
        mark.checked_in_at = mark.checked_in_at or now
        mark.marked_by_id = user_id
    db.session.flush()
    return registration


def attended_registration(event_id: int, user_id: int) -> Registration | None:
    """The person's confirmed registration at the event, if they attended."""
    return db.session.execute(
        sa.select(Registration)
        .join(Attendance, Attendance.registration_id == Registration.id)
        .where(
            Registration.event_id == event_id,
            Registration.user_id == user_id,
            Registration.status == RegistrationStatus.confirmed,
            Attendance.status == AttendanceStatus.attended,
        )
    ).scalar_one_or_none()


def attended_registrations(event_id: int) -> list[Registration]:
    """Everyone confirmed who attended the event, by name."""
    confirmed = confirmed_registrations(event_id)
    marks = attendance_by_registration(r.id for r in confirmed)
    return [
        r for r in confirmed if r.id in marks and marks[r.id].status is AttendanceStatus.attended
    ]
