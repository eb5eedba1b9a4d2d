"""The PDF of a report (WeasyPrint): a cover naming the report, its scope, campaign, date and
the project's partners, then the print page's sections, with page numbers; and a clear message
instead of a broken link where WeasyPrint's system libraries are missing."""

import datetime

import pytest
import time_machine
from django.core.cache import caches
from django.utils import formats, timezone, translation

from portal.models import ExportLog
from reports.services import pdf
from tests.reports.test_reports import (
    campaign_opened,
    make_borda_example,
    make_national,
    make_participation_data,
    make_regional,
)

pytestmark = pytest.mark.django_db
needs_weasyprint = pytest.mark.skipif(
    not pdf.pdf_available(), reason="WeasyPrint's system libraries (Pango) are not installed"
)


@pytest.fixture(autouse=True)
def _empty_cache(db):
    caches["reports"].clear()
    yield
    caches["reports"].clear()


@pytest.fixture
def report_data(db):
    campaign = campaign_opened()
    make_borda_example(campaign)
    make_participation_data(campaign)
    return campaign


@pytest.fixture
def laid_out(monkeypatch):
    """The documents WeasyPrint lays out during the test, in order."""
    documents = []
    render = pdf.report_document

    def keep(*args, **kwargs):
        documents.append(render(*args, **kwargs))
        return documents[-1]

    monkeypatch.setattr(pdf, "report_document", keep)
    return documents


def page_texts(document):
    """The text of each laid-out page, margin boxes (the page numbers) included."""
    texts = []
    for page in document.pages:
        words = [box.text for box in page._page_box.descendants() if getattr(box, "text", None)]
        texts.append(" ".join(" ".join(words).split()))
    return texts


@needs_weasyprint
def test_pdf_has_a_cover_page_numbers_and_the_partners(client, report_data, laid_out):
    client.force_login(make_regional())

    response = client.get("/en/reports/pdf/", {"scope": "subregion:14"})

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="report-k2025-subregion-14.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    [document] = laid_out
    pages = page_texts(document)
    assert len(pages) >= 4
    cover = pages[0]
    assert "Report: Sub-region 14 Erzurum-Kars" in cover
    assert "Campaign 2025 Beş Beklenti Anketi" in cover
    assert "Scope Sub-region 14 Erzurum-Kars" in cover
    assert "Date " in cover
    assert "T.C. İçişleri Bakanlığı Sivil Toplumla İlişkiler Genel Müdürlüğü" in cover
    assert "Türkiye Belediye Başkanları Birliği" in cover
    assert "Page 1 of" not in cover
    total = len(pages)
    for number, text in enumerate(pages[1:], 2):
        assert f"Page {number} of {total}" in text
    # The sections of the print page follow the cover.
    assert "The five top expectations" in pages[1]
    assert any("Responsiveness league" in text for text in pages)
    log = ExportLog.objects.get()
    assert (log.kind, log.filters["scope"], log.filters["format"]) == (
        "report:pdf",
        "subregion:14",
        "pdf",
    )


@needs_weasyprint
def test_turkish_pdf_numbers_pages_in_turkish(client, report_data, laid_out):
    client.force_login(make_national())
    response = client.get("/reports/pdf/", {"scope": "nation"})
    assert response.content.startswith(b"%PDF-")
    pages = page_texts(laid_out[0])
    assert f"Sayfa 2 / {len(pages)}" in pages[1]
    assert "Türkiye Belediye Başkanları Birliği" in pages[0]


@needs_weasyprint
def test_the_same_report_is_laid_out_once_and_another_language_again(client, report_data, laid_out):
    client.force_login(make_regional())
    start = timezone.now().replace(second=0, microsecond=0)

    # Minutes apart: the cover's "Date" differs, the report does not.
    with time_machine.travel(start, tick=False):
        first = client.get("/en/reports/pdf/", {"scope": "subregion:14"})
    with time_machine.travel(start + datetime.timedelta(minutes=7), tick=False):
        again = client.get("/en/reports/pdf/", {"scope": "subregion:14"})
        turkish = client.get("/reports/pdf/", {"scope": "subregion:14"})

    assert len(laid_out) == 2
    assert again.content == first.content
    # The cover of the file made first says when it was made.
    with translation.override("en"):
        made = formats.date_format(timezone.localtime(start), "DATETIME_FORMAT")
    assert f"Date {made}" in page_texts(laid_out[0])[0]
    assert again["Content-Disposition"] == first["Content-Disposition"]
    assert turkish.content.startswith(b"%PDF-") and turkish.content != first.content
    assert "Sayfa 2 /" in page_texts(laid_out[1])[1]
    # Every download is still logged, from the cache or not.
    assert ExportLog.objects.filter(kind="report:pdf").count() == 3


@needs_weasyprint
def test_report_page_links_to_the_pdf(client, report_data):
    client.force_login(make_regional())
    html = client.get("/en/reports/subregions/14/").content.decode()
    assert (
        'href="/en/reports/pdf/?campaign=k2025&amp;measure=participation&amp;scope=subregion'
        in html
    )
    assert 'id="pdf-unavailable"' not in html


def test_without_weasyprints_libraries_the_pages_say_so_instead_of_linking(
    client, report_data, monkeypatch
):
    monkeypatch.setattr(pdf, "_weasyprint", lambda: None)
    client.force_login(make_regional())

    html = client.get("/en/reports/subregions/14/").content.decode()
    assert 'id="pdf-unavailable"' in html
    assert "/en/reports/pdf/" not in html
    assert "Pango" in html
    assert "/en/reports/print/?" in html

    response = client.get("/en/reports/pdf/", {"scope": "subregion:14"})
    assert response.status_code == 503
    page = response.content.decode()
    assert "This server cannot make PDF files" in page
    assert 'href="/en/reports/print/?scope=subregion%3A14"' in page
    assert not ExportLog.objects.exists()


def test_pdf_is_for_the_coordinators_of_the_scope(client, report_data):
    from municipalities.models import SubRegion
    from tests.factories import CoordinatorAssignmentFactory, UserFactory

    client.force_login(
        CoordinatorAssignmentFactory(subregion=SubRegion.objects.get(code="01")).user
    )
    assert client.get("/en/reports/pdf/", {"scope": "subregion:14"}).status_code == 404
    client.force_login(UserFactory())
    assert client.get("/en/reports/pdf/", {"scope": "subregion:14"}).status_code == 403
    assert not ExportLog.objects.exists()


def test_weasyprint_missing_is_detected_when_importing_fails(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def failing(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    pdf._weasyprint.cache_clear()
    monkeypatch.setattr(builtins, "__import__", failing)
    monkeypatch.delitem(__import__("sys").modules, "weasyprint", raising=False)
    try:
        assert pdf.pdf_available() is False
    finally:
        monkeypatch.undo()
        pdf._weasyprint.cache_clear()
