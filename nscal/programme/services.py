"""Building an event's programme: add, change, delete, reorder and copy items.

Times come in as wall-clock values in the event's zone and are stored as UTC instants,
as the events' own are: a time in the spring-forward gap is refused and named, a time
that happens twice takes the first and says so. Every item lies within its event.
Services raise ``ProgrammeError`` with a message for people, flush, and leave the
commit to the caller.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from nscal.accounts.models import User
from nscal.db import db, utcnow
from nscal.events.display import format_event_time
from nscal.events.models import Event
from nscal.inputs import multi_line, single_line
from nscal.programme.models import ItemKind, ProgrammeItem, Speaker
from nscal.timeutil import LocalTimeError, local_to_utc

MAX_SPEAKERS = 30


class ProgrammeError(ValueError):
    """A change to a programme was refused; ``field`` names the input concerned
    (``title``, ``starts``, ``ends``, ``online_url``, ``speakers``) or is None."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class OtherSpeaker:
    """A speaker typed in by name, with the city or organisation they come from."""

    name: str
    affiliation: str = ""


@dataclass
class ItemData:
    """What a coordinator says about an item; ``start`` and ``end`` are wall-clock times
    (naive) in the event's zone."""

    title: str
    start: datetime
    end: datetime
    kind: ItemKind = ItemKind.talk
    description: str = ""
    room: str = ""
    online_url: str = ""
    speaker_ids: list[int] = field(default_factory=list)
    other_speakers: list[OtherSpeaker] = field(default_factory=list)


# --- reading ---------------------------------------------------------------------------


def programme_query(event_id: int) -> sa.Select:
    return (
        sa.select(ProgrammeItem)
        .where(ProgrammeItem.event_id == event_id)
        .order_by(ProgrammeItem.starts_at, ProgrammeItem.position, ProgrammeItem.id)
    )


def programme_of(event: Event) -> list[ProgrammeItem]:
    """The event's items by start, then position."""
    return list(db.session.execute(programme_query(event.id)).scalars())


def has_programme(event: Event) -> bool:
    query = sa.select(ProgrammeItem.id).where(ProgrammeItem.event_id == event.id).limit(1)
    return db.session.execute(query).first() is not None


def first_day(event: Event) -> date:
    """The event's first day on its own clocks."""
    if event.all_day and event.start_date is not None:
        return event.start_date
    return event.local_start.date()


def lies_within(item: ProgrammeItem, event: Event) -> bool:
    return event.starts_at <= item.starts_at and item.ends_at <= event.ends_at


def events_with_programmes(excluding: Event) -> list[Event]:
    """Other events that have a programme to copy, latest first."""
    has_items = sa.select(ProgrammeItem.id).where(ProgrammeItem.event_id == Event.id).exists()
    query = (
        sa.select(Event)
        .where(has_items, Event.id != excluding.id)
        .order_by(Event.starts_at.desc(), Event.id.desc())
        .limit(500)
    )
    return list(db.session.execute(query).scalars())


# --- checks ----------------------------------------------------------------------------


def _instant(local: datetime, zone_name: str, which: str) -> tuple[datetime, str | None]:
    try:
        return local_to_utc(local, zone_name)
    except (LocalTimeError, ValueError, OverflowError) as exc:
        raise ProgrammeError(str(exc), field=which) from None


def _event_span(event: Event) -> str:
    return format_event_time(event).primary_text


def schedule(
    event: Event, start: datetime, end: datetime, *, title: str | None = None
) -> tuple[datetime, datetime, list[str]]:
    """The UTC instants of wall-clock ``start`` and ``end`` in the event's zone, checked
    to lie within the event; with notes on times that happen twice. ``title`` names the
    item in the messages (else "The item")."""
    starts_at, start_note = _instant(start, event.timezone, "starts")
    ends_at, end_note = _instant(end, event.timezone, "ends")
    notes = [_("Start: %(note)s", note=start_note)] * bool(start_note) + [
        _("End: %(note)s", note=end_note)
    ] * bool(end_note)
    if ends_at <= starts_at:
        message = (
            _("“%(title)s” must end after it starts.", title=title)
            if title
            else _("The item must end after it starts.")
        )
        raise ProgrammeError(message, field="ends")
    span = _event_span(event)
    if starts_at < event.starts_at:
        message = (
            _(
                "“%(title)s” starts before the event does: the event is %(span)s.",
                title=title,
                span=span,
            )
            if title
            else _("The item starts before the event does: the event is %(span)s.", span=span)
        )
        raise ProgrammeError(message, field="starts")
    if ends_at > event.ends_at:
        message = (
            _(
                "“%(title)s” ends after the event does: the event is %(span)s.",
                title=title,
                span=span,
            )
            if title
            else _("The item ends after the event does: the event is %(span)s.", span=span)
        )
        raise ProgrammeError(message, field="ends")
    return starts_at, ends_at, notes


def _check_fields(data: ItemData) -> None:
    title = single_line(data.title)
    if not title:
        raise ProgrammeError(_("Give the item a title."), field="title")
    if len(title) > 200:
        raise ProgrammeError(
            _("The title is longer than %(num)d characters.", num=200), field="title"
        )
    url = single_line(data.online_url)
    if url and not re.match(r"^https?://\S+$", url):
        raise ProgrammeError(
            _("The online link must start with http:// or https://."), field="online_url"
        )
    if len(url) > 500:
        raise ProgrammeError(
            _("The online link is longer than %(num)d characters.", num=500), field="online_url"
        )
    if len(single_line(data.room)) > 200:
        raise ProgrammeError(
            _("The room is longer than %(num)d characters.", num=200), field="room"
        )
    if len(data.speaker_ids) + len(data.other_speakers) > MAX_SPEAKERS:
        raise ProgrammeError(
            _("At most %(num)d speakers per item.", num=MAX_SPEAKERS), field="speakers"
        )
    for other in data.other_speakers:
        if not single_line(other.name):
            raise ProgrammeError(_("Each speaker needs a name."), field="other_speakers")
        if len(single_line(other.name)) > 200 or len(single_line(other.affiliation)) > 200:
            raise ProgrammeError(
                _(
                    "A speaker's name or city/organisation is longer than %(num)d characters.",
                    num=200,
                ),
                field="other_speakers",
            )


