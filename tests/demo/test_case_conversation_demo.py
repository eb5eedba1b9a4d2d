"""The demo's conversation on a case (issue 18)."""

import io

from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from PIL import Image

from portal.models import Attachment
from surveys.models import CaseMessage


def test_the_erzurum_case_of_the_demo_ngo_has_a_photo_and_a_pdf_reply(demo, client):
    messages = list(
        CaseMessage.objects.filter(
            expectation__submission__ngo__memberships__user__email="ngo@demo.test",
            expectation__municipality__name="Erzurum Büyükşehir Belediyesi",
        ).order_by("created_at", "pk")
    )
    assert [m.side for m in messages] == ["ngo", "municipality", "ngo"]
    assert messages[1].author.email == "municipality@demo.test"
    # By the owner's type too: an NGO's document may have a message's id as its object_id.
    # (Not ``case_message__in``: through a generic relation Django prepares the ids with the
    # attachment's UUID primary key, which PostgreSQL refuses to compare with a bigint.)
    files = {
        a.object_id: a
        for a in Attachment.objects.filter(
            content_type=ContentType.objects.get_for_model(CaseMessage),
            object_id__in=[m.pk for m in messages],
        )
    }
    photo, plan = files[messages[0].pk], files[messages[1].pk]
    assert photo.media_type == "image/png" and plan.media_type == "application/pdf"
    with Image.open(io.BytesIO(default_storage.open(photo.file.name).read())) as image:
        assert image.format == "PNG" and not image.getexif()
    assert default_storage.open(plan.file.name).read().startswith(b"%PDF-")
    # The NGO's administrator sees both on the case page and downloads the PDF.
    from portal.models import User

    client.force_login(User.objects.get(email="ngo@demo.test"))
    case = messages[0].expectation
    html = client.get(f"/en/surveys/my-expectations/{case.pk}/").content.decode()
    assert "toplanma-alani-tabelasi.png" in html and "uygulama-plani.pdf" in html
    response = client.get(plan.get_absolute_url())
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
