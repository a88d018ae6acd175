"""The coordinators' programme forms: an item, moving one, deleting one, copying a
programme from another event.

Times are typed as wall-clock values in the event's zone, with HTML date and time
inputs, as on the event form; the services turn them into instants and check them.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from nscal.accounts.models import User
from nscal.db import db
from nscal.events.forms import TIME_FORMATS
from nscal.events.models import Event
from nscal.formfields import Form, IdSelectField, IdSelectMultipleField
from nscal.inputs import in_integer_range, single_line
from nscal.programme.models import ItemKind, ProgrammeItem
from nscal.programme.services import ItemData, OtherSpeaker, ProgrammeError
from nscal.timeutil import FIRST_YEAR, LAST_YEAR, year_in_range

MAX_PEOPLE_OFFERED = 2000


def item_id_from(value) -> int | None:
    """The id a hidden field carries, or None when no row could have it."""
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text.isdigit() or len(text) > 10 or not in_integer_range(int(text), 1):
        return None
    return int(text)


def people_choices() -> list[SelectChoice]:
    """Active people in nscal, by name, with their city."""
    query = (
        sa.select(User)
        .where(User.active.is_(True))
        .order_by(User.name, User.id)
        .limit(MAX_PEOPLE_OFFERED)
    )
    return [
        SelectChoice(user.id, f"{user.name} ({user.city.name})" if user.city else user.name)
        for user in db.session.execute(query).scalars()
    ]


def parse_other_speakers(text: str | None) -> list[OtherSpeaker]:
    """One speaker a line: "Name, city or organisation" (the part after the first comma)."""
    speakers = []
    for line in (text or "").splitlines():
        name, _comma, affiliation = line.partition(",")
        if single_line(line):
            speakers.append(OtherSpeaker(single_line(name), single_line(affiliation)))
    return speakers


class ItemForm(Form):
    item_id = HiddenField()
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(kind.value, kind.label) for kind in ItemKind]
    )
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Give the item a title.")), Length(max=200)]
    )
    start_date = DateField(_l("Day"), validators=[Optional()])
    start_time = TimeField(_l("Start time"), format=TIME_FORMATS, validators=[Optional()])
    end_time = TimeField(_l("End time"), format=TIME_FORMATS, validators=[Optional()])
    end_date = DateField(
        _l("End day"),
        validators=[Optional()],
        description=_l("Leave empty when the item ends on the day it starts."),
    )
    room = StringField(
        _l("Room"),
        validators=[Length(max=200)],
        description=_l("Where people go, e.g. “Room B” or “Main hall”."),
    )
    online_url = URLField(
        _l("Online link"),
        validators=[Length(max=500)],
        description=_l("Private: shown only to those who see the event's own online link."),
    )
    speakers = IdSelectMultipleField(
        _l("Speakers who are in nscal"),
        validate_choice=False,
        description=_l("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    other_speakers = TextAreaField(
        _l("Other speakers"),
        validators=[Length(max=6000)],
        description=_l("One a line: the name, a comma, then the city or organisation."),
        render_kw={"rows": 3},
    )
    description = TextAreaField(_l("Description"), render_kw={"rows": 3})
    submit = SubmitField(_l("Save the item"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.speakers.choices = people_choices()

    def validate_speakers(self, field):
        known = {choice.value for choice in self.speakers.choices}
        if any(user_id not in known for user_id in field.data or []):
            raise ValidationError(_("Choose speakers from the list of people."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for date_field in (self.start_date, self.end_date):
            if date_field.data and not year_in_range(date_field.data.year):
                date_field.errors.append(
                    _(
                        "Choose a day between %(first)s and %(last)s.",
                        first=FIRST_YEAR,
                        last=LAST_YEAR,
                    )
                )
                valid = False
        for required, message in (
            (self.start_date, _("Give the day.")),
            (self.start_time, _("Give the start time.")),
            (self.end_time, _("Give the end time.")),
        ):
            if required.data is None and not required.errors:
                required.errors.append(message)
                valid = False
        return valid

    def editing(self) -> int | None:
        return item_id_from(self.item_id.data)

    def item_data(self) -> ItemData:
        """What the form says; call after a successful ``validate``."""
        day = self.start_date.data
        return ItemData(
            kind=ItemKind(self.kind.data),
            title=self.title.data or "",
            description=self.description.data or "",
            start=datetime.combine(day, self.start_time.data),
            end=datetime.combine(self.end_date.data or day, self.end_time.data),
            room=self.room.data or "",
            online_url=self.online_url.data or "",
            speaker_ids=list(self.speakers.data or []),
            other_speakers=parse_other_speakers(self.other_speakers.data),
        )

    def add_service_error(self, error: ProgrammeError) -> None:
        names = {"starts": "start_time", "ends": "end_time"}
        field = self._fields.get(names.get(error.field, error.field or ""))
        if field is None:
            self.form_errors.append(str(error))
        else:
            field.errors = [*field.errors, str(error)]


def item_form_data(item: ProgrammeItem) -> dict:
    """The form's values for an existing item, on its event's own clocks."""
    zone = item.event.zone
    start, end = item.starts_at.astimezone(zone), item.ends_at.astimezone(zone)
    return {
        "item_id": str(item.id),
        "kind": item.kind.value,
        "title": item.title,
        "description": item.description,
        "start_date": start.date(),
        "start_time": start.time().replace(tzinfo=None),
        "end_date": end.date() if end.date() != start.date() else None,
        "end_time": end.time().replace(tzinfo=None),
        "room": item.room,
        "online_url": item.online_url,
        "speakers": [speaker.user_id for speaker in item.speakers if speaker.user_id],
        "other_speakers": "\n".join(
            f"{speaker.name}, {speaker.affiliation}" if speaker.affiliation else speaker.name
            for speaker in item.speakers
            if speaker.user_id is None
        ),
    }


def new_item_form_data(event: Event) -> dict:
    """A new item starts on the event's first day, at its start when it has one."""
    if event.all_day and event.start_date is not None:
        return {"start_date": event.start_date}
    start = event.local_start
    return {"start_date": start.date(), "start_time": start.time().replace(tzinfo=None)}


class ItemActionForm(Form):
    """Move one item (``direction`` up or down) or delete it."""

    item_id = HiddenField()
    direction = HiddenField()

    def item_id_value(self) -> int | None:
        return item_id_from(self.item_id.data)


class CopyProgrammeForm(Form):
    source_event = IdSelectField(_l("Copy the programme of"), validate_choice=False)
    submit = SubmitField(_l("Copy its items into this event"))

    def __init__(self, *args, events: list[Event] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.source_event.choices = [SelectChoice(event.id, event.title) for event in events]

    def validate_source_event(self, field):
        if field.data is None or db.session.get(Event, field.data) is None:
            raise ValidationError(_("Choose an event from the list."))
