"""Correcting an open activation (description, severity), removing a need nobody pledged
against, and the officers' in-app notifications when a called NGO answers or changes its answer
and when an NGO offers help."""

import pytest
from django.urls import reverse

from cooperation.models import ActivationLogEntry, Need
from cooperation.services.calls import officers_to_tell
from municipalities.models import Municipality
from portal.models import Notification
from tests.factories import (
    ActivationFactory,
    CallFactory,
    CoordinatorAssignmentFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NeedFactory,
    NGOFactory,
    ResponseFactory,
    ResponseItemFactory,
)
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db


def erzurum_bb():
    return Municipality.objects.get(province=25, kind=Municipality.Kind.METROPOLITAN)


@pytest.fixture
def manager():
    return MunicipalStaffFactory(municipality=erzurum_bb(), role="manager").user


@pytest.fixture
def flood(manager):
    activation = ActivationFactory(
        hazard="flood", title="Oltu taşkını", description="İlk bilgi.", opened_by=manager
    )
    NeedFactory(activation=activation, kind="shelter", quantity=40, unit="tents")
    return activation


def edit_url(activation):
    return reverse("cooperation:activation_edit", kwargs={"pk": activation.pk})


# --- correcting the activation ---------------------------------------------------------------


def test_officer_corrects_description_and_severity(client, manager, flood):
    client.force_login(manager)

    response = client.post(
        edit_url(flood), {"description": "İki mahalle su altında.", "severity": 3, "version": 1}
    )

    assert response.url == reverse("cooperation:board", kwargs={"pk": flood.pk})
    flood.refresh_from_db()
    assert (flood.description, flood.severity, flood.version) == ("İki mahalle su altında.", 3, 2)
    entry = flood.log.get(verb=ActivationLogEntry.Verb.UPDATED)
    assert entry.actor == manager and entry.details["fields"] == ["description", "severity"]


def test_a_stale_correction_is_reported_not_saved(client, manager, flood):
    colleague = MunicipalStaffFactory(municipality=erzurum_bb(), role="staff").user
    client.force_login(manager)
    client.post(edit_url(flood), {"description": "Manager's text", "severity": 2, "version": 1})
    client.force_login(colleague)

    stale = client.post(
        edit_url(flood), {"description": "Meslektaşın metni", "severity": 4, "version": 1}
    )

    flood.refresh_from_db()
    assert (flood.description, flood.severity, flood.version) == ("Manager's text", 2, 2)
    assert stale.status_code == 200 and stale.context["conflict"]
    html = stale.content.decode()
    assert "Meslektaşın metni" in html  # what was typed stays in the form
    assert "Manager&#x27;s text" in html  # beside what is saved now
    assert 'name="version" value="2"' in html  # saving again applies to what is shown
    again = client.post(
        edit_url(flood), {"description": "Meslektaşın metni", "severity": 4, "version": 2}
    )
    flood.refresh_from_db()
    assert again.status_code == 302 and (flood.severity, flood.version) == (4, 3)


def test_a_closed_activation_cannot_be_corrected(client, manager, flood):
    client.force_login(manager)
    client.post(reverse("cooperation:activation_close", kwargs={"pk": flood.pk}))

    response = client.post(edit_url(flood), {"description": "Geç", "severity": 4, "version": 2})

    flood.refresh_from_db()
    assert response.status_code == 200 and flood.severity == 1
    assert "kapatıldı" in str(response.context["form"].non_field_errors())


def test_the_board_offers_the_correction_to_officers(client, manager, flood):
    client.force_login(manager)
    board = client.get(reverse("cooperation:board", kwargs={"pk": flood.pk}))
    assert edit_url(flood) in board.content.decode()


# --- adding and removing needs ---------------------------------------------------------------


def test_officer_adds_then_removes_a_need_without_pledges(client, manager, flood):
    client.force_login(manager)
    client.post(
        reverse("cooperation:need_create", kwargs={"pk": flood.pk}),
        {"kind": "food_water", "quantity": 300, "unit": "meals_per_day", "priority": 2},
    )
    need = flood.needs.get(kind="food_water")
    page = client.get(reverse("cooperation:need_edit", kwargs={"pk": flood.pk, "need": need.pk}))
    delete_url = reverse("cooperation:need_delete", kwargs={"pk": flood.pk, "need": need.pk})
    assert delete_url in page.content.decode()

    response = client.post(delete_url, {"version": need.version})

    assert response.url == reverse("cooperation:board", kwargs={"pk": flood.pk})
    assert not Need.objects.filter(pk=need.pk).exists()
    assert flood.log.filter(verb="need_removed").count() == 1


def test_a_need_with_pledges_is_kept_with_a_clear_error(client, manager, flood):
    need = flood.needs.get()
    call = CallFactory(activation=flood)
    ResponseItemFactory(response=ResponseFactory(call=call), need=need, pledged=10)
    client.force_login(manager)

    response = client.post(
        reverse("cooperation:need_delete", kwargs={"pk": flood.pk, "need": need.pk}),
        {"version": need.version},
        follow=True,
    )

    assert Need.objects.filter(pk=need.pk).exists()
    assert any("taahhüt" in m and "silinemez" in m for m in messages_of(response))
    assert not flood.log.filter(verb="need_removed").exists()


