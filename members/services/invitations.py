"""Invitations: an NGO administrator or a municipal manager (or a coordinator appointing a
municipality's manager) invites one email address to join their organisation with a role."""

import datetime
import logging
import secrets
from functools import partial

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members.models import Invitation
from municipalities.models import Municipality, MunicipalStaff
from ngos.models import NGO, Membership
from portal.access import forget_roles
from portal.audit import audit
from portal.models import User

logger = logging.getLogger(__name__)

INVITATION_DAYS = 7

# A role may be raised by an invitation but never lowered: the higher rank wins.
ROLE_RANK = {
    Membership.Role.MEMBER: 0,
    Membership.Role.ADMIN: 1,
    MunicipalStaff.Role.STAFF: 0,
    MunicipalStaff.Role.MANAGER: 1,
}


def _roles_for(*, ngo=None, municipality=None):
    return Membership.Role if ngo is not None else MunicipalStaff.Role


def invitation_role_label(invitation) -> str:
    """The translated name of the role an invitation offers ("Administrator", "Manager", …)."""
    roles = _roles_for(ngo=invitation.ngo_id, municipality=invitation.municipality_id)
    try:
        return str(roles(invitation.role).label)
    except ValueError:
        return invitation.role


def normalise_email(email: str) -> str:
    """Email addresses are compared in lower case (the User manager stores them so)."""
    return User.objects.normalize_email((email or "").strip()).lower()


def _memberships_of(*, ngo=None, municipality=None):
    if ngo is not None:
        return Membership.objects.filter(ngo=ngo)
    return MunicipalStaff.objects.filter(municipality=municipality)


@transaction.atomic
def invitation_create(
    *, email, ngo=None, municipality=None, role, invited_by, base_url
) -> Invitation:
    """Invite an email address to an NGO or a municipality with a role, valid INVITATION_DAYS.

    Refused (ValidationError) when the address already belongs to a member of the organisation,
    or a usable invitation for it is pending. Side effects: locks the organisation's row (so two
    simultaneous invitations for one address cannot both pass), inserts an Invitation, and after
    commit emails the link (a mail failure is logged, not raised).
    """
    if (ngo is None) == (municipality is None):
        raise ValueError("An invitation is for exactly one NGO or one municipality.")
    email = normalise_email(email)
    roles = _roles_for(ngo=ngo, municipality=municipality)
    if role not in roles.values:
        raise ValidationError({"role": _("Choose a valid role.")}, code="invalid_role")
    if ngo is not None:
        NGO.objects.select_for_update().filter(pk=ngo.pk).first()
    else:
        Municipality.objects.select_for_update().filter(pk=municipality.pk).first()

    already_member = (
        _memberships_of(ngo=ngo, municipality=municipality)
        .filter(Q(user__email__iexact=email) | Q(user__emailaddress__email__iexact=email))
        .exists()
    )
    if already_member:
        raise ValidationError(
            {"email": _("This email address already belongs to a member of this organisation.")},
            code="already_member",
        )
    pending = Invitation.objects.pending().filter(email=email, ngo=ngo, municipality=municipality)
    if pending.exists():
        raise ValidationError(
            {
                "email": _(
                    "An invitation for this email address is already pending. Revoke it first "
                    "if you want to send a new one."
                )
            },
            code="already_invited",
        )

    invitation = Invitation.objects.create(
        email=email,
        token=secrets.token_urlsafe(32),
        ngo=ngo,
        municipality=municipality,
        role=role,
        invited_by=invited_by,
        expires_at=timezone.now() + datetime.timedelta(days=INVITATION_DAYS),
    )
    invitee = User.objects.filter(email__iexact=email).only("preferred_language").first()
    language = invitee.preferred_language if invitee else translation.get_language()
    transaction.on_commit(
        partial(_send_invitation_email, invitation.pk, base_url.rstrip("/"), language)
    )
    return invitation


