"""What people type, cleaned the same way on every way in: forms, imports, the CLI and
the services beneath them.

Control characters are invisible, come from pasting and from other programs' exports,
and break what reads the data later: a CR/LF in a title splits a mail header or an
iCalendar line, a NUL cannot be stored in PostgreSQL. Nobody means them, and nobody can
see them to fix them, so they are taken out rather than refused: a single-line value
has its line breaks and tabs turned into spaces, a multi-line value keeps LF and TAB.

Whole numbers are bounded by the database's INTEGER columns, which hold 32 bits.
"""

import re

# The largest value an INTEGER column holds on PostgreSQL (and the bound on ids).
MAX_INTEGER = 2**31 - 1

# C0 controls, DEL, C1 controls, and lone surrogates (which no encoding can store).
_CONTROLS = "\x00-\x1f\x7f-\x9f\ud800-\udfff"
_SINGLE_LINE_BREAKS = re.compile(r"[\t\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")
_CONTROL = re.compile(f"[{_CONTROLS}]")
_TEXT_CONTROL = re.compile(f"[{_CONTROLS}](?<![\n\t])")
_SPACES = re.compile(" {2,}")


def single_line(value: str | None) -> str:
    """``value`` on one line: breaks and tabs become one space, other controls go,
    runs of spaces shrink to one and the ends are trimmed."""
    if not value:
        return ""
    value = _SINGLE_LINE_BREAKS.sub(" ", value)
    return _SPACES.sub(" ", _CONTROL.sub("", value)).strip()


def multi_line(value: str | None) -> str:
    """``value`` with its line breaks as LF; controls other than LF and TAB go."""
    if not value:
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    return _TEXT_CONTROL.sub("", value).strip()


def in_integer_range(value: int, minimum: int = 0) -> bool:
    """Whether ``value`` fits the database's INTEGER columns (and is at least ``minimum``)."""
    return minimum <= value <= MAX_INTEGER
