"""An NGO's documents (issue 18): its administrators upload and remove them; they and the
coordinators of its area read and download them; nobody else, and never publicly."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation

from municipalities.models import Province, SubRegion
from ngos.models import Membership
from portal.models import Attachment
from tests.attachment_files import EXECUTABLE, PDF, png, upload
from tests.factories import CoordinatorAssignmentFactory, MembershipFactory, NGOFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ngo():
    return NGOFactory(name="Palandöken Dayanışma Derneği", province=Province.objects.get(plate=25))


@pytest.fixture
def admin(ngo):
    user = UserFactory(preferred_language="en")
    MembershipFactory(user=user, ngo=ngo, role=Membership.Role.ADMIN)
    return user


def en(name, **kwargs):
    with translation.override("tr"):
        return "/en" + reverse(name, kwargs=kwargs)


def documents_url(ngo):
    return en("ngos:documents", slug=ngo.slug)


def test_an_administrator_uploads_the_certificate_and_a_coordinator_downloads_it(
    client, ngo, admin
):
    client.force_login(admin)
    response = client.post(documents_url(ngo), {"files": [upload("Faaliyet Belgesi.pdf", PDF)]})
    assert response.status_code == 302
    document = Attachment.objects.get()
    assert (document.owner, document.name, document.uploaded_by) == (
        ngo,
        "Faaliyet Belgesi.pdf",
        admin,
    )
    coordinator = UserFactory()
    CoordinatorAssignmentFactory(user=coordinator, subregion=SubRegion.objects.get(code="14"))
    client.force_login(coordinator)
    page = client.get(documents_url(ngo)).content.decode()
    assert "Faaliyet Belgesi.pdf" in page and "Add documents" not in page
    assert b"".join(client.get(document.get_absolute_url()).streaming_content) == PDF


@pytest.mark.parametrize("who", ["member", "other_coordinator", "stranger"])
def test_members_other_coordinators_and_strangers_get_a_404(client, ngo, admin, who):
    client.force_login(admin)
    client.post(documents_url(ngo), {"files": [upload("belge.pdf", PDF)]})
    document = Attachment.objects.get()
    user = UserFactory()
    if who == "member":
        MembershipFactory(user=user, ngo=ngo, role=Membership.Role.MEMBER)
    elif who == "other_coordinator":
        CoordinatorAssignmentFactory(user=user, subregion=SubRegion.objects.get(code="01"))
    client.force_login(user)
    assert client.get(documents_url(ngo)).status_code == 404
    assert client.get(document.get_absolute_url()).status_code == 404
    # The public profile page does not link them either.
    assert "/documents/" not in client.get(ngo.get_absolute_url()).content.decode()


def test_a_renamed_executable_is_refused_and_nothing_is_stored(client, ngo, admin):
    client.force_login(admin)
    response = client.post(documents_url(ngo), {"files": [upload("tuzuk.pdf", EXECUTABLE)]})
    assert "is not a file of an accepted type" in response.content.decode()
    assert not Attachment.objects.exists()


def test_removing_a_document_deletes_its_file(
    client, ngo, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    client.post(documents_url(ngo), {"files": [upload("logo.png", png())]})
    document = Attachment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(en("ngos:document_remove", slug=ngo.slug, pk=document.pk))
    assert not Attachment.objects.exists()
    assert not default_storage.exists(document.file.name)


def test_deleting_the_ngo_deletes_its_documents_and_files(
    client, ngo, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    client.post(documents_url(ngo), {"files": [upload("belge.pdf", PDF)]})
    document = Attachment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        Membership.objects.filter(ngo=ngo).delete()
        ngo.delete()
    assert not Attachment.objects.exists()
    assert not default_storage.exists(document.file.name)
