import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import Invitation
from members.services.roles import member_change_role, member_remove, membership_leave
from municipalities.models import SubRegion
from ngos.models import NGO, Membership
from tests.factories import (
    CoordinatorAssignmentFactory,
    InvitationFactory,
    MembershipFactory,
    NGOFactory,
    UserFactory,
)
from tests.helpers import en, messages_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
LAST_ADMIN = "An NGO must keep at least one administrator."


@pytest.fixture
def ngo():
    return NGOFactory(name="Erzurum Dadaşlar Dayanışma Derneği", slug="erzurum-dadaslar")


@pytest.fixture
def admin(ngo):
    return MembershipFactory(
        ngo=ngo, role=Membership.Role.ADMIN, user__full_name="Zeynep Aydın"
    ).user


@pytest.fixture
def member(ngo):
    return MembershipFactory(
        ngo=ngo, role=Membership.Role.MEMBER, user__full_name="İbrahim Kılıç"
    ).user


def membership_of(user, ngo):
    return Membership.objects.get(user=user, ngo=ngo)


def action_urls(ngo, membership, invitation):
    """Every POST action of the members page, for a member and an invitation of the NGO."""
    return {
        "invite": (en("members:invite", ngo.slug), {"email": "new@example.test", "role": "member"}),
        "invitation_revoke": (en("members:invitation_revoke", ngo.slug, invitation.pk), {}),
        "member_role": (en("members:member_role", ngo.slug, membership.pk), {"role": "admin"}),
        "member_remove": (en("members:member_remove", ngo.slug, membership.pk), {}),
        "leave": (en("members:leave", ngo.slug), {}),
    }


def snapshot(ngo):
    return (
        sorted(Membership.objects.filter(ngo=ngo).values_list("user_id", "role")),
        sorted(Invitation.objects.filter(ngo=ngo).values_list("email", "revoked_at")),
    )


# --- The page ---------------------------------------------------------------------------------


def test_members_page_shows_members_invitations_and_admin_forms(client, ngo, admin, member):
    InvitationFactory(ngo=ngo, email="pending@example.test", role="admin")
    client.force_login(admin)
    html = client.get(en("members:members", ngo.slug)).content.decode()
    assert "Zeynep Aydın" in html and admin.email in html
    assert "İbrahim Kılıç" in html and member.email in html
    assert "pending@example.test" in html
    assert "Invite someone" in html
    assert "Change role" in html
    assert "Withdraw" in html
    assert "Leave this NGO" in html
    # Administrators first, then members.
    assert html.index("Zeynep Aydın") < html.index("İbrahim Kılıç")


def test_members_page_for_a_plain_member_has_no_admin_forms(client, ngo, admin, member):
    InvitationFactory(ngo=ngo, email="pending@example.test")
    client.force_login(member)
    html = client.get(en("members:members", ngo.slug)).content.decode()
    assert "Zeynep Aydın" in html and "pending@example.test" in html
    assert "Leave this NGO" in html
    assert "Invite someone" not in html
    assert "Change role" not in html
    assert "Withdraw" not in html


def test_members_page_is_visible_to_the_subregion_coordinator_only(client, ngo, admin):
    coordinator = CoordinatorAssignmentFactory(subregion=SubRegion.objects.get(code="14")).user
    client.force_login(coordinator)
    html = client.get(en("members:members", ngo.slug)).content.decode()
    assert "Zeynep Aydın" in html
    assert "Leave this NGO" not in html
    assert "Invite someone" not in html

    istanbul = SubRegion.objects.get(provinces=34)
    client.force_login(CoordinatorAssignmentFactory(subregion=istanbul).user)
    assert client.get(en("members:members", ngo.slug)).status_code == 404


def test_members_page_is_404_for_outsiders(client, ngo, admin):
    other_admin = MembershipFactory(role=Membership.Role.ADMIN).user
    for outsider in (UserFactory(), other_admin):
        client.force_login(outsider)
        response = client.get(en("members:members", ngo.slug))
        assert response.status_code == 404
        assert "Zeynep Aydın" not in response.content.decode()


