"""Spreadsheet exports (CSV and XLSX): one rule for every cell, one way to stream a CSV file.

The rule, applied to every cell of every export (``spreadsheet_cell``):

- nothing (None) is an empty cell; True and False are written as text;
- numbers (int, float, Decimal) stay numbers: XLSX stores them as numbers, CSV writes them plainly;
- a datetime is written in local time (settings.TIME_ZONE) as "YYYY-MM-DD HH:MM" (a naive one is
  taken as local already); a date as YYYY-MM-DD;
- text that is a phone number ("+90 442 123 45 67") is kept as it is; any other text that starts,
  after leading spaces, with = + - or @, or starts with a tab or a carriage return, gets a leading
  apostrophe, so that spreadsheet programs show it as text and never run it as a formula.

Every export starts the same way (``header_rows``): a line with its title, a line per detail
("Campaign", its title; "Exported at", the time; …), an empty line, then the column headings and
the rows. CSV files are written for the spreadsheet of the reader's language (``CsvFormat``): in
Turkish ";" between cells and a decimal comma, as a Turkish Excel opens them with a double click;
in English "," and a decimal point. They are UTF-8 with a byte order mark (so Excel reads Turkish
letters), write numbers plainly and quote every text cell.

Quoting is not enough on its own: a program that splits on another character than the file's (a
Turkish Excel opening an English file splits on ";", some on tabs) reads the first field of a
line up to its first ";" and from there on takes our quotes as ordinary characters, so
``"x","Alice;=1+1;y"``
gives it a cell ``=1+1``. So in a CSV text cell (``csv_cell``) a formula character that follows a
separator (, ; tab or a line break), after spaces and double quotes, gets an apostrophe as well:
``Alice;'=1+1;y``, whatever delimiter the file is opened with. A phone number there is kept, as
at the start of a cell. The price is an apostrophe inside some ordinary text (a list written
"a, -b", a description whose lines start with "- "); a file that could run formulas costs more.
(A line that starts with a number, read that way, begins with a field such as ``-7,2.5,"Kars``:
our numbers and quoted text, which stays a string literal since its quotes are doubled.)
They are streamed: rows are read from a generator while the response is sent.
XLSX files are write-only openpyxl workbooks; there a datetime is a real date cell in local time.
An XLSX cell is never split again, so only its start needs the rule. Their header row is bold,
frozen and carries an auto-filter; columns are as wide as their contents; each column may have a
number format (whole numbers, decimals, percentages, dates); sheet names are whole words within
Excel's 31 characters.
"""

import csv
import datetime
import decimal
import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation

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


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV file separates cells and writes decimals, for the reader's spreadsheet."""

    delimiter: str
    decimal: str


CSV_FORMATS = {"tr": CsvFormat(";", ","), "en": CsvFormat(",", ".")}


def csv_format(language=None) -> CsvFormat:
    """The CSV format of ``language`` (the active one by default): Turkish ";" and decimal
    comma, English "," and decimal point."""
    language = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return CSV_FORMATS.get(language, CSV_FORMATS["en"])


class _CsvNumber(str):
    """A number already written out (with a decimal comma): csv.writer leaves cells that are
    numbers unquoted, and takes an object with ``__float__`` for one."""

    def __float__(self):
        return float(self.replace(",", "."))


def _csv_value(value, separator):
    value = csv_cell(value)
    if separator != "." and isinstance(value, float | decimal.Decimal):
        return _CsvNumber(str(value).replace(".", separator))
    return value


def csv_lines(rows, *, language=None):
    """The lines of a CSV file of ``rows`` (an iterable of lists, read as the lines are): the
    byte order mark, then one line per row, every cell through ``csv_cell``, in the format of
    ``language`` (the active one, read now: the lines are produced while the response streams,
    after the view has returned)."""
    chosen = csv_format(language)
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_NONNUMERIC, delimiter=chosen.delimiter)

    def lines():
        prefix = BOM
        for row in rows:
            yield prefix + writer.writerow([_csv_value(value, chosen.decimal) for value in row])
            prefix = ""
        if prefix:
            yield prefix

    return lines()


