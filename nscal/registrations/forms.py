"""Forms for registering and for the coordinators' registration pages."""

from datetime import date, datetime, time

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
from nscal.events.models import Event
from nscal.formfields import BoundedIntegerField, Form, IdSelectField
from nscal.registrations.models import RegistrationSettings, RegistrationStatus
from nscal.timeutil import FIRST_YEAR, LAST_YEAR, local_to_utc, year_in_range


class RegisterForm(Form):
    # A participant-role slug (or id); people normally register in their own role.
    participant_role = StringField("Participant role", validators=[Optional(), Length(max=40)])
    note = TextAreaField(
        "Note for the organisers",
        validators=[Optional(), Length(max=2000)],
        description="Access needs, diet, or anything else we should know (optional).",
    )
    submit = SubmitField("Register")


class CancelRegistrationForm(Form):
    submit = SubmitField("Cancel my registration")


class OnBehalfForm(Form):
    # InputRequired, not DataRequired: that would hide "Not a valid choice." for an id
    # no person has.
    user = IdSelectField("Person", validators=[InputRequired()])
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Register this person")


class StatusForm(Form):
    status = SelectField(
        "Status",
        choices=[SelectChoice(status.value, status.label) for status in RegistrationStatus],
    )
    # Rejecting or cancelling someone is shown on a confirmation page first; it sends this.
    confirmed = HiddenField()
    submit = SubmitField("Set")


class RegistrationSettingsForm(Form):
    capacity = BoundedIntegerField(
        "Places in all",
        validators=[Optional()],
        description="Leave empty for no limit.",
    )
    city_limit = BoundedIntegerField("Most people per city", validators=[Optional()], minimum=1)
    opens_date = DateField("Registration opens (date)", validators=[Optional()])
    opens_time = TimeField("Registration opens (time)", validators=[Optional()])
    closes_date = DateField(
        "Registration closes (date)",
        validators=[Optional()],
        description="Leave empty to close at the start of the event.",
    )
    closes_time = TimeField("Registration closes (time)", validators=[Optional()])
    requires_approval = BooleanField("A coordinator approves each registration")
    waitlist = BooleanField("Keep a waiting list when full", default=True)
    self_cancel = BooleanField("People may cancel their own registration", default=True)
    submit = SubmitField("Save registration settings")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in (self.opens_date, self.closes_date):
            if field.data and not year_in_range(field.data.year):
                field.errors.append(f"Choose a day between {FIRST_YEAR} and {LAST_YEAR}.")
                valid = False
        return valid

    def fill(
        self,
        event: Event,
        settings: RegistrationSettings,
        quotas: dict[int, int],
        roles: list[ParticipantRole],
    ) -> None:
        """Show the event's current settings, moments on the event's own clock."""
        self.capacity.data = event.capacity
        self.city_limit.data = settings.city_limit
        self.requires_approval.data = settings.requires_approval
        self.waitlist.data = settings.waitlist
        self.self_cancel.data = settings.self_cancel
        for moment, date_field, time_field in (
            (settings.opens_at, self.opens_date, self.opens_time),
            (settings.closes_at, self.closes_date, self.closes_time),
        ):
            if moment is not None:
                local = moment.astimezone(event.zone)
                date_field.data, time_field.data = local.date(), local.time()
        for role in roles:
            getattr(self, f"quota_{role.id}").data = quotas.get(role.id)

    def opens_at(self, zone: str) -> datetime | None:
        return _local(self.opens_date.data, self.opens_time.data, zone)

    def closes_at(self, zone: str) -> datetime | None:
        return _local(self.closes_date.data, self.closes_time.data, zone)

    def quotas(self, roles: list[ParticipantRole]) -> dict[int, int | None]:
        """Places per role id; None where the field is empty (no separate limit)."""
        return {role.id: getattr(self, f"quota_{role.id}").data for role in roles}


def settings_form_class(roles: list[ParticipantRole]) -> type[RegistrationSettingsForm]:
    """The settings form with one quota field per participant role."""

    class SettingsForm(RegistrationSettingsForm):
        pass

    for role in roles:
        setattr(
            SettingsForm,
            f"quota_{role.id}",
            BoundedIntegerField(
                f"Places for the role {role.name.lower()}",
                validators=[Optional()],
                description="Empty: no separate limit.",
            ),
        )
    return SettingsForm


def _local(date_value: date | None, time_value: time | None, zone: str) -> datetime | None:
    """A date and time entered on the event's clock, in UTC; a date alone is midnight."""
    if date_value is None:
        return None
    wall = datetime.combine(date_value, time_value or datetime.min.time())
    return local_to_utc(wall, zone)[0]
