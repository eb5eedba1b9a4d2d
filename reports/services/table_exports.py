"""CSV and XLSX files of the report tables, and the record of each export.

Both formats start with the header every export has (portal/exports.py: the table's title, then
the campaign, the scope, the filters and the date, one per line), then the column headings, then
the rows. The CSV is streamed in the format of the reader's language; the XLSX has a frozen,
filtered header row, column widths and number formats (shares as percentages).
"""

from django.db import transaction

from portal import exports
from portal.audit import audit_export
from portal.models import ExportLog

# The XLSX number format of each kind of report column (reports.services.tables.Column).
XLSX_KINDS = {
    "int": "int",
    "delta": "int",
    "days": "decimal",
    "share": "percent",
    "points": "percent",
}


def csv_response(filename, *, title, details, table):
    """A streamed CSV file of a report table (shares in percent, headed "… (%)")."""
    return exports.csv_response(
        filename,
        title=title,
        details=details,
        columns=[column.export_label for column in table.columns],
        rows=list(table.export_rows()),
    )


def xlsx_response(filename, *, title, details, table):
    """An XLSX file of a report table: shares as fractions shown in percent format."""
    return exports.xlsx_response(
        filename,
        sheet_title=table.sheet,
        title=title,
        details=details,
        columns=[str(column.label) for column in table.columns],
        rows=list(table.export_rows(fractions=True)),
        kinds=[XLSX_KINDS.get(column.kind) for column in table.columns],
    )


@transaction.atomic
def report_export_log(*, user, table, filters, row_count) -> ExportLog:
    """Record an export of a report table. Side effects: inserts an ExportLog and an AuditEntry."""
    return audit_export(user=user, kind=f"report:{table}", filters=filters, row_count=row_count)
