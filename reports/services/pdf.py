"""The PDF of a report: the print page's sections behind a cover, rendered by WeasyPrint.

WeasyPrint needs system libraries (Pango, HarfBuzz; see the README and .ci/run). Where they are
missing it cannot even be imported; ``pdf_available`` then says so, and the pages offer the
print page with a clear message instead of a link that would fail.
"""

import functools
import hashlib
import logging

from django.contrib.staticfiles import finders
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils.translation import gettext

from reports.services.figures_cache import KEEP_SECONDS

logger = logging.getLogger(__name__)

TEMPLATE = "reports/report_pdf.html"
STYLESHEET = "css/report_pdf.css"


@functools.cache
def _weasyprint():
    """The weasyprint module, or None when it or its system libraries are missing."""
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: Pango or HarfBuzz not installed
        logger.warning("PDF reports are unavailable: %s", error)
        return None
    return weasyprint


def pdf_available() -> bool:
    """Whether this server can make PDF files (WeasyPrint and its libraries are installed)."""
    return _weasyprint() is not None


def _page_css():
    """The stylesheet, with page numbers in the current language in each page's footer."""
    with open(finders.find(STYLESHEET), encoding="utf-8") as handle:
        css = handle.read()
    # "Page 3 of 12": the words around the two counters, quoted for CSS.
    words = gettext("Page %(page)s of %(pages)s") % {"page": "\0", "pages": "\1"}
    before, rest = words.split("\0")
    middle, after = rest.split("\1")

    def quoted(text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    content = f"{quoted(before)} counter(page) {quoted(middle)} counter(pages) {quoted(after)}"
    numbers = "@page { @bottom-right { content: CONTENT; font-size: 8pt; color: #4d4d4d; } }\n"
    return (
        css
        + numbers.replace("CONTENT", content)
        + ("@page :first { @bottom-right { content: none; } }\n")
    )


def report_html(context, request=None) -> str:
    """The HTML the PDF is made from (the cover and the print page's sections)."""
    return render_to_string(TEMPLATE, context, request=request)


def report_document(context, request=None):
    """The report laid out in pages (a WeasyPrint document). Needs ``pdf_available()``."""
    weasyprint = _weasyprint()
    html = weasyprint.HTML(string=report_html(context, request))
    return html.render(stylesheets=[weasyprint.CSS(string=_page_css())])


def report_pdf(context, request=None) -> bytes:
    """The report as PDF bytes. Needs ``pdf_available()``.

    Laying out a national report takes seconds; its HTML a few milliseconds. The file is kept in
    the reports' cache under a digest of the HTML and the stylesheet it is made from: whoever
    asks for the same report with the same figures, in the same language, gets the same file
    without waiting, and a report whose figures or words changed is laid out again.

    The moment the file is made (the cover's "Date") is left out of the digest, or no file would
    outlive the minute it was made in: a report asked for again later is the file already made,
    whose cover says when that was; its "Figures as of", which is in the digest, says how fresh
    its figures are."""
    css = _page_css()
    keyed = report_html({**context, "generated_at": None}, request)
    digest = hashlib.sha256(f"{keyed}\0{css}".encode()).hexdigest()
    key = f"report-pdf:{digest}"
    content = caches["reports"].get(key)
    if content is None:
        content = report_document(context, request).write_pdf()
        caches["reports"].set(key, content, KEEP_SECONDS)
    return content


def html_document(html: str, *, stylesheet: str, base_url=None):
    """Any HTML laid out in pages with a static stylesheet (e.g. events' attendance
    certificates), with the same engine and fonts as the reports. Needs ``pdf_available()``."""
    weasyprint = _weasyprint()
    with open(finders.find(stylesheet), encoding="utf-8") as handle:
        css = weasyprint.CSS(string=handle.read())
    return weasyprint.HTML(string=html, base_url=base_url).render(stylesheets=[css])
