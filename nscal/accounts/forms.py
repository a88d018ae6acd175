"""Forms for logging in, invitations and the account page."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from nscal.accounts.models import AccountRole
from nscal.cities.models import active_cities, all_roles
from nscal.formfields import Form, IdSelectField
from nscal.i18n import language_choices
from nscal.timeutil import find_zone, is_valid_zone, zone_choices


class LoginForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired()])
    submit = SubmitField("Log in")


class ForgotPasswordForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField("Send me a link")


class NewPasswordForm(Form):
    password = PasswordField(
        "New password",
        validators=[DataRequired()],
        description="At least 10 characters. A short sentence is easy to remember.",
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )
    submit = SubmitField("Save password")


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    submit = SubmitField("Change password")


class ProfileForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    timezone = SelectField(
        "Time zone",
        description="Times are shown in this zone. Leave it on your city's zone if unsure.",
        validate_choice=False,
    )
    language = SelectField(
        _l("Language"),
        description=_l("The language of the pages and of the mail you get."),
    )
    submit = SubmitField("Save profile")

    def __init__(self, *args, city_zone: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        default_label = f"My city's zone ({city_zone})" if city_zone else "The event's own zone"
        self.timezone.choices = [SelectChoice("", default_label)] + [
            SelectChoice(value, label, optgroup=group) for value, label, group in zone_choices()
        ]
        self.language.choices = [
            SelectChoice(code, name, render_kw={"lang": code} if code else {})
            for code, name in language_choices()
        ]
        if self.language.data is None:  # not chosen yet
            self.language.data = ""

    def validate_timezone(self, field):
        if field.data and not is_valid_zone(field.data):
            raise ValidationError("Choose a time zone from the list.")


class ZoneForm(Form):
    """The zone times are shown in (the /zone page): a choice from the list, or a city
    typed in the search box, which wins when both are given."""

    tz = SelectField("Show times in", validate_choice=False)
    search = StringField(
        "Or type a city",
        validators=[Length(max=100)],
        description="For example Oslo, Nuuk, New York or Europe/Berlin.",
    )
    next = HiddenField()
    submit = SubmitField("Show times in this zone")

    def __init__(self, *args, default_label: str = "Each event's own time zone", **kwargs):
        super().__init__(*args, **kwargs)
        self.default_label = default_label
        self.tz.choices = [SelectChoice("", default_label)] + [
            SelectChoice(value, label, optgroup=group) for value, label, group in zone_choices()
        ]
        self.chosen_zone: str | None = None

    def validate_tz(self, field):
        if field.data and not is_valid_zone(field.data):
            raise ValidationError("Choose a time zone from the list.")

    def validate_search(self, field):
        text = (field.data or "").strip()
        if text and find_zone(text) is None:
            raise ValidationError(
                f"We know no time zone called “{text[:64]}”; choose one from the list "
                "or type a city such as Oslo."
            )

    def zone(self) -> str | None:
        """The zone chosen (None: the default), once the form is valid."""
        text = (self.search.data or "").strip()
        if text:
            return find_zone(text)
        return self.tz.data or None


class InviteForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    city = IdSelectField("City")
    participant_role = IdSelectField("Participant role")
    account_role = SelectField(
        "Account role", choices=[SelectChoice(role.value, role.label) for role in AccountRole]
    )
    submit = SubmitField("Send invitation")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.city.choices = [SelectChoice(0, "— none —")] + [
            SelectChoice(city.id, f"{city.name} ({city.country})") for city in active_cities()
        ]
        self.participant_role.choices = [SelectChoice(0, "— none —")] + [
            SelectChoice(role.id, role.name) for role in all_roles()
        ]


class AccountRoleForm(Form):
    account_role = SelectField(
        "Account role", choices=[SelectChoice(role.value, role.label) for role in AccountRole]
    )
    submit = SubmitField("Change")


class UserEditForm(Form):
    """An admin corrects a person's record (``services.update_user`` checks it all)."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    city = IdSelectField("City")
    participant_role = IdSelectField(
        "Participant role",
        description="Registrations already made keep the role they were made in; "
        "registrations from now on use the new one.",
    )
    account_role = SelectField(
        "Account role", choices=[SelectChoice(role.value, role.label) for role in AccountRole]
    )
    active = BooleanField("Active (may log in)")
    submit = SubmitField("Save")

    def __init__(self, *args, current_city=None, **kwargs):
        super().__init__(*args, **kwargs)
        cities = active_cities()
        if current_city is not None and current_city not in cities:
            cities.append(current_city)  # a city no longer active stays choosable
        self.city.choices = [SelectChoice(0, "— none —")] + [
            SelectChoice(city.id, f"{city.name} ({city.country})") for city in cities
        ]
        self.participant_role.choices = [SelectChoice(0, "— none —")] + [
            SelectChoice(role.id, role.name) for role in all_roles()
        ]
