"""Reading a spreadsheet's .csv into a plan.

Columns: ``title,kind,starts,ends,timezone,host_city,format,venue,online_url,roles,
capacity,visibility,description,rrule`` (and an optional ``uid``). Times are wall
clock in ``timezone``: ``YYYY-MM-DD HH:MM``, or a date ``YYYY-MM-DD`` for an all-day
event whose ``ends`` is its last day, as people write it. Comma or semicolon
separated (Excel in Nordic locales writes semicolons), with or without a BOM.

CSV rows have no UID. So that importing the same file twice updates instead of
duplicating, a row's UID is derived from its title, start and zone; an optional
``uid`` column overrides that.
"""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, datetime, timedelta

from nscal.cities.models import all_roles, city_by_slug_or_name, role_by_slug_or_name
from nscal.events.models import EventFormat, EventKind, Visibility
from nscal.events.services import EventData
from nscal.imports.join_links import separate_join_link
from nscal.imports.plan import (
    ImportPlan,
    PlannedImport,
    format_for,
    format_from_text,
    kind_from_text,
)
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
DATE_TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
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
    counts = {delimiter: header.count(delimiter) for delimiter in (",", ";", "\t")}
    return max(counts, key=counts.get)


def parse_when(value: str, column: str) -> date | datetime:
    """``YYYY-MM-DD HH:MM`` (wall clock, naive on purpose) or a date ``YYYY-MM-DD``,
    in the years nscal handles."""
    when = _read_when(value.strip(), column)
    if not year_in_range(when.year):
        raise RowError(f"{column}: {value.strip()!r} is not between {FIRST_YEAR} and {LAST_YEAR}.")
    return when


def _read_when(value: str, column: str) -> date | datetime:
    for pattern in DATE_TIME_FORMATS:
        try:
            # Wall-clock time in the row's zone: the services localize it.
            return datetime.strptime(value, pattern)  # noqa: DTZ007
        except ValueError:
            pass
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007 - a date only
    except ValueError:
        raise RowError(
            f"{column}: {value!r} is not a date and time like 2027-03-29 10:00 "
            "(or a date like 2027-03-29 for an all-day event)."
        ) from None


def _times(values: dict[str, str]) -> tuple[date | datetime, date | datetime, bool]:
    if not values.get("starts"):
        raise RowError("starts: a start is required.")
    start = parse_when(values["starts"], "starts")
    ends = values.get("ends", "")
    if not isinstance(start, datetime):
        # All day: "ends" is the last day, inclusive; the services want the day after.
        if not ends:
            return start, start + timedelta(days=1), True
        last = parse_when(ends, "ends")
        if isinstance(last, datetime):
            raise RowError("ends: the start is a date (all day), so the end must be a date too.")
        return start, last + timedelta(days=1), True
    if not ends:
        raise RowError("ends: an end is required when the start has a time.")
    try:
        # "11:30" alone: the same day as the start.
        clock = datetime.strptime(ends.strip(), "%H:%M")  # noqa: DTZ007 - wall clock
        return start, datetime.combine(start.date(), clock.time()), False
    except ValueError:
        pass
    end = parse_when(ends, "ends")
    if not isinstance(end, datetime):
        raise RowError("ends: the start has a time, so the end needs one too.")
    return start, end, False


def _kind(value: str) -> EventKind:
    if not value:
        return EventKind.other
    kind = kind_from_text(value)
    if kind is None:
        known = ", ".join(kind.value for kind in EventKind)
        raise RowError(f"kind: unknown kind {value!r} (use one of: {known}).")
    return kind


def _city(value: str):
    if not value:
        return None
    city = city_by_slug_or_name(value)
    if city is None:
        raise RowError(f"host_city: unknown city {value!r} (give its slug or name).")
    return city


def _roles(value: str):
    roles = []
    for part in value.replace(",", ";").split(";"):
        if not part.strip():
            continue
        role = role_by_slug_or_name(part)
        if role is None:
            known = ", ".join(role.slug for role in all_roles())
            raise RowError(f"roles: unknown participant role {part.strip()!r} (known: {known}).")
        if role not in roles:
            roles.append(role)
    return roles


