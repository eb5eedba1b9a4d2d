"""A verified NGO's identity (name, legal form, registry number, province) changes only when a
coordinator approves: until then the public profile keeps the verified identity (issue 15,
finding 5)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from municipalities.models import District, SubRegion
from ngos.forms.profile import NGOProfileForm
from ngos.models import NGO, ActivityField, Membership, NGOIdentityChange
from ngos.services.identity import identity_change_withdraw
from ngos.services.profile import ngo_update_profile
from ngos.services.verification import ngo_set_status
from portal.models import AuditEntry
from tests.factories import (
    CoordinatorAssignmentFactory,
    MembershipFactory,
    NGOFactory,
    UserFactory,
)
from tests.helpers import en, messages_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def profile_data(ngo, **overrides):
    """The edit form of ``ngo`` as the browser posts it, with ``overrides``."""
    data = {
        "name": ngo.name,
        "legal_form": ngo.legal_form,
        "registry_number": ngo.registry_number,
        "founding_year": "",
        "province": str(ngo.province_id),
        "district": str(ngo.district_id or ""),
        "municipality": str(ngo.municipality_id or ""),
        "activity_fields": [str(ActivityField.objects.get(code="afet-acil-durum").pk)],
        "members_count": "",
        "volunteers_count": "",
        "description": ngo.description,
        "website": "",
        "email": ngo.email,
        "phone": ngo.phone,
        "address": "",
        "afad_group": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def erzurum_ngo():
    """A verified Erzurum association with its administrator."""
    ngo = NGOFactory(
        name="Dadaşlar Dayanışma Derneği",
        registry_number="25-001-001",
        province_id=25,
        district=District.objects.get(province=25, name="Yakutiye"),
        description="Erzurum'da afet gönüllüleri.",
    )
    MembershipFactory(ngo=ngo, role=Membership.Role.ADMIN)
    return ngo


@pytest.fixture
def akut():
    """Another verified organisation, in İstanbul: the identity the attacker wants."""
    return NGOFactory(
        name="AKUT Arama Kurtarma Derneği", registry_number="34-100-200", province_id=34
    )


def admin_of(ngo):
    return Membership.objects.get(ngo=ngo, role=Membership.Role.ADMIN).user


def test_taking_another_ngos_identity_is_held_for_verification(client, erzurum_ngo, akut):
    """The attack of the finding: rename a verified NGO to another's name, change its registry
    number and move it to another province. It keeps its verified identity in public; the badge
    does not go to the new identity; the change waits in the coordinators' queue."""
    kadikoy = District.objects.get(province=34, name="Kadıköy")
    client.force_login(admin_of(erzurum_ngo))

    client.post(
        en("ngos:edit", erzurum_ngo.slug),
        profile_data(
            erzurum_ngo,
            name="AKUT Arama Kurtarma Derneği",
            registry_number="34-100-999",
            province="34",
            district=str(kadikoy.pk),
            municipality="",
            description="Yeni açıklama.",
        ),
    )

    erzurum_ngo.refresh_from_db()
    assert erzurum_ngo.name == "Dadaşlar Dayanışma Derneği"
    assert erzurum_ngo.registry_number == "25-001-001"
    assert erzurum_ngo.province_id == 25
    assert erzurum_ngo.district.name == "Yakutiye"
    assert erzurum_ngo.status == NGO.Status.VERIFIED
    # What is not identity is saved at once.
    assert erzurum_ngo.description == "Yeni açıklama."

    client.logout()
    public = client.get(en("ngos:detail", erzurum_ngo.slug)).content.decode()
    assert "Dadaşlar Dayanışma Derneği" in public
    assert "25-001-001" in public
    assert "34-100-999" not in public
    # In the public directory, the İstanbul "AKUT" is the real one only.
    response = client.get(en("ngos:list"), {"q": "akut", "province": "34"})
    assert [ngo.pk for ngo in response.context["page"].object_list] == [akut.pk]
    assert NGO.objects.verified().filter(registry_number="34-100-999").count() == 0

    coordinator = CoordinatorAssignmentFactory(subregion=SubRegion.objects.get(code="14")).user
    client.force_login(coordinator)
    queue = client.get(en("ngos:verification_queue"), {"status": "identity_change"})
    assert [ngo.pk for ngo in queue.context["page"].object_list] == [erzurum_ngo.pk]
    with translation.override("en"):
        detail = client.get(
            reverse("ngos:verification_detail", args=[erzurum_ngo.slug])
        ).content.decode()
    for text in ["AKUT Arama Kurtarma Derneği", "34-100-999", "İstanbul", "Kadıköy"]:
        assert text in detail


