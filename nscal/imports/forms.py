"""Forms of the coordinators' import page."""

from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import BooleanField, HiddenField, SubmitField
from wtforms.validators import DataRequired

from nscal.formfields import Form
from nscal.imports.reading import MAX_IMPORT_BYTES


class ImportUploadForm(Form):
    file = FileField(
        "Calendar file",
        validators=[
            FileRequired("Choose an .ics or .csv file."),
            FileAllowed(["ics", "csv"], "Only .ics (iCalendar) and .csv files can be imported."),
            FileSize(
                max_size=MAX_IMPORT_BYTES,
                message="The file is larger than 2 MB; split it and import the parts.",
            ),
        ],
        description=(
            "An .ics export of Google Calendar, Outlook, Apple Calendar or Thunderbird, "
            "or a spreadsheet saved as .csv. Up to 2 MB."
        ),
    )
    publish = BooleanField(
        "Publish right away",
        description="Otherwise new events are saved as drafts, to publish later.",
    )
    submit = SubmitField("Preview the import")


class ImportConfirmForm(Form):
    # The uploaded file's text, signed, so the import does what the preview showed.
    payload = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Import")
