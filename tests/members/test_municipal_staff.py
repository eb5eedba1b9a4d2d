import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import Invitation
from municipalities.models import Municipality, MunicipalStaff, SubRegion
from tests.factories import (
    CoordinatorAssignmentFactory,
    InvitationFactory,
    MunicipalStaffFactory,
    UserFactory,
)
from tests.helpers import en, messages_of

pytestmark = pytest.mark.django_db
LAST_MANAGER = "A municipality must keep at least one manager."


@pytest.fixture
def erzurum():
    return Municipality.objects.get(slug="erzurum-bb")


@pytest.fixture
def manager(erzurum):
    return MunicipalStaffFactory(
        municipality=erzurum, role=MunicipalStaff.Role.MANAGER, user__full_name="Ömer Çelik"
    ).user


@pytest.fixture
def colleague(erzurum):
    return MunicipalStaffFactory(
        municipality=erzurum, role=MunicipalStaff.Role.STAFF, user__full_name="Şükrü Doğan"
    ).user


@pytest.fixture
def regional():
    """The coordinator of Erzurum's sub-region (14 Erzurum-Kars)."""
    return CoordinatorAssignmentFactory(subregion=SubRegion.objects.get(code="14")).user


def staff_of(user, municipality):
    return MunicipalStaff.objects.get(user=user, municipality=municipality)


def action_urls(municipality, staff, invitation):
    slug = municipality.slug
    return {
        "staff_invite": (
            en("members:staff_invite", slug),
            {"email": "new@example.test", "role": "staff"},
        ),
        "staff_role": (en("members:staff_role", slug, staff.pk), {"role": "manager"}),
        "staff_remove": (en("members:staff_remove", slug, staff.pk), {}),
        "staff_invitation_revoke": (
            en("members:staff_invitation_revoke", slug, invitation.pk),
            {},
        ),
    }


def snapshot(municipality):
    return (
        sorted(MunicipalStaff.objects.filter(municipality=municipality).values_list("pk", "role")),
        sorted(
            Invitation.objects.filter(municipality=municipality).values_list("pk", "revoked_at")
        ),
    )


ACTIONS = ["staff_invite", "staff_role", "staff_remove", "staff_invitation_revoke"]


# --- The whole journey -----------------------------------------------------------------------


def test_manager_invites_a_colleague_who_accepts_and_appears_on_the_staff_page(
    client, erzurum, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            en("members:staff_invite", erzurum.slug),
            {"email": "hatice@example.test", "role": "staff"},
        )
    assert response["Location"] == en("members:staff", erzurum.slug)
    invitation = Invitation.objects.get(municipality=erzurum)
    assert (invitation.email, invitation.role) == ("hatice@example.test", "staff")
    assert "Erzurum Büyükşehir Belediyesi" in mail.outbox[0].body
    assert f"/en/invitations/{invitation.token}/" in mail.outbox[0].body

    newcomer = UserFactory(email="hatice@example.test", full_name="Hatice Güneş")
    client.force_login(newcomer)
    response = client.post(en("members:invitation_accept", invitation.token))
    assert response["Location"] == en("members:staff", erzurum.slug)
    assert staff_of(newcomer, erzurum).role == "staff"
    html = client.get(response["Location"]).content.decode()
    assert "Hatice Güneş" in html and "Ömer Çelik" in html
    assert "Invite a colleague" not in html  # plain staff do not invite


def test_staff_page_for_the_manager_shows_staff_invitations_and_forms(
    client, erzurum, manager, colleague
):
    InvitationFactory(ngo=None, municipality=erzurum, email="pending@example.test", role="manager")
    client.force_login(manager)
    html = client.get(en("members:staff", erzurum.slug)).content.decode()
    assert "Ömer Çelik" in html and "Şükrü Doğan" in html and colleague.email in html
    assert "pending@example.test" in html
    assert "Invite a colleague" in html
    assert "Change role" in html
    assert html.index("Ömer Çelik") < html.index("Şükrü Doğan")  # managers first


# --- Who may see and act ---------------------------------------------------------------------


def test_staff_of_another_municipality_get_404(client, erzurum, manager, colleague):
    kars_manager = MunicipalStaffFactory(
        municipality=Municipality.objects.get(slug="kars"), role=MunicipalStaff.Role.MANAGER
    ).user
    client.force_login(kars_manager)
    response = client.get(en("members:staff", erzurum.slug))
    assert response.status_code == 404
    assert "Ömer Çelik" not in response.content.decode()


