"""KVKK: the privacy notice, downloading one's own data, deleting one's account."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import translation

from dashboard.services import DELETED_USER_NAME
from municipalities.models import MunicipalStaff
from ngos.models import JoinRequest, Membership
from portal.models import AuditEntry, CoordinatorAssignment, Notification, User
from surveys.models import ReviewEntry
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import (
    PASSWORD,
    CoordinatorAssignmentFactory,
    InvitationFactory,
    JoinRequestFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NGOFactory,
    UserFactory,
)
from tests.security.pages import submitted_case
from tests.surveys.factories import ExpectationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _en(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


def test_privacy_notice_explains_data_and_rights(client):
    response = client.get(_en("privacy"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Law No. 6698" in html
    for heading in (
        "Data controller",
        "What we keep, why, and on which legal ground",
        "Who receives it",
        "How it is collected",
        "How long it is kept",
        "Your rights (KVKK art. 11)",
    ):
        assert heading in html
    assert "Log in to correct your profile" in html
    assert _en("account_delete") not in html


def test_privacy_notice_linked_from_every_page_footer(client):
    html = client.get(_en("home")).content.decode()
    assert f'href="{_en("privacy")}"' in html


def test_privacy_notice_offers_actions_to_logged_in_user(client):
    client.force_login(UserFactory())
    html = client.get(_en("privacy")).content.decode()
    assert _en("my_data") in html
    assert _en("account_delete") in html


def test_privacy_profile_links_to_download_and_delete(client):
    client.force_login(UserFactory())
    html = client.get(_en("profile")).content.decode()
    assert f'href="{_en("my_data")}"' in html
    assert "Download my data" in html
    assert f'href="{_en("account_delete")}"' in html
    assert "Delete my account" in html


@pytest.mark.parametrize("name", ["my_data", "account_delete"])
def test_privacy_anonymous_sent_to_login(client, name):
    response = client.get(_en(name))
    assert response.status_code == 302
    assert response["Location"].startswith(_en("account_login"))


def test_privacy_download_contains_own_data_only(client):
    user = UserFactory(email="ayse@example.test", full_name="Ayşe Yılmaz")
    other = UserFactory(email="other@example.test", full_name="Başka Kişi")
    membership = MembershipFactory(user=user, role=Membership.Role.ADMIN)
    MembershipFactory(user=other)
    MunicipalStaffFactory(user=user)
    CoordinatorAssignmentFactory(user=user)
    JoinRequestFactory(user=user, message="Katılmak istiyorum")
    InvitationFactory(invited_by=user, email="davet@example.test", ngo=membership.ngo)
    event = EventFactory(title="Erzurum Bölge Programı")
    RegistrationFactory(event=event, user=user, ngo=membership.ngo)
    Notification.objects.create(user=user, kind="answer", message="Cevap geldi")
    Notification.objects.create(user=other, kind="answer", message="Başkasının bildirimi")
    case = ExpectationFactory(rank=1)
    ReviewEntry.objects.create(
        expectation=case, kind="note", actor=user, municipality=case.municipality, text="İç not"
    )
    client.force_login(user)

    response = client.get(_en("my_data"))

    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    data = json.loads(response.content)
    assert data["account"]["email"] == "ayse@example.test"
    assert data["account"]["full_name"] == "Ayşe Yılmaz"
    assert data["email_addresses"] == [
        {"email": "ayse@example.test", "verified": True, "primary": True}
    ]
    assert data["ngo_memberships"][0]["ngo"] == membership.ngo.name
    assert data["ngo_memberships"][0]["role"] == "admin"
    assert data["municipal_roles"][0]["role"] == "staff"
    assert data["coordinator_assignments"][0]["national"] is True
    assert data["join_requests"][0]["message"] == "Katılmak istiyorum"
    assert data["invitations_sent"][0]["email"] == "davet@example.test"
    assert data["event_registrations"][0]["event"] == "Erzurum Bölge Programı"
    assert [n["message"] for n in data["notifications"]] == ["Cevap geldi"]
    assert data["case_history_entries_written"][0]["text"] == "İç not"
    text = response.content.decode()
    assert "other@example.test" not in text
    assert "Başkasının bildirimi" not in text
    entry = AuditEntry.objects.get(action="data_download")
    assert entry.actor == user


def test_privacy_delete_page_asks_for_password(client):
    user = UserFactory()
    client.force_login(user)
    html = client.get(_en("account_delete")).content.decode()
    assert 'type="password"' in html
    assert "Deletion cannot be undone" in html
    user.refresh_from_db()
    assert user.is_active


def test_privacy_delete_wrong_password_keeps_account(client):
    user = UserFactory(full_name="Ayşe Yılmaz")
    client.force_login(user)
    response = client.post(_en("account_delete"), {"password": "not-my-password"})
    assert response.status_code == 200
    assert "The password is not correct." in response.content.decode()
    user.refresh_from_db()
    assert user.full_name == "Ayşe Yılmaz"
    assert user.is_active
    assert not AuditEntry.objects.filter(action="account_deleted").exists()


def test_privacy_delete_anonymises_and_logs_out(client):
    user = UserFactory(email="ayse@example.test", full_name="Ayşe Yılmaz")
    ngo = NGOFactory()
    MembershipFactory(ngo=ngo, role=Membership.Role.ADMIN)
    MembershipFactory(user=user, ngo=ngo, role=Membership.Role.ADMIN)
    MunicipalStaffFactory(user=user)
    CoordinatorAssignmentFactory(user=user)
    JoinRequestFactory(user=user)
    Notification.objects.create(user=user, kind="answer", message="Cevap geldi")
    case = ExpectationFactory(rank=1)
    entry = ReviewEntry.objects.create(
        expectation=case, kind="note", actor=user, municipality=case.municipality, text="İç not"
    )
    client.force_login(user)

    response = client.post(_en("account_delete"), {"password": PASSWORD}, follow=True)

    assert response.redirect_chain[0][1] == 302
    assert "Your account has been deleted." in response.content.decode()
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.full_name == DELETED_USER_NAME
    assert user.email == f"deleted-{user.pk}@invalid"
    assert not user.has_usable_password()
    assert not user.is_active
    assert not Membership.objects.filter(user=user).exists()
    assert not MunicipalStaff.objects.filter(user=user).exists()
    assert not CoordinatorAssignment.objects.filter(user=user).exists()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Notification.objects.filter(user=user).exists()
    assert not JoinRequest.objects.filter(user=user).exists()
    entry.refresh_from_db()
    assert entry.actor_id == user.pk
    audit_entry = AuditEntry.objects.get(action="account_deleted")
    assert audit_entry.actor == user
    assert "ayse@example.test" not in audit_entry.target
    assert not client.login(email="ayse@example.test", password=PASSWORD)


def test_privacy_deleted_user_shown_anonymised_in_case_history(client):
    author = UserFactory(full_name="Ayşe Yılmaz")
    staff = MunicipalStaffFactory(user=author)
    case = submitted_case(rank=1, municipality=staff.municipality)
    ReviewEntry.objects.create(
        expectation=case, kind="note", actor=author, municipality=case.municipality, text="Not"
    )
    colleague = MunicipalStaffFactory(municipality=staff.municipality).user
    client.force_login(author)
    client.post(_en("account_delete"), {"password": PASSWORD})

    client.force_login(colleague)
    html = client.get(_en("surveys:case", case.pk)).content.decode()

    assert "Not" in html
    assert DELETED_USER_NAME in html
    assert "Ayşe Yılmaz" not in html


def test_privacy_delete_refused_for_last_ngo_admin(client):
    user = UserFactory(full_name="Ayşe Yılmaz")
    membership = MembershipFactory(user=user, role=Membership.Role.ADMIN)
    MembershipFactory(ngo=membership.ngo, role=Membership.Role.MEMBER)
    client.force_login(user)

    response = client.post(_en("account_delete"), {"password": PASSWORD})

    html = response.content.decode()
    assert response.status_code == 200
    assert "You are the only administrator of" in html
    assert "Appoint another administrator first" in html
    assert membership.ngo.name in html
    user.refresh_from_db()
    assert user.is_active
    assert user.full_name == "Ayşe Yılmaz"
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert not AuditEntry.objects.filter(action="account_deleted").exists()


def test_privacy_delete_refused_for_last_municipal_manager(client):
    staff = MunicipalStaffFactory(role=MunicipalStaff.Role.MANAGER)
    client.force_login(staff.user)
    response = client.post(_en("account_delete"), {"password": PASSWORD})
    assert "You are the only administrator of" in response.content.decode()
    assert User.objects.get(pk=staff.user.pk).is_active
