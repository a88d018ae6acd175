"""Reading a spreadsheet's .csv into a plan.

Columns: ``title,kind,starts,ends,timezone,host_city,format,venue,online_url,roles,
capacity,visibility,description,rrule`` (and an optional ``uid``). Times are wall
clock in ``timezone``: ``YYYY-MM-DD HH:MM``, or a date ``YYYY-MM-DD`` for an all-day
event whose ``ends`` is its last day, as people write it. Nordic spreadsheets' dates
are read too, day first: ``13.01.2027 10:00``, ``13-01-2027``, ``13.1.2027 10.00``.
Dates with slashes are refused: ``01/02/2027`` is 1 February in the Nordic countries
and January 2 in the US. ``ends`` may be a duration instead: ``90 min``, ``2h``,
``1 h 30 min``, ``1,5 h``, ``PT1H30M``, ``2 days`` (hours and minutes are elapsed
time, days are calendar days, as in RFC 5545); ``10:30`` alone stays a clock time on
the start's day. Comma or semicolon separated (sniffed from the header, or Excel's
``sep=;`` first line), with or without a BOM.

CSV rows have no UID. So that importing the same file twice updates instead of
duplicating, a row's UID is derived from its title, start and zone; an optional
``uid`` column overrides that.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from nscal.cities.models import all_roles, city_by_slug_or_name, role_by_slug_or_name
from nscal.events.models import EventFormat, EventKind, Visibility
from nscal.events.services import EventData
from nscal.imports.guesses import (
    CORRECTED,
    KEPT,
    Guesser,
    city_guess,
    format_guess,
    kept_fields,
    zone_guess,
)
from nscal.imports.join_links import separate_join_link
from nscal.imports.plan import ImportPlan, PlannedImport, format_from_text, kind_from_text
from nscal.inputs import MAX_INTEGER, multi_line, single_line
from nscal.timeutil import FIRST_YEAR, LAST_YEAR, is_valid_zone, year_in_range

COLUMNS = (
    "title",
    "kind",
    "starts",
    "ends",
    "timezone",
    "host_city",
    "format",
    "venue",
    "online_url",
    "roles",
    "capacity",
    "visibility",
    "description",
    "rrule",
)
OPTIONAL_COLUMNS = ("uid",)
REQUIRED_COLUMNS = ("title", "starts", "timezone")
DATE_TIME_FORMATS = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    # Excel in the Nordic locales: day first, with dots (fi, no) or dashes (da).
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H.%M",
    "%d.%m.%Y kl. %H:%M",
    "%d.%m.%Y kl. %H.%M",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H.%M",
)
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y")
# Units of a duration in ``ends``, in English and the Nordic languages.
DURATION_UNITS = {
    "minutes": "m min mins minute minutes minut minutter minuter minuutti minuuttia",
    "hours": "h hr hrs hour hours t tim time timer timmar timme tunti tuntia",
    "days": "d day days dag dage dagar dager dagen päivä päivää",
}
UNIT_OF = {word: unit for unit, words in DURATION_UNITS.items() for word in words.split()}
DURATION_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*([^\W\d_]+)\.?", re.UNICODE)
ISO_DURATION = re.compile(
    r"P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?",
    re.IGNORECASE,
)
# "1:30 h": hours and minutes with a unit (without one, "1:30" is a clock time).
CLOCK_DURATION = re.compile(r"(\d+):([0-5]\d)\s*(?:h|hrs?|hours?|t|tim|timer|timmar)\.?", re.I)
HOURS_MINUTES = re.compile(r"(\d+)\s*h\s*([0-5]?\d)", re.I)  # "1h30"
# Optional columns a file may leave out; updates then keep what the event has in nscal.
KEPT_WHEN_ABSENT = {
    "kind": "kind",
    "host_city": "host_city",
    "roles": "audience",
    "capacity": "capacity",
    "visibility": "visibility",
    "description": "description",
}
VISIBILITY_WORDS = {
    "public": Visibility.public,
    "members": Visibility.members,
    "member": Visibility.members,
    "membersonly": Visibility.members,
}


class RowError(ValueError):
    """One cell cannot be read; the message names the column."""


def _column(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def _delimiter(header: str) -> str:
    """The separator the header uses most, outside quotes: ``,``, ``;`` or a tab."""
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in (",", ";", "\t")}
    return max(counts, key=counts.get)


def parse_when(value: str, column: str) -> date | datetime:
    """``YYYY-MM-DD HH:MM`` (wall clock, naive on purpose) or a date ``YYYY-MM-DD``,
    in the years nscal handles."""
    when = _read_when(value.strip(), column)
    if not year_in_range(when.year):
        raise RowError(
            _(
                "%(column)s: %(value)s is not between %(first)s and %(last)s.",
                column=column,
                value=repr(value.strip()),
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        )
    return when


def _read_when(value: str, column: str) -> date | datetime:
    for pattern in DATE_TIME_FORMATS:
        try:
            # Wall-clock time in the row's zone: the services localize it.
            return datetime.strptime(value, pattern)  # noqa: DTZ007
        except ValueError:
            pass
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern).date()  # noqa: DTZ007 - a date only
        except ValueError:
            pass
    problem = _(
        "%(column)s: %(value)s is not a date and time like 2027-03-29 10:00 "
        "or 29.03.2027 10:00 (or a date like 2027-03-29 for an all-day event).",
        column=column,
        value=repr(value),
    )
    if "/" in value:
        problem += " " + _(
            "Dates with slashes are not read: 01/02/2027 is 1 February in the Nordic "
            "countries but January 2 in the US; write 01.02.2027 or 2027-02-01."
        )
    raise RowError(problem)


def parse_duration(value: str) -> timedelta | None:
    """``ends`` written as a length (``90 min``, ``1 h 30 min``, ``1,5 h``, ``PT1H30M``,
    ``2 days``), or None when it is not one."""
    text = value.strip()
    iso = ISO_DURATION.fullmatch(text)
    if iso and any(iso.groupdict().values()):
        parts = {name: int(number or 0) for name, number in iso.groupdict().items()}
        return timedelta(**parts)
    clock = CLOCK_DURATION.fullmatch(text) or HOURS_MINUTES.fullmatch(text)
    if clock:
        return timedelta(hours=int(clock[1]), minutes=int(clock[2]))
    parts = DURATION_PART.findall(text)
    if not parts or DURATION_PART.sub("", text).strip():
        return None
    length = timedelta()
    for number, word in parts:
        unit = UNIT_OF.get(word.lower())
        if unit is None:
            return None
        length += timedelta(**{unit: float(number.replace(",", "."))})
    return length


def _end_after(start: datetime, length: timedelta, zone: str) -> datetime:
    """The wall-clock end ``length`` after ``start``: days are calendar days, hours and
    minutes elapsed time (across a clock change too), as RFC 5545 counts a DURATION."""
    days = timedelta(days=length.days)
    moved = start + days
    try:
        tz = ZoneInfo(zone)
    except (ValueError, OSError):
        return moved + (length - days)  # an unknown zone is refused elsewhere
    local = moved.replace(tzinfo=tz)
    end = (local.astimezone(UTC) + (length - days)).astimezone(tz)
    return end.replace(tzinfo=None)


def _times(values: dict[str, str]) -> tuple[date | datetime, date | datetime, bool]:
    if not values.get("starts"):
        raise RowError(_("starts: a start is required."))
    start = parse_when(values["starts"], "starts")
    ends = values.get("ends", "")
    length = parse_duration(ends) if ends else None
    if length is not None and length <= timedelta():
        raise RowError(
            _(
                "ends: %(value)s is no length of time; the end must be after the start.",
                value=repr(ends),
            )
        )
    if not isinstance(start, datetime):
        # All day: "ends" is the last day, inclusive; the services want the day after.
        if not ends:
            return start, start + timedelta(days=1), True
        if length is not None:
            if length % timedelta(days=1):
                raise RowError(
                    _(
                        "ends: the start is a date (all day), so %(value)s must be whole days.",
                        value=repr(ends),
                    )
                )
            return start, start + length, True
        last = parse_when(ends, "ends")
        if isinstance(last, datetime):
            raise RowError(_("ends: the start is a date (all day), so the end must be a date too."))
        return start, last + timedelta(days=1), True
    if not ends:
        raise RowError(_("ends: an end is required when the start has a time."))
    if length is not None:
        return start, _end_after(start, length, values.get("timezone", "")), False
    try:
        # "11:30" alone: the same day as the start.
        clock = datetime.strptime(ends.strip(), "%H:%M")  # noqa: DTZ007 - wall clock
    except ValueError:
        pass
    else:
        end = datetime.combine(start.date(), clock.time())
        if end <= start:
            raise RowError(
                _(
                    "ends: %(value)s is read as the clock time %(clock)s, not after the "
                    "start; for a length of time write it with a unit (%(number)s h, 90 min).",
                    value=repr(ends.strip()),
                    clock=clock.strftime("%H:%M"),
                    number=ends.strip(),
                )
            )
        return start, end, False
    end = parse_when(ends, "ends")
    if not isinstance(end, datetime):
        raise RowError(_("ends: the start has a time, so the end needs one too."))
    return start, end, False


def _kind(value: str) -> EventKind | None:
    if not value:
        return None
    kind = kind_from_text(value)
    if kind is None:
        known = ", ".join(kind.value for kind in EventKind)
        raise RowError(
            _(
                "kind: unknown kind %(value)s (use one of: %(known)s).",
                value=repr(value),
                known=known,
            )
        )
    return kind


def _city(value: str):
    if not value:
        return None
    city = city_by_slug_or_name(value)
    if city is None:
        raise RowError(
            _("host_city: unknown city %(value)s (give its slug or name).", value=repr(value))
        )
    return city


def _roles(value: str):
    roles = []
    for part in value.replace(",", ";").split(";"):
        if not part.strip():
            continue
        role = role_by_slug_or_name(part)
        if role is None:
            known = ", ".join(role.slug for role in all_roles())
            raise RowError(
                _(
                    "roles: unknown participant role %(value)s (known: %(known)s).",
                    value=repr(part.strip()),
                    known=known,
                )
            )
        if role not in roles:
            roles.append(role)
    return roles


def _capacity(value: str) -> int | None:
    if not value:
        return None
    try:
        capacity = int(value)
    except ValueError:
        raise RowError(_("capacity: %(value)s is not a whole number.", value=repr(value))) from None
    if capacity > MAX_INTEGER:  # a negative one is the services' to refuse
        raise RowError(
            _(
                "capacity: %(value)s is more than %(num)s places.",
                value=repr(value),
                num=format(MAX_INTEGER, ","),
            )
        )
    return capacity


def _visibility(value: str) -> Visibility:
    if not value:
        return Visibility.public
    visibility = VISIBILITY_WORDS.get("".join(value.lower().replace("-", " ").split()))
    if visibility is None:
        raise RowError(
            _("visibility: %(value)s is neither public nor members only.", value=repr(value))
        )
    return visibility


def _zone(value: str) -> str:
    if not value:
        raise RowError(
            _(
                "timezone: a time zone is required, e.g. Europe/Copenhagen "
                "(or a member city in host_city, venue or title, whose zone is taken)."
            )
        )
    if not is_valid_zone(value):
        raise RowError(
            _(
                "timezone: unknown time zone %(value)s (use an IANA name such as Europe/Oslo).",
                value=repr(value),
            )
        )
    return value


def clean_cell(column: str, value: str) -> str:
    """A cell without control characters: the description keeps its lines, others are
    one line (a title with a line break would break mail headers and feeds)."""
    return multi_line(value) if column == "description" else single_line(value)


def row_uid(values: dict[str, str], start: date | datetime, zone: str) -> str:
    """A stable UID for a row without one: the same title, start and zone, the same event."""
    if values.get("uid"):
        return values["uid"]
    key = f"{' '.join(values.get('title', '').lower().split())}|{start.isoformat()}|{zone}"
    return f"csv-{hashlib.sha256(key.encode()).hexdigest()[:24]}@nscal"


def plan_row(values: dict[str, str], line: int, guesser: Guesser | None = None) -> PlannedImport:
    """One row as a planned import; raises ``RowError`` naming the first bad cell.

    Empty kind, host city, zone and format cells are guessed (``nscal.imports.guesses``);
    the guesser also carries the coordinator's corrections from the preview."""
    guesser = guesser or Guesser()
    title = values.get("title", "")
    join_link = separate_join_link(
        values.get("description", ""), values.get("venue", ""), values.get("online_url", "")
    )
    venue, online_url = join_link.venue, join_link.online_url
    # The UID is made of the cells as written, so a corrected guess keeps the same UID.
    uid_zone = values.get("timezone", "")
    uid_start = parse_when(values["starts"], "starts") if values.get("starts") else None
    uid = row_uid(values, uid_start, uid_zone) if uid_start is not None else None

    kind = guesser.guess_kind(line, title, _kind(values.get("kind", "")), _("from the file"), uid)
    stated_city = _city(values.get("host_city", ""))
    if stated_city is not None and guesser.correction(line, "host_city") is None:
        host_city, city = stated_city, city_guess(stated_city, _("from the file"), False)
    else:
        host_city, city = guesser.guess_city(line, venue, title, uid)
    existing = guesser.existing(uid)
    if guesser.correction(line, "timezone"):
        zone = guesser.correction(line, "timezone")
        zone_of = zone_guess(zone, CORRECTED, False)
    elif values.get("timezone") or (host_city is None and existing is None):
        zone = _zone(values.get("timezone", ""))
        zone_of = zone_guess(zone, _("from the file"), False)
    elif existing is not None:
        zone, zone_of = existing.timezone, zone_guess(existing.timezone, KEPT)
    else:
        zone = host_city.timezone
        zone_of = zone_guess(zone, _("the host city's zone (%(city)s)", city=host_city.name))

    start, end, all_day = _times({**values, "timezone": zone})
    if values.get("format") and guesser.correction(line, "format") is None:
        event_format = format_from_text(values["format"])
        if event_format is None:
            raise RowError(
                _(
                    "format: %(value)s is not online, in person or hybrid.",
                    value=repr(values["format"]),
                )
            )
        if event_format is EventFormat.in_person and online_url and not values.get("online_url"):
            # The link came out of the description: it was a hybrid event all along.
            event_format = EventFormat.hybrid
        format_of = format_guess(event_format, _("from the file"), False)
    else:
        format_of = guesser.guess_format(line, venue, online_url, EventKind(kind.value), uid)
    guesses = {"kind": kind, "host_city": city, "timezone": zone_of, "format": format_of}
    data = EventData(
        title=title,
        kind=EventKind(kind.value),
        timezone=zone,
        start=start,
        end=end,
        all_day=all_day,
        format=EventFormat(format_of.value),
        description=join_link.description,
        host_city=host_city,
        venue=venue,
        online_url=online_url,
        audience=_roles(values.get("roles", "")),
        visibility=_visibility(values.get("visibility", "")),
        capacity=_capacity(values.get("capacity", "")),
        rrule=values.get("rrule") or None,
        uid=row_uid(values, start, uid_zone),
    )
    return PlannedImport(
        line=line,
        data=data,
        notes=list(join_link.notes),
        keep=frozenset(kept_fields(guesses, instants_fixed=bool(values.get("timezone")))),
        guesses=guesses,
    )