# --- Fixtures and helpers of the flows ---------------------------------------------------------


@pytest.fixture
def regional():
    """The coordinator of Erzurum-Kars (sub-region 14)."""
    return CoordinatorAssignmentFactory(
        subregion=SubRegion.objects.get(code="14"),
        user=UserFactory(email="regional@koord.test", preferred_language="en"),
    ).user


@pytest.fixture
def national():
    return CoordinatorAssignmentFactory(
        subregion=None, user=UserFactory(email="national@koord.test")
    ).user


def edit(client, ngo, **overrides):
    return client.post(en("ngos:edit", ngo.slug), profile_data(ngo, **overrides))


def decide(client, change, **data):
    return client.post(en("ngos:identity_change_decide", change.ngo.slug, change.pk), data)


def propose(ngo, *, by, name="Dadaşlar Yardımlaşma Derneği", **overrides):
    """Open a change of ``ngo``'s identity as its edit form does."""
    form = NGOProfileForm(
        profile_data(ngo, name=name, **overrides), instance=NGO.objects.get(pk=ngo.pk)
    )
    assert form.is_valid(), form.errors
    return ngo_update_profile(
        ngo=ngo, form=form, by=by, base_url="http://testserver"
    ).identity_change


# --- Editing the profile -----------------------------------------------------------------------


def test_other_fields_of_a_verified_ngo_are_saved_at_once(client, erzurum_ngo):
    client.force_login(admin_of(erzurum_ngo))
    mersin = District.objects.get(province=25, name="Palandöken")

    response = edit(
        client, erzurum_ngo, description="Yeni", phone="0442 1", district=str(mersin.pk)
    )

    erzurum_ngo.refresh_from_db()
    assert (erzurum_ngo.description, erzurum_ngo.phone) == ("Yeni", "0442 1")
    # The district is not identity: within the same province it is saved at once.
    assert erzurum_ngo.district == mersin
    assert erzurum_ngo.municipality.name == "Palandöken Belediyesi"
    assert not NGOIdentityChange.objects.exists()
    assert messages_of(response) == ["The profile of Dadaşlar Dayanışma Derneği has been saved."]


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_identity_of_an_unverified_ngo_is_saved_at_once(client, erzurum_ngo, status):
    NGO.objects.filter(pk=erzurum_ngo.pk).update(
        status=status, status_reason="Eksik" if status == "rejected" else ""
    )
    client.force_login(admin_of(erzurum_ngo))

    edit(client, erzurum_ngo, name="Dadaşlar Yardımlaşma Derneği", registry_number="25-9")

    erzurum_ngo.refresh_from_db()
    assert (erzurum_ngo.name, erzurum_ngo.registry_number) == (
        "Dadaşlar Yardımlaşma Derneği",
        "25-9",
    )
    assert erzurum_ngo.status == status
    assert not NGOIdentityChange.objects.exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", "Dadaşlar Yardımlaşma Derneği"),
        ("legal_form", "vakif"),
        ("registry_number", "25-001-002"),
        ("province", "36"),
    ],
)
def test_each_identity_field_of_a_verified_ngo_waits_for_a_coordinator(
    client, erzurum_ngo, field, value
):
    client.force_login(admin_of(erzurum_ngo))
    overrides = {field: value}
    if field == "province":
        overrides.update(district="", municipality="")
    before = {
        name: getattr(erzurum_ngo, name) for name in ["name", "legal_form", "registry_number"]
    }

    response = edit(client, erzurum_ngo, **overrides)

    assert response.status_code == 302
    erzurum_ngo.refresh_from_db()
    assert {name: getattr(erzurum_ngo, name) for name in before} == before
    assert erzurum_ngo.province_id == 25
    change = NGOIdentityChange.objects.get(ngo=erzurum_ngo)
    assert change.is_open
    assert [row.label for row in change.comparison() if row.changed][0] == {
        "name": "Name",
        "legal_form": "Legal form",
        "registry_number": "Registry number",
        "province": "Province",
    }[field]
    assert "awaits verification by a coordinator" in messages_of(response)[0]


