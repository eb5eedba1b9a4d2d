"""Spreadsheet exports (CSV and XLSX): one rule for every cell, one way to stream a CSV file.

The rule, applied to every cell of every export (``spreadsheet_cell``):

- nothing (None) is an empty cell; True and False are written as text;
- numbers (int, float, Decimal) stay numbers: XLSX stores them as numbers, CSV writes them plainly;
- a datetime is written in local time (settings.TIME_ZONE) as "YYYY-MM-DD HH:MM" (a naive one is
  taken as local already); a date as YYYY-MM-DD;
- text that is a phone number ("+90 442 123 45 67") is kept as it is; any other text that starts,
  after leading spaces, with = + - or @, or starts with a tab or a carriage return, gets a leading
  apostrophe, so that spreadsheet programs show it as text and never run it as a formula.

CSV files are UTF-8 with a byte order mark (so Excel reads Turkish letters), comma-separated, and
quote every text cell. Quoting is not enough on its own: a program that splits on another
character (a Turkish Excel splits on ";", some on tabs) reads the first field of a line up to its
first ";" and from there on takes our quotes as ordinary characters, so ``"x","Alice;=1+1;y"``
gives it a cell ``=1+1``. So in a CSV text cell (``csv_cell``) a formula character that follows a
separator (, ; tab or a line break), after spaces and double quotes, gets an apostrophe as well:
``Alice;'=1+1;y``, whatever delimiter the file is opened with. A phone number there is kept, as
at the start of a cell. The price is an apostrophe inside some ordinary text (a list written
"a, -b", a description whose lines start with "- "); a file that could run formulas costs more.
(A line that starts with a number, read that way, begins with a field such as ``-7,2.5,"Kars``:
our numbers and quoted text, which stays a string literal since its quotes are doubled.)
They are streamed: rows are read from a generator while the response is sent.
XLSX files are write-only openpyxl workbooks; there a datetime is a real date cell in local time.
An XLSX cell is never split again, so only its start needs the rule.
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
# Inside a CSV text cell: where a program splitting on another delimiter starts a field that
# would run as a formula (a separator, then blanks or quotes, then = + - or @).
FORMULA_AFTER_SEPARATOR = re.compile(r"([,;\t\r\n][\s\"]*)(?=[=+\-@])")
SEPARATORS = re.compile(r"[,;\t\r\n]")


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


def _neutralise_after_separator(match):
    """The separator and blanks of ``match``, then an apostrophe unless a phone number follows."""
    text = match.string
    rest = text[match.end() :]
    piece = rest[: next_separator.start()] if (next_separator := SEPARATORS.search(rest)) else rest
    if PHONE.fullmatch(piece.strip()):
        return match.group(1)
    return match.group(1) + "'"


def csv_cell(value):
    """The value as a CSV cell may hold it safely, whatever delimiter the file is opened with:
    ``spreadsheet_cell``, and an apostrophe before a formula that follows a separator."""
    value = spreadsheet_cell(value)
    if isinstance(value, str):
        return FORMULA_AFTER_SEPARATOR.sub(_neutralise_after_separator, value)
    return value


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
    byte order mark, then one line per row, every cell through ``csv_cell``."""
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_NONNUMERIC)
    prefix = BOM
    for row in rows:
        yield prefix + writer.writerow([csv_cell(value) for value in row])
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