def test_members_page_of_a_pending_ngo_is_404_for_outsiders_but_seen_by_its_admin(client):
    pending = NGOFactory(status=NGO.Status.PENDING)
    admin = MembershipFactory(ngo=pending, role=Membership.Role.ADMIN).user
    client.force_login(UserFactory())
    assert client.get(en("members:members", pending.slug)).status_code == 404
    client.force_login(admin)
    assert admin.email in client.get(en("members:members", pending.slug)).content.decode()


def test_members_page_sends_anonymous_users_to_login(client, ngo, admin):
    response = client.get(en("members:members", ngo.slug))
    assert response.status_code == 302
    assert response["Location"].startswith(en("account_login"))


# --- Who may act --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action", ["invite", "invitation_revoke", "member_role", "member_remove", "leave"]
)
def test_outsiders_get_404_on_every_action(client, ngo, admin, member, action):
    invitation = InvitationFactory(ngo=ngo)
    url, data = action_urls(ngo, membership_of(member, ngo), invitation)[action]
    before = snapshot(ngo)
    client.force_login(MembershipFactory(role=Membership.Role.ADMIN).user)  # another NGO's admin
    assert client.post(url, data).status_code == 404
    assert snapshot(ngo) == before


@pytest.mark.parametrize("action", ["invite", "invitation_revoke", "member_role", "member_remove"])
def test_plain_members_get_403_on_admin_actions(client, ngo, admin, member, action):
    invitation = InvitationFactory(ngo=ngo)
    url, data = action_urls(ngo, membership_of(admin, ngo), invitation)[action]
    before = snapshot(ngo)
    client.force_login(member)
    assert client.post(url, data).status_code == 403
    assert snapshot(ngo) == before


@pytest.mark.parametrize(
    "action", ["invite", "invitation_revoke", "member_role", "member_remove", "leave"]
)
def test_get_on_action_urls_is_405(client, ngo, admin, member, action):
    invitation = InvitationFactory(ngo=ngo)
    url, _ = action_urls(ngo, membership_of(member, ngo), invitation)[action]
    before = snapshot(ngo)
    client.force_login(admin)
    assert client.get(url).status_code == 405
    assert snapshot(ngo) == before


def test_objects_of_another_ngo_are_404_even_for_an_admin(client, ngo, admin):
    elsewhere = MembershipFactory(role=Membership.Role.MEMBER)
    foreign_invitation = InvitationFactory(ngo=elsewhere.ngo)
    client.force_login(admin)
    assert (
        client.post(
            en("members:member_role", ngo.slug, elsewhere.pk), {"role": "admin"}
        ).status_code
        == 404
    )
    assert client.post(en("members:member_remove", ngo.slug, elsewhere.pk)).status_code == 404
    assert (
        client.post(en("members:invitation_revoke", ngo.slug, foreign_invitation.pk)).status_code
        == 404
    )
    elsewhere.refresh_from_db()
    foreign_invitation.refresh_from_db()
    assert elsewhere.role == "member"
    assert foreign_invitation.revoked_at is None


# --- Inviting -----------------------------------------------------------------------------


def test_admin_invites_by_email(client, ngo, admin, django_capture_on_commit_callbacks):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            en("members:invite", ngo.slug), {"email": "New@Example.test", "role": "admin"}
        )
    assert response["Location"] == en("members:members", ngo.slug)
    invitation = Invitation.objects.get(ngo=ngo)
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "new@example.test",
        "admin",
        admin,
    )
    assert mail.outbox[0].to == ["new@example.test"]
    assert ngo.name in mail.outbox[0].body
    assert "An invitation has been sent to new@example.test." in messages_of(response)