def _capacity(value: str) -> int | None:
    if not value:
        return None
    try:
        capacity = int(value)
    except ValueError:
        raise RowError(f"capacity: {value!r} is not a whole number.") from None
    if capacity > MAX_INTEGER:  # a negative one is the services' to refuse
        raise RowError(f"capacity: {value!r} is more than {MAX_INTEGER:,} places.")
    return capacity


def _visibility(value: str) -> Visibility:
    if not value:
        return Visibility.public
    visibility = VISIBILITY_WORDS.get("".join(value.lower().replace("-", " ").split()))
    if visibility is None:
        raise RowError(f"visibility: {value!r} is neither public nor members only.")
    return visibility


def _zone(value: str) -> str:
    if not value:
        raise RowError("timezone: a time zone is required, e.g. Europe/Copenhagen.")
    if not is_valid_zone(value):
        raise RowError(
            f"timezone: unknown time zone {value!r} (use an IANA name such as Europe/Oslo)."
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


def plan_row(values: dict[str, str], line: int) -> PlannedImport:
    """One row as a planned import; raises ``RowError`` naming the first bad cell."""
    start, end, all_day = _times(values)
    zone = _zone(values.get("timezone", ""))
    join_link = separate_join_link(
        values.get("description", ""), values.get("venue", ""), values.get("online_url", "")
    )
    venue, online_url = join_link.venue, join_link.online_url
    event_format = format_for(venue, online_url)
    if values.get("format"):
        event_format = format_from_text(values["format"])
        if event_format is None:
            raise RowError(f"format: {values['format']!r} is not online, in person or hybrid.")
        if event_format is EventFormat.in_person and online_url and not values.get("online_url"):
            # The link came out of the description: it was a hybrid event all along.
            event_format = EventFormat.hybrid
    data = EventData(
        title=values.get("title", ""),
        kind=_kind(values.get("kind", "")),
        timezone=zone,
        start=start,
        end=end,
        all_day=all_day,
        format=event_format,
        description=join_link.description,
        host_city=_city(values.get("host_city", "")),
        venue=venue,
        online_url=online_url,
        audience=_roles(values.get("roles", "")),
        visibility=_visibility(values.get("visibility", "")),
        capacity=_capacity(values.get("capacity", "")),
        rrule=values.get("rrule") or None,
        uid=row_uid(values, start, zone),
    )
    return PlannedImport(line=line, data=data, notes=list(join_link.notes))


def parse_csv(text: str, source: str) -> ImportPlan:
    """Every row as a planned import; line numbers are physical, the header is line 1."""
    plan = ImportPlan(source=source)
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    header_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(header_line))
    try:
        header = [_column(name) for name in next(reader)]
    except StopIteration:
        plan.error(1, "The file is empty.")
        return plan
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        plan.error(
            1,
            f"Missing column(s): {', '.join(missing)}. The columns are: {','.join(COLUMNS)}.",
        )
        return plan
    keep = frozenset(field for column, field in KEPT_WHEN_ABSENT.items() if column not in header)
    unknown = [name for name in header if name and name not in COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        plan.note(1, f"Column(s) not used: {', '.join(unknown)}.")
    seen: dict[str, int] = {}
    while True:
        line = reader.line_num + 1  # where this record starts (a quoted cell may span lines)
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            plan.error(line, f"The row cannot be read: {exc}.")
            break
        values = {
            name: clean_cell(name, value)
            for name, value in zip(header, record, strict=False)
            if name
        }
        if not any(values.values()):
            continue
        if len(record) > len(header) and any(cell.strip() for cell in record[len(header) :]):
            plan.error(line, f"The row has {len(record)} cells but the header {len(header)}.")
            continue
        try:
            item = plan_row(values, line)
        except RowError as exc:
            plan.error(line, str(exc))
            continue
        item.keep = keep
        if item.uid in seen:
            plan.error(
                line, f"The same event (title, start and zone) is already on line {seen[item.uid]}."
            )
            continue
        seen[item.uid] = line
        plan.items.append(item)
    if not plan.items and not plan.errors:
        plan.error(1, "The file has a header but no events.")
    return plan