@pytest.mark.parametrize("action", ACTIONS)
def test_outsiders_get_404_on_every_staff_action(client, erzurum, manager, colleague, action):
    invitation = InvitationFactory(ngo=None, municipality=erzurum, role="staff")
    url, data = action_urls(erzurum, staff_of(colleague, erzurum), invitation)[action]
    before = snapshot(erzurum)
    kars_manager = MunicipalStaffFactory(
        municipality=Municipality.objects.get(slug="kars"), role=MunicipalStaff.Role.MANAGER
    ).user
    client.force_login(kars_manager)
    assert client.post(url, data).status_code == 404
    assert snapshot(erzurum) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_plain_staff_get_403_on_manager_actions(client, erzurum, manager, colleague, action):
    invitation = InvitationFactory(ngo=None, municipality=erzurum, role="staff")
    url, data = action_urls(erzurum, staff_of(manager, erzurum), invitation)[action]
    before = snapshot(erzurum)
    client.force_login(colleague)
    assert client.post(url, data).status_code == 403
    assert snapshot(erzurum) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_get_on_staff_action_urls_is_405(client, erzurum, manager, colleague, action):
    invitation = InvitationFactory(ngo=None, municipality=erzurum, role="staff")
    url, _ = action_urls(erzurum, staff_of(colleague, erzurum), invitation)[action]
    before = snapshot(erzurum)
    client.force_login(manager)
    assert client.get(url).status_code == 405
    assert snapshot(erzurum) == before


def test_staff_page_sends_anonymous_users_to_login(client, erzurum):
    response = client.get(en("members:staff", erzurum.slug))
    assert response["Location"].startswith(en("account_login"))


def test_staff_of_another_municipality_row_is_404_for_a_manager(client, erzurum, manager):
    kars_staff = MunicipalStaffFactory(municipality=Municipality.objects.get(slug="kars"))
    client.force_login(manager)
    response = client.post(
        en("members:staff_role", erzurum.slug, kars_staff.pk), {"role": "manager"}
    )
    assert response.status_code == 404
    kars_staff.refresh_from_db()
    assert kars_staff.role == "staff"


# --- Coordinators appoint managers -----------------------------------------------------------


def test_regional_coordinator_appoints_a_manager_by_invitation(
    client, erzurum, regional, django_capture_on_commit_callbacks
):
    client.force_login(regional)
    html = client.get(en("members:staff", erzurum.slug)).content.decode()
    assert "Appoint a manager" in html
    assert "This municipality has no manager yet." not in html  # only said when staff exist
    assert "No one from this municipality uses the portal yet." in html

    # A coordinator offers only the manager role.
    response = client.post(
        en("members:staff_invite", erzurum.slug),
        {"email": "chief@example.test", "role": "staff"},
    )
    assert "Select a valid choice." in response.content.decode()
    assert not Invitation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            en("members:staff_invite", erzurum.slug),
            {"email": "chief@example.test", "role": "manager"},
        )
    assert response["Location"] == en("members:staff", erzurum.slug)
    invitation = Invitation.objects.get(municipality=erzurum)
    assert (invitation.role, invitation.invited_by) == ("manager", regional)
    assert "Manager" in mail.outbox[0].body

    chief = UserFactory(email="chief@example.test")
    client.force_login(chief)
    client.post(en("members:invitation_accept", invitation.token))
    assert staff_of(chief, erzurum).role == "manager"
    html = client.get(en("members:staff", erzurum.slug)).content.decode()
    assert "Invite a colleague" in html


def test_regional_coordinator_cannot_change_roles(client, erzurum, manager, regional):
    client.force_login(regional)
    response = client.post(
        en("members:staff_role", erzurum.slug, staff_of(manager, erzurum).pk),
        {"role": "staff"},
    )
    assert response.status_code == 403
    assert staff_of(manager, erzurum).role == "manager"


def test_coordinator_withdraws_a_manager_invitation_but_not_a_staff_one(client, erzurum, regional):
    for_manager = InvitationFactory(ngo=None, municipality=erzurum, role="manager")
    for_staff = InvitationFactory(ngo=None, municipality=erzurum, role="staff")
    client.force_login(regional)
    response = client.post(en("members:staff_invitation_revoke", erzurum.slug, for_staff.pk))
    assert response.status_code == 403
    client.post(en("members:staff_invitation_revoke", erzurum.slug, for_manager.pk))
    for_manager.refresh_from_db()
    for_staff.refresh_from_db()
    assert for_manager.revoked_at is not None
    assert for_staff.revoked_at is None


