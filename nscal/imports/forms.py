"""Forms of the coordinators' import page."""

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import BooleanField, HiddenField, SubmitField
from wtforms.validators import DataRequired

from nscal.cities.models import City
from nscal.db import db
from nscal.events.models import EventFormat, EventKind
from nscal.formfields import Form
from nscal.imports.reading import MAX_IMPORT_BYTES
from nscal.timeutil import is_valid_zone


class ImportUploadForm(Form):
    file = FileField(
        _l("Calendar file"),
        validators=[
            FileRequired(_l("Choose an .ics or .csv file.")),
            FileAllowed(
                ["ics", "csv"], _l("Only .ics (iCalendar) and .csv files can be imported.")
            ),
            FileSize(
                max_size=MAX_IMPORT_BYTES,
                message=_l("The file is larger than 2 MB; split it and import the parts."),
            ),
        ],
        description=_l(
            "An .ics export of Google Calendar, Outlook, Apple Calendar or Thunderbird, "
            "or a spreadsheet saved as .csv. Up to 2 MB."
        ),
    )
    publish = BooleanField(
        _l("Publish right away"),
        description=_l("Otherwise new events are saved as drafts, to publish later."),
    )
    submit = SubmitField(_l("Preview the import"))


class ImportConfirmForm(Form):
    # The uploaded file's text, signed, so the import does what the preview showed.
    payload = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Import"))


class CorrectionError(ValueError):
    """A correction the preview could not have offered (a changed or forged form)."""


def correction_field(line: int | str, name: str) -> str:
    """The name of a preview select: ``guess-12-kind``."""
    return f"guess-{line}-{name}"


def read_corrections(formdata, shown: dict[str, dict[str, str]]) -> dict[int, dict[str, str]]:
    """The coordinator's corrections: the preview's selects whose value differs from the
    guess the preview showed (``shown``, signed with the file). Only the lines and
    fields shown are read; a value no select offers raises ``CorrectionError``."""
    corrections: dict[int, dict[str, str]] = {}
    for line, guesses in shown.items():
        for name, shown_value in guesses.items():
            value = formdata.get(correction_field(line, name))
            if value is None or value == shown_value:
                continue
            if not _offered(name, value):
                raise CorrectionError(_correction_problem(name, value))
            corrections.setdefault(int(line), {})[name] = value
    return corrections


def _correction_problem(name: str, value: str) -> str:
    if name == "kind":
        return _("%(value)s is not a kind nscal knows.", value=repr(value))
    if name == "format":
        return _("%(value)s is not a format nscal knows.", value=repr(value))
    if name == "host_city":
        return _("%(value)s is not a host city nscal knows.", value=repr(value))
    if name == "timezone":
        return _("%(value)s is not a timezone nscal knows.", value=repr(value))
    return _("%(value)s is not a value nscal knows.", value=repr(value))


def _offered(name: str, value: str) -> bool:
    if name == "kind":
        return value in {kind.value for kind in EventKind}
    if name == "format":
        return value in {event_format.value for event_format in EventFormat}
    if name == "host_city":
        found = db.session.scalar(sa.select(City.id).where(City.slug == value))
        return value == "" or found is not None
    if name == "timezone":
        return is_valid_zone(value)
    return False
