"""From an uploaded file's bytes to a plan: decode, pick the reader by file type."""

from __future__ import annotations

from pathlib import PurePath

from flask_babel import gettext as _

from nscal.imports.csv_reader import parse_csv
from nscal.imports.guesses import Guesser
from nscal.imports.ics_reader import parse_ics
from nscal.imports.plan import ImportFileError, ImportPlan

MAX_IMPORT_BYTES = 2 * 1024 * 1024


def decode_import(raw: bytes) -> tuple[str, str | None]:
    """The file's text, and a note when it was not UTF-8 (Excel's Windows-1252 CSVs)."""
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), _("The file is not UTF-8; it was read as Windows-1252.")
    except UnicodeDecodeError:
        raise ImportFileError(_("The file is not text (neither UTF-8 nor Windows-1252).")) from None


def import_format(filename: str, text: str) -> str:
    """``"ics"`` or ``"csv"``, from the file name, else from the content."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in {".ics", ".ical", ".ifb", ".icalendar"}:
        return "ics"
    if suffix == ".csv":
        return "csv"
    if text.lstrip("\ufeff \r\n\t").upper().startswith("BEGIN:VCALENDAR"):
        return "ics"
    if filename:
        raise ImportFileError(
            _(
                "%(file)s is neither .ics (iCalendar) nor .csv; nothing was imported.",
                file=filename,
            )
        )
    raise ImportFileError(_("The file is neither .ics (iCalendar) nor .csv; nothing was imported."))


def parse_import(
    text: str, filename: str, corrections: dict[int, dict[str, str]] | None = None
) -> ImportPlan:
    """Read an .ics or .csv file's text into a plan; nothing is written.

    ``corrections``: the coordinator's choices from the preview, by the line a
    component begins on and field (``kind``, ``host_city``, ``timezone``, ``format``),
    already checked (``nscal.imports.forms.read_corrections``)."""
    source = PurePath(filename or "import").name
    guesser = Guesser(corrections=corrections or {})
    if import_format(filename, text) == "ics":
        return parse_ics(text, source, guesser)
    return parse_csv(text, source, guesser)
