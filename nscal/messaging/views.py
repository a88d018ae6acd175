"""Coordinators' messages to participants: write → preview (exactly as one person gets
it, and to how many) → send; and the history of what was sent, with delivery counts.

/manage/events/<id>/messages[/new], /manage/series/<id>/messages[/new],
/manage/messages/<id>/{edit,preview,preview.html,send,attachment}.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from nscal.accounts.permissions import coordinator_required
from nscal.cities.models import all_roles
from nscal.db import db, utcnow
from nscal.events.display import display_zone
from nscal.events.models import Event, EventSeries
from nscal.mail.views import MAIL_HTML_POLICY
from nscal.messaging.forms import ComposeForm, SendForm, size_text
from nscal.messaging.models import ParticipantMessage
from nscal.messaging.services import (
    AlreadySent,
    MessageError,
    Upload,
    count_text,
    message_history,
    recipients_of,
    render_for,
    save_draft,
    send_message,
)
from nscal.registrations.overview import all_cities
from nscal.timedisplay import format_instant
from nscal.web import file_download

messaging = Blueprint("messaging", __name__)

UPLOAD_ENDPOINTS = {"messaging.write_to_event", "messaging.write_to_series", "messaging.edit"}


@messaging.url_value_preprocessor
def _allow_attachment_sized_requests(endpoint, _values):
    # Before CSRFProtect's hook reads the body (see nscal/imports/views.py).
    if endpoint in UPLOAD_ENDPOINTS:
        limit = current_app.config["MESSAGE_ATTACHMENT_MAX_BYTES"]
        # Room for a file somewhat over the limit, so it gets a form error, not a 413.
        request.max_content_length = limit * 3 // 2 + 256 * 1024
        request.max_form_memory_size = 256 * 1024


def _series_or_404(series_id: int) -> EventSeries:
    return db.get_or_404(EventSeries, series_id)


def _series_title(series: EventSeries) -> str:
    titles = [event.title for event in series.occurrences]
    return titles[0] if titles else _("Series")


def _draft_or_404(message_id: int) -> ParticipantMessage:
    return db.get_or_404(ParticipantMessage, message_id)


def _about(*, event=None, series=None) -> dict:
    """What the pages say a message is for: the event, or the series and its title."""
    if event is not None:
        return {"event": event, "series": None, "about": event.title}
    return {"event": None, "series": series, "about": _series_title(series)}


def _about_message(message: ParticipantMessage) -> dict:
    return _about(event=message.event, series=message.series)


def _compose_form(**kwargs) -> ComposeForm:
    return ComposeForm(roles=all_roles(), cities=all_cities(), **kwargs)


def _compose(*, event=None, series=None, draft=None):
    form = _compose_form()
    if draft is not None and not form.is_submitted():
        form.fill(draft)
    context = _about(event=event, series=series)
    if form.validate_on_submit():
        upload = Upload(form.attachment.data.filename, form.upload) if form.upload else None
        try:
            message = save_draft(
                sender=current_user._get_current_object(),
                subject=form.subject.data,
                text=form.text.data,
                selection=form.selection(),
                event_id=event.id if event is not None else None,
                series_id=series.id if series is not None else None,
                attachment=upload,
                draft_id=draft.id if draft is not None else None,
                remove_attachment=form.remove_attachment.data,
            )
        except MessageError as exc:
            db.session.rollback()
            form.text.errors = [*form.text.errors, str(exc)]
        else:
            message_id = message.id
            db.session.commit()
            return redirect(url_for("messaging.preview", message_id=message_id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "messaging/compose.html", form=form, draft=draft, size_text=size_text, **context
    ), status


@messaging.route("/manage/events/<int:event_id>/messages/new", methods=["GET", "POST"])
@coordinator_required
def write_to_event(event_id: int):
    return _compose(event=db.get_or_404(Event, event_id))


@messaging.route("/manage/series/<int:series_id>/messages/new", methods=["GET", "POST"])
@coordinator_required
def write_to_series(series_id: int):
    return _compose(series=_series_or_404(series_id))


@messaging.route("/manage/messages/<int:message_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(message_id: int):
    draft = _draft_or_404(message_id)
    if draft.is_sent:
        flash(_("This message has been sent already."), "info")
        return redirect(_history_url(draft))
    return _compose(event=draft.event, series=draft.series, draft=draft)


def _history_url(message: ParticipantMessage) -> str:
    if message.event_id is not None:
        return url_for("messaging.event_history", event_id=message.event_id)
    return url_for("messaging.series_history", series_id=message.series_id)


def _chosen_recipient(people):
    """The person the preview shows: ``?as=<user id>`` when among them, else the first."""
    wanted = request.args.get("as", type=int)
    return next((person for person in people if person.user.id == wanted), people[0])


@messaging.get("/manage/messages/<int:message_id>/preview")
@coordinator_required
def preview(message_id: int):
    message = _draft_or_404(message_id)
    if message.is_sent:
        return redirect(_history_url(message))
    people = recipients_of(message)
    person = _chosen_recipient(people) if people else None
    mail = render_for(message, person) if person else None
    return render_template(
        "messaging/preview.html",
        message=message,
        people=people,
        person=person,
        mail=mail,
        text=mail.get_body(("plain",)).get_content() if mail else "",
        count_text=count_text(people),
        send_form=SendForm(),
        size_text=size_text,
        **_about_message(message),
    )


@messaging.get("/manage/messages/<int:message_id>/preview.html")
@coordinator_required
def preview_html(message_id: int):
    """The HTML part alone, for the preview page's sandboxed frame."""
    message = _draft_or_404(message_id)
    people = recipients_of(message)
    if not people:
        abort(404)
    html = render_for(message, _chosen_recipient(people)).get_body(("html",)).get_content()
    return html, {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": MAIL_HTML_POLICY,
        "X-Frame-Options": "SAMEORIGIN",
    }


