"""CSV and XLSX files for staff to open in a spreadsheet program, with formula injection neutralised.

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by Excel,
LibreOffice and WPS (`=HYPERLINK(...)`, `@SUM(...)`), so a name typed by an applicant could run in a staff
member's spreadsheet. Following OWASP's advice every such cell is written with a leading single quote, which the
reader sees and which makes the cell plain text. Numbers (int, float, Decimal) are written as numbers: a negative
amount stays a number. In XLSX every text cell is also stored explicitly as a string, never as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"  # Werkzeug adds "; charset=utf-8" to a text type (naming it here sent it twice)


def safe_cell(value: object) -> object:
    """The value as it may be written: text that a spreadsheet would read as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal | date | datetime):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_bytes(header: Sequence[object], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(v) for v in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(header: Sequence[object], rows: Iterable[Sequence[object]], sheet: str = "Sheet1") -> bytes:
    return xlsx_book([(sheet, header, rows)])


def xlsx_book(sheets: Iterable[tuple[str, Sequence[object], Iterable[Sequence[object]]]]) -> bytes:
    """One workbook with a sheet per (title, header, rows)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        worksheet = book.create_sheet(title[:31])
        for row_number, row in enumerate([header, *rows], start=1):
            for column_number, value in enumerate(row, start=1):
                value = safe_cell(value)
                if isinstance(value, str):
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XLSX cannot hold
                cell = worksheet.cell(row=row_number, column=column_number, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # openpyxl would store any text starting with "=" as a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
