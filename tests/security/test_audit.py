"""The audit log: every security-relevant action leaves an entry; only site administrators read
it, and nobody can change it."""

import pytest
from allauth.core.internal.httpkit import get_client_ip
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from events.services.exports import attendees_export_log
from members.services.invitations import invitation_accept
from members.services.roles import (
    member_change_role,
    member_remove,
    membership_leave,
)
from municipalities.models import MunicipalStaff
from ngos.models import NGO, JoinRequest, Membership
from ngos.services.capabilities import capabilities_export_log
from ngos.services.onboarding import join_request_decide
from ngos.services.verification import ngo_set_status
from portal.models import AuditEntry, ExportLog
from reports.services.export_all import expectations_export_log
from reports.services.table_exports import report_export_log
from tests.events.factories import EventFactory
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

pytestmark = pytest.mark.django_db


def _only(action) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(action=action))
    assert len(entries) == 1, entries
    return entries[0]


def test_audit_login_records_user_and_ip(client):
    user = UserFactory(email="ayse@example.test")
    response = client.post(
        "/en/accounts/login/",
        {"login": "ayse@example.test", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
    entry = _only("login")
    assert entry.actor == user
    assert entry.ip == "203.0.113.7"
    assert entry.target == f"portal.User #{user.pk}"


def _login_ip(client, **headers) -> str:
    UserFactory(email="ayse@example.test")
    response = client.post(
        "/en/accounts/login/",
        {"login": "ayse@example.test", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        **headers,
    )
    assert response.status_code == 302
    return _only("login").ip


def test_audit_login_ip_from_forwarded_for_behind_one_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert _login_ip(client, HTTP_X_FORWARDED_FOR="203.0.113.7") == "203.0.113.7"


def test_audit_login_ip_ignores_forwarded_for_without_trusted_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert _login_ip(client, HTTP_X_FORWARDED_FOR="203.0.113.7") == "127.0.0.1"


def test_audit_login_ip_ignores_spoofed_left_entries(client, settings):
    # The client sent "198.51.100.9, 10.0.0.1"; nginx appended the address it saw.
    settings.TRUSTED_PROXY_COUNT = 1
    forwarded = "198.51.100.9, 10.0.0.1, 203.0.113.7"
    assert _login_ip(client, HTTP_X_FORWARDED_FOR=forwarded) == "203.0.113.7"


def test_audit_login_ip_two_proxies_take_second_from_right(client, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    forwarded = "198.51.100.9, 203.0.113.7, 10.0.0.2"
    assert _login_ip(client, HTTP_X_FORWARDED_FOR=forwarded) == "203.0.113.7"


def test_audit_login_ip_falls_back_when_forwarded_for_is_short_or_garbage(client, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert _login_ip(client, HTTP_X_FORWARDED_FOR="203.0.113.7") == "127.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    client.logout()
    client.post(
        "/en/accounts/login/",
        {"login": "ayse@example.test", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="not-an-address",
    )
    assert AuditEntry.objects.filter(action="login").latest("pk").ip == "127.0.0.1"


def test_allauth_rate_limits_trust_the_same_proxies(settings):
    from django.conf import settings as configured

    assert configured.ALLAUTH_TRUSTED_PROXY_COUNT == configured.TRUSTED_PROXY_COUNT
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.7"
    )
    assert get_client_ip(request) == "203.0.113.7"


def test_audit_failed_login_records_identifier_without_password(client):
    UserFactory(email="ayse@example.test")
    response = client.post(
        "/en/accounts/login/",
        {"login": "ayse@example.test", "password": "wrong-password-123"},
        REMOTE_ADDR="198.51.100.4",
    )
    assert response.status_code == 200
    entry = _only("login_failed")
    assert entry.actor is None
    assert entry.target == "ayse@example.test"
    assert entry.ip == "198.51.100.4"
    assert "wrong-password-123" not in str(entry.details)
    assert not AuditEntry.objects.filter(action="login").exists()


def test_audit_ngo_role_change_records_actor_and_role():
    admin = MembershipFactory(role=Membership.Role.ADMIN)
    member = MembershipFactory(ngo=admin.ngo)
    member_change_role(member=member, role=Membership.Role.ADMIN, by=admin.user)
    entry = _only("role_change")
    assert entry.actor == admin.user
    assert entry.details == {"ngo": admin.ngo.pk, "role": "admin"}
    assert str(member.user) in entry.target


def test_audit_ngo_role_change_refused_leaves_no_entry():
    admin = MembershipFactory(role=Membership.Role.ADMIN)
    with pytest.raises(ValidationError) as excinfo:
        member_change_role(member=admin, role=Membership.Role.MEMBER, by=admin.user)
    assert excinfo.value.code == "last_admin"
    assert not AuditEntry.objects.exists()


def test_audit_ngo_member_removed_and_left():
    admin = MembershipFactory(role=Membership.Role.ADMIN)
    removed = MembershipFactory(ngo=admin.ngo)
    leaving = MembershipFactory(ngo=admin.ngo)
    member_remove(member=removed, by=admin.user)
    membership_leave(ngo=admin.ngo, user=leaving.user)
    entries = list(AuditEntry.objects.filter(action="membership_change").order_by("pk"))
    assert [e.actor for e in entries] == [admin.user, leaving.user]
    assert entries[0].details == {"ngo": admin.ngo.pk, "removed": removed.user.pk}
    assert entries[1].details == {"ngo": admin.ngo.pk, "left": leaving.user.pk}


def test_audit_invitation_accepted():
    invitation = InvitationFactory(email="new@example.test", role="admin")
    user = UserFactory(email="new@example.test")
    invitation_accept(token=invitation.token, user=user)
    entry = _only("membership_change")
    assert entry.actor == user
    assert entry.details == {"invitation": invitation.pk, "role": "admin"}


def test_audit_municipal_staff_role_change_and_removal():
    manager = MunicipalStaffFactory(role=MunicipalStaff.Role.MANAGER)
    colleague = MunicipalStaffFactory()
    member_change_role(member=colleague, role=MunicipalStaff.Role.MANAGER, by=manager.user)
    member_remove(member=colleague, by=manager.user)
    assert _only("role_change").details == {
        "municipality": manager.municipality_id,
        "role": "manager",
    }
    removal = _only("membership_change")
    assert removal.actor == manager.user
    assert removal.details["removed"] == colleague.user.pk


def test_audit_join_request_approval():
    admin = MembershipFactory(role=Membership.Role.ADMIN)
    join_request = JoinRequestFactory(ngo=admin.ngo)
    join_request_decide(join_request_id=join_request.pk, approve=True, by=admin.user)
    entry = _only("membership_change")
    assert entry.actor == admin.user
    assert entry.details == {"join_request": join_request.pk, "approved": join_request.user_id}
    assert JoinRequest.objects.get(pk=join_request.pk).status == "approved"


def test_audit_verification_decision():
    coordinator = CoordinatorAssignmentFactory().user
    ngo = NGOFactory(status=NGO.Status.PENDING)
    ngo_set_status(
        ngo_id=ngo.pk,
        action="verify",
        reason="",
        expected_status=NGO.Status.PENDING,
        by=coordinator,
        base_url="http://testserver",
    )
    entry = _only("verification")
    assert entry.actor == coordinator
    assert entry.details == {"action": "verify", "status": "verified"}
    assert ngo.name in entry.target


def test_audit_every_export_of_personal_data():
    user = CoordinatorAssignmentFactory().user
    event = EventFactory()
    capabilities_export_log(user=user, filters={"kind": "first_aid"}, row_count=3)
    report_export_log(user=user, table="participation", filters={}, row_count=81)
    expectations_export_log(user=user, filters={"status": "new"}, row_count=5)
    attendees_export_log(user=user, event=event, export_format="csv", row_count=2)
    entries = list(AuditEntry.objects.filter(action="export").order_by("pk"))
    assert [e.target for e in entries] == [log.kind for log in ExportLog.objects.order_by("pk")]
    assert len(entries) == 4
    assert all(e.actor == user for e in entries)
    assert entries[0].details == {"filters": {"kind": "first_aid"}, "rows": 3}


def test_audit_export_through_the_page(client):
    coordinator = CoordinatorAssignmentFactory().user
    client.force_login(coordinator)
    response = client.get(reverse("ngos:capability_export"), {"province": 25})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body
    entry = _only("export")
    assert entry.actor == coordinator
    assert entry.target == "ngo_capabilities"


def test_audit_admin_edit_copied_from_log_entry(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    someone = UserFactory(full_name="Ali Veli")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:portal_coordinatorassignment_add"),
        {"user": someone.pk, "subregion": ""},
    )
    assert response.status_code == 302
    log = LogEntry.objects.get()
    entry = _only("admin_edit")
    assert entry.actor == admin_user
    assert entry.details["action_flag"] == "addition"
    assert log.object_repr in entry.target
    assert "portal.coordinatorassignment" in entry.target


def test_audit_admin_lists_entries_for_site_administrators(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    entry = AuditEntry.objects.create(action="login", target="portal.User #999")
    client.force_login(admin_user)
    response = client.get(reverse("admin:portal_auditentry_changelist"))
    assert response.status_code == 200
    assert "portal.User #999" in response.content.decode()
    detail = client.get(reverse("admin:portal_auditentry_change", args=[entry.pk]))
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()


def test_audit_admin_refuses_add_change_and_delete(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    entry = AuditEntry.objects.create(action="login", target="original")
    client.force_login(admin_user)
    assert client.get(reverse("admin:portal_auditentry_add")).status_code == 403
    client.post(
        reverse("admin:portal_auditentry_change", args=[entry.pk]),
        {"action": "login", "target": "tampered"},
    )
    delete = client.post(
        reverse("admin:portal_auditentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    entry.refresh_from_db()
    assert entry.target == "original"
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_audit_admin_hidden_from_everyone_else(client):
    entry = AuditEntry.objects.create(action="login", target="secret")
    client.force_login(UserFactory())
    response = client.get(reverse("admin:portal_auditentry_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    client.force_login(MembershipFactory(role=Membership.Role.ADMIN).user)
    response = client.get(reverse("admin:portal_auditentry_change", args=[entry.pk]))
    assert response.status_code == 302
