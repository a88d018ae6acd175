"""Forms for registering and for the coordinators' registration pages."""

from datetime import date, datetime, time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, Optional

from nscal.cities.models import ParticipantRole
from nscal.events.forms import TIME_FORMATS
from nscal.events.models import Event
from nscal.formfields import BoundedIntegerField, Form, IdSelectField
from nscal.registrations.models import RegistrationSettings, RegistrationStatus
from nscal.timeutil import FIRST_YEAR, LAST_YEAR, local_to_utc, year_in_range


class RegisterForm(Form):
    # A participant-role slug (or id); people normally register in their own role.
    participant_role = StringField(_l("Participant role"), validators=[Optional(), Length(max=40)])
    note = TextAreaField(
        _l("Note for the organisers"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Access needs, diet, or anything else we should know (optional)."),
    )
    submit = SubmitField(_l("Register"))


class CancelRegistrationForm(Form):
    submit = SubmitField(_l("Cancel my registration"))


class OnBehalfForm(Form):
    # InputRequired, not DataRequired: that would hide "Not a valid choice." for an id
    # no person has.
    user = IdSelectField(_l("Person"), validators=[InputRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Register this person"))


class StatusForm(Form):
    status = SelectField(_l("Status"))
    # Rejecting or cancelling someone is shown on a confirmation page first; it sends this.
    confirmed = HiddenField()
    # Translators: the button that sets a registration's status to the one chosen.
    submit = SubmitField(_l("Set"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The labels are the reader's language: chosen per request, not at import.
        self.status.choices = [
            SelectChoice(status.value, status.label) for status in RegistrationStatus
        ]


class RegistrationSettingsForm(Form):
    """The registration settings, a section of the event form (prefix ``settings``).

    The capacity is the event form's own field (one place to edit it); the checks that
    need both forms live in ``nscal.registrations.settings_rules``, shared with the
    service. Times are entered on the event's own clock.
    """

    class Meta:
        csrf = False  # inside the event form, whose CSRF token covers the whole page

    # Present when the page showed the section: a POST without it (an older page, a
    # script) leaves the registration settings as they are.
    shown = HiddenField()
    city_limit = BoundedIntegerField(
        _l("Most people per city"),
        validators=[Optional()],
        minimum=1,
        description=_l("Empty: no limit per city."),
    )
    opens_date = DateField(
        _l("Registration opens (day)"),
        validators=[Optional()],
        description=_l("Leave empty to open as soon as the event is published."),
    )
    opens_time = TimeField(
        _l("Registration opens (time)"), format=TIME_FORMATS, validators=[Optional()]
    )
    closes_date = DateField(
        _l("Registration closes (day)"),
        validators=[Optional()],
        description=_l("Leave empty to close at the start of the event."),
    )
    closes_time = TimeField(
        _l("Registration closes (time)"), format=TIME_FORMATS, validators=[Optional()]
    )
    requires_approval = BooleanField(_l("A coordinator approves each registration"))
    waitlist = BooleanField(_l("Keep a waiting list when full"), default=True)
    self_cancel = BooleanField(_l("People may cancel their own registration"), default=True)
    self_cancel_until_date = DateField(
        _l("They may cancel until (day)"),
        validators=[Optional()],
        description=_l("Leave empty to allow it until the start of the event."),
    )
    self_cancel_until_time = TimeField(
        _l("They may cancel until (time)"), format=TIME_FORMATS, validators=[Optional()]
    )

    MOMENTS = {
        "opens": ("opens_date", "opens_time"),
        "closes": ("closes_date", "closes_time"),
        "self_cancel_until": ("self_cancel_until_date", "self_cancel_until_time"),
    }

    @property
    def was_shown(self) -> bool:
        return bool(self.shown.data)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for date_name, time_name in self.MOMENTS.values():
            day, clock = self[date_name], self[time_name]
            if day.data and not year_in_range(day.data.year):
                day.errors.append(
                    _(
                        "Choose a day between %(first)s and %(last)s.",
                        first=FIRST_YEAR,
                        last=LAST_YEAR,
                    )
                )
                valid = False
            if clock.data is not None and day.data is None and not day.errors:
                day.errors.append(_("Give the day too, or leave the time empty."))
                valid = False
        return valid

    def fill(self, event: Event, settings: RegistrationSettings, quotas: dict[int, int]) -> None:
        """Show the event's current settings, moments on the event's own clock."""
        self.city_limit.data = settings.city_limit
        self.requires_approval.data = settings.requires_approval
        self.waitlist.data = settings.waitlist
        self.self_cancel.data = settings.self_cancel
        for name, (date_name, time_name) in self.MOMENTS.items():
            moment = getattr(settings, name if name == "self_cancel_until" else f"{name}_at")
            if moment is not None:
                local = moment.astimezone(event.zone)
                self[date_name].data = local.date()
                self[time_name].data = local.time().replace(tzinfo=None)
        for role_id in self.role_ids:
            self[f"quota_{role_id}"].data = quotas.get(role_id)

    @property
    def role_ids(self) -> list[int]:
        return [
            int(name.removeprefix("quota_")) for name in self._fields if name.startswith("quota_")
        ]

    def visible_quotas(self, audience_ids: list[int] | None) -> list:
        """The quota fields to show: the roles the event is for (every role when it is
        for everyone), and any other role's that holds a value, so its refusal shows."""
        audience = set(audience_ids or [])
        return [
            self[f"quota_{role_id}"]
            for role_id in self.role_ids
            if not audience
            or role_id in audience
            or self[f"quota_{role_id}"].data is not None
            or self[f"quota_{role_id}"].errors
        ]

    def moment(self, name: str, zone: str) -> datetime | None:
        """``opens``, ``closes`` or ``self_cancel_until`` in UTC (a day alone: midnight).

        Raises ``LocalTimeError`` for a time the clocks skip in ``zone``.
        """
        date_name, time_name = self.MOMENTS[name]
        return _local(self[date_name].data, self[time_name].data, zone)

    def quotas(self) -> dict[int, int | None]:
        """Places per role id; None where the field is empty (no separate limit)."""
        return {role_id: self[f"quota_{role_id}"].data for role_id in self.role_ids}


def settings_form_class(roles: list[ParticipantRole]) -> type[RegistrationSettingsForm]:
    """The settings form with one quota field per participant role."""

    class SettingsForm(RegistrationSettingsForm):
        pass

    for role in roles:
        setattr(
            SettingsForm,
            f"quota_{role.id}",
            BoundedIntegerField(
                _("Places for the role %(role)s", role=role.label.lower()),
                validators=[Optional()],
                description=_("Empty: no separate limit."),
            ),
        )
    return SettingsForm


def _local(date_value: date | None, time_value: time | None, zone: str) -> datetime | None:
    """A date and time entered on the event's clock, in UTC; a date alone is midnight."""
    if date_value is None:
        return None
    wall = datetime.combine(date_value, time_value or datetime.min.time())
    return local_to_utc(wall, zone)[0]
