"""Forms for logging in, invitations and the account page."""

from flask_babel import gettext as _
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
from nscal.i18n import country_name, language_choices
from nscal.timeutil import find_zone, is_valid_zone, reader_zone_choices


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    submit = SubmitField(_l("Log in"))


class ForgotPasswordForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))


class NewPasswordForm(Form):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired()],
        description=_l("At least 10 characters. A short sentence is easy to remember."),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
    )
    submit = SubmitField(_l("Save password"))


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    submit = SubmitField(_l("Change password"))


class ProfileForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    timezone = SelectField(
        _l("Time zone"),
        description=_l("Times are shown in this zone. Leave it on your city's zone if unsure."),
        validate_choice=False,
    )
    language = SelectField(
        _l("Language"),
        description=_l("The language of the pages and of the mail you get."),
    )
    submit = SubmitField(_l("Save profile"))

    def __init__(self, *args, city_zone: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        default_label = (
            _("My city's zone (%(zone)s)", zone=city_zone)
            if city_zone
            else _("The event's own zone")
        )
        self.timezone.choices = [SelectChoice("", default_label)] + [
            SelectChoice(value, label, optgroup=group)
            for value, label, group in reader_zone_choices()
        ]
        self.language.choices = [
            SelectChoice(code, name, render_kw={"lang": code} if code else {})
            for code, name in language_choices()
        ]
        if self.language.data is None:  # not chosen yet
            self.language.data = ""

    def validate_timezone(self, field):
        if field.data and not is_valid_zone(field.data):
            raise ValidationError(_("Choose a time zone from the list."))


class ZoneForm(Form):
    """The zone times are shown in (the /zone page): a choice from the list, or a city
    typed in the search box, which wins when both are given."""

    tz = SelectField(_l("Show times in"), validate_choice=False)
    search = StringField(
        _l("Or type a city"),
        validators=[Length(max=100)],
        description=_l("For example Oslo, Nuuk, New York or Europe/Berlin."),
    )
    next = HiddenField()
    submit = SubmitField(_l("Show times in this zone"))

    def __init__(self, *args, default_label: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        default_label = default_label or _("Each event's own time zone")
        self.default_label = default_label
        self.tz.choices = [SelectChoice("", default_label)] + [
            SelectChoice(value, label, optgroup=group)
            for value, label, group in reader_zone_choices()
        ]
        self.chosen_zone: str | None = None

    def validate_tz(self, field):
        if field.data and not is_valid_zone(field.data):
            raise ValidationError(_("Choose a time zone from the list."))

    def validate_search(self, field):
        text = (field.data or "").strip()
        if text and find_zone(text) is None:
            raise ValidationError(
                _(
                    "We know no time zone called “%(text)s”; choose one from the list "
                    "or type a city such as Oslo.",
                    text=text[:64],
                )
            )

    def zone(self) -> str | None:
        """The zone chosen (None: the default), once the form is valid."""
        text = (self.search.data or "").strip()
        if text:
            return find_zone(text)
        return self.tz.data or None


class InviteForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    city = IdSelectField(_l("City"))
    participant_role = IdSelectField(_l("Participant role"))
    account_role = SelectField(
        _l("Account role"), choices=[SelectChoice(role.value, role.label) for role in AccountRole]
    )
    submit = SubmitField(_l("Send invitation"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.city.choices = [SelectChoice(0, _("— none —"))] + [
            SelectChoice(city.id, f"{city.name} ({country_name(city.country)})")
            for city in active_cities()
        ]
        self.participant_role.choices = [SelectChoice(0, _("— none —"))] + [
            SelectChoice(role.id, role.label) for role in all_roles()
        ]


class AccountRoleForm(Form):
    account_role = SelectField(
        _l("Account role"), choices=[SelectChoice(role.value, role.label) for role in AccountRole]
    )
    submit = SubmitField(_l("Change"))


class UserEditForm(Form):
    """An admin corrects a person's record (``services.update_user`` checks it all)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    city = IdSelectField(_l("City"))
    participant_role = IdSelectField(
        _l("Participant role"),
        description=_l(
            "Registrations already made keep the role they were made in; "
            "registrations from now on use the new one."
        ),
    )
    account_role = SelectField(
        _l("Account role"), choices=[SelectChoice(role.value, role.label) for role in AccountRole]
    )
    active = BooleanField(_l("Active (may log in)"))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, current_city=None, **kwargs):
        super().__init__(*args, **kwargs)
        cities = active_cities()
        if current_city is not None and current_city not in cities:
            cities.append(current_city)  # a city no longer active stays choosable
        self.city.choices = [SelectChoice(0, _("— none —"))] + [
            SelectChoice(city.id, f"{city.name} ({country_name(city.country)})") for city in cities
        ]
        self.participant_role.choices = [SelectChoice(0, _("— none —"))] + [
            SelectChoice(role.id, role.label) for role in all_roles()
        ]
