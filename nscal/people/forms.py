"""Forms of the data-rights pages."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from nscal.formfields import Form


class DeleteOwnAccountForm(Form):
    """Deleting one's own account: the password (or, without one, the email address)
    proves it is the person and not someone at an unlocked computer."""

    password = PasswordField(_l("Your password"), validators=[Length(max=256)])
    confirm_email = StringField(_l("Your email address"), validators=[Length(max=254)])
    submit = SubmitField(_l("Delete my account"))


class DeleteForPersonForm(Form):
    """A coordinator deletes someone's account on their request, after the confirm page."""

    confirm_email = StringField(
        _l("The person's email address"),
        validators=[DataRequired(), Length(max=254)],
        description=_l("Type it to confirm whose account this is."),
    )
    submit = SubmitField(_l("Delete this account"))
