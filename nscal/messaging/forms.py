"""Forms of the coordinators' messages to participants."""

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, ValidationError

from nscal.formfields import Form, IdSelectMultipleField
from nscal.messaging.attachments import ALLOWED_TEXT, AttachmentError, file_type_of
from nscal.messaging.services import MAX_SUBJECT, MAX_TEXT, SELECTABLE_STATUSES, Selection
from nscal.registrations.models import RegistrationStatus


class _Checkboxes:
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class StatusCheckboxes(_Checkboxes, SelectMultipleField):
    pass


class IdCheckboxes(_Checkboxes, IdSelectMultipleField):
    pass


def size_text(size: int) -> str:
    """ "10 MB", "240 kB": file sizes as people read them."""
    if size >= 1024 * 1024:
        # Translators: a file size in megabytes.
        return _("%(size)s MB", size=format_decimal(float(f"{size / (1024 * 1024):.3g}")))
    # Translators: a file size in kilobytes.
    return _("%(size)s kB", size=format_decimal(max(1, round(size / 1024))))


class ComposeForm(Form):
    subject = StringField(
        _l("Subject"),
        validators=[DataRequired(_l("Write a subject.")), Length(max=MAX_SUBJECT)],
    )
    text = TextAreaField(
        _l("Message"),
        validators=[DataRequired(_l("Write the message.")), Length(max=MAX_TEXT)],
        description=_l(
            "Plain text. Empty lines start a new paragraph; links become clickable. "
            "Each person is greeted by name above it; the event's details follow below."
        ),
        render_kw={"rows": 10},
    )
    attachment = FileField(_l("Attachment (optional)"))
    remove_attachment = BooleanField(_l("Send it without the attachment"))
    statuses = StatusCheckboxes(
        _l("Registration status"),
        default=[RegistrationStatus.confirmed.value],
    )
    roles = IdCheckboxes(_l("Participant roles"), description=_l("None ticked: every role."))
    cities = IdCheckboxes(_l("Cities"), description=_l("None ticked: every city."))
    # Translators: the button that shows the mail before it is sent.
    submit = SubmitField(_l("Preview"))

    def __init__(self, *args, roles=(), cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The labels are the reader's language: chosen per request, not at import.
        self.statuses.choices = [
            SelectChoice(status.value, status.label) for status in SELECTABLE_STATUSES
        ]
        self.roles.choices = [SelectChoice(role.id, role.label) for role in roles]
        self.cities.choices = [SelectChoice(city.id, city.name) for city in cities]
        limit = current_app.config["MESSAGE_ATTACHMENT_MAX_BYTES"]
        self.attachment.description = _(
            "For example the agenda: %(kinds)s, up to %(size)s. "
            "Stored once and attached to each person's mail.",
            kinds=str(ALLOWED_TEXT),
            size=size_text(limit),
        )
        self.upload: bytes | None = None

    def validate_statuses(self, field):
        if not field.data:
            raise ValidationError(_("Choose at least one registration status."))

    def validate_attachment(self, field):
        upload = field.data
        if not upload or not getattr(upload, "filename", None):
            return
        limit = current_app.config["MESSAGE_ATTACHMENT_MAX_BYTES"]
        data = upload.read(limit + 1)
        if len(data) > limit:
            raise ValidationError(_("The file is larger than %(size)s.", size=size_text(limit)))
        try:
            file_type_of(data)
        except AttachmentError as exc:
            raise ValidationError(str(exc)) from None
        self.upload = data

    def selection(self) -> Selection:
        return Selection(
            statuses=tuple(RegistrationStatus(value) for value in self.statuses.data),
            role_ids=tuple(self.roles.data or ()),
            city_ids=tuple(self.cities.data or ()),
        )

    def fill(self, message) -> None:
        """Show a draft's words and selection again, to change them."""
        selection = Selection.from_json(message.selection)
        self.subject.data = message.subject
        self.text.data = message.text
        self.statuses.data = [status.value for status in selection.statuses]
        self.roles.data = list(selection.role_ids)
        self.cities.data = list(selection.city_ids)


class SendForm(Form):
    submit = SubmitField(_l("Send"))