def test_suspended_ngo_identity_waits_too(client, erzurum_ngo):
    NGO.objects.filter(pk=erzurum_ngo.pk).update(status="suspended", status_reason="Şikâyet")
    client.force_login(admin_of(erzurum_ngo))

    edit(client, erzurum_ngo, name="Dadaşlar Yardımlaşma Derneği")

    erzurum_ngo.refresh_from_db()
    assert erzurum_ngo.name == "Dadaşlar Dayanışma Derneği"
    assert erzurum_ngo.status == "suspended"
    assert NGOIdentityChange.objects.open().filter(ngo=erzurum_ngo).exists()


def test_a_request_records_both_identities_and_tells_the_coordinators(
    client, erzurum_ngo, regional, national, mailoutbox, django_capture_on_commit_callbacks
):
    CoordinatorAssignmentFactory(subregion=SubRegion.objects.get(code="01"))  # İstanbul's
    admin = admin_of(erzurum_ngo)
    client.force_login(admin)
    kars_center = District.objects.get(province=36, name="Merkez")

    with django_capture_on_commit_callbacks(execute=True):
        edit(
            client,
            erzurum_ngo,
            name="Kars Dadaşlar Derneği",
            province="36",
            district=str(kars_center.pk),
            municipality="",
        )

    change = NGOIdentityChange.objects.with_places().get(ngo=erzurum_ngo)
    assert (change.old_name, change.name) == ("Dadaşlar Dayanışma Derneği", "Kars Dadaşlar Derneği")
    assert (change.old_province_id, change.province_id) == (25, 36)
    assert (change.old_district.name, change.district) == ("Yakutiye", kars_center)
    assert change.municipality.name == "Kars Belediyesi"  # the default follows the district
    assert change.requested_by == admin
    entry = AuditEntry.objects.get(action="verification")
    assert entry.actor == admin
    assert entry.details["action"] == "identity_change_requested"
    assert entry.details["changes"]["name"] == [
        "Dadaşlar Dayanışma Derneği",
        "Kars Dadaşlar Derneği",
    ]
    assert entry.details["changes"]["province"] == [25, 36]
    # The coordinators who may decide: the NGO's sub-region and the national ones.
    assert sorted(m.to[0] for m in mailoutbox) == ["national@koord.test", "regional@koord.test"]
    english = next(m for m in mailoutbox if m.to == ["regional@koord.test"])
    assert "Change of identity to verify: Dadaşlar Dayanışma Derneği" in english.subject
    assert "Name: Dadaşlar Dayanışma Derneği → Kars Dadaşlar Derneği" in english.body
    assert "Province: Erzurum → Kars" in english.body
    assert f"http://testserver/en/ngos/verification/{erzurum_ngo.slug}/" in english.body
    turkish = next(m for m in mailoutbox if m.to == ["national@koord.test"])
    assert "İl: Erzurum → Kars" in turkish.body


def test_edit_page_shows_the_waiting_change_and_the_verified_values(client, erzurum_ngo):
    admin = admin_of(erzurum_ngo)
    propose(erzurum_ngo, by=admin)
    client.force_login(admin)

    response = client.get(en("ngos:edit", erzurum_ngo.slug))

    html = response.content.decode()
    assert "A change of identity awaits verification" in html
    assert "<ins>Dadaşlar Yardımlaşma Derneği</ins>" in html
    assert response.context["form"]["name"].value() == "Dadaşlar Dayanışma Derneği"
    assert "Replace the change awaiting verification" in html
    assert f'action="{en("ngos:identity_change_withdraw", erzurum_ngo.slug)}"' in html


