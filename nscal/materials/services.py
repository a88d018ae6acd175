"""The rules of materials: who sees which, adding files and links, publishing minutes.

Services take plain arguments, raise ``MaterialError`` with a message for people,
flush, and leave the commit to the caller. A file's bytes go to the storage when it is
added; when a material is deleted the caller removes its bytes after the commit
(``discard_stored``), so a rolled-back deletion never loses a file.
"""

import hashlib
import logging
import re
from pathlib import PurePosixPath, PureWindowsPath
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _

from nscal.accounts.models import User
from nscal.db import db, utcnow
from nscal.events.models import Event
from nscal.events.services import can_view
from nscal.filetypes import UnsupportedFile, detect_type, type_of
from nscal.inputs import single_line
from nscal.materials.models import Material, MaterialKind, MaterialVisibility
from nscal.materials.storage import StorageError, new_key, storage
from nscal.programme.models import ProgrammeItem
from nscal.registrations.models import Registration, RegistrationStatus
from nscal.registrations.services import active_registration, confirmed_with_account
from nscal.timedisplay import clock, short_date

log = logging.getLogger(__name__)

MAX_TITLE = 200
MAX_NAME = 255


class MaterialError(ValueError):
    """A material cannot be added or changed as asked; the message says why, for people."""


# --- who sees what ---------------------------------------------------------------------


def viewer_level(event: Event, viewer: User | None) -> MaterialVisibility | None:
    """The narrowest circle ``viewer`` belongs to at ``event``: every material at that
    level or wider is theirs to see. None when they may not see the event at all."""
    if not can_view(event, viewer):
        return None
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return MaterialVisibility.public
    if viewer.is_coordinator:
        return MaterialVisibility.coordinators
    registration = active_registration(event.id, viewer.id)
    if registration is not None and registration.status is RegistrationStatus.confirmed:
        return MaterialVisibility.participants
    return MaterialVisibility.members


def _circles_up_to(level: MaterialVisibility) -> list[MaterialVisibility]:
    return [visibility for visibility in MaterialVisibility if visibility.rank <= level.rank]


def visible_materials(event: Event, viewer: User | None) -> list[Material]:
    """The materials of ``event`` that ``viewer`` may see, minutes first, then by title."""
    level = viewer_level(event, viewer)
    if level is None:
        return []
    query = (
        sa.select(Material)
        .where(Material.event_id == event.id, Material.visibility.in_(_circles_up_to(level)))
        .order_by(
            sa.case((Material.kind == MaterialKind.minutes, 0), else_=1),
            Material.title,
            Material.id,
        )
    )
    return list(db.session.execute(query).scalars())


def events_with_minutes(viewer: User | None) -> set[int]:
    """The ids of the events that have minutes ``viewer`` may see, in one query (for the
    year plan and the event lists: the viewer may see those events already)."""
    query = sa.select(Material.event_id).where(Material.kind == MaterialKind.minutes).distinct()
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        query = query.where(Material.visibility == MaterialVisibility.public)
    elif not viewer.is_coordinator:
        confirmed = sa.exists().where(
            Registration.event_id == Material.event_id,
            Registration.user_id == viewer.id,
            Registration.status == RegistrationStatus.confirmed,
        )
        query = query.where(
            sa.or_(
                Material.visibility.in_(_circles_up_to(MaterialVisibility.members)),
                sa.and_(Material.visibility == MaterialVisibility.participants, confirmed),
            )
        )
    return set(db.session.execute(query).scalars())


def event_materials(event: Event) -> list[Material]:
    """Every material of ``event``, for its coordinators."""
    query = sa.select(Material).where(Material.event_id == event.id).order_by(Material.id)
    return list(db.session.execute(query).scalars())


def material_for_viewer(event_id: int, material_id: int, viewer: User | None) -> Material | None:
    """The material, when it belongs to that event and ``viewer`` may see it; else None
    (the same for an unknown one, so a hidden material cannot be told from none)."""
    material = db.session.get(Material, material_id)
    if material is None or material.event_id != event_id:
        return None
    level = viewer_level(material.event, viewer)
    if level is None or material.visibility.rank > level.rank:
        return None
    return material


# --- adding and changing ---------------------------------------------------------------