def _speakers(data: ItemData) -> list[Speaker]:
    ids = list(dict.fromkeys(data.speaker_ids))
    people = {}
    if ids:
        query = sa.select(User).where(User.id.in_(ids), User.active.is_(True))
        people = {user.id: user for user in db.session.execute(query).scalars()}
    if len(people) != len(ids):
        raise ProgrammeError(_("Choose speakers from the list of people."), field="speakers")
    speakers = [Speaker(user=people[user_id], name=people[user_id].name) for user_id in ids]
    speakers += [
        Speaker(name=single_line(other.name), affiliation=single_line(other.affiliation))
        for other in data.other_speakers
    ]
    for number, speaker in enumerate(speakers):
        speaker.position = number
    return speakers


def _next_position(event_id: int, starts_at: datetime, *, leaving: int | None = None) -> int:
    query = sa.select(sa.func.max(ProgrammeItem.position)).where(
        ProgrammeItem.event_id == event_id, ProgrammeItem.starts_at == starts_at
    )
    if leaving is not None:
        query = query.where(ProgrammeItem.id != leaving)
    highest = db.session.execute(query).scalar()
    return 0 if highest is None else highest + 1


def _apply(item: ProgrammeItem, data: ItemData, starts_at: datetime, ends_at: datetime) -> None:
    item.kind = data.kind
    item.title = single_line(data.title)
    item.description = multi_line(data.description)
    item.room = single_line(data.room)
    item.online_url = single_line(data.online_url)
    item.starts_at, item.ends_at = starts_at, ends_at
    item.updated_at = utcnow()


# --- changes ---------------------------------------------------------------------------


def add_item(event: Event, data: ItemData) -> tuple[ProgrammeItem, list[str]]:
    """A new item in ``event``'s programme, after those starting at the same time."""
    _check_fields(data)
    starts_at, ends_at, notes = schedule(event, data.start, data.end)
    speakers = _speakers(data)
    item = ProgrammeItem(event=event, event_id=event.id)
    _apply(item, data, starts_at, ends_at)
    item.position = _next_position(event.id, starts_at)
    item.speakers = speakers
    db.session.add(item)
    db.session.flush()
    return item, notes


def update_item(item: ProgrammeItem, data: ItemData) -> list[str]:
    _check_fields(data)
    starts_at, ends_at, notes = schedule(item.event, data.start, data.end)
    speakers = _speakers(data)
    if starts_at != item.starts_at:
        item.position = _next_position(item.event_id, starts_at, leaving=item.id)
    _apply(item, data, starts_at, ends_at)
    item.speakers = speakers
    db.session.flush()
    return notes


def delete_item(item: ProgrammeItem) -> None:
    db.session.delete(item)
    db.session.flush()


def move_item(item: ProgrammeItem, direction: str) -> bool:
    """Move ``item`` one place up or down among the items starting at the same time;
    False when it is already first (or last) of them."""
    if direction not in ("up", "down"):
        raise ProgrammeError(_("Move an item up or down."))
    group = list(
        db.session.execute(
            sa.select(ProgrammeItem)
            .where(
                ProgrammeItem.event_id == item.event_id,
                ProgrammeItem.starts_at == item.starts_at,
            )
            .order_by(ProgrammeItem.position, ProgrammeItem.id)
        ).scalars()
    )
    index = group.index(item)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(group):
        return False
    group[index], group[other] = group[other], group[index]
    for number, member in enumerate(group):
        member.position = number
    db.session.flush()
    return True


def copy_programme(source: Event, target: Event) -> tuple[int, list[str]]:
    """Copy ``source``'s items into ``target``, shifted by whole days from the first day
    of one to the first day of the other, at the same wall-clock times (so a 09:00 talk
    stays at 09:00 whatever the clocks did between the two dates). Online links are not
    copied: they belong to the other meeting. Items that would not fit are skipped;
    returns how many were copied and why the others were not."""
    if source.id == target.id:
        raise ProgrammeError(_("Choose another event to copy from."))
    shift = timedelta(days=(first_day(target) - first_day(source)).days)
    base = max((item.position for item in programme_of(target)), default=-1) + 1
    copied, skipped = 0, []
    for item in programme_of(source):
        start = item.starts_at.astimezone(source.zone).replace(tzinfo=None) + shift
        end = item.ends_at.astimezone(source.zone).replace(tzinfo=None) + shift
        try:
            starts_at, ends_at, _notes = schedule(target, start, end, title=item.title)
        except ProgrammeError as exc:
            skipped.append(str(exc))
            continue
        copy = ProgrammeItem(
            event=target,
            event_id=target.id,
            kind=item.kind,
            title=item.title,
            description=item.description,
            room=item.room,
            online_url="",
            starts_at=starts_at,
            ends_at=ends_at,
            position=base + item.position,
        )
        copy.speakers = [
            Speaker(
                user=speaker.user,
                name=speaker.name,
                affiliation=speaker.affiliation,
                position=speaker.position,
            )
            for speaker in item.speakers
        ]
        db.session.add(copy)
        copied += 1
    db.session.flush()
    return copied, skipped