def test_a_registry_number_in_use_is_refused_and_nothing_is_lost(client, erzurum_ngo, akut):
    client.force_login(admin_of(erzurum_ngo))

    response = edit(
        client, erzurum_ngo, name="AKUT Arama Kurtarma Derneği", registry_number="34-100-200"
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["registry_number"] == [
        "An NGO with this registry number is already registered in the portal."
    ]
    assert form["name"].value() == "AKUT Arama Kurtarma Derneği"  # what was typed is kept
    assert "Please correct the errors below" in response.content.decode()
    assert not NGOIdentityChange.objects.exists()
    erzurum_ngo.refresh_from_db()
    assert erzurum_ngo.name == "Dadaşlar Dayanışma Derneği"


def test_a_second_change_is_refused_unless_it_replaces_the_first(client, erzurum_ngo):
    admin = admin_of(erzurum_ngo)
    first = propose(erzurum_ngo, by=admin)
    client.force_login(admin)

    response = edit(client, erzurum_ngo, name="Dadaşlar Kardeşlik Derneği", phone="0442 5")

    assert response.status_code == 200
    assert "already awaits verification" in response.content.decode()
    assert response.context["form"]["name"].value() == "Dadaşlar Kardeşlik Derneği"
    erzurum_ngo.refresh_from_db()
    assert erzurum_ngo.phone == ""  # nothing was saved
    assert list(NGOIdentityChange.objects.open()) == [first]

    response = edit(
        client,
        erzurum_ngo,
        name="Dadaşlar Kardeşlik Derneği",
        phone="0442 5",
        replace_identity_change="on",
    )

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == "withdrawn"
    second = NGOIdentityChange.objects.open().get()
    assert second.name == "Dadaşlar Kardeşlik Derneği"
    erzurum_ngo.refresh_from_db()
    assert (erzurum_ngo.name, erzurum_ngo.phone) == ("Dadaşlar Dayanışma Derneği", "0442 5")


def test_saving_the_same_proposal_again_keeps_the_one_change(client, erzurum_ngo):
    admin = admin_of(erzurum_ngo)
    first = propose(erzurum_ngo, by=admin)
    client.force_login(admin)

    edit(client, erzurum_ngo, name="Dadaşlar Yardımlaşma Derneği", phone="0442 7")
    # Saving the other fields only (the form shows the verified identity) keeps it too.
    edit(client, erzurum_ngo, phone="0442 8")

    assert list(NGOIdentityChange.objects.all()) == [first]
    assert first.is_open
    erzurum_ngo.refresh_from_db()
    assert erzurum_ngo.phone == "0442 8"


def test_withdrawing_a_change_leaves_the_profile_as_it_is(client, erzurum_ngo):
    admin = admin_of(erzurum_ngo)
    change = propose(erzurum_ngo, by=admin)
    client.force_login(admin)
    url = en("ngos:identity_change_withdraw", erzurum_ngo.slug)

    response = client.post(url)

    assert response["Location"] == en("ngos:edit", erzurum_ngo.slug)
    change.refresh_from_db()
    assert (change.status, change.decided_by) == ("withdrawn", admin)
    erzurum_ngo.refresh_from_db()
    assert erzurum_ngo.name == "Dadaşlar Dayanışma Derneği"
    assert "was withdrawn" in messages_of(response)[0]
    # Nothing left to withdraw: said so, nothing breaks.
    response = client.post(url)
    assert "No change of identity awaits verification" in messages_of(response)[-1]
    assert client.get(url).status_code == 405


def test_an_edit_session_cannot_undo_a_suspension(client, erzurum_ngo, regional):
    """The edit form writes only its own fields: a coordinator's decision taken while the form
    was open stays."""
    admin = admin_of(erzurum_ngo)
    client.force_login(admin)
    data = profile_data(erzurum_ngo, phone="0442 9")
    ngo_set_status(
        ngo_id=erzurum_ngo.pk,
        action="suspend",
        reason="Şikâyet",
        expected_status="verified",
        by=regional,
        base_url="http://testserver/",
    )

    client.post(en("ngos:edit", erzurum_ngo.slug), data)

    erzurum_ngo.refresh_from_db()
    assert (erzurum_ngo.status, erzurum_ngo.phone) == ("suspended", "0442 9")


def test_the_ngo_page_tells_its_editors_and_coordinators_only(client, erzurum_ngo, regional):
    admin = admin_of(erzurum_ngo)
    propose(erzurum_ngo, by=admin)
    url = en("ngos:detail", erzurum_ngo.slug)
    notice = "A change of identity awaits verification."

    assert notice not in client.get(url).content.decode()
    client.force_login(MembershipFactory(ngo=erzurum_ngo).user)
    assert notice not in client.get(url).content.decode()
    client.force_login(admin)
    html = client.get(url).content.decode()
    assert notice in html and f'href="{en("ngos:edit", erzurum_ngo.slug)}">See the change' in html
    client.force_login(regional)
    html = client.get(url).content.decode()
    assert f'href="{en("ngos:verification_detail", erzurum_ngo.slug)}">Compare and decide' in html


# --- The coordinators' decision ----------------------------------------------------------------


def test_the_queue_flags_and_counts_changes_of_identity(client, erzurum_ngo, regional):
    propose(erzurum_ngo, by=admin_of(erzurum_ngo))
    client.force_login(regional)

    response = client.get(en("ngos:verification_queue"), {"status": "verified"})

    assert "Identity change pending verification" in response.content.decode()
    (row,) = response.context["page"].object_list
    assert [change.changed_labels() for change in row.open_identity_changes] == [["Name"]]
    tabs = {tab["label"]: tab["count"] for tab in response.context["tabs"]}
    assert tabs["Change of identity to verify"] == 1
    assert tabs["Verified"] == 1


def test_the_coordinator_compares_before_and_after(client, erzurum_ngo, akut, national):
    admin = admin_of(erzurum_ngo)
    propose(erzurum_ngo, by=admin, name="AKUT Arama Kurtarma Derneği", province="34", district="")
    client.force_login(national)

    response = client.get(en("ngos:verification_detail", erzurum_ngo.slug))

    html = response.content.decode()
    assert "Change of identity awaiting verification" in html
    assert "<del>Dadaşlar Dayanışma Derneği</del>" in html
    assert "<ins>AKUT Arama Kurtarma Derneği</ins>" in html
    assert "<del>Erzurum</del>" in html and "<ins>İstanbul</ins>" in html
    # The identity it takes looks like another verified NGO's: said beside it.
    assert [hint.ngo for hint in response.context["identity_similar"]] == [akut]
    assert "Approve the change" in html and "Reject the change" in html


def test_approval_applies_the_new_identity_and_tells_the_ngo(
    client, erzurum_ngo, regional, mailoutbox, django_capture_on_commit_callbacks
):
    admin = admin_of(erzurum_ngo)
    admin.preferred_language = "en"
    admin.save(update_fields=["preferred_language"])
    kars_center = District.objects.get(province=36, name="Merkez")
    change = propose(
        erzurum_ngo,
        by=admin,
        name="Kars Dadaşlar Derneği",
        registry_number="36-001",
        province="36",
        district=str(kars_center.pk),
        municipality="",
    )
    client.force_login(regional)

    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, change, decision="approve", reason="")

    assert response["Location"] == f"{en('ngos:verification_queue')}?status=identity_change"
    erzurum_ngo.refresh_from_db()
    assert (erzurum_ngo.name, erzurum_ngo.registry_number, erzurum_ngo.province_id) == (
        "Kars Dadaşlar Derneği",
        "36-001",
        36,
    )
    assert erzurum_ngo.district == kars_center
    assert erzurum_ngo.municipality.name == "Kars Belediyesi"
    assert erzurum_ngo.name_search == "kars dadaslar dernegi"
    assert erzurum_ngo.status == "verified"
    change.refresh_from_db()
    assert (change.status, change.decided_by) == ("approved", regional)
    entry = AuditEntry.objects.filter(action="verification").first()
    assert entry.details["action"] == "identity_change_approved"
    assert entry.actor == regional
    (mail,) = mailoutbox
    assert mail.to == [admin.email]
    assert "Kars Dadaşlar Derneği: the change of identity was approved" in mail.subject
    assert "approved the change of the identity of Dadaşlar Dayanışma Derneği" in mail.body
    assert "Province: Erzurum → Kars" in mail.body
    assert messages_of(response) == ["Kars Dadaşlar Derneği now has its new identity."]


