"""Forms for registering and for the coordinators' registration pages."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from nscal.registrations.models import RegistrationStatus


class RegisterForm(FlaskForm):
    # A participant-role slug (or id); people normally register in their own role.
    participant_role = StringField("Participant role", validators=[Optional(), Length(max=40)])
    note = TextAreaField(
        "Note for the organisers",
        validators=[Optional(), Length(max=2000)],
        description="Access needs, diet, or anything else we should know (optional).",
    )
    submit = SubmitField("Register")


class CancelRegistrationForm(FlaskForm):
    submit = SubmitField("Cancel my registration")


class OnBehalfForm(FlaskForm):
    user = SelectField("Person", coerce=int, validators=[DataRequired()])
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Register this person")


class StatusForm(FlaskForm):
    status = SelectField(
        "Status",
        choices=[SelectChoice(status.value, status.label) for status in RegistrationStatus],
    )
    submit = SubmitField("Set")


class RegistrationSettingsForm(FlaskForm):
    capacity = IntegerField(
        "Places in all",
        validators=[Optional(), NumberRange(min=0)],
        description="Leave empty for no limit.",
    )
    city_limit = IntegerField("Most people per city", validators=[Optional(), NumberRange(min=1)])
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
