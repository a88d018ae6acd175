"""Registering and cancelling, "My events", and the coordinators' registration pages."""

import csv
import io
from datetime import datetime

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import IntegerField, SelectChoice
from wtforms.validators import NumberRange, Optional

from nscal.accounts.models import User
from nscal.accounts.permissions import coordinator_required
from nscal.cities.models import City, ParticipantRole, all_roles, role_by_slug_or_name
from nscal.db import db, utcnow
from nscal.events.models import Event
from nscal.events.services import can_view
from nscal.registrations.forms import (
    CancelRegistrationForm,
    OnBehalfForm,
    RegisterForm,
    RegistrationSettingsForm,
    StatusForm,
)
from nscal.registrations.models import Registration, RegistrationStatus
from nscal.registrations.overview import city_overview, event_roster, my_events
from nscal.registrations.panel import registration_panel
from nscal.registrations.services import (
    RegistrationError,
    cancel_registration,
    quotas_for,
    register_for_event,
    save_registration_settings,
    set_registration_status,
    settings_for,
)
from nscal.timeutil import local_to_utc
from nscal.web import flash_form_errors

registrations = Blueprint("registrations", __name__)

OUTCOME_MESSAGES = {
    RegistrationStatus.confirmed: "You are registered for {title}. A confirmation is on its way.",
    RegistrationStatus.pending: "Thank you: a coordinator will confirm your place at {title}.",
    RegistrationStatus.waitlisted: "{title} is full: you are on the waiting list. "
    "We will write to you if a place comes free.",
}


def _event_page(event_id: int) -> str:
    return url_for("events.detail", event_id=event_id)