def test_rejection_needs_a_reason_and_keeps_the_identity(
    client, erzurum_ngo, regional, mailoutbox, django_capture_on_commit_callbacks
):
    admin = admin_of(erzurum_ngo)
    admin.preferred_language = "en"
    admin.save(update_fields=["preferred_language"])
    change = propose(erzurum_ngo, by=admin)
    client.force_login(regional)

    response = decide(client, change, decision="reject", reason="  ")

    assert response.status_code == 200
    assert response.context["identity_form"].errors["reason"] == [
        "Please give a reason: it is shown to the NGO."
    ]
    change.refresh_from_db()
    assert change.is_open

    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, change, decision="reject", reason="DERBİS'te bu ad yok.")

    change.refresh_from_db()
    assert (change.status, change.reason) == ("rejected", "DERBİS'te bu ad yok.")
    erzurum_ngo.refresh_from_db()
    assert erzurum_ngo.name == "Dadaşlar Dayanışma Derneği"
    (mail,) = mailoutbox
    assert mail.to == [admin.email]
    assert "rejected the change of the identity of Dadaşlar Dayanışma Derneği" in mail.body
    assert "Reason: DERBİS'te bu ad yok." in mail.body  # not HTML-escaped
    assert "Name: Dadaşlar Dayanışma Derneği → Dadaşlar Yardımlaşma Derneği" in mail.body


