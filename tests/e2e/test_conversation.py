"""A real-browser journey of the conversation on a case (issue 18): the NGO writes with a photo
(with a GPS position), the conversation updates in place; the municipality reads it and
downloads the photo, which comes without its metadata. Every page is checked with axe."""

import io

import pytest
from PIL import Image

from portal.models import Attachment
from surveys.models import CaseMessage, Expectation
from tests.attachment_files import GPS_IFD, png
from tests.e2e.conftest import BROWSER_MARKS

pytestmark = BROWSER_MARKS


@pytest.fixture
def demo_data(transactional_db, demo):
    """The demo accounts and data (the live server needs a transactional database)."""


def _demo_case():
    """The Erzurum case of ngo@demo.test that has the demo conversation."""
    return Expectation.objects.get(
        pk=CaseMessage.objects.filter(
            expectation__submission__ngo__memberships__user__email="ngo@demo.test"
        )
        .values_list("expectation", flat=True)
        .first()
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_ngo_writes_with_a_photo_and_the_municipality_downloads_it(journey, demo_data, javascript):
    case = _demo_case()
    trip = journey(f"conversation-{'htmx' if javascript else 'nojs'}")

    ngo = trip.new_page(javascript=javascript)
    trip.log_in(ngo, "ngo@demo.test")
    trip.visit(ngo, f"/en/surveys/my-expectations/{case.pk}/", "ngo case with conversation")
    assert ngo.get_by_text("uygulama-plani.pdf").is_visible()
    ngo.fill("#id_message_text", "The new sign is up, photo attached.")
    ngo.set_input_files(
        "#id_message_files",
        files=[{"name": "yeni tabela.png", "mimeType": "image/png", "buffer": png(gps=True)}],
    )
    ngo.get_by_role("button", name="Send the message").click()
    ngo.get_by_text("Your message was sent.").first.wait_for()
    trip.check(ngo, "message sent")
    assert ngo.get_by_text("The new sign is up, photo attached.").is_visible()
    message = CaseMessage.objects.get(text="The new sign is up, photo attached.")
    attachment = Attachment.objects.get(object_id=message.pk)
    assert attachment.name == "yeni tabela.png"

    town_hall = trip.new_page(javascript=javascript)
    trip.log_in(town_hall, "municipality@demo.test")
    trip.visit(town_hall, f"/en/surveys/cases/{case.pk}/", "municipality reads the conversation")
    assert town_hall.get_by_text("The new sign is up, photo attached.").is_visible()
    with town_hall.expect_download() as download:
        town_hall.get_by_role("link", name="yeni tabela.png").click()
    assert download.value.suggested_filename == "yeni tabela.png"
    with Image.open(io.BytesIO(download.value.path().read_bytes())) as image:
        assert image.format == "PNG"
        assert not image.getexif().get_ifd(GPS_IFD)
