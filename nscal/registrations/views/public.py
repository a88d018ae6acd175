"""Members' registration pages: register, cancel, "My events"; and the event page's panel."""

import gc

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from nscal.cities.models import ParticipantRole, role_by_slug_or_name
from nscal.db import db, pipelined, utcnow
from nscal.errors import EXPIRED_FORM, recover_after_csrf
from nscal.events.models import Event
from nscal.events.services import can_view
from nscal.questions.forms import sent_answers
from nscal.questions.models import Question, QuestionPurpose
from nscal.questions.services import (
    participant_list_visible,
    questions_asked,
    read_answers,
    save_answers,
    set_listed,
)
from nscal.registrations.access import can_see_online_link
from nscal.registrations.forms import CancelRegistrationForm, RegisterForm
from nscal.registrations.models import RegistrationStatus
from nscal.registrations.overview import my_events
from nscal.registrations.panel import cancel_label, may_self_cancel, registration_panel
from nscal.registrations.services import (
    RegistrationError,
    active_registration,
    cancel_registration,
    register_for_event,
    waitlist_position,
)
from nscal.registrations.views.blueprint import registrations
from nscal.web import flash_form_errors

OUTCOME_MESSAGES = {
    RegistrationStatus.confirmed: _l(
        "You are registered for %(title)s. A confirmation is on its way."
    ),
    RegistrationStatus.pending: _l(
        "Thank you: a coordinator will confirm your place at %(title)s."
    ),
    RegistrationStatus.waitlisted: _l(
        "%(title)s is full: you are on the waiting list. "
        "We will write to you if a place comes free."
    ),
}


def _event_page(event_id: int) -> str:
    return url_for("events.detail", event_id=event_id)


