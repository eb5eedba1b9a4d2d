import datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation

from members.models import Invitation
from members.services.invitations import (
    INVITATION_DAYS,
    invitation_accept,
    invitation_create,
    invitation_revoke,
)
from municipalities.models import Municipality, MunicipalStaff
from ngos.models import Membership
from portal.models import OutgoingMail, User
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    UserFactory,
)
from tests.helpers import en, messages_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
BASE_URL = "https://portal.example/"


@pytest.fixture
def ngo_admin():
    return MembershipFactory(role=Membership.Role.ADMIN, user__full_name="Zeynep Aydın")


# --- Creating and the email ----------------------------------------------------------------


def test_invitation_create_emails_organisation_role_link_and_expiry(
    ngo_admin, django_capture_on_commit_callbacks
):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            email="  New.Person@Example.TEST ",
            ngo=ngo_admin.ngo,
            role="admin",
            invited_by=ngo_admin.user,
            base_url=BASE_URL,
        )
    assert invitation.email == "new.person@example.test"
    assert len(invitation.token) >= 40
    remaining = invitation.expires_at - timezone.now()
    assert datetime.timedelta(days=INVITATION_DAYS - 1) < remaining
    assert remaining <= datetime.timedelta(days=INVITATION_DAYS)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.test"]
    assert ngo_admin.ngo.name in message.subject
    assert ngo_admin.ngo.name in message.body
    assert "Zeynep Aydın" in message.body
    assert "Role offered: Administrator" in message.body
    assert f"https://portal.example/en/invitations/{invitation.token}/" in message.body
    with translation.override("en"):
        expiry = formats.date_format(timezone.localtime(invitation.expires_at), "DATETIME_FORMAT")
    assert expiry in message.body


def test_invitation_link_follows_the_invitees_language(
    ngo_admin, django_capture_on_commit_callbacks
):
    UserFactory(email="turkish@example.test", preferred_language="tr")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            email="turkish@example.test",
            ngo=ngo_admin.ngo,
            role="member",
            invited_by=ngo_admin.user,
            base_url=BASE_URL,
        )
    assert f"https://portal.example/invitations/{invitation.token}/" in mail.outbox[0].body


def test_invitation_create_refuses_an_existing_member(ngo_admin):
    member = MembershipFactory(ngo=ngo_admin.ngo)
    with pytest.raises(ValidationError, match="already belongs to a member"):
        invitation_create(
            email=member.user.email.upper(),
            ngo=ngo_admin.ngo,
            role="member",
            invited_by=ngo_admin.user,
            base_url=BASE_URL,
        )
    assert not Invitation.objects.exists()


def test_invitation_create_refuses_a_second_pending_invitation_until_revoked(ngo_admin):
    first = invitation_create(
        email="twice@example.test",
        ngo=ngo_admin.ngo,
        role="member",
        invited_by=ngo_admin.user,
        base_url=BASE_URL,
    )
    with pytest.raises(ValidationError, match="already pending"):
        invitation_create(
            email="TWICE@example.test",
            ngo=ngo_admin.ngo,
            role="admin",
            invited_by=ngo_admin.user,
            base_url=BASE_URL,
        )
    assert Invitation.objects.count() == 1
    invitation_revoke(invitation=first, by=ngo_admin.user)
    again = invitation_create(
        email="twice@example.test",
        ngo=ngo_admin.ngo,
        role="admin",
        invited_by=ngo_admin.user,
        base_url=BASE_URL,
    )
    assert again.pk != first.pk
    assert Invitation.objects.pending().get().pk == again.pk


def test_invitation_create_refuses_a_role_of_the_other_kind_of_organisation(ngo_admin):
    with pytest.raises(ValidationError, match="valid role"):
        invitation_create(
            email="x@example.test",
            ngo=ngo_admin.ngo,
            role="manager",
            invited_by=ngo_admin.user,
            base_url=BASE_URL,
        )
    assert not Invitation.objects.exists()


def test_invitation_mail_failure_keeps_the_invitation_and_its_mail(
    ngo_admin, django_capture_on_commit_callbacks, mail_server_down
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            email="x@example.test",
            ngo=ngo_admin.ngo,
            role="member",
            invited_by=ngo_admin.user,
            base_url=BASE_URL,
        )
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    assert mail.outbox == []
    # Kept in the outbox after the last retry, for an administrator to send again.
    [row] = OutgoingMail.objects.all()
    assert (row.to, row.status) == (["x@example.test"], "failed")
    assert "mail server down" in row.last_error


# --- Accepting (service) --------------------------------------------------------------------


