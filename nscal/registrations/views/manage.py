"""Coordinators' registration pages under /manage/: the roster, registering on someone's
behalf, moving a registration, the roster as CSV, and the cities' year.

The registration settings are edited in the event form (nscal.registrations.event_form);
the roster shows them with a link there.
"""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from nscal.accounts.models import User
from nscal.accounts.permissions import coordinator_required
from nscal.cities.models import all_roles
from nscal.db import db
from nscal.events.models import Event
from nscal.registrations.forms import OnBehalfForm, StatusForm
from nscal.registrations.models import Registration, RegistrationStatus
from nscal.registrations.overview import (
    all_cities,
    city_overview,
    event_roster,
    registrable_people,
    roster_as_csv,
    roster_csv_filename,
)
from nscal.registrations.services import (
    RegistrationError,
    quotas_for,
    register_for_event,
    set_registration_status,
    settings_for,
)
from nscal.registrations.views.blueprint import registrations
from nscal.timeutil import year_in_range
from nscal.web import flash_form_errors


@registrations.route("/manage/events/<int:event_id>/registrations", methods=["GET", "POST"])
@coordinator_required
def roster(event_id: int):
    event = db.get_or_404(Event, event_id)
    if request.method == "POST":
        # The registration settings moved into the event form (one place for the
        # capacity); a page from before sends its changes there to be made again.
        flash(
            _(
                "Registration settings are now part of the event form: nothing was changed. "
                "Make the change here."
            ),
            "info",
        )
        return redirect(url_for("manage_events.edit_event", event_id=event_id) + "#registration")
    on_behalf = OnBehalfForm(prefix="behalf")
    on_behalf.user.choices = [
        SelectChoice(user.id, f"{user.name} <{user.email}>") for user in registrable_people()
    ]
    return render_template(
        "registrations/roster.html",
        event=event,
        roster=event_roster(event),
        settings=settings_for(event),
        quotas=quotas_for(event),
        roles={role.id: role for role in all_roles()},
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
            # Translators: a person's name, then why they could not be registered.
            flash(_("%(name)s: %(reason)s", name=name, reason=str(exc)), "error")
        else:
            status = registration.status.label.lower()
            db.session.commit()
            flash(_("%(name)s is registered (%(status)s).", name=name, status=status), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("registrations.roster", event_id=event_id))


# Moves that take a place (or a request for one) away from someone: confirmed first.
TAKES_A_PLACE_AWAY = (RegistrationStatus.rejected, RegistrationStatus.cancelled)


@registrations.post("/manage/registrations/<int:registration_id>/status")
@coordinator_required
def move(registration_id: int):
    registration = db.get_or_404(Registration, registration_id)
    event_id, name = registration.event_id, registration.person_name
    form = StatusForm()
    if form.validate_on_submit():
        status = RegistrationStatus(form.status.data)
        taking_away = status in TAKES_A_PLACE_AWAY and status is not registration.status
        if taking_away and form.confirmed.data != "yes":
            return render_template(
                "registrations/move_confirm.html", registration=registration, status=status
            )
        try:
            moved = set_registration_status(
                registration_id,
                RegistrationStatus(form.status.data),
                changed_by_id=current_user.id,
            )
        except RegistrationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            label = moved.status.label.lower()
            db.session.commit()
            # Translators: a person's name and their registration's new status.
            flash(_("%(name)s: %(status)s.", name=name, status=label), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("registrations.roster", event_id=event_id))


@registrations.get("/manage/events/<int:event_id>/registrations.csv")
@coordinator_required
def roster_csv(event_id: int):
    event = db.get_or_404(Event, event_id)
    return Response(
        roster_as_csv(event),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{roster_csv_filename(event)}"'},
    )


@registrations.get("/manage/cities/<int:year>")
@coordinator_required
def cities_overview(year: int):
    if not year_in_range(year):
        abort(404)
    return render_template(
        "registrations/cities.html", year=year, overview=city_overview(year), cities=all_cities()
    )
