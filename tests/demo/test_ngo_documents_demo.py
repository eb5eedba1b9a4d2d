"""The demo NGO's documents (issue 18): the certificate of ngo@demo.test's association."""

from django.core.files.storage import default_storage

from demo.services.ngo_documents import seed_ngo_documents
from ngos.models import NGO
from portal.models import User


def _certificate():
    ngo = NGO.objects.get(name="Erzurum Dadaşlar Dayanışma Derneği")
    return ngo, ngo.documents.get(name="dernek-kurulus-belgesi.pdf")


def test_the_demo_ngo_has_its_certificate_as_a_pdf_uploaded_by_its_administrator(demo):
    ngo, certificate = _certificate()
    assert certificate.media_type == "application/pdf"
    assert certificate.uploaded_by.email == "ngo@demo.test"
    assert default_storage.open(certificate.file.name).read().startswith(b"%PDF-")

    seed_ngo_documents(log=lambda *a: None)  # seeding again adds nothing
    assert ngo.documents.count() == 1


def test_a_coordinator_reads_the_certificate_and_another_ngos_member_gets_a_404(demo, client):
    ngo, certificate = _certificate()

    client.force_login(User.objects.get(email="regional@demo.test"))
    page = client.get(f"/en/ngos/{ngo.slug}/documents/").content.decode()
    assert "dernek-kurulus-belgesi.pdf" in page
    response = client.get(certificate.get_absolute_url())
    assert b"".join(response.streaming_content).startswith(b"%PDF-")

    # The administrator of another NGO (Palandöken Arama Kurtarma Derneği).
    client.force_login(User.objects.get(email="akut@demo.test"))
    assert client.get(certificate.get_absolute_url()).status_code == 404
    assert client.get(f"/en/ngos/{ngo.slug}/documents/").status_code == 404