def parse_csv(text: str, source: str, guesser: Guesser | None = None) -> ImportPlan:
    """Every row as a planned import; line numbers are physical, the header is line 1
    (line 2 after Excel's ``sep=;`` line). A bad row is refused with its line."""
    plan = ImportPlan(source=source)
    guesser = guesser or Guesser()
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    first_line, _newline, rest = text.partition("\n")
    offset = 0
    if re.fullmatch(r"sep=.", first_line.strip(), re.IGNORECASE):
        # Excel's hint line names the separator; the header comes after it.
        delimiter, text, offset = first_line.strip()[-1], rest, 1
    else:
        delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header_line = 1 + offset
    try:
        header = [_column(name) for name in next(reader)]
    except StopIteration:
        plan.error(header_line, _("The file is empty."))
        return plan
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        plan.error(
            header_line,
            _(
                "Missing column(s): %(missing)s. The columns are: %(columns)s.",
                missing=", ".join(missing),
                columns=",".join(COLUMNS),
            ),
        )
        return plan
    keep = frozenset(field for column, field in KEPT_WHEN_ABSENT.items() if column not in header)
    unknown = [name for name in header if name and name not in COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        plan.note(header_line, _("Column(s) not used: %(columns)s.", columns=", ".join(unknown)))
    seen: dict[str, int] = {}
    while True:
        # Where this record starts (a quoted cell may span lines).
        line = reader.line_num + 1 + offset
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            plan.error(line, _("The row cannot be read: %(problem)s.", problem=exc))
            break
        values = {
            name: clean_cell(name, value)
            for name, value in zip(header, record, strict=False)
            if name
        }
        if not any(values.values()):
            continue
        title = values.get("title", "")
        if len(record) > len(header) and any(cell.strip() for cell in record[len(header) :]):
            plan.error(
                line,
                _(
                    "The row has %(cells)s cells but the header %(columns)s.",
                    cells=len(record),
                    columns=len(header),
                ),
                title,
            )
            continue
        try:
            item = plan_row(values, line, guesser)
        except RowError as exc:
            plan.error(line, str(exc), title)
            continue
        # A column the file leaves out is kept on update, unless corrected in the preview.
        stated = {name for name, guess in item.guesses.items() if not guess.guessed}
        item.keep = frozenset((keep - stated) | item.keep)
        if item.uid in seen:
            plan.error(
                line,
                _(
                    "The same event (title, start and zone) is already on line %(line)s.",
                    line=seen[item.uid],
                ),
                title,
            )
            continue
        seen[item.uid] = line
        plan.items.append(item)
    if not plan.items and not plan.errors:
        plan.error(header_line, _("The file has a header but no events."))
    return plan
