"""The filter form of the public event list (``GET /events/?kind=&city=&role=&q=&when=``)."""

from flask_wtf import FlaskForm
from wtforms import SearchField, SelectChoice, SelectField, SubmitField
from wtforms.validators import Length, ValidationError

from nscal.cities.models import City, ParticipantRole, all_roles
from nscal.db import db
from nscal.events.models import EventKind

WHEN_CHOICES = {"upcoming": "Upcoming events", "past": "Past events"}


def _all_cities() -> list[City]:
    # Inactive cities too: their past events stay findable.
    return list(db.session.execute(db.select(City).order_by(City.country, City.name)).scalars())


class EventFilterForm(FlaskForm):
    """Filters read from the query string; unknown values become errors people can read.

    After ``validate()``, ``kind``, ``host_city`` and ``role`` hold what was chosen.
    """

    class Meta:
        csrf = False  # a GET search changes nothing

    q = SearchField(
        "Search", validators=[Length(max=200, message="Search for at most 200 letters.")]
    )
    kind = SelectField("Kind", validate_choice=False)
    city = SelectField("Host city", validate_choice=False)
    role = SelectField("For", validate_choice=False)
    when = SelectField(
        "When",
        choices=[SelectChoice(value, label) for value, label in WHEN_CHOICES.items()],
        default="upcoming",
        validate_choice=False,
    )
    submit = SubmitField("Show events")

    def __init__(self, formdata, **kwargs):
        super().__init__(formdata, **kwargs)
        self._cities = {city.slug: city for city in _all_cities()}
        self._roles = {role.slug: role for role in all_roles()}
        self.kind.choices = [SelectChoice("", "All kinds")] + [
            SelectChoice(kind.value, kind.label) for kind in EventKind
        ]
        self.city.choices = [SelectChoice("", "All cities")] + [
            SelectChoice(city.slug, city.name, optgroup=city.country)
            for city in self._cities.values()
        ]
        self.role.choices = [SelectChoice("", "Any participant role")] + [
            SelectChoice(role.slug, role.name) for role in self._roles.values()
        ]
        self.selected_kind: EventKind | None = None
        self.host_city: City | None = None
        self.participant_role: ParticipantRole | None = None

    def validate_kind(self, field):
        if not field.data:
            return
        try:
            self.selected_kind = EventKind(field.data)
        except ValueError:
            raise ValidationError(
                f"There is no kind of event called “{field.data}”. Choose one from the list."
            ) from None

    def validate_city(self, field):
        if not field.data:
            return
        self.host_city = self._cities.get(field.data)
        if self.host_city is None:
            raise ValidationError(
                f"There is no member city called “{field.data}”. Choose one from the list."
            )

    def validate_role(self, field):
        if not field.data:
            return
        self.participant_role = self._roles.get(field.data)
        if self.participant_role is None:
            raise ValidationError(
                f"There is no participant role called “{field.data}”. Choose one from the list."
            )

    def validate_when(self, field):
        if not field.data:
            field.data = "upcoming"
        elif field.data not in WHEN_CHOICES:
            raise ValidationError(
                f"“{field.data}” is not a time to show: choose upcoming or past events."
            )

    @property
    def showing_past(self) -> bool:
        return self.when.data == "past"
