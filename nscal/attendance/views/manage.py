"""Coordinators' attendance pages under /manage/: marking each confirmed person (and all
at once), the printable check-in poster with its code and QR code, certificates."""

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from nscal.accounts.permissions import coordinator_required
from nscal.attendance.certificates import certificates_zip
from nscal.attendance.forms import MarkAllForm, MarkForm, NewCodeForm
from nscal.attendance.models import AttendanceStatus
from nscal.attendance.qr import qr_svg
from nscal.attendance.services import (
    AttendanceError,
    attendance_by_registration,
    attended_registrations,
    check_in_code,
    check_in_window,
    confirmed_registrations,
    make_check_in_code,
    mark_all_attended,
    mark_attendance,
    unmarked_confirmed,
)
from nscal.attendance.views.blueprint import attendance
from nscal.attendance.views.public import pdf_response
from nscal.db import db
from nscal.events.conflicts import format_when
from nscal.events.models import Event
from nscal.registrations.models import Registration
from nscal.urls import external_url
from nscal.web import flash_form_errors


def _attendance_page(event_id: int, registration_id: int | None = None) -> str:
    anchor = f"row-{registration_id}" if registration_id else None
    return url_for("attendance.manage", event_id=event_id, _anchor=anchor)


@attendance.get("/manage/events/<int:event_id>/attendance")
@coordinator_required
def manage(event_id: int):
    event = db.get_or_404(Event, event_id)
    registrations = confirmed_registrations(event_id)
    marks = attendance_by_registration(r.id for r in registrations)
    counts = dict.fromkeys(AttendanceStatus, 0)
    for mark in marks.values():
        counts[mark.status] += 1
    return render_template(
        "attendance/manage.html",
        event=event,
        when=format_when(event),
        rows=[(r, marks.get(r.id)) for r in registrations],
        counts=counts,
        unmarked=len(registrations) - len(marks),
        statuses=list(AttendanceStatus),
    )


@attendance.post("/manage/registrations/<int:registration_id>/attendance")
@coordinator_required
def mark(registration_id: int):
    registration = db.get_or_404(Registration, registration_id)
    event_id, name = registration.event_id, registration.user.name
    form = MarkForm()
    if form.validate_on_submit():
        status = form.status()
        try:
            mark_attendance(registration_id, status, marked_by_id=current_user.id)
        except AttendanceError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s: %(attendance)s.",
                    name=name,
                    attendance=status.label.lower() if status else _("not marked"),
                ),
                "success",
            )
    else:
        flash_form_errors(form)
    return redirect(_attendance_page(event_id, registration_id))


@attendance.route("/manage/events/<int:event_id>/attendance/mark-all", methods=["GET", "POST"])
@coordinator_required
def mark_all(event_id: int):
    """Mark every confirmed person not yet marked attended, after a confirm step."""
    event = db.get_or_404(Event, event_id)
    form = MarkAllForm()
    if form.validate_on_submit():
        count = mark_all_attended(event_id, marked_by_id=current_user.id)
        db.session.commit()
        flash(
            ngettext("%(num)d person marked attended.", "%(num)d people marked attended.", count),
            "success",
        )
        return redirect(_attendance_page(event_id))
    flash_form_errors(form)
    unmarked = unmarked_confirmed(event_id)
    return render_template(
        "attendance/mark_all.html",
        event=event,
        when=format_when(event),
        unmarked=unmarked,
        form=form,
    )


@attendance.get("/manage/events/<int:event_id>/check-in")
@coordinator_required
def poster(event_id: int):
    """The check-in poster: the code, the QR code of its link, when check-in is open."""
    event = db.get_or_404(Event, event_id)
    code = check_in_code(event_id)
    link = external_url("attendance.check_in_link", event_id=event_id, code=code) if code else None
    opens, closes = check_in_window(event)
    return render_template(
        "attendance/poster.html",
        event=event,
        when=format_when(event),
        code=code,
        link=link,
        event_link=external_url("events.detail", event_id=event_id),
        qr=qr_svg(link, _("QR code of the check-in link of %(title)s", title=event.title))
        if link
        else None,
        opens=opens.astimezone(event.zone),
        closes=closes.astimezone(event.zone),
        form=NewCodeForm(),
    )


@attendance.route("/manage/events/<int:event_id>/check-in/code", methods=["GET", "POST"])
@coordinator_required
def new_code(event_id: int):
    """Make the event's check-in code; replacing one asks first (old posters stop working)."""
    event = db.get_or_404(Event, event_id)
    form = NewCodeForm()
    if form.validate_on_submit():
        replaced = check_in_code(event_id) is not None
        try:
            make_check_in_code(event_id)
        except AttendanceError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(
                _("A new check-in code replaces the old one: print the poster again.")
                if replaced
                else _("The check-in code is ready."),
                "success",
            )
        return redirect(url_for("attendance.poster", event_id=event_id))
    flash_form_errors(form)
    if check_in_code(event_id) is None:
        return redirect(url_for("attendance.poster", event_id=event_id))
    return render_template("attendance/new_code.html", event=event, form=form)


@attendance.get("/manage/events/<int:event_id>/certificates/<int:registration_id>.pdf")
@coordinator_required
def certificate(event_id: int, registration_id: int):
    registration = db.get_or_404(Registration, registration_id)
    if registration.event_id != event_id or registration not in attended_registrations(event_id):
        abort(404)
    return pdf_response(registration)


@attendance.get("/manage/events/<int:event_id>/certificates.zip")
@coordinator_required
def certificates(event_id: int):
    event = db.get_or_404(Event, event_id)
    attended = attended_registrations(event_id)
    if not attended:
        flash(_("Nobody is marked attended yet: no certificates to download."), "info")
        return redirect(_attendance_page(event_id))
    filename = f"certificates-{event.id}-{event.local_start:%Y-%m-%d}.zip"
    return Response(
        certificates_zip(attended),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