def header_rows(title, details=()):
    """The rows every export starts with: its title, a (label, value) row per detail, an empty
    row. Texts are rendered now, in the active language."""
    return [[str(title)], *([str(label), value] for label, value in details), []]


def attachment(response, filename):
    """The response, downloaded as ``filename``."""
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename, *, title, details=(), columns, rows, language=None):
    """A streamed CSV file: ``header_rows``, the ``columns`` headings, then ``rows`` (an
    iterable, read while the file is sent; see ``csv_lines``)."""
    head = [*header_rows(title, details), [str(column) for column in columns]]

    def all_rows():
        yield from head
        yield from rows

    lines = csv_lines(all_rows(), language=language)
    return attachment(StreamingHttpResponse(lines, content_type=CSV_TYPE), filename)


# Number formats of XLSX columns, by kind of value; other kinds are left as they are.
XLSX_FORMATS = {
    "int": "#,##0",
    "decimal": "#,##0.0",
    "percent": "0.0%",
    "datetime": "yyyy-mm-dd hh:mm",
    "date": "yyyy-mm-dd",
}
MIN_WIDTH, MAX_WIDTH = 8, 60
SHEET_NAME_LENGTH = 31


def sheet_name(text) -> str:
    """A sheet name Excel accepts: none of []:*?/ or a backslash, at most 31 characters, cut
    after a whole word (names should be chosen short enough; this only guards)."""
    name = " ".join("".join(ch for ch in str(text) if ch not in "[]:*?/\\").split())
    if len(name) > SHEET_NAME_LENGTH:
        cut = name[: SHEET_NAME_LENGTH + 1]
        name = cut.rsplit(" ", 1)[0] if " " in cut else cut[:SHEET_NAME_LENGTH]
    return name or "Sheet"


def _width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return 16
    text = str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def xlsx_content(*, sheet_title, title, details=(), columns, rows, kinds=None) -> bytes:
    """An XLSX workbook of one sheet: ``header_rows`` (the title in large bold type), the
    column headings (bold, frozen, with an auto-filter over the rows), then ``rows``; every
    cell through ``xlsx_cell``. ``kinds`` gives each column's kind of value (see XLSX_FORMATS;
    "percent" cells hold fractions, 0.25 for 25 %)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    head = header_rows(title, details)
    columns = [str(column) for column in columns]
    rows = [[xlsx_cell(value) for value in row] for row in rows]
    kinds = list(kinds or [])
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name(sheet_title))
    # Widths from the headings and the rows (the title and details may run over).
    for index, heading in enumerate(columns):
        width = max([_width(heading), *(_width(row[index]) for row in rows if index < len(row))])
        letter = get_column_letter(index + 1)
        sheet.column_dimensions[letter].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))
    header_row = len(head) + 1
    last_row = header_row + len(rows)
    if columns:
        sheet.freeze_panes = f"A{header_row + 1}"
        sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{last_row}"
    big, bold = Font(bold=True, size=13), Font(bold=True)
    for index, row in enumerate(head):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=xlsx_cell(value))
            if index == 0:
                cell.font = big
            cells.append(cell)
        sheet.append(cells)
    headings = []
    for heading in columns:
        cell = WriteOnlyCell(sheet, value=xlsx_cell(heading))
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        headings.append(cell)
    sheet.append(headings)
    formats = [XLSX_FORMATS.get(kind) for kind in kinds]
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            number_format = formats[index] if index < len(formats) else None
            if number_format and value is not None and not isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename, **content):
    """An XLSX file (see ``xlsx_content`` for the arguments)."""
    return attachment(HttpResponse(xlsx_content(**content), content_type=XLSX_TYPE), filename)
