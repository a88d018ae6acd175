"""Materials' pages: the download (after the permission check), the coordinators' page
``/manage/events/<id>/materials`` (upload, add a link, change who sees one, delete,
publish the minutes) and the event page's list (through a context processor, so that
events never import this room).

Files are served as what their content is, as attachments (images inline), with
``nosniff`` and a ``sandbox`` Content-Security-Policy: nothing uploaded runs as a page.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from nscal.accounts.permissions import coordinator_required
from nscal.db import db, utcnow
from nscal.events.models import Event
from nscal.filetypes import type_of
from nscal.materials.forms import (
    DeleteMaterialForm,
    LinkForm,
    PublishMinutesForm,
    UploadForm,
    VisibilityForm,
)
from nscal.materials.models import Material, MaterialKind
from nscal.materials.services import (
    MaterialError,
    add_file,
    add_link,
    change_visibility,
    confirmed_participants,
    delete_material,
    discard_stored,
    download_name,
    event_materials,
    events_with_minutes,
    material_for_viewer,
    materials_by_item,
    programme_item_choices,
    publish_minutes,
    read_stored,
    size_text,
    visible_materials,
)
from nscal.web import file_download, flash_form_errors

materials = Blueprint("materials", __name__)

# What a served file may do in the browser: nothing (no script, no plugin, no form,
# its own opaque origin); images may show themselves.
# Room for the form's other fields and the multipart framing around the file.
FORM_OVERHEAD = 64 * 1024
# The link form shares a page with the upload form: its own field names and ids.
LINK_PREFIX = "link-"


@materials.url_value_preprocessor
def _allow_upload_sized_requests(endpoint, _values):
    # Before every before_request hook (CSRFProtect's reads the body): set the limit now.
    if endpoint == "materials.upload":
        limit = current_app.config["MATERIAL_MAX_BYTES"] + FORM_OVERHEAD
        request.max_content_length = limit
        request.max_form_memory_size = FORM_OVERHEAD


@materials.errorhandler(413)
def _too_large(_error):
    limit = size_text(current_app.config["MATERIAL_MAX_BYTES"])
    return render_template(
        "errors/error.html",
        code=413,
        title=_("That file is too large"),
        hint=_("Upload files of up to %(size)s, or share a link to a larger one.", size=limit),
        detail=None,
    ), 413


def _viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


@materials.app_context_processor
def _inject_materials():
    """What the event page asks of this room."""

    def for_event(event):
        return visible_materials(event, _viewer())

    def type_label(content_type: str) -> str:
        file_type = type_of(content_type)
        return file_type.label if file_type else _("File")

    def has_minutes(event) -> bool:
        """Whether a past event has minutes this viewer may see; read once per page."""
        if event.ends_at > utcnow() or event.is_cancelled:
            return False
        if "events_with_minutes" not in g:
            g.events_with_minutes = events_with_minutes(_viewer())
        return event.id in g.events_with_minutes

    def for_items(event):
        """The programme's materials: per item, those this viewer may see."""
        return materials_by_item(event, _viewer())

    return {
        "materials_for": for_event,
        "item_materials_for": for_items,
        "has_minutes": has_minutes,
        "material_size": size_text,
        "material_type_label": type_label,
    }


# --- the download ----------------------------------------------------------------------


@materials.get("/events/<int:event_id>/materials/<int:material_id>")
def download(event_id: int, material_id: int):
    material = material_for_viewer(event_id, material_id, _viewer())
    if material is None:
        # The same answer whether it does not exist or is not for this viewer.
        return render_template("materials/not_found.html"), 404
    if material.is_link:
        return redirect(material.url)
    try:
        data = read_stored(material)
    except MaterialError as exc:
        abort(503, str(exc))
    file_type = type_of(material.content_type)
    return file_download(
        data,
        mime_type=file_type.content_type if file_type else None,
        download_name=download_name(material),
        inline=bool(file_type and file_type.is_image),
        etag=material.sha256 or False,
    )


# --- the coordinators' page ------------------------------------------------------------


def _event_or_404(event_id: int) -> Event:
    return db.get_or_404(Event, event_id)


def _material_or_404(event_id: int, material_id: int) -> Material:
    material = db.session.get(Material, material_id)
    if material is None or material.event_id != event_id:
        abort(404)
    return material


def _with_items(form, event: Event):
    form.set_items(programme_item_choices(event))
    return form