def test_whoever_asked_for_a_change_cannot_approve_it(client, erzurum_ngo):
    """A site administrator edits the profile, then tries to approve their own change."""
    site_admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(site_admin)
    edit(client, erzurum_ngo, name="Dadaşlar Yardımlaşma Derneği")
    change = NGOIdentityChange.objects.open().get()

    response = decide(client, change, decision="approve")

    assert "another coordinator must approve it" in response.content.decode()
    erzurum_ngo.refresh_from_db()
    assert erzurum_ngo.name == "Dadaşlar Dayanışma Derneği"
    assert NGOIdentityChange.objects.get().is_open


def test_approval_is_refused_when_the_number_was_taken_meanwhile(client, erzurum_ngo, regional):
    change = propose(erzurum_ngo, by=admin_of(erzurum_ngo), registry_number="25-777")
    NGOFactory(name="Yeni Kayıt Derneği", registry_number="25-777")
    client.force_login(regional)

    response = decide(client, change, decision="approve")

    assert "registry number 25-777" in response.content.decode()
    erzurum_ngo.refresh_from_db()
    assert erzurum_ngo.registry_number == "25-001-001"
    change.refresh_from_db()
    assert change.is_open


def test_a_decision_on_a_withdrawn_change_is_refused(client, erzurum_ngo, regional):
    admin = admin_of(erzurum_ngo)
    change = propose(erzurum_ngo, by=admin)
    identity_change_withdraw(ngo_id=erzurum_ngo.pk, by=admin)
    client.force_login(regional)

    response = decide(client, change, decision="approve")

    assert response.status_code == 200
    assert "no longer awaiting verification (Withdrawn)" in response.content.decode()
    erzurum_ngo.refresh_from_db()
    assert erzurum_ngo.name == "Dadaşlar Dayanışma Derneği"


def test_another_subregions_coordinator_cannot_decide(client, erzurum_ngo):
    change = propose(erzurum_ngo, by=admin_of(erzurum_ngo))
    other = CoordinatorAssignmentFactory(subregion=SubRegion.objects.get(code="01")).user
    client.force_login(other)

    assert decide(client, change, decision="approve").status_code == 404
    client.force_login(admin_of(erzurum_ngo))
    assert decide(client, change, decision="approve").status_code == 403
    change.refresh_from_db()
    assert change.is_open


def test_rejecting_a_suspended_ngo_closes_its_open_change(erzurum_ngo, regional):
    change = propose(erzurum_ngo, by=admin_of(erzurum_ngo))
    NGO.objects.filter(pk=erzurum_ngo.pk).update(status="suspended", status_reason="Şikâyet")

    ngo_set_status(
        ngo_id=erzurum_ngo.pk,
        action="reject",
        reason="Kayıt sahte.",
        expected_status="suspended",
        by=regional,
        base_url="http://testserver/",
    )

    change.refresh_from_db()
    assert (change.status, change.reason, change.decided_by) == (
        "rejected",
        "Kayıt sahte.",
        regional,
    )


def queue_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(en("ngos:verification_queue"), {"status": "identity_change"})
    return len(queries), len(response.context["page"].object_list)


