"""Demo conversation on a case (issue 18): the Erzurum case of ``ngo@demo.test``'s NGO at
Erzurum Büyükşehir Belediyesi, where the NGO sends a photo of the site and the municipality
replies with its plan as a PDF.

The photo is drawn with Pillow and the PDF written by WeasyPrint (or, where WeasyPrint's system
libraries are missing, a minimal hand-written PDF), so no binary file is kept in the repository.
Idempotent: nothing is added when the case already has messages.
"""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from municipalities.models import Municipality
from portal.attachments import attachment_check
from portal.models import User
from surveys.models import CaseMessage, Expectation
from surveys.services.conversation import case_message_post

ERZURUM = 25

PLAN_HTML = """<!doctype html><html lang="tr"><head><meta charset="utf-8">
<style>body{font-family:sans-serif;font-size:11pt}h1{font-size:15pt}</style></head><body>
<h1>Toplanma alanı tabelaları — uygulama planı</h1>
<p>Erzurum Büyükşehir Belediyesi, Fen İşleri Dairesi Başkanlığı</p>
<ol>
<li>Yakutiye'deki 12 toplanma alanında mevcut tabelaların incelenmesi (1. hafta)</li>
<li>Yıpranmış 7 tabelanın yenilenmesi, aydınlatmanın eklenmesi (2.–4. hafta)</li>
<li>Derneğin gönüllüleriyle mahalle tanıtım yürüyüşü (5. hafta)</li>
</ol>
</body></html>"""


def site_photo() -> bytes:
    """A small drawing of an assembly-area sign (PNG)."""
    image = Image.new("RGB", (480, 320), (170, 210, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 220, 480, 320), fill=(120, 160, 90))
    draw.rectangle((230, 110, 242, 260), fill=(90, 90, 90))
    draw.rectangle((170, 60, 310, 130), fill=(20, 120, 60), outline=(255, 255, 255), width=4)
    draw.text((190, 85), "TOPLANMA ALANI", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _minimal_pdf(lines) -> bytes:
    """A valid one-page PDF with a few lines of ASCII text (when WeasyPrint cannot run)."""
    text = "BT /F1 12 Tf 50 760 Td 16 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
        for line in lines
    )
    stream = text + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out


def html_pdf(html: str, fallback_lines) -> bytes:
    """The page as a PDF written by WeasyPrint, or, where its system libraries are missing, a
    minimal PDF of ``fallback_lines`` (ASCII)."""
    try:
        from weasyprint import HTML

        return HTML(string=html).write_pdf()
    except (ImportError, OSError):
        return _minimal_pdf(fallback_lines)


def plan_pdf() -> bytes:
    """The municipality's plan as a PDF."""
    return html_pdf(
        PLAN_HTML,
        [
            "Toplanma alani tabelalari - uygulama plani",
            "Erzurum Buyuksehir Belediyesi",
            "1. Mevcut tabelalarin incelenmesi (1. hafta)",
            "2. Yipranmis tabelalarin yenilenmesi (2.-4. hafta)",
            "3. Mahalle tanitim yuruyusu (5. hafta)",
        ],
    )


def _file(name, content):
    return attachment_check(SimpleUploadedFile(name, content))


def seed_case_conversation(*, log=print):
    """A conversation with a photo and a PDF on the Erzurum case of ngo@demo.test."""
    ngo_admin = User.objects.get(email="ngo@demo.test")
    staff = User.objects.get(email="municipality@demo.test")
    erzurum_bb = Municipality.objects.get(province=ERZURUM, kind=Municipality.Kind.METROPOLITAN)
    own = list(
        Expectation.objects.cases()
        .filter(municipality=erzurum_bb, submission__ngo__memberships__user=ngo_admin)
        .exclude(status__in=[Expectation.Status.COMPLETED, Expectation.Status.DECLINED])
        .exclude(history__kind="dispute")
        .order_by("rank")
    )
    if not own:
        return
    case = own[0]
    if CaseMessage.objects.filter(expectation=case).exists():
        return
    log(f"  conversation on “{case.title}”")
    case_message_post(
        expectation_id=case.pk,
        user=ngo_admin,
        side=CaseMessage.Side.NGO,
        text=(
            "Merhaba, Yakutiye'deki toplanma alanının tabelası soldu ve gece görünmüyor. "
            "Fotoğrafını ekledik; gönüllülerimiz yenilenmesinde yardımcı olabilir."
        ),
        files=[_file("toplanma-alani-tabelasi.png", site_photo())],
    )
    case_message_post(
        expectation_id=case.pk,
        user=staff,
        side=CaseMessage.Side.MUNICIPALITY,
        text=(
            "Teşekkür ederiz. Fen İşleri'nin uygulama planını ekte gönderiyoruz; tanıtım "
            "yürüyüşünü derneğinizle birlikte planlamak isteriz."
        ),
        files=[_file("uygulama-plani.pdf", plan_pdf())],
    )
    case_message_post(
        expectation_id=case.pk,
        user=ngo_admin,
        side=CaseMessage.Side.NGO,
        text="Plan için teşekkürler; 5. hafta için 15 gönüllü ayırdık.",
    )
