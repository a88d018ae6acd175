"""Forms of the coordinators' materials page."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from nscal.formfields import Form
from nscal.materials.models import MaterialKind, MaterialVisibility

KIND_CHOICES = [SelectChoice(kind.value, kind.label) for kind in MaterialKind]
VISIBILITY_CHOICES = [
    SelectChoice(visibility.value, visibility.label) for visibility in MaterialVisibility
]
VISIBILITY_HELP = _l(
    "Registered participants are those whose place is confirmed. Nobody sees a material "
    "of an event they cannot see."
)


def _kind_field() -> SelectField:
    return SelectField(_l("Kind"), choices=KIND_CHOICES, default=MaterialKind.slides.value)


def _visibility_field() -> SelectField:
    return SelectField(
        _l("Who can see it"),
        choices=VISIBILITY_CHOICES,
        default=MaterialVisibility.participants.value,
        description=VISIBILITY_HELP,
    )


WHOLE_EVENT = ""  # the programme item choice meaning "the event as a whole"


def _item_field() -> SelectField:
    """Choices are the event's programme items, set by the view before validating."""
    return SelectField(
        _l("Programme item"),
        choices=[SelectChoice(WHOLE_EVENT, _l("The whole event"))],
        default=WHOLE_EVENT,
        validate_choice=True,
        description=_l("Shown under that item of the programme, and in the event's list."),
    )


class _MaterialForm(Form):
    def set_items(self, choices: list[tuple[int, str]]) -> None:
        if hasattr(self, "programme_item"):
            self.programme_item.choices = [SelectChoice(WHOLE_EVENT, _l("The whole event"))] + [
                SelectChoice(str(item_id), label) for item_id, label in choices
            ]

    @property
    def selected_item_id(self) -> int | None:
        value = getattr(self, "programme_item", None)
        return int(value.data) if value is not None and value.data else None

    @property
    def selected_kind(self) -> MaterialKind:
        return MaterialKind(self.kind.data)

    @property
    def selected_visibility(self) -> MaterialVisibility:
        return MaterialVisibility(self.visibility.data)


class UploadForm(_MaterialForm):
    file = FileField(
        _l("File"),
        validators=[FileRequired(_l("Choose a file to upload."))],
        description=_l(
            "PDF, images (PNG, JPEG, GIF, WebP), Word, Excel, PowerPoint, OpenDocument, "
            "plain text or CSV."
        ),
    )
    title = StringField(
        _l("Title"),
        validators=[Optional(), Length(max=200)],
        description=_l("Left empty: the file's name."),
    )
    kind = _kind_field()
    visibility = _visibility_field()
    programme_item = _item_field()
    submit = SubmitField(_l("Upload"))


class LinkForm(_MaterialForm):
    url = StringField(
        _l("Web address"),
        validators=[DataRequired(_l("Enter the web address.")), Length(max=500)],
        description=_l("A recording, a shared folder, a web page: https://…"),
    )
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    kind = _kind_field()
    visibility = _visibility_field()
    programme_item = _item_field()
    submit = SubmitField(_l("Add the link"))


class VisibilityForm(_MaterialForm):
    visibility = SelectField(_l("Who can see it"), choices=VISIBILITY_CHOICES)
    submit = SubmitField(_l("Change"))


class DeleteMaterialForm(Form):
    submit = SubmitField(_l("Delete it"))


class PublishMinutesForm(Form):
    submit = SubmitField(_l("Send the minutes"))