def test_identity_change_tab_query_count_does_not_grow_with_rows(client, regional):
    client.force_login(regional)
    first = NGOFactory(name="Birinci Derneği", registry_number="25-1")
    propose(first, by=None, name="Birinci Yeni Derneği", province="36", district="")
    small = queue_queries(client)
    for n in range(2, 4):
        ngo = NGOFactory(name=f"Derneği {n}", registry_number=f"25-{n}", province_id=36)
        propose(ngo, by=None, name=f"Yeni Derneği {n}", province="25", district="")
    large = queue_queries(client)
    assert (small[1], large[1]) == (1, 3)
    # session, user, three role lists, sub-region and province choices, the tab counts, the
    # count, the page, the page's open changes (with both sides' places in one join)
    assert small[0] == large[0] == 12  # + the nav's unread notification count


# --- The Django admin is no way round ----------------------------------------------------------


def _post_value(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [str(getattr(item, "pk", item)) for item in value]
    return str(getattr(value, "pk", value))


def admin_form_data(response, **overrides):
    """What the admin's change page posts back unchanged (its form and inlines), with
    ``overrides``."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = _post_value(management[name].value())
        forms += formset.forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else _post_value(value)
    data.update(overrides)
    return data


@pytest.fixture
def site_admin(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_the_admin_cannot_change_a_verified_ngos_identity(client, site_admin, erzurum_ngo, akut):
    url = reverse("admin:ngos_ngo_change", args=[erzurum_ngo.pk])
    page = client.get(url)
    assert "name" not in page.context["adminform"].form.fields
    assert "status" not in page.context["adminform"].form.fields
    assert f'href="{reverse("ngos:edit", args=[erzurum_ngo.slug])}"' in page.content.decode()

    response = client.post(
        url,
        admin_form_data(
            page,
            name="AKUT Arama Kurtarma Derneği",
            registry_number="34-100-999",
            province="34",
            status="pending",
            phone="0442 3",
        ),
    )

    assert response.status_code == 302
    erzurum_ngo.refresh_from_db()
    assert (erzurum_ngo.name, erzurum_ngo.registry_number, erzurum_ngo.province_id) == (
        "Dadaşlar Dayanışma Derneği",
        "25-001-001",
        25,
    )
    assert erzurum_ngo.status == "verified"
    assert erzurum_ngo.phone == "0442 3"  # the rest is saved as before


def test_the_admin_cannot_move_a_verified_ngo_by_its_district(client, site_admin, erzurum_ngo):
    url = reverse("admin:ngos_ngo_change", args=[erzurum_ngo.pk])
    page = client.get(url)
    kadikoy = District.objects.get(province=34, name="Kadıköy")

    response = client.post(url, admin_form_data(page, district=str(kadikoy.pk)))

    assert response.status_code == 200
    # The admin is served in Turkish (no /en/ prefix).
    assert response.context["adminform"].form.errors["district"] == ["Bu, STK’nın ilinde değil."]
    erzurum_ngo.refresh_from_db()
    assert erzurum_ngo.district.name == "Yakutiye"


def test_the_admin_shows_the_change_waiting_and_keeps_the_record_read_only(
    client, site_admin, erzurum_ngo
):
    change = propose(erzurum_ngo, by=admin_of(erzurum_ngo))
    html = client.get(reverse("admin:ngos_ngo_change", args=[erzurum_ngo.pk])).content.decode()
    assert "Dadaşlar Dayanışma Derneği → Dadaşlar Yardımlaşma Derneği" in html
    assert client.get(reverse("admin:ngos_ngoidentitychange_changelist")).status_code == 200
    change_url = reverse("admin:ngos_ngoidentitychange_change", args=[change.pk])
    client.post(change_url, {"status": "approved"})
    change.refresh_from_db()
    assert change.is_open
    assert client.get(reverse("admin:ngos_ngoidentitychange_add")).status_code == 403


def test_the_admin_edits_an_unverified_ngos_identity(client, site_admin, erzurum_ngo):
    NGO.objects.filter(pk=erzurum_ngo.pk).update(status="pending")
    url = reverse("admin:ngos_ngo_change", args=[erzurum_ngo.pk])
    page = client.get(url)

    client.post(url, admin_form_data(page, name="Dadaşlar Yardımlaşma Derneği", status="verified"))

    erzurum_ngo.refresh_from_db()
    assert erzurum_ngo.name == "Dadaşlar Yardımlaşma Derneği"
    assert erzurum_ngo.status == "pending"  # verified on the verification page only
