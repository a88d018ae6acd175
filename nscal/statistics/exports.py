"""The statistics' tables as CSV and .xlsx, every text cell spreadsheet-safe."""

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from nscal.exports import rows_as_csv, spreadsheet_safe
from nscal.statistics.tables import Table

MAX_WIDTH = 50


def table_csv(table: Table) -> str:
    """Rates as fractions (0.25), no figure as an empty cell."""
    return rows_as_csv(table.header, table.rows)


def _sheet(workbook: Workbook, table: Table, *, first: bool):
    sheet = workbook.active if first else workbook.create_sheet()
    # A sheet name: at most 31 characters, none of []:*?/\
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", table.name)[:31]
    sheet.append([spreadsheet_safe(value) for value in table.header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    rates = table.rate_columns
    for row in table.rows:
        sheet.append([spreadsheet_safe(value) for value in row])
        for column in rates:
            sheet.cell(row=sheet.max_row, column=column).number_format = "0%"
    sheet.freeze_panes = "A2"
    for index, name in enumerate(table.header, 1):
        width = max([len(str(name))] + [len(str(row[index - 1] or "")) for row in table.rows])
        sheet.column_dimensions[get_column_letter(index)].width = min(MAX_WIDTH, width + 2)
    return sheet


def tables_xlsx(tables: list[Table]) -> bytes:
    """One sheet per table, in the order given."""
    workbook = Workbook()
    for index, table in enumerate(tables):
        _sheet(workbook, table, first=index == 0)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