def test_invitation_accept_creates_membership_once():
    invitation = InvitationFactory(email="invitee@example.test", role="admin")
    user = UserFactory(email="invitee@example.test")
    membership = invitation_accept(token=invitation.token, user=user)
    assert (membership.user, membership.ngo, membership.role) == (user, invitation.ngo, "admin")
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert invitation.accepted_at is not None
    with pytest.raises(ValidationError, match="already been used"):
        invitation_accept(token=invitation.token, user=user)
    assert Membership.objects.filter(user=user).count() == 1


def test_invitation_accept_refuses_an_expired_invitation():
    invitation = InvitationFactory(email="late@example.test")
    user = UserFactory(email="late@example.test")
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(days=INVITATION_DAYS, hours=1)),
        pytest.raises(ValidationError, match="expired"),
    ):
        invitation_accept(token=invitation.token, user=user)
    assert not Membership.objects.filter(user=user).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_invitation_accept_refuses_a_revoked_invitation():
    invitation = InvitationFactory(email="revoked@example.test")
    invitation_revoke(invitation=invitation, by=invitation.invited_by)
    user = UserFactory(email="revoked@example.test")
    with pytest.raises(ValidationError, match="withdrawn"):
        invitation_accept(token=invitation.token, user=user)
    assert not Membership.objects.filter(user=user).exists()


def test_invitation_accept_refuses_another_email_address():
    invitation = InvitationFactory(email="right@example.test")
    someone_else = UserFactory(email="wrong@example.test")
    with pytest.raises(ValidationError, match="another email address"):
        invitation_accept(token=invitation.token, user=someone_else)
    assert not Membership.objects.filter(user=someone_else).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_invitation_accept_counts_only_verified_secondary_addresses():
    invitation = InvitationFactory(email="second@example.test")
    user = UserFactory(email="first@example.test")
    address = EmailAddress.objects.create(user=user, email="second@example.test", verified=False)
    with pytest.raises(ValidationError, match="another email address"):
        invitation_accept(token=invitation.token, user=user)
    address.verified = True
    address.save()
    membership = invitation_accept(token=invitation.token, user=user)
    assert membership.ngo == invitation.ngo


def test_invitation_accept_refuses_an_unknown_token():
    user = UserFactory()
    with pytest.raises(ValidationError) as error:
        invitation_accept(token="no-such-token", user=user)
    assert error.value.code == "unknown"


def test_invitation_accept_raises_a_role_but_never_lowers_it():
    member = MembershipFactory(role=Membership.Role.MEMBER)
    admin = MembershipFactory(role=Membership.Role.ADMIN, ngo=member.ngo)
    promote = InvitationFactory(email=member.user.email, ngo=member.ngo, role="admin")
    demote = InvitationFactory(email=admin.user.email, ngo=member.ngo, role="member")
    invitation_accept(token=promote.token, user=member.user)
    invitation_accept(token=demote.token, user=admin.user)
    member.refresh_from_db()
    admin.refresh_from_db()
    assert (member.role, admin.role) == ("admin", "admin")


def test_invitation_accept_for_a_municipality_creates_staff():
    erzurum = Municipality.objects.get(slug="erzurum-bb")
    invitation = InvitationFactory(
        email="officer@example.test", ngo=None, municipality=erzurum, role="manager"
    )
    user = UserFactory(email="officer@example.test")
    staff = invitation_accept(token=invitation.token, user=user)
    assert isinstance(staff, MunicipalStaff)
    assert (staff.municipality, staff.role) == (erzurum, "manager")


# --- The accept page --------------------------------------------------------------------------


def test_accept_page_for_anonymous_offers_login_and_signup_with_next(client):
    invitation = InvitationFactory(role="admin", invited_by__full_name="Zeynep Aydın")
    url = en("members:invitation_accept", invitation.token)
    html = client.get(url).content.decode()
    assert invitation.ngo.name in html
    assert "Administrator" in html
    assert "Zeynep Aydın" in html
    assert f'href="/en/accounts/login/?next={url}"' in html
    assert f'href="/en/accounts/signup/?next={url}"' in html
    assert "Accept the invitation" not in html


def test_accept_page_post_by_anonymous_redirects_to_login(client):
    invitation = InvitationFactory()
    url = en("members:invitation_accept", invitation.token)
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith(en("account_login"))
    assert not Membership.objects.exists()


def test_accept_page_unknown_token_is_404(client):
    client.force_login(UserFactory())
    response = client.get(en("members:invitation_accept", "no-such-token"))
    assert response.status_code == 404
    assert client.post(en("members:invitation_accept", "no-such-token")).status_code == 404


