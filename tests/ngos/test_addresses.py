"""A renamed NGO gets the web address of its new name, and its old addresses redirect (301) to
the new one (issue 17): when a pending NGO's administrator renames it, and when a coordinator
approves the new name of a verified NGO (not before)."""

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import translation

from municipalities.models import District
from ngos.models import NGO, Membership, NGOSlugHistory
from ngos.services.addresses import ngo_address_follow_name
from tests.factories import MembershipFactory, NGOFactory, UserFactory
from tests.helpers import en, messages_of
from tests.ngos.test_identity_change import admin_form_data, decide, profile_data, propose, regional  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def url(name, slug, *args):
    with translation.override("en"):
        return reverse(name, args=[slug, *args])


@pytest.fixture
def pending():
    """A pending association of Yakutiye with its administrator."""
    ngo = NGOFactory(
        name="Oltu Gençlik Derneği",
        registry_number="25-002-002",
        province_id=25,
        district=District.objects.get(province=25, name="Yakutiye"),
        status=NGO.Status.PENDING,
    )
    MembershipFactory(ngo=ngo, role=Membership.Role.ADMIN)
    return ngo


def admin_of(ngo):
    return Membership.objects.get(ngo=ngo, role=Membership.Role.ADMIN).user


def test_renaming_a_pending_ngo_gives_it_a_new_address(client, pending):
    client.force_login(admin_of(pending))

    response = client.post(
        url("ngos:edit", pending.slug), profile_data(pending, name="Oltu Gençlik ve Spor Derneği")
    )

    pending.refresh_from_db()
    assert pending.slug == "oltu-genclik-ve-spor-dernegi"
    assert response["Location"] == url("ngos:detail", "oltu-genclik-ve-spor-dernegi")
    assert list(pending.old_slugs.values_list("slug", flat=True)) == ["oltu-genclik-dernegi"]
    assert "has been saved" in messages_of(response)[0]


def test_the_old_address_redirects_permanently_to_every_page(client, pending):
    admin = admin_of(pending)
    client.force_login(admin)
    client.post(
        url("ngos:edit", pending.slug), profile_data(pending, name="Oltu Gençlik ve Spor Derneği")
    )
    new = "oltu-genclik-ve-spor-dernegi"

    for name in ("ngos:detail", "ngos:edit", "ngos:capabilities", "members:members"):
        response = client.get(url(name, "oltu-genclik-dernegi"))
        assert response.status_code == 301, name
        assert response["Location"] == url(name, new), name
        assert client.get(response["Location"]).status_code == 200, name
    with_query = client.get(url("ngos:detail", "oltu-genclik-dernegi") + "?tab=capabilities")
    assert with_query["Location"] == url("ngos:detail", new) + "?tab=capabilities"


def test_a_post_to_the_old_address_is_not_redirected(client, pending):
    client.force_login(admin_of(pending))
    client.post(
        url("ngos:edit", pending.slug), profile_data(pending, name="Oltu Gençlik ve Spor Derneği")
    )

    response = client.post(url("ngos:edit", "oltu-genclik-dernegi"), profile_data(pending))

    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.name == "Oltu Gençlik ve Spor Derneği"


def test_an_unverified_ngos_old_address_tells_outsiders_nothing(client, pending):
    client.force_login(admin_of(pending))
    client.post(
        url("ngos:edit", pending.slug), profile_data(pending, name="Oltu Gençlik ve Spor Derneği")
    )
    client.logout()

    assert client.get(url("ngos:detail", "oltu-genclik-dernegi")).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url("ngos:detail", "oltu-genclik-dernegi")).status_code == 404


def test_a_verified_ngos_new_name_changes_the_address_only_when_approved(
    client,
    regional,  # noqa: F811 (the fixture imported above)
):
    ngo = NGOFactory(
        name="Dadaşlar Dayanışma Derneği", registry_number="25-001-001", province_id=25
    )
    MembershipFactory(ngo=ngo, role=Membership.Role.ADMIN)
    old = ngo.slug
    change = propose(ngo, by=admin_of(ngo), name="Dadaşlar Yardımlaşma Derneği")

    ngo.refresh_from_db()
    assert (ngo.name, ngo.slug) == ("Dadaşlar Dayanışma Derneği", old)  # held, not applied
    assert not NGOSlugHistory.objects.exists()
    assert client.get(url("ngos:detail", old)).status_code == 200

    client.force_login(regional)
    decide(client, change, decision="approve", reason="")

    ngo.refresh_from_db()
    assert (ngo.name, ngo.slug) == ("Dadaşlar Yardımlaşma Derneği", "dadaslar-yardimlasma-dernegi")
    client.logout()
    response = client.get(url("ngos:detail", old))
    assert response.status_code == 301
    assert response["Location"] == url("ngos:detail", "dadaslar-yardimlasma-dernegi")


