"""Participants' attendance pages: checking in with the event's code (scanned or typed),
their certificates; and what other rooms' pages show of attendance.

Opening the QR code's link checks the person in: scanning is the whole gesture at a
venue's door. That GET changes one thing only, idempotently, and only with the
event's secret code; typing the code on the event page is an ordinary POST form.
"""

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from nscal.attendance.certificates import certificate_filename, certificate_pdf
from nscal.attendance.forms import CheckInForm
from nscal.attendance.models import AttendanceStatus
from nscal.attendance.services import (
    AttendanceError,
    WrongCheckInCode,
    attendance_by_registration,
    attendance_counts,
    attended_registration,
    check_in,
    is_check_in_open,
)
from nscal.attendance.views.blueprint import attendance
from nscal.db import db, utcnow
from nscal.events.models import Event
from nscal.events.services import can_view
from nscal.registrations.models import Registration, RegistrationStatus

# The HTTP status of each refusal: the page says the same in words.
REFUSAL_STATUS = {
    "wrong-code": 400,
    "not-registered": 403,
    "not-confirmed": 403,
    "too-many": 429,
    "too-early": 409,
    "ended": 409,
    "not-published": 409,
    "unknown": 404,
}


def _visible_event_or_404(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not can_view(event, current_user):
        abort(404)
    return event


def _check_in(event: Event, code: str) -> tuple[str | None, AttendanceError | None]:
    """Check the current person in; commits the check-in or the counted wrong code."""
    title, user_id = event.title, current_user.id
    try:
        check_in(event.id, user_id, code, utcnow())
    except WrongCheckInCode as exc:
        db.session.commit()  # the wrong code counts towards the limit
        return None, exc
    except AttendanceError as exc:
        db.session.rollback()
        return None, exc
    db.session.commit()
    return _("You are checked in at %(title)s. Welcome!", title=title), None


@attendance.get("/events/<int:event_id>/check-in")
@login_required
def check_in_link(event_id: int):
    """The QR code's link: opening it with the right code checks the person in."""
    event = _visible_event_or_404(event_id)
    code = request.args.get("code", "")[:40]
    form = CheckInForm(data={"code": code} if code else None, formdata=None)
    if not code:
        return render_template("attendance/check_in.html", event=event, form=form)
    success, error = _check_in(event, code)
    event = db.session.get(Event, event_id)
    return render_template(
        "attendance/check_in.html", event=event, form=form, success=success, error=error
    ), (200 if error is None else REFUSAL_STATUS.get(error.reason, 400))


@attendance.post("/events/<int:event_id>/check-in")
@login_required
def check_in_typed(event_id: int):
    """The code typed on the event page (or on the check-in page)."""
    event = _visible_event_or_404(event_id)
    form = CheckInForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for("events.detail", event_id=event_id))
    success, error = _check_in(event, form.code.data or "")
    if error is not None:
        flash(str(error), "error")
    else:
        flash(success, "success")
    return redirect(url_for("events.detail", event_id=event_id))


@attendance.get("/my/events/<int:event_id>/certificate.pdf")
@login_required
def my_certificate(event_id: int):
    """The person's own certificate: only for an event they attended, else 404."""
    registration = attended_registration(event_id, current_user.id)
    if registration is None:
        abort(404)
    return pdf_response(registration)


def pdf_response(registration: Registration) -> Response:
    return Response(
        certificate_pdf(registration),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{certificate_filename(registration)}"'
        },
    )


@attendance.app_context_processor
def inject_attendance_helpers():
    """What the event page, "My events" and the coordinators' lists show of attendance."""

    def check_in_panel(event: Event) -> dict | None:
        """For a confirmed participant while check-in is open: the form, or "checked in"."""
        if not current_user.is_authenticated or not is_check_in_open(event, utcnow()):
            return None
        registration = db.session.execute(
            db.select(Registration).where(
                Registration.event_id == event.id,
                Registration.user_id == current_user.id,
                Registration.status == RegistrationStatus.confirmed,
            )
        ).scalar_one_or_none()
        if registration is None:
            return None
        mark = attendance_by_registration([registration.id]).get(registration.id)
        checked_in = mark is not None and mark.status is AttendanceStatus.attended
        return {"checked_in": checked_in, "form": None if checked_in else CheckInForm()}

    def attendance_rows(registrations) -> list[tuple[Registration, object]]:
        """The confirmed ones among ``registrations`` with their marks (None: not marked)."""
        confirmed = [r for r in registrations if r.status is RegistrationStatus.confirmed]
        marks = attendance_by_registration(r.id for r in confirmed)
        return [(r, marks.get(r.id)) for r in confirmed]

    def attended_count(event: Event) -> int | None:
        """How many attended a past event (None for events still to come or cancelled);
        the counts of every event are read once per page."""
        if event.ends_at > utcnow() or event.is_cancelled:
            return None
        if "attended_counts" not in g:
            g.attended_counts = attendance_counts()
        return g.attended_counts.get(event.id, 0)

    return {
        "check_in_panel": check_in_panel,
        "attendance_rows": attendance_rows,
        "attended_count": attended_count,
        "AttendanceStatus": AttendanceStatus,
    }
