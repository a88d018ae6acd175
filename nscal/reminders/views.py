"""Reminder pages: an event's (and its series') reminders, the defaults per kind under
/manage/, and a person's feed alarm on /account."""

from datetime import time

from babel.dates import format_time
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from nscal.accounts.permissions import coordinator_required
from nscal.db import db
from nscal.events.display import format_event_time
from nscal.events.models import Event
from nscal.reminders.forms import (
    DefaultRemindersForm,
    EventRemindersForm,
    FeedAlarmForm,
    kind_field_name,
)
from nscal.reminders.services import (
    ReminderError,
    feed_alarm_minutes,
    kind_defaults,
    offsets_text,
    reminder_hour,
    reminder_times,
    reminders_for,
    series_reminders,
    set_event_reminders,
    set_feed_alarm,
    set_kind_defaults,
    set_series_reminders,
)
from nscal.web import flash_form_errors

reminders = Blueprint("reminders", __name__)


def _own_reminders(event: Event):
    own = reminders_for(event)
    return own.offsets if own.source == "event" else None


def _hour_text() -> str:
    """The hour day-based reminders go out, written the reader's way: "09:00" in
    English (as always), "09.00" in Danish, "9.00" in Finnish."""
    hour = reminder_hour()
    locale = get_locale()
    if locale is None or locale.language == "en":
        return f"{hour:02d}:00"
    return format_time(time(hour), format="short", locale=locale)


def _event_page(event: Event, form: EventRemindersForm, series_form: EventRemindersForm | None):
    return render_template(
        "reminders/event.html",
        event=event,
        when=format_event_time(event).text,
        form=form,
        series_form=series_form,
        current=reminders_for(event),
        times=reminder_times(event),
        hour_text=_hour_text(),
    )


def _series_form(event: Event, fill: bool = True) -> EventRemindersForm | None:
    if event.series is None:
        return None
    form = EventRemindersForm(prefix="series")
    form.follow.choices = [
        SelectChoice("inherit", _("Follow the defaults for the kind")),
        SelectChoice("own", _("The series' own reminders")),
    ]
    if fill:
        form.fill(series_reminders(event.series))
    return form


@reminders.route("/manage/events/<int:event_id>/reminders", methods=["GET", "POST"])
@coordinator_required
def event_reminders(event_id: int):
    event = db.get_or_404(Event, event_id)
    form = EventRemindersForm()
    if event.series is not None:
        form.follow.choices = [
            SelectChoice("inherit", _("Follow the series' reminders (or the kind's defaults)")),
            SelectChoice("own", _("This event's own reminders")),
        ]
    if not form.is_submitted():
        form.fill(_own_reminders(event))
    elif form.validate_on_submit():
        set_event_reminders(event, form.chosen())
        db.session.commit()
        flash(_("The reminders of “%(title)s” are saved.", title=event.title), "success")
        return redirect(url_for(".event_reminders", event_id=event.id))
    return _event_page(event, form, _series_form(event))


@reminders.post("/manage/events/<int:event_id>/series-reminders")
@coordinator_required
def series_reminders_view(event_id: int):
    event = db.get_or_404(Event, event_id)
    if event.series is None:
        abort(404)
    form = _series_form(event, fill=False)
    if form.validate_on_submit():
        set_series_reminders(event.series, form.chosen())
        db.session.commit()
        flash(_("The series' reminders are saved."), "success")
        return redirect(url_for(".event_reminders", event_id=event.id))
    own = EventRemindersForm(formdata=None)
    own.fill(_own_reminders(event))
    return _event_page(event, own, form), 400


@reminders.route("/manage/reminders", methods=["GET", "POST"])
@coordinator_required
def defaults():
    form = DefaultRemindersForm()
    current = kind_defaults()
    if not form.is_submitted():
        for kind, (offsets, _changed) in current.items():
            getattr(form, kind_field_name(kind)).data = offsets_text(offsets)
    elif form.validate_on_submit():
        for kind, offsets in form.chosen().items():
            set_kind_defaults(kind, offsets)
        db.session.commit()
        flash(_("The default reminders are saved."), "success")
        return redirect(url_for(".defaults"))
    return render_template(
        "reminders/defaults.html", form=form, current=current, hour_text=_hour_text()
    )


@reminders.post("/account/feed-alarm")
@login_required
def feed_alarm():
    form = FeedAlarmForm()
    if form.validate_on_submit():
        try:
            set_feed_alarm(current_user, form.minutes())
        except ReminderError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(
                _("Your private feed now has an alarm before each event you registered for.")
                if form.minutes()
                else _("Your private feed has no alarms now."),
                "success",
            )
    else:
        flash_form_errors(form)
    return redirect(url_for("account.profile"))


@reminders.app_context_processor
def inject_feed_alarm_form():
    """The account page's alarm setting (``reminders/_account_alarm.html``)."""

    def feed_alarm_form():
        form = FeedAlarmForm(formdata=None)
        minutes = feed_alarm_minutes(current_user) if current_user.is_authenticated else None
        form.alarm.data = str(minutes) if minutes else ""
        return form

    return {"feed_alarm_form": feed_alarm_form}
