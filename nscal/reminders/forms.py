"""Forms for reminders: an event's or a series' own, the defaults per kind, and a
person's alarm in their private feed."""

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from wtforms import RadioField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, ValidationError

from nscal.events.models import EventKind
from nscal.formfields import Form
from nscal.reminders.services import Offset, ReminderError, offsets_text, parse_offsets

# Translators: the examples should use the words of "%(num)d day", "%(num)d hour" and
# "%(num)d minute": the field is read back in those words.
REMINDERS_HINT = _l("Separated by commas, e.g. “7 days, 1 day” or “1 day, 1 hour, 15 minutes”.")
# Minutes before the start -> what the account page calls it; "" is off.
ALARM_CHOICES = [
    SelectChoice("", _l("No alarm")),
    SelectChoice("15", _l("15 minutes before")),
    SelectChoice("60", _l("1 hour before")),
    SelectChoice("1440", _l("1 day before")),
]


def _offsets(field) -> list[Offset]:
    try:
        return parse_offsets(field.data or "")
    except ReminderError as exc:
        raise ValidationError(str(exc)) from None


class EventRemindersForm(Form):
    """An event's (or, with prefix "series", its series') reminders."""

    follow = RadioField(
        _l("Which reminders"),
        choices=[
            SelectChoice("inherit", _l("Follow the defaults")),
            SelectChoice("own", _l("Its own reminders")),
        ],
        validators=[InputRequired()],
        default="inherit",
    )
    reminders = StringField(
        _l("Reminders before the start"), validators=[Length(max=200)], description=REMINDERS_HINT
    )
    submit = SubmitField(_l("Save reminders"))

    def validate_reminders(self, field) -> None:
        self.offsets = _offsets(field)

    def chosen(self) -> list[Offset] | None:
        """The reminders to store; None to follow the defaults."""
        return None if self.follow.data == "inherit" else self.offsets

    def fill(self, offsets: list[Offset] | None) -> None:
        self.follow.data = "inherit" if offsets is None else "own"
        self.reminders.data = offsets_text(offsets or [])


def kind_field_name(kind: EventKind) -> str:
    return kind.value.replace("-", "_")


class DefaultRemindersForm(Form):
    """One field per event kind: its default reminders (empty: none)."""

    submit = SubmitField(_l("Save the defaults"))

    def kind_fields(self):
        return [(kind, getattr(self, kind_field_name(kind))) for kind in EventKind]

    def chosen(self) -> dict[EventKind, list[Offset]]:
        return {kind: field.offsets for kind, field in self.kind_fields()}


class _KindRemindersField(StringField):
    def post_validate(self, form, validation_stopped) -> None:
        if not validation_stopped and not self.errors:
            try:
                self.offsets = _offsets(self)
            except ValidationError as exc:
                self.errors.append(str(exc))


for _kind in EventKind:
    setattr(
        DefaultRemindersForm,
        kind_field_name(_kind),
        # The kind's name as the reader's language has it when the page is drawn.
        _KindRemindersField(
            LazyString(lambda kind=_kind: str(kind.label)), validators=[Length(max=200)]
        ),
    )


class FeedAlarmForm(Form):
    alarm = SelectField(
        _l("Add an alarm to my private feed"),
        choices=ALARM_CHOICES,
        default="",
        description=_l("Your calendar app then reminds you before each event you registered for."),
    )
    submit = SubmitField(_l("Save alarm"))

    def minutes(self) -> int | None:
        return int(self.alarm.data) if self.alarm.data else None
