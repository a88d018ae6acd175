"""The attendee list as an Excel workbook: the CSV's rows, the answers as columns, times
as real Excel date-times on the event's clock (the zone named in the header), a bold
frozen header row, and every text cell spreadsheet-safe."""

import io
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from nscal.events.models import Event
from nscal.exports import spreadsheet_safe
from nscal.questions.models import Question, QuestionKind
from nscal.questions.services import answer_columns, answer_text
from nscal.registrations.overview import event_roster

MAX_WIDTH = 60


def roster_rows(event: Event) -> tuple[list[str], list[list]]:
    """The header and the rows: one per registration, in the order they came."""
    zone = event.timezone
    questions, answers = answer_columns(event)
    header = [
        "Email",
        "Name",
        "City (slug)",
        "City",
        "Participant role",
        "Status",
        f"Registered ({zone})",
        "Waitlist position",
        "Note",
        "Registered by",
        *(question.label for question in questions),
    ]
    rows = []
    for row in event_roster(event).rows:
        registration = row.registration
        given = answers.get(registration.id, {})
        rows.append(
            [
                registration.user.email,
                registration.user.name,
                registration.city.slug if registration.city else None,
                registration.city.name if registration.city else None,
                registration.participant_role.label if registration.participant_role else None,
                registration.status.label,
                # Excel has no zones: the local wall-clock time, the zone in the header.
                registration.created_at.astimezone(event.zone).replace(tzinfo=None),
                row.waitlist_position,
                registration.note or None,
                registration.registered_by.email if registration.by_coordinator else None,
                *(_cell(question, given.get(question.id)) for question in questions),
            ]
        )
    return header, rows


def _cell(question: Question, value: str | None):
    """An answer as a cell: numbers as numbers, dates as dates, the rest as text."""
    if not value:
        return None
    if question.kind is QuestionKind.number:
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)
    if question.kind is QuestionKind.date:
        return date.fromisoformat(value)
    return answer_text(question, value)


def roster_workbook(event: Event) -> bytes:
    header, rows = roster_rows(event)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Registrations"
    sheet.append([_safe(title) for title in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    widths = [len(title) for title in header]
    for values in rows:
        sheet.append([_safe(value) for value in values])
        for index, value in enumerate(values):
            widths[index] = max(widths[index], _width(value))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, date):
                has_time = hasattr(cell.value, "hour")
                cell.number_format = "yyyy-mm-dd hh:mm" if has_time else "yyyy-mm-dd"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_WIDTH)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _safe(value):
    """Text through ``spreadsheet_safe`` (so it never starts a formula); numbers and
    dates as they are; empty cells empty."""
    if value is None or isinstance(value, int | float | date):
        return value
    return spreadsheet_safe(value)


def _width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        return 16
    return max((len(line) for line in str(value).split("\n")), default=0)


def roster_xlsx_filename(event: Event) -> str:
    return f"registrations-{event.id}-{event.local_start:%Y-%m-%d}.xlsx"
