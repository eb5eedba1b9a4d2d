"""The rows of a report table written in Python: a national report has hundreds of cells, and
the same markup through template loops was most of the page's time (docs/performance.md).
templates/reports/table.html calls it; its output is what that template wrote before."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


def _cell(cell, *, links):
    text = conditional_escape(cell["text"])
    if cell["header"]:
        if cell["href"] and links:
            text = format_html('<a href="{}">{}</a>', cell["href"], cell["text"])
        return f'<th scope="row">{text}</th>'
    if cell["items"] is not None:
        if not cell["items"]:
            return "<td>—</td>"
        items = "".join(f"<li>{conditional_escape(item)}</li>" for item in cell["items"])
        return f'<td><ul class="list-unstyled small mb-0">{items}</ul></td>'
    numeric = ' class="text-end"' if cell["numeric"] else ""
    return f"<td{numeric}>{text}</td>"


def _total_cell(cell):
    if cell["header"]:
        return f'<th scope="row">{conditional_escape(cell["text"])}</th>'
    numeric = ' class="text-end"' if cell["numeric"] else ""
    text = "" if cell["items"] is not None else conditional_escape(cell["text"])
    return f"<td{numeric}>{text}</td>"


@register.simple_tag(takes_context=True)
def report_table_rows(context, table):
    """The table's <tbody> (its rows on the page, or its empty text) and <tfoot> (totals); no
    links in the print and PDF versions (``print_mode``)."""
    links = not context.get("print_mode")
    rows = [
        "<tr>" + "".join(_cell(cell, links=links) for cell in row) + "</tr>"
        for row in table.display_rows()
    ]
    if not rows:
        rows = [
            format_html('<tr><td colspan="{}">{}</td></tr>', len(table.columns), table.empty_text)
        ]
    html = "<tbody>" + "".join(rows) + "</tbody>"
    totals = table.display_totals()
    if totals:
        cells = "".join(_total_cell(cell) for cell in totals)
        html += f'<tfoot><tr class="fw-semibold">{cells}</tr></tfoot>'
    return mark_safe(html)  # noqa: S308 - every text above is escaped


@register.simple_tag(takes_context=True)
def report_row_cells(context, cells):
    """One row's cells as ``report_table_rows`` writes them (for tables with extra columns)."""
    links = not context.get("print_mode")
    return mark_safe("".join(_cell(cell, links=links) for cell in cells))  # noqa: S308 - escaped