def _visible_event_or_404(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not can_view(event, current_user):
        abort(404)
    return event


def _participant_role(value: str) -> ParticipantRole | None:
    """The role a form names by slug, name or (small) id."""
    role = role_by_slug_or_name(value)
    if role is None and value.isdigit() and len(value) < 10:
        role = db.session.get(ParticipantRole, int(value))
    return role


@registrations.post("/events/<int:event_id>/register")
@login_required
def register(event_id: int):
    event = _visible_event_or_404(event_id)
    form = RegisterForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(_event_page(event_id))
    title, user_id = event.title, current_user.id
    role = None
    if form.participant_role.data:
        role = _participant_role(form.participant_role.data)
        if role is None:
            flash(f"Unknown participant role {form.participant_role.data!r}.", "error")
            return redirect(_event_page(event_id))
    try:
        registration = register_for_event(
            event_id,
            user_id,
            participant_role_id=role.id if role else None,
            note=form.note.data or "",
        )
    except RegistrationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(_event_page(event_id))
    status = registration.status
    db.session.commit()
    flash(OUTCOME_MESSAGES[status].format(title=title), "success")
    return redirect(_event_page(event_id))


@registrations.post("/events/<int:event_id>/cancel-registration")
@login_required
def cancel(event_id: int):
    event = _visible_event_or_404(event_id)
    form = CancelRegistrationForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(_event_page(event_id))
    title, user_id = event.title, current_user.id
    try:
        cancel_registration(event_id, user_id)
    except RegistrationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(_event_page(event_id))
    db.session.commit()
    flash(f"Your registration for {title} is cancelled.", "success")
    return redirect(_event_page(event_id))


@registrations.get("/my/events")
@login_required
def mine():
    return render_template("registrations/mine.html", groups=my_events(current_user, utcnow()))


# --- coordinators ----------------------------------------------------------------------


def _settings_form_class(roles):
    """The settings form with one quota field per participant role."""

    class SettingsForm(RegistrationSettingsForm):
        pass

    for role in roles:
        setattr(
            SettingsForm,
            f"quota_{role.id}",
            IntegerField(
                f"Places for the role {role.name.lower()}",
                validators=[Optional(), NumberRange(min=0)],
                description="Empty: no separate limit.",
            ),
        )
    return SettingsForm


def _local(date_value, time_value, zone: str) -> datetime | None:
    if date_value is None:
        return None
    wall = datetime.combine(date_value, time_value or datetime.min.time())
    return local_to_utc(wall, zone)[0]


@registrations.route("/manage/events/<int:event_id>/registrations", methods=["GET", "POST"])
@coordinator_required
def roster(event_id: int):
    event = db.get_or_404(Event, event_id)
    roles = all_roles()
    settings = settings_for(event)
    quotas = quotas_for(event)
    form = _settings_form_class(roles)(prefix="settings")
    if not form.is_submitted():
        form.capacity.data = event.capacity
        form.city_limit.data = settings.city_limit
        form.requires_approval.data = settings.requires_approval
        form.waitlist.data = settings.waitlist
        form.self_cancel.data = settings.self_cancel
        for moment, date_field, time_field in (
            (settings.opens_at, form.opens_date, form.opens_time),
            (settings.closes_at, form.closes_date, form.closes_time),
        ):
            if moment is not None:
                local = moment.astimezone(event.zone)
                date_field.data, time_field.data = local.date(), local.time()
        for role in roles:
            getattr(form, f"quota_{role.id}").data = quotas.get(role.id)
    if form.validate_on_submit():
        try:
            promoted = save_registration_settings(
                event_id,
                capacity=form.capacity.data,
                city_limit=form.city_limit.data,
                quotas={role.id: getattr(form, f"quota_{role.id}").data for role in roles},
                opens_at=_local(form.opens_date.data, form.opens_time.data, event.timezone),
                closes_at=_local(form.closes_date.data, form.closes_time.data, event.timezone),
                requires_approval=form.requires_approval.data,
                waitlist=form.waitlist.data,
                self_cancel=form.self_cancel.data,
            )
        except (RegistrationError, ValueError) as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            count = len(promoted)
            db.session.commit()
            flash(
                "Registration settings saved."
                + (f" {count} person(s) moved up from the waiting list." if count else ""),
                "success",
            )
            return redirect(url_for("registrations.roster", event_id=event_id))
    on_behalf = OnBehalfForm(prefix="behalf")
    on_behalf.user.choices = [
        SelectChoice(user.id, f"{user.name} <{user.email}>")
        for user in db.session.execute(
            sa.select(User).where(User.active).order_by(User.name)
        ).scalars()
    ]
    return render_template(
        "registrations/roster.html",
        event=event,
        roster=event_roster(event),
        settings_form=form,
        roles=roles,
        on_behalf=on_behalf,
        status_form=StatusForm(),
    )


@registrations.post("/manage/events/<int:event_id>/registrations/on-behalf")
@coordinator_required
def register_on_behalf(event_id: int):
    db.get_or_404(Event, event_id)
    form = OnBehalfForm(prefix="behalf")
    form.user.choices = [SelectChoice(form.user.data, "")] if form.user.data else []
    if form.validate_on_submit():
        person = db.get_or_404(User, form.user.data)
        name, acting_id = person.name, current_user.id
        try:
            registration = register_for_event(
                event_id, person.id, note=form.note.data or "", registered_by_id=acting_id
            )
        except RegistrationError as exc:
            db.session.rollback()
            flash(f"{name}: {exc}", "error")
        else:
            status = registration.status.label.lower()
            db.session.commit()
            flash(f"{name} is registered ({status}).", "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("registrations.roster", event_id=event_id))


@registrations.post("/manage/registrations/<int:registration_id>/status")
@coordinator_required
def move(registration_id: int):
    registration = db.get_or_404(Registration, registration_id)
    event_id, name = registration.event_id, registration.user.name
    form = StatusForm()
    if form.validate_on_submit():
        try:
            moved = set_registration_status(registration_id, RegistrationStatus(form.status.data))
        except RegistrationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            label = moved.status.label.lower()
            db.session.commit()
            flash(f"{name}: {label}.", "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("registrations.roster", event_id=event_id))


CSV_COLUMNS = (
    "email",
    "name",
    "city",
    "city_name",
    "participant_role",
    "status",
    "registered_at",
    "waitlist_position",
    "note",
    "registered_by",
)


@registrations.get("/manage/events/<int:event_id>/registrations.csv")
@coordinator_required
def roster_csv(event_id: int):
    event = db.get_or_404(Event, event_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in event_roster(event).rows:
        registration = row.registration
        writer.writerow(
            [
                registration.user.email,
                registration.user.name,
                registration.city.slug if registration.city else "",
                registration.city.name if registration.city else "",
                registration.participant_role.slug if registration.participant_role else "",
                registration.status.value,
                registration.created_at.isoformat(timespec="seconds"),
                row.waitlist_position or "",
                registration.note,
                registration.registered_by.email if registration.by_coordinator else "",
            ]
        )
    filename = f"registrations-{event.id}-{event.local_start:%Y-%m-%d}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@registrations.get("/manage/cities/<int:year>")
@coordinator_required
def cities_overview(year: int):
    if not 1900 <= year <= 2200:
        abort(404)
    cities = db.session.execute(sa.select(City).order_by(City.country, City.name)).scalars()
    return render_template(
        "registrations/cities.html", year=year, overview=city_overview(year), cities=list(cities)
    )


@registrations.app_context_processor
def inject_registration_helpers():
    def panel_for(event, zone=None):
        viewer = current_user if current_user.is_authenticated else None
        return registration_panel(event, viewer, zone, utcnow())

    return {
        "RegistrationStatus": RegistrationStatus,
        "registration_panel": panel_for,
        "register_form": RegisterForm,
        "cancel_registration_form": CancelRegistrationForm,
    }