def programme_item_choices(event: Event) -> list[tuple[int, str]]:
    """The event's programme items, as "Tue 30 Mar 09:00 · Opening", in its own zone."""
    items = db.session.execute(
        sa.select(ProgrammeItem)
        .where(ProgrammeItem.event_id == event.id)
        .order_by(ProgrammeItem.starts_at, ProgrammeItem.position, ProgrammeItem.id)
    ).scalars()
    zone = ZoneInfo(event.timezone)
    choices = []
    for item in items:
        start = item.starts_at.astimezone(zone)
        day = short_date(start.date(), year=False, weekday=True)
        choices.append((item.id, f"{day} {clock(start)} · {item.title}"))
    return choices


def _item_of(event: Event, programme_item_id: int | None) -> int | None:
    if programme_item_id is None:
        return None
    item = db.session.get(ProgrammeItem, programme_item_id)
    if item is None or item.event_id != event.id:
        raise MaterialError(_("That programme item is not on this event's programme."))
    return item.id


def materials_by_item(event: Event, viewer: User | None) -> dict[int, list[Material]]:
    """The materials ``viewer`` may see, per programme item of ``event`` (one query)."""
    by_item: dict[int, list[Material]] = {}
    for material in visible_materials(event, viewer):
        if material.programme_item_id is not None:
            by_item.setdefault(material.programme_item_id, []).append(material)
    return by_item


def _title(title: str | None, fallback: str) -> str:
    title = single_line(title or "").strip() or fallback
    if not title:
        raise MaterialError(_("Give the material a title."))
    return title[:MAX_TITLE]


def clean_file_name(name: str | None) -> str:
    """The uploaded name without folders or control characters: kept to show and to name
    the download, never used to store the file."""
    name = single_line(name or "")
    # Browsers send a bare name, but old ones (and scripts) send C:\\…\\name or a path.
    name = PureWindowsPath(PurePosixPath(name).name).name.strip(" .")
    return name[:MAX_NAME]


def add_file(
    event: Event,
    *,
    data: bytes,
    filename: str | None,
    title: str | None,
    kind: MaterialKind,
    visibility: MaterialVisibility,
    max_bytes: int,
    created_by: User | None = None,
    programme_item_id: int | None = None,
) -> Material:
    """Keep an uploaded file for ``event``: its type read from its content, its bytes in
    the storage under a random key, what it was called and its checksum in the database."""
    item_id = _item_of(event, programme_item_id)
    if len(data) > max_bytes:
        raise MaterialError(_("The file is larger than %(size)s.", size=_size_text(max_bytes)))
    try:
        file_type = detect_type(data)
    except UnsupportedFile as exc:
        raise MaterialError(str(exc)) from None
    original = clean_file_name(filename)
    key = new_key()
    try:
        storage().put(key, data, file_type.content_type)
    except StorageError:
        log.exception("materials: storing an upload failed")
        raise MaterialError(_("The file could not be stored just now. Please try again.")) from None
    material = Material(
        event_id=event.id,
        programme_item_id=item_id,
        title=_title(title, PurePosixPath(original).stem),
        kind=kind,
        visibility=visibility,
        storage_key=key,
        original_name=original,
        size=len(data),
        content_type=file_type.content_type,
        sha256=hashlib.sha256(data).hexdigest(),
        created_by=created_by,
    )
    db.session.add(material)
    db.session.flush()
    return material


