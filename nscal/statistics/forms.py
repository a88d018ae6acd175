"""The statistics' filters, read from the query string (GET: a filter changes nothing)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, SubmitField
from wtforms.validators import NumberRange, Optional, ValidationError
from wtforms.widgets import NumberInput

from nscal.cities.models import City, ParticipantRole
from nscal.events.models import EventFormat, EventKind
from nscal.formfields import Form
from nscal.statistics.services import Filters

# The statistics' years: nscal stores events from 1970, but nobody reports on those.
FIRST_YEAR, LAST_YEAR = 2000, 2199
MAX_YEARS = 25  # at most this many years at once


def _year_field(label) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(
                min=FIRST_YEAR,
                max=LAST_YEAR,
                message=_l(
                    "Enter a year from %(first)s to %(last)s.", first=FIRST_YEAR, last=LAST_YEAR
                ),
            ),
        ],
        widget=NumberInput(min=FIRST_YEAR, max=LAST_YEAR),
    )


class StatisticsFilterForm(Form):
    """After ``validate()``, ``filters`` says what to count."""

    class Meta:
        csrf = False  # a GET filter changes nothing

    year_from = _year_field(_l("From year"))
    year_to = _year_field(_l("To year"))
    kind = SelectField(_l("Kind of event"), validate_choice=False)
    format = SelectField(_l("Format"), validate_choice=False)
    role = SelectField(_l("Participant role"), validate_choice=False)
    city = SelectField(_l("City"), validate_choice=False)
    submit = SubmitField(_l("Show figures"))

    def __init__(
        self,
        formdata,
        *,
        this_year: int,
        cities: list[City],
        roles: list[ParticipantRole],
        **kwargs,
    ):
        super().__init__(formdata, **kwargs)
        self.this_year = this_year
        self._cities = {city.slug: city for city in cities}
        self._roles = {role.slug: role for role in roles}
        self.kind.choices = [("", _("All kinds"))] + [
            (kind.value, kind.label) for kind in EventKind
        ]
        self.format.choices = [("", _("All formats"))] + [(f.value, f.label) for f in EventFormat]
        self.role.choices = [("", _("All participant roles"))] + [
            (role.slug, role.label) for role in roles
        ]
        self.city.choices = [("", _("All cities"))] + [(city.slug, city.name) for city in cities]
        self.filters = Filters(this_year, this_year)

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        year_to = self.year_to.data or self.year_from.data or self.this_year
        year_from = self.year_from.data or year_to
        if year_from > year_to:
            self.year_from.errors = [
                _(
                    "“From year” (%(year_from)s) comes after “To year” (%(year_to)s).",
                    year_from=year_from,
                    year_to=year_to,
                )
            ]
            return False
        if year_to - year_from >= MAX_YEARS:
            self.year_from.errors = [_("Choose at most %(num)d years at once.", num=MAX_YEARS)]
            return False
        city = self._cities.get(self.city.data) if self.city.data else None
        role = self._roles.get(self.role.data) if self.role.data else None
        self.filters = Filters(
            year_from,
            year_to,
            kind=EventKind(self.kind.data) if self.kind.data else None,
            format=EventFormat(self.format.data) if self.format.data else None,
            role_id=role.id if role else None,
            city_id=city.id if city else None,
        )
        return True

    def validate_kind(self, field):
        if field.data and field.data not in {kind.value for kind in EventKind}:
            raise ValidationError(
                _("There is no kind of event called “%(name)s”.", name=field.data)
            )

    def validate_format(self, field):
        if field.data and field.data not in {f.value for f in EventFormat}:
            raise ValidationError(_("There is no format called “%(name)s”.", name=field.data))

    def validate_role(self, field):
        if field.data and field.data not in self._roles:
            raise ValidationError(
                _("There is no participant role called “%(name)s”.", name=field.data)
            )

    def validate_city(self, field):
        if field.data and field.data not in self._cities:
            raise ValidationError(_("There is no member city called “%(name)s”.", name=field.data))

    def query(self) -> dict[str, str]:
        """The filters as query-string arguments, for the charts' and exports' links."""
        filters = self.filters
        args = {"year_from": str(filters.year_from), "year_to": str(filters.year_to)}
        for name in ("kind", "format", "role", "city"):
            value = getattr(self, name).data
            if value:
                args[name] = value
        return args