@messaging.post("/manage/messages/<int:message_id>/send")
@coordinator_required
def send(message_id: int):
    message = _draft_or_404(message_id)
    history = _history_url(message)
    form = SendForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        count = send_message(message_id, utcnow())
    except AlreadySent as exc:
        db.session.rollback()
        # Translators: reason: "This message has been sent already."
        flash(_("%(reason)s Nobody got it twice.", reason=str(exc)), "info")
        return redirect(history)
    except MessageError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("messaging.preview", message_id=message_id))
    db.session.commit()
    flash(
        ngettext(
            "Sent to %(num)d person. Each mail goes out through the outbox in a moment.",
            "Sent to %(num)d people. Each mail goes out through the outbox in a moment.",
            count,
        ),
        "success",
    )
    return redirect(history)


@messaging.get("/manage/messages/<int:message_id>/attachment")
@coordinator_required
def attachment(message_id: int):
    message = _draft_or_404(message_id)
    if not message.attachment_key:
        abort(404)
    return file_download(
        message.attachment_data,
        mime_type=message.attachment_type,
        download_name=message.attachment_name,
    )


def _when_text(instant) -> str:
    """An instant on the coordinator's own clock: "13 Jan 2027, 10:05 EET"."""
    zone, _source = display_zone(current_user, None)
    return format_instant(instant, zone)


@messaging.get("/manage/events/<int:event_id>/messages")
@coordinator_required
def event_history(event_id: int):
    event = db.get_or_404(Event, event_id)
    return render_template(
        "messaging/history.html",
        entries=message_history(event=event),
        size_text=size_text,
        when_text=_when_text,
        **_about(event=event),
    )


@messaging.get("/manage/series/<int:series_id>/messages")
@coordinator_required
def series_history(series_id: int):
    series = _series_or_404(series_id)
    return render_template(
        "messaging/history.html",
        entries=message_history(series=series),
        size_text=size_text,
        when_text=_when_text,
        **_about(series=series),
    )