def test_invited_user_accepts_and_lands_on_dashboard(client):
    invitation = InvitationFactory(email="invitee@example.test", role="member")
    user = UserFactory(email="invitee@example.test")
    client.force_login(user)
    url = en("members:invitation_accept", invitation.token)
    assert "Accept the invitation" in client.get(url).content.decode()
    response = client.post(url)
    assert response["Location"] == en("dashboard")
    assert any(invitation.ngo.name in m for m in messages_of(response))
    assert Membership.objects.get(user=user).ngo == invitation.ngo
    # The link is single use.
    html = client.get(url).content.decode()
    assert "This invitation has already been used." in html
    assert "Accept the invitation" not in html


def test_accept_page_explains_wrong_email_and_refuses_the_post(client):
    invitation = InvitationFactory(email="right@example.test")
    client.force_login(UserFactory(email="wrong@example.test"))
    url = en("members:invitation_accept", invitation.token)
    html = client.get(url).content.decode()
    assert "This invitation was sent to another email address." in html
    assert "Accept the invitation" not in html
    html = client.post(url).content.decode()
    assert "This invitation was sent to another email address." in html
    assert not Membership.objects.exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.parametrize("state", ["expired", "revoked", "used"])
def test_accept_page_explains_an_unusable_invitation(client, state):
    invitation = InvitationFactory(email="invitee@example.test")
    now = timezone.now()
    if state == "expired":
        invitation.expires_at = now - datetime.timedelta(minutes=1)
    elif state == "revoked":
        invitation.revoked_at = now
    else:
        invitation.accepted_at = now
    invitation.save()
    client.force_login(UserFactory(email="invitee@example.test"))
    url = en("members:invitation_accept", invitation.token)
    expected = {
        "expired": "This invitation has expired.",
        "revoked": "This invitation has been withdrawn.",
        "used": "This invitation has already been used.",
    }[state]
    html = client.get(url).content.decode()
    assert expected in html
    assert "Accept the invitation" not in html
    assert expected in client.post(url).content.decode()
    assert not Membership.objects.exists()


def test_municipal_invitation_accepted_lands_on_the_staff_page(client):
    erzurum = Municipality.objects.get(slug="erzurum-bb")
    MunicipalStaffFactory(municipality=erzurum, role="manager")
    invitation = InvitationFactory(
        email="officer@example.test", ngo=None, municipality=erzurum, role="staff"
    )
    user = UserFactory(email="officer@example.test")
    client.force_login(user)
    response = client.post(en("members:invitation_accept", invitation.token))
    assert response["Location"] == en("members:staff", "erzurum-bb")
    assert MunicipalStaff.objects.get(user=user).role == "staff"
    html = client.get(response["Location"]).content.decode()
    assert "officer@example.test" in html


def test_invitation_revoke_twice_is_refused():
    invitation = InvitationFactory()
    invitation_revoke(invitation=invitation, by=invitation.invited_by)
    with pytest.raises(ValidationError, match="already been withdrawn"):
        invitation_revoke(invitation=invitation, by=invitation.invited_by)


# The sign-up of an invited person starts with the invited address (issue 17)


def signup_email_value(client):
    form = client.get(en("account_signup")).context["form"]
    return form["email"].value()


def test_signing_up_from_an_invitation_starts_with_the_invited_address(client):
    invitation = InvitationFactory(email="davetli@example.test")

    page = client.get(en("members:invitation_accept", invitation.token)).content.decode()

    assert f'href="{en("account_signup")}?next=' in page
    assert signup_email_value(client) == "davetli@example.test"
    assert 'value="davetli@example.test"' in client.get(en("account_signup")).content.decode()


@pytest.mark.parametrize("state", ["expired", "revoked", "used"])
def test_an_unusable_invitation_fills_in_nothing(client, state):
    fields = {
        "expired": {"expires_at": timezone.now() - datetime.timedelta(minutes=1)},
        "revoked": {"revoked_at": timezone.now()},
        "used": {"accepted_at": timezone.now()},
    }[state]
    invitation = InvitationFactory(email="gec@example.test", **fields)

    client.get(en("members:invitation_accept", invitation.token))

    assert not signup_email_value(client)


def test_a_plain_sign_up_fills_in_nothing(client):
    client.get(en("members:invitation_accept", "no-such-token"))
    assert not signup_email_value(client)


def test_the_invited_address_is_forgotten_once_signed_up(client):
    invitation = InvitationFactory(email="davetli@example.test")
    client.get(en("members:invitation_accept", invitation.token))

    client.post(
        en("account_signup"),
        {
            "full_name": "Elif Yılmaz",
            "email": "davetli@example.test",
            "password1": "kış-güneşi-2025",
            "password2": "kış-güneşi-2025",
            "preferred_language": "tr",
            "privacy_notice": "on",
        },
    )

    assert User.objects.filter(email="davetli@example.test").exists()
    assert "portal:invited_email" not in client.session