def _visible_event_or_404(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    if not can_view(event, current_user):
        abort(404)
    return event


def _participant_role(value: str) -> ParticipantRole | None:
    """The role a form names by slug, name or (small) id."""
    role = role_by_slug_or_name(value)
    if role is None and value.isdigit() and len(value) < 10:
        role = db.session.get(ParticipantRole, int(value))
    return role


# What registering reads of the event before the lock, in one statement built once:
# whether the person may see it, its title for the message, and whether it asks
# registration questions at all (most events do not: then none are read). The rules
# read the event again under the lock; only that read decides.
_event_table, _question_table = Event.__table__, Question.__table__
_EVENT_BEFORE_LOCK = sa.select(
    _event_table.c.id,
    _event_table.c.title,
    _event_table.c.status,
    _event_table.c.visibility,
    _event_table.c.series_id,
    sa.exists()
    .where(
        _question_table.c.purpose == QuestionPurpose.registration,
        sa.or_(
            _question_table.c.event_id == _event_table.c.id,
            _question_table.c.series_id == _event_table.c.series_id,
        ),
    )
    .label("asks_questions"),
).where(_event_table.c.id == sa.bindparam("event_id", type_=sa.Integer))


@registrations.post("/events/<int:event_id>/register")
@login_required
def register(event_id: int):
    # A row, not an Event: ``can_view`` and ``questions_asked`` read only its columns.
    found = db.session.connection().execute(_EVENT_BEFORE_LOCK, {"event_id": event_id})
    event = found.one_or_none()
    if event is None or not can_view(event, current_user):
        abort(404)
    form = RegisterForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(_event_page(event_id))
    title, user_id = event.title, current_user.id
    role = None
    if form.participant_role.data:
        role = _participant_role(form.participant_role.data)
        if role is None:
            flash(
                _("Unknown participant role %(role)s.", role=repr(form.participant_role.data)),
                "error",
            )
            return redirect(_event_page(event_id))
    # The questions for the role the person registers in; a form that needs another
    # look comes back as a page with everything typed still in it.
    asked = (
        questions_asked(event, role.id if role else current_user.participant_role_id)
        if event.asks_questions
        else []
    )
    answers = read_answers(asked, sent_answers(asked, request.form))
    listed = _listed()
    if not answers.valid:
        return _register_page(db.session.get(Event, event_id), form, answers, listed), 422
    # The page's language, chosen now from the signed-in account: after the commit the
    # account is expired and asking again would read it once more.
    get_locale()
    # PostgreSQL: the registration's INSERT goes to the server with the COMMIT, in one
    # round trip (or with the answers' INSERT, when there are answers). No garbage
    # collection while the event's lock may be held: a collection landing there would
    # make everyone waiting for the lock wait longer; one runs after the commit if due.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with pipelined(db.session):
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
            # Still under the event's lock: a new registration has no answers and no
            # listing to read, only what was sent to write.
            save_answers(registration, answers.values, new=True)
            set_listed(registration, listed, new=True)
            status = registration.status
            db.session.commit()
    finally:
        if collecting:
            gc.enable()
    flash(str(OUTCOME_MESSAGES[status]) % {"title": title}, "success")
    return redirect(_event_page(event_id))


def _listed() -> bool:
    return request.form.get("listed") in ("y", "on", "yes", "true", "1")


def _register_page(event: Event, form: RegisterForm, answers, listed: bool, expired=False) -> str:
    """The registration form as a page of its own, with everything typed still in it."""
    return render_template(
        "questions/register.html",
        event=event,
        form=form,
        sheet=answers,
        listed=listed,
        list_visible=participant_list_visible(event.id),
        expired_message=EXPIRED_FORM if expired else None,
    )


@recover_after_csrf("registrations.register")
def _register_again():
    """A registration refused by the CSRF check (the page was open too long): the form
    again, with the note and answers typed, and a fresh token."""
    if not current_user.is_authenticated:
        return None
    event = db.session.get(Event, (request.view_args or {}).get("event_id", 0))
    if event is None or not can_view(event, current_user):
        return None
    form = RegisterForm()
    role = _participant_role(form.participant_role.data) if form.participant_role.data else None
    asked = questions_asked(event, role.id if role else current_user.participant_role_id)
    answers = read_answers(asked, sent_answers(asked, request.form))
    return _register_page(event, form, answers, _listed(), expired=True), 400


def _after_cancelling(event_id: int) -> str:
    """Back where the person came from: "My events" when they came from there."""
    mine_page = url_for("registrations.mine")
    return mine_page if request.values.get("next") == mine_page else _event_page(event_id)


CANCELLED_MESSAGES = {
    RegistrationStatus.waitlisted: _l("You have left the waiting list for %(title)s."),
    RegistrationStatus.pending: _l("Your request for a place at %(title)s is withdrawn."),
}
CANCELLED_MESSAGE = _l("Your registration for %(title)s is cancelled.")


@registrations.get("/events/<int:event_id>/cancel-registration")
@login_required
def confirm_cancel(event_id: int):
    """The step before cancelling: what the person gives up; its button posts below."""
    event = _visible_event_or_404(event_id)
    registration = active_registration(event.id, current_user.id)
    return render_template(
        "registrations/cancel.html",
        event=event,
        registration=registration,
        position=waitlist_position(registration) if registration else None,
        may_cancel=registration is not None and may_self_cancel(event, utcnow()),
        form=CancelRegistrationForm(),
        next=_after_cancelling(event_id),
    )


@registrations.post("/events/<int:event_id>/cancel-registration")
@login_required
def cancel(event_id: int):
    """Cancel at once (the contract for scripts: ``csrf_token`` is all it needs); people
    reach it from the confirmation page above."""
    event = _visible_event_or_404(event_id)
    back = _after_cancelling(event_id)
    form = CancelRegistrationForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    title, user_id = event.title, current_user.id
    held = active_registration(event_id, user_id)
    previous = held.status if held is not None else None
    try:
        cancel_registration(event_id, user_id)
    except RegistrationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(back)
    db.session.commit()
    message = CANCELLED_MESSAGES.get(previous, CANCELLED_MESSAGE)
    flash(str(message) % {"title": title}, "success")
    return redirect(back)


@registrations.get("/my/events")
@login_required
def mine():
    return render_template("registrations/mine.html", groups=my_events(current_user, utcnow()))


@registrations.app_context_processor
def inject_registration_helpers():
    """What every page (the event page above all) asks of registrations."""

    def viewer():
        return current_user if current_user.is_authenticated else None

    def panel_for(event, zone=None):
        return registration_panel(event, viewer(), zone, utcnow())

    return {
        "RegistrationStatus": RegistrationStatus,
        "registration_panel": panel_for,
        "can_see_online_link": lambda event: can_see_online_link(event, viewer()),
        "register_form": RegisterForm,
        "cancel_registration_form": CancelRegistrationForm,
        "cancel_label": cancel_label,
        "may_self_cancel": lambda event: may_self_cancel(event, utcnow()),
    }
