"""A municipality's managers keep its public contact details, with the unit that deals with
NGOs and its contact person; the municipality's page shows them (issue 17)."""

import pytest
from django.urls import reverse
from django.utils import translation

from municipalities.models import Municipality, MunicipalStaff
from portal.models import AuditEntry
from portal.phones import phone_format
from tests.factories import CoordinatorAssignmentFactory, MunicipalStaffFactory, UserFactory
from tests.helpers import messages_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def en(name, municipality):
    with translation.override("en"):
        return reverse(name, kwargs={"slug": municipality.slug})


@pytest.fixture
def erzurum():
    return Municipality.objects.get(province=25, kind=Municipality.Kind.METROPOLITAN)


@pytest.fixture
def manager(erzurum):
    user = UserFactory(full_name="Kemal Demir")
    MunicipalStaffFactory(user=user, municipality=erzurum, role=MunicipalStaff.Role.MANAGER)
    return user


def contacts(**overrides):
    data = {
        "address": "  Cumhuriyet Cad. No: 1  \n  Yakutiye / Erzurum ",
        "phone": "+90 (442) 344-10-00",
        "email": "bilgi@erzurum.bel.tr",
        "website": "erzurum.bel.tr",
        "ngo_unit": "Dış İlişkiler  ve STK Müdürlüğü",
        "ngo_contact_name": "Ayşe Yıldız",
        "ngo_contact_phone": "0442 344 12 34 dahili 205",
        "ngo_contact_email": "stk@erzurum.bel.tr",
    }
    data.update(overrides)
    return data


def test_a_manager_edits_the_contacts_and_the_page_shows_them(client, erzurum, manager):
    client.force_login(manager)
    page = client.get(en("municipalities:detail", erzurum)).content.decode()
    assert en("municipalities:contacts_edit", erzurum) in page  # the way to the form

    response = client.post(en("municipalities:contacts_edit", erzurum), contacts())

    assert response["Location"] == en("municipalities:detail", erzurum)
    assert messages_of(response) == [
        "The contact details of Erzurum Büyükşehir Belediyesi have been saved."
    ]
    erzurum.refresh_from_db()
    assert erzurum.address == "Cumhuriyet Cad. No: 1\nYakutiye / Erzurum"
    assert erzurum.phone == "0442 344 10 00"
    assert erzurum.website == "https://erzurum.bel.tr"
    assert erzurum.ngo_unit == "Dış İlişkiler ve STK Müdürlüğü"
    assert erzurum.ngo_contact_phone == "0442 344 12 34 (dahili 205)"
    assert erzurum.contacts_updated_at is not None

    client.logout()
    html = client.get(en("municipalities:detail", erzurum)).content.decode()
    for text in [
        "Contact for NGOs",
        "Dış İlişkiler ve STK Müdürlüğü",
        "Ayşe Yıldız",
        'href="tel:04423441234"',
        'href="tel:04423441000"',
        'href="mailto:stk@erzurum.bel.tr"',
        "Cumhuriyet Cad. No: 1<br>Yakutiye / Erzurum",
        "Updated by the municipality on",
    ]:
        assert text in html, text
    assert en("municipalities:contacts_edit", erzurum) not in html


def test_the_change_is_in_the_audit_log(client, erzurum, manager):
    client.force_login(manager)
    old_phone = erzurum.phone

    client.post(en("municipalities:contacts_edit", erzurum), contacts())

    entry = AuditEntry.objects.get(action=AuditEntry.Action.CONTACTS_CHANGE)
    assert entry.actor == manager
    assert entry.target.endswith("Erzurum Büyükşehir Belediyesi")
    assert entry.details["changes"]["phone"] == [old_phone, "0442 344 10 00"]
    assert entry.details["changes"]["ngo_contact_name"] == ["", "Ayşe Yıldız"]


def test_saving_unchanged_details_records_nothing(client, erzurum, manager):
    client.force_login(manager)
    client.post(en("municipalities:contacts_edit", erzurum), contacts())
    client.post(en("municipalities:contacts_edit", erzurum), contacts())
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CONTACTS_CHANGE).count() == 1


@pytest.mark.parametrize("phone", ["12345", "+44 20 7946 0958", "0442 344 10 00 10"])
def test_a_phone_that_is_not_turkish_is_refused(client, erzurum, manager, phone):
    client.force_login(manager)

    response = client.post(en("municipalities:contacts_edit", erzurum), contacts(phone=phone))

    assert response.status_code == 200
    assert "This is not a Turkish phone number." in response.content.decode()
    erzurum.refresh_from_db()
    assert erzurum.ngo_contact_name == ""
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CONTACTS_CHANGE).exists()


def test_an_invalid_email_is_refused(client, erzurum, manager):
    client.force_login(manager)
    response = client.post(
        en("municipalities:contacts_edit", erzurum), contacts(ngo_contact_email="stk@")
    )
    assert "Enter a valid email address." in response.content.decode()


def test_staff_who_are_not_managers_get_403(client, erzurum):
    staff = UserFactory()
    MunicipalStaffFactory(user=staff, municipality=erzurum, role=MunicipalStaff.Role.STAFF)
    client.force_login(staff)

    assert client.get(en("municipalities:contacts_edit", erzurum)).status_code == 403
    response = client.post(en("municipalities:contacts_edit", erzurum), contacts())
    assert response.status_code == 403
    erzurum.refresh_from_db()
    assert erzurum.ngo_contact_name == ""
    page = client.get(en("municipalities:detail", erzurum)).content.decode()
    assert en("municipalities:contacts_edit", erzurum) not in page


@pytest.mark.parametrize("who", ["other_manager", "coordinator", "site_admin"])
def test_everyone_else_gets_404(client, erzurum, who):
    kars = Municipality.objects.get(province=36, kind=Municipality.Kind.PROVINCIAL)
    user = UserFactory(is_staff=who == "site_admin", is_superuser=who == "site_admin")
    if who == "other_manager":
        MunicipalStaffFactory(user=user, municipality=kars, role=MunicipalStaff.Role.MANAGER)
    elif who == "coordinator":
        CoordinatorAssignmentFactory(user=user, subregion=None)
    client.force_login(user)

    response = client.post(en("municipalities:contacts_edit", erzurum), contacts())

    assert response.status_code == 404
    erzurum.refresh_from_db()
    assert erzurum.ngo_contact_name == ""


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("0442 344 10 00", "0442 344 10 00"),
        ("04423441000", "0442 344 10 00"),
        ("442 344 1000", "0442 344 10 00"),
        ("+90 532 111 22 33", "0532 111 22 33"),
        ("0090 (532) 111-22-33", "0532 111 22 33"),
        ("444 25 25", "444 25 25"),
        ("4442525", "444 25 25"),
        ("153", "153"),
        ("0442 344 10 00 dahili 12", "0442 344 10 00 (dahili 12)"),
        ("", ""),
    ],
)
def test_phone_numbers_are_written_one_way(typed, written):
    assert phone_format(typed) == written
