"""The programme's pages: the coordinators' builder at /manage/events/<id>/programme,
the printable PDF at /events/<id>/programme.pdf, and the event page's programme
section (through ``event_programme`` in every template).

Views parse, authorize, call a service, flash and redirect; the services commit nothing.
"""

from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from nscal.accounts.permissions import coordinator_required
from nscal.db import db, utcnow
from nscal.events.display import SESSION_ZONE, format_event_time, viewer_zone
from nscal.events.models import Event
from nscal.events.services import can_view
from nscal.pdf import render_pdf
from nscal.programme.display import Day, item_time, programme_days
from nscal.programme.forms import (
    CopyProgrammeForm,
    ItemActionForm,
    ItemForm,
    item_form_data,
    item_id_from,
    new_item_form_data,
)
from nscal.programme.models import ProgrammeItem
from nscal.programme.services import (
    ProgrammeError,
    add_item,
    copy_programme,
    delete_item,
    events_with_programmes,
    lies_within,
    move_item,
    programme_of,
    update_item,
)
from nscal.registrations.access import can_see_online_link

programme = Blueprint("programme", __name__)


def _viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


@dataclass
class ProgrammeView:
    """What the event page and the PDF show of a programme, for one viewer."""

    event: Event
    zone: str
    days: list[Day]
    sees_links: bool

    def when(self, item: ProgrammeItem):
        return item_time(item, self.event, self.zone)

    @property
    def in_other_zone(self) -> bool:
        return self.zone != self.event.timezone


def programme_view(event: Event, zone: str | None, viewer) -> ProgrammeView | None:
    """The programme as ``viewer`` reads it, or None when the event has none."""
    items = programme_of(event)
    if not items:
        return None
    return ProgrammeView(
        event=event,
        zone=zone or event.timezone,
        days=programme_days(items, event),
        sees_links=any(item.online_url for item in items) and can_see_online_link(event, viewer),
    )


@programme.app_context_processor
def inject_programme():
    def event_programme(event, zone=None):
        return programme_view(event, zone, _viewer())

    return {"event_programme": event_programme}


# --- the printable programme -----------------------------------------------------------


@programme.get("/events/<int:event_id>/programme.pdf")
def pdf(event_id: int):
    viewer = _viewer()
    event = db.session.get(Event, event_id)
    if event is None or not can_view(event, viewer):
        return render_template("events/not_found.html"), 404
    view = programme_view(event, viewer_zone(viewer, session.get(SESSION_ZONE), event), viewer)
    if view is None:
        return render_template("events/not_found.html"), 404
    html = render_template(
        "programme/print.html",
        event=event,
        programme=view,
        printed=utcnow(),
    )
    response = make_response(render_pdf(html))
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="programme-{event.id}.pdf"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response


# --- the coordinators' builder ---------------------------------------------------------


def _event_or_404(event_id: int) -> Event:
    return db.get_or_404(Event, event_id)


def _item_or_none(event: Event, item_id: int | None) -> ProgrammeItem | None:
    if item_id is None:
        return None
    item = db.session.get(ProgrammeItem, item_id)
    return item if item is not None and item.event_id == event.id else None


def _builder(event_id: int) -> str:
    return url_for("programme.manage", event_id=event_id)


def _flash_notes(notes: list[str]) -> None:
    for note in notes:
        flash(note, "warning")


def _copy_form(event: Event, formdata=None) -> CopyProgrammeForm:
    sources = events_with_programmes(event)
    form = CopyProgrammeForm(formdata, events=sources)
    form.source_event.choices = [
        (source.id, f"{source.title} ({format_event_time(source).primary_text})")
        for source in sources
    ]
    return form


def _render_builder(event: Event, form: ItemForm, editing: ProgrammeItem | None, status=200):
    items = programme_of(event)
    return (
        render_template(
            "programme/manage.html",
            event=event,
            form=form,
            editing=editing,
            days=programme_days(items, event),
            outside={item.id for item in items if not lies_within(item, event)},
            groups=_start_groups(items),
            action_form=ItemActionForm(),
            copy_form=_copy_form(event),
            item_time=lambda item: item_time(item, event, None),
        ),
        status,
    )


def _start_groups(items: list[ProgrammeItem]) -> dict[int, tuple[bool, bool]]:
    """For each item: whether it can move up, and down, among those starting with it."""
    by_start: dict = {}
    for item in items:
        by_start.setdefault(item.starts_at, []).append(item)
    moves = {}
    for group in by_start.values():
        for index, item in enumerate(group):
            moves[item.id] = (index > 0, index < len(group) - 1)
    return moves


