"""Demo documents of an NGO (issue 18): the association's certificate of ``ngo@demo.test``'s
NGO, Erzurum Dadaşlar Dayanışma Derneği, as a small PDF that its administrator uploaded. Its
administrators and the coordinators of its area read it; nobody else.

The PDF is written like the demo conversation's (demo/services/case_conversations.py), so no
binary file is kept in the repository. Idempotent: nothing is added when the NGO already has the
certificate.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from demo.services.case_conversations import html_pdf
from ngos.models import NGO
from ngos.services.documents import ngo_documents_add
from portal.attachments import attachment_check
from portal.models import User

DADASLAR = "Erzurum Dadaşlar Dayanışma Derneği"
CERTIFICATE = "dernek-kurulus-belgesi.pdf"

CERTIFICATE_HTML = """<!doctype html><html lang="tr"><head><meta charset="utf-8">
<style>body{font-family:sans-serif;font-size:11pt}h1{font-size:15pt}</style></head><body>
<h1>Dernek kuruluş belgesi</h1>
<p>T.C. İçişleri Bakanlığı, Sivil Toplumla İlişkiler Genel Müdürlüğü — Erzurum İl Müdürlüğü</p>
<p><strong>Erzurum Dadaşlar Dayanışma Derneği</strong></p>
<p>Kütüğe kayıt tarihi: 14 Mart 2011 · Merkezi: Yakutiye, Erzurum</p>
<p>Amacı: afetlere hazırlık, dayanışma ve hemşehrilik bağlarının güçlendirilmesi.</p>
<p><em>Örnek belge: tanıtım verisi olarak hazırlanmıştır.</em></p>
</body></html>"""


def certificate_pdf() -> bytes:
    """The association's certificate as a PDF."""
    return html_pdf(
        CERTIFICATE_HTML,
        [
            "Dernek kurulus belgesi",
            "Erzurum Dadaslar Dayanisma Dernegi",
            "Kutuge kayit tarihi: 14 Mart 2011 - Yakutiye, Erzurum",
            "Ornek belge: tanitim verisi olarak hazirlanmistir.",
        ],
    )


def seed_ngo_documents(*, log=print):
    """The certificate of the demo NGO of ngo@demo.test, uploaded by its administrator."""
    ngo = NGO.objects.filter(name=DADASLAR).first()
    if ngo is None or ngo.documents.filter(name=CERTIFICATE).exists():
        return
    log(f"  documents of {ngo.name}")
    checked = attachment_check(SimpleUploadedFile(CERTIFICATE, certificate_pdf()))
    ngo_documents_add(ngo_id=ngo.pk, user=User.objects.get(email="ngo@demo.test"), files=[checked])
