"""CSV and XLSX files of the report tables, and the record of each export.

Both formats start with a header block (the table's title, the campaign, the scope, the filters
and the date), then the column headings, then the rows. Cells follow portal/exports.py: the CSV
is streamed, in UTF-8 with a byte order mark; the XLSX is a write-only openpyxl workbook.
"""

from django.db import transaction

from portal import exports
from portal.audit import audit_export
from portal.models import ExportLog


def csv_response(filename, header_lines, columns, rows_iterable):
    """A streamed CSV file: "# " header lines, the column headings, then the rows."""
    # Rendered now: the lines are written while the response streams, after the view returned.
    header_lines = [str(line) for line in header_lines]
    columns = [str(column) for column in columns]

    def rows():
        for line in header_lines:
            yield [f"# {line}"]
        yield columns
        yield from rows_iterable

    return exports.csv_response(filename, rows())


def xlsx_response(filename, header_lines, columns, rows, *, sheet_title="Report"):
    """An XLSX file: the header lines one per row (the first in large bold type), an empty row,
    the column headings in bold, then the rows (numbers stay numbers)."""
    header_lines = list(header_lines)
    lines = [[line] for line in header_lines] + [[], list(columns), *rows]
    fonts = {0: {"bold": True, "size": 13}, len(header_lines) + 1: {"bold": True}}
    return exports.xlsx_response(filename, lines, sheet_title=sheet_title, fonts=fonts)


@transaction.atomic
def report_export_log(*, user, table, filters, row_count) -> ExportLog:
    """Record an export of a report table. Side effects: inserts an ExportLog and an AuditEntry."""
    return audit_export(user=user, kind=f"report:{table}", filters=filters, row_count=row_count)
