"""CSV and XLSX files of the report tables, and the record of each export.

Both formats start with a header block (the table's title, the campaign, the scope, the filters
and the date), then the column headings, then the rows. The CSV is streamed, in UTF-8 with a
byte order mark so that spreadsheet programs read Turkish letters correctly; the XLSX is a
write-only openpyxl workbook.
"""

import csv
import io

from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse

from portal.audit import audit_export
from portal.models import ExportLog

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell starting with one of these would be read as a formula by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object that hands back what csv.writer writes, for streaming."""

    def write(self, value):
        return value


def safe_text(value):
    """Text that a spreadsheet shows as text, never runs as a formula."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    return safe_text(value)


def _attachment(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename, header_lines, columns, rows_iterable):
    """A streamed CSV file: "# " header lines, the column headings, then the rows."""
    writer = csv.writer(_Echo())
    # Rendered now: the lines are written while the response streams, after the view returned.
    header_lines = [str(line) for line in header_lines]
    columns = [str(column) for column in columns]

    def lines():
        yield "\ufeff"
        for line in header_lines:
            yield writer.writerow([f"# {line}"])
        yield writer.writerow([safe_text(column) for column in columns])
        for row in rows_iterable:
            yield writer.writerow([_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    return _attachment(response, filename)


def xlsx_response(filename, header_lines, columns, rows, *, sheet_title="Report"):
    """An XLSX file: the header lines one per row, an empty row, the column headings, then the
    rows (numbers stay numbers)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    # Sheet titles are limited to 31 characters and may not contain []:*?/\.
    title = "".join(ch for ch in str(sheet_title) if ch not in "[]:*?/\\")[:31] or "Report"
    sheet = workbook.create_sheet(title)
    for index, line in enumerate(header_lines):
        cell = WriteOnlyCell(sheet, value=safe_text(line))
        if index == 0:
            cell.font = Font(bold=True, size=13)
        sheet.append([cell])
    sheet.append([])
    headings = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=safe_text(column))
        cell.font = Font(bold=True)
        headings.append(cell)
    sheet.append(headings)
    for row in rows:
        sheet.append([None if value is None else _cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE), filename)


@transaction.atomic
def report_export_log(*, user, table, filters, row_count) -> ExportLog:
    """Record an export of a report table. Side effects: inserts an ExportLog and an AuditEntry."""
    return audit_export(user=user, kind=f"report:{table}", filters=filters, row_count=row_count)
