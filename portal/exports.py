"""Spreadsheet exports (CSV and XLSX): one rule for every cell, one way to stream a CSV file.

The rule, applied to every cell of every export (``spreadsheet_cell``):

- nothing (None) is an empty cell; True and False are written as text;
- numbers (int, float, Decimal) stay numbers: XLSX stores them as numbers, CSV writes them plainly;
- a datetime is written in local time (settings.TIME_ZONE) as "YYYY-MM-DD HH:MM" (a naive one is
  taken as local already); a date as YYYY-MM-DD;
- text that is a phone number ("+90 442 123 45 67") is kept as it is; any other text that starts,
  after leading spaces, with = + - or @, or starts with a tab or a carriage return, gets a leading
  apostrophe, so that spreadsheet programs show it as text and never run it as a formula.

CSV files are UTF-8 with a byte order mark (so Excel reads Turkish letters) and quote every text
cell: a cell such as ``Alice;=1+1;x`` stays one field even for a Turkish Excel, which splits lines
on ";". They are streamed: rows are read from a generator while the response is sent.
XLSX files are write-only openpyxl workbooks; there a datetime is a real date cell in local time.
"""

import csv
import datetime
import decimal
import io
import re

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PHONE = re.compile(r"\+?[\d(][\d\s()./-]*")


def spreadsheet_cell(value):
    """The value as a spreadsheet cell may hold it safely (see the module's docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | decimal.Decimal):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value, timezone.get_default_timezone())
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    if PHONE.fullmatch(text):
        return text
    if text.startswith(FORMULA_START) or text.lstrip().startswith(FORMULA_START):
        return "'" + text
    return text


def xlsx_cell(value):
    """The cell rule for XLSX: an empty cell for None, a local (naive) datetime for a datetime."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            return timezone.localtime(value, timezone.get_default_timezone()).replace(tzinfo=None)
        return value
    return spreadsheet_cell(value)


class _Echo:
    """A file-like object that hands back what csv.writer writes, for streaming."""

    def write(self, value):
        return value


def csv_lines(rows):
    """The lines of a CSV file of ``rows`` (an iterable of lists, read as the lines are): the
    byte order mark, then one line per row, every cell through ``spreadsheet_cell``."""
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_NONNUMERIC)
    prefix = BOM
    for row in rows:
        yield prefix + writer.writerow([spreadsheet_cell(value) for value in row])
        prefix = ""
    if prefix:
        yield prefix


def attachment(response, filename):
    """The response, downloaded as ``filename``."""
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename, rows):
    """A streamed CSV file of ``rows`` (see ``csv_lines``)."""
    return attachment(StreamingHttpResponse(csv_lines(rows), content_type=CSV_TYPE), filename)


def xlsx_content(rows, *, sheet_title, fonts=None) -> bytes:
    """An XLSX workbook of one sheet holding ``rows``, every cell through ``xlsx_cell``.
    ``fonts`` maps a row's index to the openpyxl Font arguments of its cells."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    fonts = fonts or {}
    workbook = Workbook(write_only=True)
    # Sheet titles are limited to 31 characters and may not contain []:*?/\.
    title = "".join(ch for ch in str(sheet_title) if ch not in "[]:*?/\\")[:31] or "Sheet"
    sheet = workbook.create_sheet(title)
    for index, row in enumerate(rows):
        cells = [xlsx_cell(value) for value in row]
        if index in fonts:
            font = Font(**fonts[index])
            styled = []
            for value in cells:
                cell = WriteOnlyCell(sheet, value=value)
                cell.font = font
                styled.append(cell)
            cells = styled
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename, rows, *, sheet_title, fonts=None):
    """An XLSX file of ``rows`` (see ``xlsx_content``)."""
    content = xlsx_content(rows, sheet_title=sheet_title, fonts=fonts)
    return attachment(HttpResponse(content, content_type=XLSX_TYPE), filename)