def test_a_rejected_change_keeps_the_address(client, regional):  # noqa: F811
    ngo = NGOFactory(name="Dadaşlar Dayanışma Derneği", registry_number="25-001-001")
    MembershipFactory(ngo=ngo, role=Membership.Role.ADMIN)
    old = ngo.slug
    change = propose(ngo, by=admin_of(ngo), name="Dadaşlar Yardımlaşma Derneği")
    client.force_login(regional)

    decide(client, change, decision="reject", reason="Tüzük değişikliği belgesi yok.")

    ngo.refresh_from_db()
    assert ngo.slug == old
    assert not NGOSlugHistory.objects.exists()


def test_a_former_address_is_never_given_to_another_ngo(client, pending):
    client.force_login(admin_of(pending))
    client.post(
        url("ngos:edit", pending.slug), profile_data(pending, name="Oltu Gençlik ve Spor Derneği")
    )
    client.force_login(UserFactory())

    client.post(
        en("ngos:register"),
        profile_data(pending, name="Oltu Gençlik Derneği", registry_number="25-777-777"),
    )

    newcomer = NGO.objects.get(registry_number="25-777-777")
    assert newcomer.slug == "oltu-genclik-dernegi-2"
    client.force_login(admin_of(pending))
    response = client.get(url("ngos:detail", "oltu-genclik-dernegi"))
    assert response["Location"] == url("ngos:detail", "oltu-genclik-ve-spor-dernegi")


def test_renaming_back_takes_the_old_address_back(pending):
    first = pending.name
    for name in ("Oltu Gençlik ve Spor Derneği", first):
        old_name, pending.name = pending.name, name
        ngo_address_follow_name(ngo=pending, old_name=old_name)
        pending.save()

    assert pending.slug == "oltu-genclik-dernegi"
    assert list(pending.old_slugs.values_list("slug", flat=True)) == [
        "oltu-genclik-ve-spor-dernegi"
    ]


def test_a_change_of_the_name_that_keeps_its_slug_records_nothing(pending):
    old_name, pending.name = pending.name, "OLTU  Gençlik Derneği"

    assert ngo_address_follow_name(ngo=pending, old_name=old_name) is False
    assert not NGOSlugHistory.objects.exists()


def test_a_former_address_belongs_to_one_ngo(pending):
    NGOSlugHistory.objects.create(ngo=pending, slug="eski-adres")
    with pytest.raises(IntegrityError):
        NGOSlugHistory.objects.create(ngo=NGOFactory(), slug="eski-adres")


# --- the Django admin --------------------------------------------------------------------------


def test_renaming_in_the_admin_gives_a_new_address_and_the_old_one_redirects(client, pending):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    change_url = reverse("admin:ngos_ngo_change", args=[pending.pk])
    page = client.get(change_url)

    response = client.post(change_url, admin_form_data(page, name="Oltu Gençlik ve Spor Derneği"))

    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.name, pending.slug) == (
        "Oltu Gençlik ve Spor Derneği",
        "oltu-genclik-ve-spor-dernegi",
    )
    assert list(pending.old_slugs.values_list("slug", flat=True)) == ["oltu-genclik-dernegi"]
    old = client.get(url("ngos:detail", "oltu-genclik-dernegi"))
    assert (old.status_code, old["Location"]) == (
        301,
        url("ngos:detail", "oltu-genclik-ve-spor-dernegi"),
    )


def test_saving_in_the_admin_without_a_new_name_keeps_the_address(client, pending):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    change_url = reverse("admin:ngos_ngo_change", args=[pending.pk])

    client.post(change_url, admin_form_data(client.get(change_url), phone="0442 111 22 33"))

    pending.refresh_from_db()
    assert (pending.slug, pending.phone) == ("oltu-genclik-dernegi", "0442 111 22 33")
    assert not pending.old_slugs.exists()


def test_former_addresses_are_read_only_in_the_admin(client, pending):
    pending.name = "Oltu Gençlik ve Spor Derneği"
    ngo_address_follow_name(ngo=pending, old_name="Oltu Gençlik Derneği")
    pending.save()
    former = NGOSlugHistory.objects.get()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    listing = client.get(reverse("admin:ngos_ngoslughistory_changelist"), {"q": "OLTU GENCLIK"})
    assert "oltu-genclik-dernegi" in listing.content.decode()
    assert listing.context["cl"].result_count == 1
    assert client.get(reverse("admin:ngos_ngoslughistory_add")).status_code == 403
    change = client.post(
        reverse("admin:ngos_ngoslughistory_change", args=[former.pk]), {"slug": "baska"}
    )
    assert change.status_code == 403
    delete = reverse("admin:ngos_ngoslughistory_delete", args=[former.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert NGOSlugHistory.objects.get().slug == "oltu-genclik-dernegi"