def test_invite_with_invalid_input_shows_errors_and_keeps_what_was_typed(client, ngo, admin):
    client.force_login(admin)
    response = client.post(
        en("members:invite", ngo.slug), {"email": "not-an-email", "role": "boss"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="not-an-email"' in html
    assert "Enter a valid email address." in html
    assert "Select a valid choice." in html
    assert not Invitation.objects.exists()


def test_invite_of_an_existing_member_is_refused_on_the_form(client, ngo, admin, member):
    client.force_login(admin)
    response = client.post(en("members:invite", ngo.slug), {"email": member.email, "role": "admin"})
    html = response.content.decode()
    assert "This email address already belongs to a member of this organisation." in html
    assert f'value="{member.email}"' in html
    assert not Invitation.objects.exists()


def test_htmx_invite_returns_only_the_people_fragment(client, ngo, admin):
    client.force_login(admin)
    response = client.post(
        en("members:invite", ngo.slug),
        {"email": "htmx@example.test", "role": "member"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="people"')
    assert "<html" not in html
    assert "htmx@example.test" in html
    assert "An invitation has been sent to htmx@example.test." in html


def test_admin_withdraws_an_invitation(client, ngo, admin):
    invitation = InvitationFactory(ngo=ngo, email="gone@example.test")
    client.force_login(admin)
    response = client.post(en("members:invitation_revoke", ngo.slug, invitation.pk))
    assert response["Location"] == en("members:members", ngo.slug)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert "The invitation for gone@example.test has been withdrawn." in messages_of(response)
    assert client.get(en("members:members", ngo.slug)).context["invitations"] == []


# --- Roles, removal, leaving and the last administrator ----------------------------------


def test_admin_makes_a_member_administrator(client, ngo, admin, member):
    client.force_login(admin)
    response = client.post(
        en("members:member_role", ngo.slug, membership_of(member, ngo).pk), {"role": "admin"}
    )
    assert response["Location"] == en("members:members", ngo.slug)
    assert membership_of(member, ngo).role == "admin"


def test_invalid_role_is_refused_with_a_message(client, ngo, admin, member):
    client.force_login(admin)
    response = client.post(
        en("members:member_role", ngo.slug, membership_of(member, ngo).pk), {"role": "owner"}
    )
    assert "Choose a valid role." in messages_of(response)
    assert membership_of(member, ngo).role == "member"


def test_the_only_admin_cannot_be_demoted(client, ngo, admin, member):
    client.force_login(admin)
    response = client.post(
        en("members:member_role", ngo.slug, membership_of(admin, ngo).pk), {"role": "member"}
    )
    assert any(LAST_ADMIN in m for m in messages_of(response))
    assert membership_of(admin, ngo).role == "admin"


def test_the_only_admin_cannot_be_removed(ngo, admin, member):
    with pytest.raises(ValidationError, match=LAST_ADMIN):
        member_remove(member=membership_of(admin, ngo), by=admin)
    assert membership_of(admin, ngo).role == "admin"


def test_the_only_admin_cannot_leave(client, ngo, admin, member):
    client.force_login(admin)
    response = client.post(en("members:leave", ngo.slug))
    assert response["Location"] == en("members:members", ngo.slug)
    assert any(LAST_ADMIN in m for m in messages_of(response))
    assert membership_of(admin, ngo).role == "admin"


def test_with_two_admins_one_can_leave(client, ngo, admin):
    MembershipFactory(ngo=ngo, role=Membership.Role.ADMIN)
    client.force_login(admin)
    response = client.post(en("members:leave", ngo.slug))
    assert response["Location"] == en("dashboard")
    assert not Membership.objects.filter(ngo=ngo, user=admin).exists()
    assert Membership.objects.filter(ngo=ngo, role="admin").count() == 1
    # Having left, the page is closed to them.
    assert client.get(en("members:members", ngo.slug)).status_code == 404


def test_two_admins_cannot_demote_each_other_to_none(ngo, admin):
    other = MembershipFactory(ngo=ngo, role=Membership.Role.ADMIN)
    member_change_role(member=membership_of(admin, ngo), role="member", by=other.user)
    with pytest.raises(ValidationError, match=LAST_ADMIN):
        member_change_role(member=other, role="member", by=admin)
    other.refresh_from_db()
    assert other.role == "admin"


def test_a_plain_member_leaves(client, ngo, admin, member):
    client.force_login(member)
    response = client.post(en("members:leave", ngo.slug))
    assert response["Location"] == en("dashboard")
    assert f"You have left {ngo.name}." in messages_of(response)
    assert not Membership.objects.filter(ngo=ngo, user=member).exists()


def test_leave_service_refuses_a_non_member(ngo, admin):
    with pytest.raises(ValidationError, match="not a member"):
        membership_leave(ngo=ngo, user=UserFactory())


def test_admin_removes_a_member(client, ngo, admin, member):
    client.force_login(admin)
    response = client.post(en("members:member_remove", ngo.slug, membership_of(member, ngo).pk))
    assert response["Location"] == en("members:members", ngo.slug)
    assert not Membership.objects.filter(ngo=ngo, user=member).exists()
    assert "İbrahim Kılıç has been removed from the NGO." in messages_of(response)


def test_admin_removing_themselves_goes_to_the_dashboard(client, ngo, admin):
    MembershipFactory(ngo=ngo, role=Membership.Role.ADMIN)
    client.force_login(admin)
    url = en("members:member_remove", ngo.slug, membership_of(admin, ngo).pk)
    response = client.post(url, headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == en("dashboard")
    assert not Membership.objects.filter(ngo=ngo, user=admin).exists()


def test_site_admin_manages_members_of_any_ngo(client, ngo, admin, member):
    client.force_login(UserFactory(is_staff=True))
    html = client.get(en("members:members", ngo.slug)).content.decode()
    assert "Invite someone" in html
    assert "Leave this NGO" not in html
    client.post(
        en("members:member_role", ngo.slug, membership_of(member, ngo).pk), {"role": "admin"}
    )
    assert membership_of(member, ngo).role == "admin"


# --- Query count -----------------------------------------------------------------------------


def count_queries(client, ngo):
    url = en("members:members", ngo.slug)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.context["rows"]), len(response.context["invitations"])


def test_members_page_query_count_does_not_grow_with_members(client):
    small_ngo, large_ngo = NGOFactory(), NGOFactory()
    admin = UserFactory()
    for ngo, size in ((small_ngo, 1), (large_ngo, 5)):
        MembershipFactory(ngo=ngo, user=admin, role=Membership.Role.ADMIN)
        MembershipFactory.create_batch(size - 1, ngo=ngo)
        InvitationFactory.create_batch(size, ngo=ngo)
    client.force_login(admin)
    small = count_queries(client, small_ngo)
    large = count_queries(client, large_ngo)
    assert (small[1:], large[1:]) == ((1, 1), (5, 5))
    # session, user, the user's 3 role queries, the NGO, its members, its invitations
    assert small[0] == large[0] == 9  # + the nav's unread notification count


# --- Concurrency (PostgreSQL) -------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_keep_one_admin(monkeypatch):
    import threading
    import time

    from django.db import connections

    from members.services import roles as service

    ngo = NGOFactory()
    first = MembershipFactory(ngo=ngo, role=Membership.Role.ADMIN)
    second = MembershipFactory(ngo=ngo, role=Membership.Role.ADMIN)
    check = service.sole_admin_lock

    def slow_check(*args):
        # Widen the window between counting the admins and saving the new role.
        result = check(*args)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(service, "sole_admin_lock", slow_check)
    errors = []

    def demote(membership, by):
        try:
            member_change_role(member=membership, role="member", by=by)
        except ValidationError as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=demote, args=(first, second.user)),
        threading.Thread(target=demote, args=(second, first.user)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 1
    assert Membership.objects.filter(ngo=ngo, role="admin").count() == 1