def test_removing_a_need_changed_meanwhile_is_refused(client, manager, flood):
    need = flood.needs.get()
    Need.objects.filter(pk=need.pk).update(version=2, quantity=60)
    client.force_login(manager)

    response = client.post(
        reverse("cooperation:need_delete", kwargs={"pk": flood.pk, "need": need.pk}),
        {"version": 1},
        follow=True,
    )

    assert Need.objects.filter(pk=need.pk).exists()
    assert any("60" in m for m in messages_of(response))


# --- the officers are told -------------------------------------------------------------------


def _answer(client, call, user, need, **overrides):
    data = {
        "version": 0,
        "availability": "partly",
        "people": 6,
        "vehicles": 1,
        "contact_name": "Ali Demir",
        f"need_{need.pk}": 25,
        **overrides,
    }
    client.force_login(user)
    return client.post(
        reverse("cooperation:respond", kwargs={"pk": call.activation_id, "call": call.pk}), data
    )


def test_officers_are_told_in_their_language_when_an_ngo_answers_and_changes(
    client, manager, flood
):
    english = MunicipalStaffFactory(municipality=erzurum_bb(), role="manager").user
    english.preferred_language = "en"
    english.save()
    plain_staff = MunicipalStaffFactory(municipality=erzurum_bb(), role="staff").user
    ngo = NGOFactory(name="Oltu Dayanışma Derneği")
    admin = MembershipFactory(ngo=ngo, role="admin").user
    call = CallFactory(activation=flood, ngo=ngo)
    need = flood.needs.get()

    _answer(client, call, admin, need)
    _answer(client, call, admin, need, version=1, availability="available")

    board = reverse("cooperation:board", kwargs={"pk": flood.pk})
    turkish = list(
        Notification.objects.filter(user=manager, kind="activation_answer").order_by("pk")
    )
    assert [n.message for n in turkish] == [
        "Oltu Dayanışma Derneği “Oltu taşkını” çağrısını yanıtladı: Kısmen katılabilir.",
        "Oltu Dayanışma Derneği “Oltu taşkını” çağrısına verdiği yanıtı değiştirdi: Katılabilir.",
    ]
    assert all(n.url == board for n in turkish)
    in_english = Notification.objects.filter(user=english).order_by("pk")
    assert [n.message for n in in_english] == [
        "Oltu Dayanışma Derneği answered the call “Oltu taşkını”: Partly available.",
        "Oltu Dayanışma Derneği changed its answer to “Oltu taşkını”: Available.",
    ]
    assert all(n.url == "/en" + board for n in in_english)
    # Staff who neither manage nor opened it, and the NGO's own people, are not told.
    assert not Notification.objects.filter(user__in=[plain_staff, admin]).exists()


def test_the_staff_member_who_opened_it_is_told_too(client, flood):
    opener = MunicipalStaffFactory(municipality=erzurum_bb(), role="staff").user
    flood.opened_by = opener
    flood.save()
    assert opener in officers_to_tell(flood)


def test_for_a_coordinator_opened_activation_the_opener_is_told(client):
    erzurum = erzurum_bb().province
    coordinator = CoordinatorAssignmentFactory(subregion=erzurum.subregion).user
    other = CoordinatorAssignmentFactory(subregion=erzurum.subregion).user
    activation = ActivationFactory(municipality=None, provinces=[25], opened_by=coordinator)
    need = NeedFactory(activation=activation)
    ngo = NGOFactory()
    admin = MembershipFactory(ngo=ngo, role="admin").user
    call = CallFactory(activation=activation, ngo=ngo)

    _answer(client, call, admin, need)

    assert Notification.objects.filter(user=coordinator, kind="activation_answer").count() == 1
    assert not Notification.objects.filter(user=other).exists()


def test_a_former_opener_is_not_told(flood):
    former = MunicipalStaffFactory(municipality=erzurum_bb(), role="staff")
    flood.opened_by = former.user
    flood.save()
    former.delete()
    assert former.user not in officers_to_tell(flood)


def test_officers_are_told_of_an_offer_of_help(client, manager, flood):
    ngo = NGOFactory(name="Kars Arama Kurtarma Derneği")
    admin = MembershipFactory(ngo=ngo, role="admin").user
    client.force_login(admin)

    client.post(
        reverse("cooperation:public_detail", kwargs={"pk": flood.pk}),
        {"ngo": ngo.pk, "message": "On kişi ve bir araç."},
    )

    note = Notification.objects.get(user=manager, kind="activation_offer")
    assert "Kars Arama Kurtarma Derneği" in note.message and "Oltu taşkını" in note.message
    assert note.url == reverse("cooperation:board", kwargs={"pk": flood.pk})