def _send_invitation_email(invitation_pk, base_url, language):
    """Email the invitation link in the invitee's language (queued in the outbox, which sends
    it with retries: see portal/mail.py)."""
    invitation = Invitation.objects.select_related("ngo", "municipality", "invited_by").get(
        pk=invitation_pk
    )
    with translation.override(language):
        context = {
            "invitation": invitation,
            "organisation": invitation.organisation,
            "inviter": invitation.invited_by,
            "role_label": invitation_role_label(invitation),
            "accept_url": base_url + reverse("members:invitation_accept", args=[invitation.token]),
        }
        subject = render_to_string("emails/invitation_subject.txt", context)
        body = render_to_string("emails/invitation.txt", context)
    send_mail(
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        body,
        None,
        [invitation.email],
    )


def _verified_emails(user) -> set[str]:
    emails = set(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )
    emails.add(user.email)
    return {normalise_email(email) for email in emails if email}


def invitation_problem(invitation, user) -> ValidationError | None:
    """Why this user cannot accept this invitation now, or None when they can."""
    if invitation.accepted_at is not None:
        return ValidationError(_("This invitation has already been used."), code="used")
    if invitation.revoked_at is not None:
        return ValidationError(_("This invitation has been withdrawn."), code="revoked")
    if invitation.is_expired:
        return ValidationError(_("This invitation has expired. Ask for a new one."), code="expired")
    signed_in = user is not None and user.is_authenticated
    if signed_in and normalise_email(invitation.email) not in _verified_emails(user):
        return ValidationError(
            _("This invitation was sent to another email address."), code="wrong_email"
        )
    return None


@transaction.atomic
def invitation_accept(*, token, user):
    """Accept an invitation for the logged-in user; returns their Membership or MunicipalStaff.

    Refused (ValidationError with code unknown, used, revoked, expired or wrong_email) unless the
    invitation is usable and was sent to one of the user's verified addresses. Side effects:
    locks the invitation, creates the membership or raises (never lowers) an existing role,
    marks the invitation accepted (single use) and forgets the user's cached roles.
    """
    invitation = Invitation.objects.select_for_update().filter(token=token).first()
    if invitation is None:
        raise ValidationError(_("This invitation does not exist."), code="unknown")
    problem = invitation_problem(invitation, user)
    if problem is not None:
        raise problem

    if invitation.ngo_id is not None:
        membership, created = Membership.objects.get_or_create(
            user=user, ngo_id=invitation.ngo_id, defaults={"role": invitation.role}
        )
    else:
        membership, created = MunicipalStaff.objects.get_or_create(
            user=user,
            municipality_id=invitation.municipality_id,
            defaults={"role": invitation.role},
        )
    if not created and ROLE_RANK[invitation.role] > ROLE_RANK[membership.role]:
        membership.role = invitation.role
        membership.save(update_fields=["role"])

    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit(
        "membership_change",
        actor=user,
        target=membership,
        details={"invitation": invitation.pk, "role": membership.role},
    )
    forget_roles(user)
    return membership


@transaction.atomic
def invitation_revoke(*, invitation, by) -> Invitation:
    """Withdraw an invitation that has not been used, so its link no longer works.

    Side effects: locks the invitation, sets revoked_at, logs who revoked it.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."), code="used")
    if invitation.revoked_at is not None:
        raise ValidationError(_("This invitation has already been withdrawn."), code="revoked")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    logger.info("Invitation %s revoked by user %s", invitation.pk, getattr(by, "pk", None))
    return invitation


def invitations_pending_for(*, ngo=None, municipality=None) -> list[Invitation]:
    """The organisation's pending invitations, soonest to expire first, each with role_label."""
    invitations = list(
        Invitation.objects.pending()
        .filter(ngo=ngo, municipality=municipality)
        .select_related("invited_by")
        .order_by("expires_at", "pk")
    )
    for invitation in invitations:
        invitation.role_label = invitation_role_label(invitation)
    return invitations