def add_link(
    event: Event,
    *,
    url: str,
    title: str | None,
    kind: MaterialKind,
    visibility: MaterialVisibility,
    created_by: User | None = None,
    programme_item_id: int | None = None,
) -> Material:
    """A link (a shared folder, a recording, a web page) as one of ``event``'s materials."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or len(url) > 500:
        raise MaterialError(
            _("Enter a web address starting with https:// (up to %(num)d characters).", num=500)
        )
    if re.search(r"\s", url):
        raise MaterialError(_("A web address has no spaces."))
    item_id = _item_of(event, programme_item_id)
    material = Material(
        event_id=event.id,
        programme_item_id=item_id,
        title=_title(title, parts.netloc),
        kind=kind,
        visibility=visibility,
        url=url,
        created_by=created_by,
    )
    db.session.add(material)
    db.session.flush()
    return material


def change_visibility(material: Material, visibility: MaterialVisibility) -> None:
    material.visibility = visibility
    db.session.flush()


def delete_material(material: Material) -> str | None:
    """Remove ``material``; returns its storage key, for ``discard_stored`` after commit."""
    key = material.storage_key
    db.session.delete(material)
    db.session.flush()
    return key


def discard_stored(key: str | None) -> None:
    """Remove a deleted material's bytes (after the deletion is committed). A failure is
    logged, not raised: the material is gone for everyone, an orphan file harms no one."""
    if key is None:
        return
    try:
        storage().delete(key)
    except StorageError:
        log.exception("materials: removing stored file %s failed", key)


# --- files of deleted events ----------------------------------------------------------
# The database deletes a deleted event's materials (ON DELETE CASCADE), never knowing
# their bytes; these listeners note the event's storage keys when the event row goes
# and remove the bytes once that deletion is committed (a rollback keeps them).

_DOOMED_KEYS = "nscal.materials.doomed_keys"


@sa.event.listens_for(Event, "before_delete")
def _note_files_of_deleted_event(_mapper, connection, event: Event) -> None:
    keys = connection.execute(
        sa.select(Material.storage_key).where(
            Material.event_id == event.id, Material.storage_key.is_not(None)
        )
    ).scalars()
    session = sa.orm.object_session(event)
    if session is not None:
        session.info.setdefault(_DOOMED_KEYS, []).extend(keys)


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _discard_files_of_deleted_events(session) -> None:
    for key in session.info.pop(_DOOMED_KEYS, ()):
        discard_stored(key)


@sa.event.listens_for(sa.orm.Session, "after_rollback")
def _keep_files_after_rollback(session) -> None:
    session.info.pop(_DOOMED_KEYS, None)


def read_stored(material: Material) -> bytes:
    if material.storage_key is None:
        raise MaterialError(_("This material is a link, not a file."))
    try:
        return storage().get(material.storage_key)
    except StorageError:
        log.exception("materials: reading stored file of material %s failed", material.id)
        raise MaterialError(
            _("The file cannot be read just now. Please try again later.")
        ) from None


def download_name(material: Material) -> str:
    """The name to save the file under: the uploaded name, with the extension of what the
    file really is (a PDF uploaded as ``report.exe`` saves as ``report.pdf``)."""
    file_type = type_of(material.content_type)
    extension = file_type.extension if file_type else ""
    stem = PurePosixPath(material.original_name).stem if material.original_name else ""
    stem = stem or re.sub(r"[^\w .-]+", "", material.title).strip() or "material"
    return f"{stem}{extension}"


def _number(value: float, pattern: str) -> str:
    """``value`` with the reader's decimal sign (2.4 in English, 2,4 in Danish)."""
    return format_decimal(value, format=pattern, locale=get_locale() or "en")


def _size_text(size: int) -> str:
    if size >= 1000 * 1000:
        return f"{_number(size / 1_000_000, '@#####')} MB"
    return f"{_number(size / 1000, '@#####')} kB"


def size_text(size: int | None) -> str:
    """A file's size for people: 2.4 MB, 310 kB."""
    if not size:
        return ""
    if size >= 1000 * 1000:
        return f"{_number(size / 1_000_000, '0.0')} MB"
    return f"{max(1, round(size / 1000))} kB"


# --- minutes ---------------------------------------------------------------------------


def confirmed_participants(event: Event) -> list[User]:
    """The confirmed people with an active account: those the minutes are mailed to."""
    query = (
        confirmed_with_account(event.id)
        .where(User.active.is_(True))
        .with_only_columns(User)
        .order_by(User.id)
    )
    return list(db.session.execute(query).scalars())


def publish_minutes(material: Material) -> int:
    """Mail each confirmed participant of the event a link to these minutes (through the
    outbox, in this transaction); returns how many were written to."""
    from nscal.materials.notifications import minutes_published_mail

    if material.kind is not MaterialKind.minutes:
        raise MaterialError(_("Only minutes are published to the participants."))
    if material.published_at is not None:
        raise MaterialError(_("These minutes were already sent to the participants."))
    if material.visibility is MaterialVisibility.coordinators:
        raise MaterialError(
            _(
                "Only coordinators can see these minutes. Let the registered participants "
                "(or more) see them first, then publish."
            )
        )
    people = confirmed_participants(material.event)
    for person in people:
        minutes_published_mail(material, person)
    material.published_at = utcnow()
    db.session.flush()
    return len(people)