@programme.route("/manage/events/<int:event_id>/programme", methods=["GET", "POST"])
@coordinator_required
def manage(event_id: int):
    event = _event_or_404(event_id)
    if request.method == "GET":
        editing = _item_or_none(event, item_id_from(request.args.get("edit")))
        data = item_form_data(editing) if editing else new_item_form_data(event)
        return _render_builder(event, ItemForm(data=data), editing)
    form = ItemForm()
    editing = _item_or_none(event, form.editing())
    if form.item_id.data and editing is None:
        flash(_("That item is no longer in the programme."), "error")
        return redirect(_builder(event_id))
    if not form.validate_on_submit():
        return _render_builder(event, form, editing, 400)
    try:
        if editing is None:
            item, notes = add_item(event, form.item_data())
        else:
            item, notes = editing, update_item(editing, form.item_data())
    except ProgrammeError as exc:
        db.session.rollback()
        form.add_service_error(exc)
        return _render_builder(event, form, _item_or_none(event, form.editing()), 400)
    title = item.title
    db.session.commit()
    flash(
        _("“%(title)s” is added to the programme.", title=title)
        if editing is None
        else _("“%(title)s” is saved in the programme.", title=title),
        "success",
    )
    _flash_notes(notes)
    return redirect(_builder(event_id))


@programme.post("/manage/events/<int:event_id>/programme/move")
@coordinator_required
def move(event_id: int):
    event = _event_or_404(event_id)
    form = ItemActionForm()
    item = _item_or_none(event, form.item_id_value()) if form.validate_on_submit() else None
    if item is None:
        flash(_("That item is no longer in the programme."), "error")
        return redirect(_builder(event_id))
    try:
        moved = move_item(item, form.direction.data)
    except ProgrammeError as exc:
        flash(str(exc), "error")
        return redirect(_builder(event_id))
    title = item.title
    db.session.commit()
    up = form.direction.data == "up"
    if moved:
        flash(
            _("“%(title)s” is moved up.", title=title)
            if up
            else _("“%(title)s” is moved down.", title=title),
            "success",
        )
    else:
        flash(
            _("“%(title)s” is already the first of the items starting at its time.", title=title)
            if up
            else _(
                "“%(title)s” is already the last of the items starting at its time.", title=title
            ),
            "info",
        )
    return redirect(_builder(event_id))


@programme.route("/manage/events/<int:event_id>/programme/delete", methods=["GET", "POST"])
@coordinator_required
def delete(event_id: int):
    """A confirmation page first; the item goes only when that page's button is pressed."""
    event = _event_or_404(event_id)
    if request.method == "GET":
        item = _item_or_none(event, item_id_from(request.args.get("item")))
        if item is None:
            abort(404)
        form = ItemActionForm(data={"item_id": str(item.id)})
        return render_template(
            "programme/delete.html",
            event=event,
            item=item,
            form=form,
            when=item_time(item, event, None),
        )
    form = ItemActionForm()
    item = _item_or_none(event, form.item_id_value()) if form.validate_on_submit() else None
    if item is None:
        flash(_("That item is no longer in the programme."), "error")
        return redirect(_builder(event_id))
    title = item.title
    delete_item(item)
    db.session.commit()
    flash(_("“%(title)s” is deleted from the programme.", title=title), "success")
    return redirect(_builder(event_id))


@programme.post("/manage/events/<int:event_id>/programme/copy")
@coordinator_required
def copy(event_id: int):
    event = _event_or_404(event_id)
    form = _copy_form(event, request.form)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(_builder(event_id))
    source = db.session.get(Event, form.source_event.data)
    try:
        copied, skipped = copy_programme(source, event)
    except ProgrammeError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(_builder(event_id))
    title = source.title
    db.session.commit()
    if copied:
        flash(
            ngettext(
                "Copied %(num)d item from “%(title)s”, at the same times of day. "
                "Online links are not copied: add this meeting's own.",
                "Copied %(num)d items from “%(title)s”, at the same times of day. "
                "Online links are not copied: add this meeting's own.",
                copied,
                title=title,
            ),
            "success",
        )
    else:
        flash(_("Nothing copied from “%(title)s”.", title=title), "info")
    for reason in skipped:
        flash(_("Not copied: %(reason)s", reason=reason), "warning")
    return redirect(_builder(event_id))