def test_coordinator_of_another_subregion_gets_404(client, erzurum, manager):
    istanbul = SubRegion.objects.get(provinces=34)
    client.force_login(CoordinatorAssignmentFactory(subregion=istanbul).user)
    assert client.get(en("members:staff", erzurum.slug)).status_code == 404
    response = client.post(
        en("members:staff_invite", erzurum.slug),
        {"email": "chief@example.test", "role": "manager"},
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_national_coordinator_and_site_admin_see_the_staff_page(client, erzurum, manager):
    for user in (CoordinatorAssignmentFactory(subregion=None).user, UserFactory(is_staff=True)):
        client.force_login(user)
        html = client.get(en("members:staff", erzurum.slug)).content.decode()
        assert "Ömer Çelik" in html


# --- The last manager ------------------------------------------------------------------------


def test_the_last_manager_cannot_be_demoted(client, erzurum, manager, colleague):
    client.force_login(manager)
    response = client.post(
        en("members:staff_role", erzurum.slug, staff_of(manager, erzurum).pk),
        {"role": "staff"},
    )
    assert any(LAST_MANAGER in m for m in messages_of(response))
    assert staff_of(manager, erzurum).role == "manager"


def test_the_last_manager_cannot_be_removed(client, erzurum, manager):
    client.force_login(UserFactory(is_staff=True))
    response = client.post(en("members:staff_remove", erzurum.slug, staff_of(manager, erzurum).pk))
    assert any(LAST_MANAGER in m for m in messages_of(response))
    assert staff_of(manager, erzurum).role == "manager"


def test_with_two_managers_one_can_be_demoted(client, erzurum, manager, colleague):
    client.force_login(manager)
    client.post(
        en("members:staff_role", erzurum.slug, staff_of(colleague, erzurum).pk),
        {"role": "manager"},
    )
    response = client.post(
        en("members:staff_role", erzurum.slug, staff_of(manager, erzurum).pk),
        {"role": "staff"},
    )
    assert response["Location"] == en("members:staff", erzurum.slug)
    assert staff_of(manager, erzurum).role == "staff"
    assert staff_of(colleague, erzurum).role == "manager"
    # Now plain staff, the former manager sees the page without the forms.
    assert "Invite a colleague" not in client.get(response["Location"]).content.decode()


def test_manager_removes_a_colleague(client, erzurum, manager, colleague):
    client.force_login(manager)
    response = client.post(
        en("members:staff_remove", erzurum.slug, staff_of(colleague, erzurum).pk)
    )
    assert "Şükrü Doğan has been removed from the municipality's staff." in messages_of(response)
    assert not MunicipalStaff.objects.filter(user=colleague).exists()


def test_htmx_removal_returns_only_the_people_fragment(client, erzurum, manager, colleague):
    client.force_login(manager)
    response = client.post(
        en("members:staff_remove", erzurum.slug, staff_of(colleague, erzurum).pk),
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="people"')
    assert "<html" not in html
    assert "Şükrü Doğan has been removed from the municipality&#x27;s staff." in html
    assert colleague.email not in html


# --- The detail page's link ----------------------------------------------------------------


def test_detail_page_links_to_the_staff_page_only_for_those_who_may_see_it(
    client, erzurum, colleague, regional
):
    staff_url = en("members:staff", erzurum.slug)
    detail_url = en("municipalities:detail", erzurum.slug)
    assert staff_url not in client.get(detail_url).content.decode()
    client.force_login(UserFactory())
    assert staff_url not in client.get(detail_url).content.decode()
    for user in (colleague, regional):
        client.force_login(user)
        assert staff_url in client.get(detail_url).content.decode()


# --- Query count -----------------------------------------------------------------------------


def count_queries(client, municipality):
    url = en("members:staff", municipality.slug)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.context["rows"]), len(response.context["invitations"])


def test_staff_page_query_count_does_not_grow_with_staff(client):
    small_place = Municipality.objects.get(slug="bayburt")
    large_place = Municipality.objects.get(slug="erzurum-bb")
    manager = UserFactory()
    for municipality, size in ((small_place, 1), (large_place, 5)):
        MunicipalStaffFactory(municipality=municipality, user=manager, role="manager")
        MunicipalStaffFactory.create_batch(size - 1, municipality=municipality)
        InvitationFactory.create_batch(size, ngo=None, municipality=municipality, role="staff")
    client.force_login(manager)
    small = count_queries(client, small_place)
    large = count_queries(client, large_place)
    assert (small[1:], large[1:]) == ((1, 1), (5, 5))
    # session, user, the user's 3 role queries, the municipality, its staff, its invitations
    assert small[0] == large[0] == 9  # + the nav's unread notification count


def test_manager_is_told_what_each_staff_action_did_or_why_not(client, erzurum, manager, colleague):
    client.force_login(manager)

    def told(url, data=None):
        """The message the redirected page shows (the newest one)."""
        return messages_of(client.post(url, data or {}))[-1]

    row = staff_of(colleague, erzurum)
    role_url = en("members:staff_role", erzurum.slug, row.pk)
    assert told(role_url, {"role": "boss"}) == "Choose a valid role."
    assert staff_of(colleague, erzurum).role == "staff"
    assert told(role_url, {"role": "manager"}) == "Şükrü Doğan is now: Manager."

    invite_url = en("members:staff_invite", erzurum.slug)
    invited = {"email": "yeni@example.test", "role": "staff"}
    assert told(invite_url, invited) == "An invitation has been sent to yeni@example.test."
    invitation = Invitation.objects.get(email="yeni@example.test")
    # The same address again: the form comes back with the reason and what was typed.
    response = client.post(invite_url, invited)
    assert response.status_code == 200
    assert response.context["invite_form"].errors["email"] == [
        "An invitation for this email address is already pending. Revoke it first if you want "
        "to send a new one."
    ]
    assert 'value="yeni@example.test"' in response.content.decode()

    revoke_url = en("members:staff_invitation_revoke", erzurum.slug, invitation.pk)
    assert told(revoke_url) == "The invitation for yeni@example.test has been withdrawn."
    assert told(revoke_url) == "This invitation has already been withdrawn."