def _page(event: Event, *, upload=None, link=None, status: int = 200):
    items = programme_item_choices(event)
    upload = upload or UploadForm(formdata=None)
    link = link or LinkForm(formdata=None, prefix=LINK_PREFIX)
    for form in (upload, link):
        form.set_items(items)
    return render_template(
        "materials/manage.html",
        event=event,
        materials=event_materials(event),
        item_titles=dict(items),
        upload_form=upload,
        link_form=link,
        visibility_form=VisibilityForm,
        max_size=size_text(current_app.config["MATERIAL_MAX_BYTES"]),
    ), status


def _back(event_id: int):
    return redirect(url_for(".manage", event_id=event_id))


@materials.get("/manage/events/<int:event_id>/materials")
@coordinator_required
def manage(event_id: int):
    return _page(_event_or_404(event_id))


@materials.post("/manage/events/<int:event_id>/materials/upload")
@coordinator_required
def upload(event_id: int):
    event = _event_or_404(event_id)
    form = _with_items(UploadForm(), event)
    if not form.validate_on_submit():
        return _page(event, upload=form, status=400)
    upload = form.file.data
    try:
        material = add_file(
            event,
            data=upload.read(current_app.config["MATERIAL_MAX_BYTES"] + 1),
            filename=upload.filename,
            title=form.title.data,
            kind=form.selected_kind,
            visibility=form.selected_visibility,
            max_bytes=current_app.config["MATERIAL_MAX_BYTES"],
            created_by=current_user._get_current_object(),
            programme_item_id=form.selected_item_id,
        )
    except MaterialError as exc:
        db.session.rollback()
        form.file.errors.append(str(exc))
        return _page(event, upload=form, status=400)
    title = material.title
    db.session.commit()
    flash(_("“%(title)s” is added.", title=title), "success")
    return _back(event_id)


@materials.post("/manage/events/<int:event_id>/materials/link")
@coordinator_required
def add_link_view(event_id: int):
    event = _event_or_404(event_id)
    form = _with_items(LinkForm(prefix=LINK_PREFIX), event)
    if not form.validate_on_submit():
        return _page(event, link=form, status=400)
    try:
        material = add_link(
            event,
            url=form.url.data,
            title=form.title.data,
            kind=form.selected_kind,
            visibility=form.selected_visibility,
            created_by=current_user._get_current_object(),
            programme_item_id=form.selected_item_id,
        )
    except MaterialError as exc:
        db.session.rollback()
        form.url.errors.append(str(exc))
        return _page(event, link=form, status=400)
    title = material.title
    db.session.commit()
    flash(_("The link “%(title)s” is added.", title=title), "success")
    return _back(event_id)


@materials.post("/manage/events/<int:event_id>/materials/<int:material_id>/visibility")
@coordinator_required
def visibility(event_id: int, material_id: int):
    material = _material_or_404(event_id, material_id)
    form = VisibilityForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back(event_id)
    change_visibility(material, form.selected_visibility)
    title, label = material.title, material.visibility.label
    db.session.commit()
    flash(_("“%(title)s”: %(visibility)s.", title=title, visibility=label), "success")
    return _back(event_id)


@materials.route(
    "/manage/events/<int:event_id>/materials/<int:material_id>/delete", methods=["GET", "POST"]
)
@coordinator_required
def delete(event_id: int, material_id: int):
    material = _material_or_404(event_id, material_id)
    form = DeleteMaterialForm()
    if request.method == "POST" and form.validate_on_submit():
        title = material.title
        key = delete_material(material)
        db.session.commit()
        discard_stored(key)
        flash(_("“%(title)s” is deleted.", title=title), "success")
        return _back(event_id)
    return render_template(
        "materials/confirm_delete.html", event=material.event, material=material, form=form
    )


@materials.route(
    "/manage/events/<int:event_id>/materials/<int:material_id>/publish", methods=["GET", "POST"]
)
@coordinator_required
def publish(event_id: int, material_id: int):
    material = _material_or_404(event_id, material_id)
    if material.kind is not MaterialKind.minutes:
        abort(404)
    form = PublishMinutesForm()
    if request.method == "POST" and form.validate_on_submit():
        title = material.title
        try:
            count = publish_minutes(material)
        except MaterialError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return _back(event_id)
        db.session.commit()
        flash(
            ngettext(
                "“%(title)s” is published: a mail with the link goes to "
                "%(num)d registered participant.",
                "“%(title)s” is published: a mail with the link goes to "
                "%(num)d registered participants.",
                count,
                title=title,
            ),
            "success",
        )
        return _back(event_id)
    return render_template(
        "materials/confirm_publish.html",
        event=material.event,
        material=material,
        form=form,
        recipients=len(confirmed_participants(material.event)),
    )
