"""Joining the portal as an NGO: registering a new one (coordinators are told) and asking to join
an existing one (its administrators decide)."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from ngos.models import NGO, JoinRequest, Membership
from ngos.services.profile import ngo_register
from ngos.services.recipients import absolute_url, mail_each, ngo_admins, ngo_coordinators
from portal.audit import audit

logger = logging.getLogger(__name__)


def ngo_registered_notify(*, ngo_id: int, base_url: str) -> int:
    """Email the coordinators of a new NGO's sub-region (and national coordinators) that it awaits
    verification. Side effects: sends mail; failures are logged, not raised."""
    ngo = NGO.objects.select_related("province__subregion", "district").get(pk=ngo_id)
    registrant = (
        Membership.objects.filter(ngo=ngo, role=Membership.Role.ADMIN)
        .select_related("user")
        .order_by("created_at")
        .first()
    )

    def compose(user):
        subject = _("New NGO awaiting verification: %(ngo)s") % {"ngo": ngo.name}
        body = _(
            "Hello %(name)s,\n\n"
            "A new organisation has registered in the portal and awaits verification by a "
            "coordinator of %(subregion)s.\n\n"
            "Organisation: %(ngo)s\n"
            "Legal form: %(legal_form)s\n"
            "Registry number: %(registry_number)s\n"
            "Province: %(province)s\n"
            "Registered by: %(registrant)s\n\n"
            "Review its profile and verify or reject it here:\n%(url)s\n"
        ) % {
            "name": user.get_full_name() or user.email,
            "subregion": ngo.province.subregion.name,
            "ngo": ngo.name,
            "legal_form": ngo.get_legal_form_display(),
            "registry_number": ngo.registry_number or "—",
            "province": ngo.province.name,
            "registrant": (
                f"{registrant.user.get_full_name()} <{registrant.user.email}>"
                if registrant
                else "—"
            ),
            "url": absolute_url(base_url, "ngos:detail", ngo.slug),
        }
        return subject, body

    return mail_each(ngo_coordinators(ngo), compose)


@transaction.atomic
def ngo_register_and_notify(*, user, form, base_url: str) -> NGO:
    """Register an NGO from a valid NGOForm (see ``ngo_register``) and tell its coordinators.

    Side effects: inserts the NGO, its fields of activity and the user's admin Membership; after
    commit, emails the coordinators of its sub-region and the national coordinators.
    """
    ngo = ngo_register(user=user, form=form)
    transaction.on_commit(lambda: ngo_registered_notify(ngo_id=ngo.pk, base_url=base_url))
    return ngo


def _join_request_notify_admins(*, join_request_id: int, base_url: str) -> int:
    join_request = JoinRequest.objects.select_related("user", "ngo").get(pk=join_request_id)

    def compose(user):
        subject = _("%(user)s asks to join %(ngo)s") % {
            "user": join_request.user.get_full_name() or join_request.user.email,
            "ngo": join_request.ngo.name,
        }
        body = render_to_string(
            "emails/join_request_received.txt",
            {
                "recipient": user,
                "join_request": join_request,
                "url": absolute_url(base_url, "ngos:join_requests", join_request.ngo.slug),
            },
        )
        return subject, body

    return mail_each(ngo_admins(join_request.ngo), compose)


def _join_request_notify_requester(*, join_request_id: int, base_url: str) -> int:
    join_request = JoinRequest.objects.select_related("user", "ngo").get(pk=join_request_id)
    approved = join_request.status == JoinRequest.Status.APPROVED

    def compose(user):
        if approved:
            subject = _("You are now a member of %(ngo)s") % {"ngo": join_request.ngo.name}
        else:
            subject = _("Your request to join %(ngo)s was refused") % {"ngo": join_request.ngo.name}
        body = render_to_string(
            f"emails/join_request_{'approved' if approved else 'refused'}.txt",
            {
                "recipient": user,
                "join_request": join_request,
                "url": absolute_url(base_url, "dashboard"),
            },
        )
        return subject, body

    return mail_each([join_request.user], compose)


@transaction.atomic
def join_request_create(*, user, ngo: NGO, message: str = "", base_url: str = "") -> JoinRequest:
    """Ask to join a verified NGO.

    Raises ValidationError when the NGO is not verified, the user is already a member or already
    has a pending request. Side effects: inserts a pending JoinRequest; after commit, emails the
    NGO's administrators.
    """
    if not ngo.is_verified:
        raise ValidationError(_("Only verified organisations can be joined."), code="not_verified")
    if Membership.objects.filter(user=user, ngo=ngo).exists():
        raise ValidationError(
            _("You are already a member of %(ngo)s.") % {"ngo": ngo.name}, code="member"
        )
    already_pending = ValidationError(
        _("You have already asked to join %(ngo)s; its administrators have not decided yet.")
        % {"ngo": ngo.name},
        code="pending",
    )
    if JoinRequest.objects.filter(user=user, ngo=ngo, status=JoinRequest.Status.PENDING).exists():
        raise already_pending
    try:
        # A savepoint, so that losing a race to a concurrent request keeps the transaction usable.
        with transaction.atomic():
            join_request = JoinRequest.objects.create(
                user=user, ngo=ngo, message=message.strip(), status=JoinRequest.Status.PENDING
            )
    except IntegrityError as error:
        raise already_pending from error
    transaction.on_commit(
        lambda: _join_request_notify_admins(join_request_id=join_request.pk, base_url=base_url)
    )
    return join_request


@transaction.atomic
def join_request_withdraw(*, join_request_id: int, user) -> JoinRequest:
    """Withdraw the user's own pending request.

    Raises ValidationError when it is no longer pending. Side effects: updates the JoinRequest.
    """
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request_id, user=user)
    if join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError(
            _("This request has already been decided or withdrawn."), code="decided"
        )
    join_request.status = JoinRequest.Status.WITHDRAWN
    join_request.decided_at = timezone.now()
    join_request.decided_by = user
    join_request.save(update_fields=["status", "decided_at", "decided_by"])
    return join_request


@transaction.atomic
def join_request_decide(
    *, join_request_id: int, approve: bool, by, base_url: str = ""
) -> JoinRequest:
    """Approve or refuse a pending join request, as an administrator of its NGO.

    Raises PermissionDenied when ``by`` may not manage the NGO's members, ValidationError when the
    request is no longer pending. Side effects: updates the JoinRequest; on approval creates the
    member's Membership (an existing membership is kept as it is); after commit, emails the
    requester.
    """
    # Locks the row, so two administrators deciding at once cannot both succeed.
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request_id)
    if not by.has_perm("ngos.manage_members", join_request.ngo):
        raise PermissionDenied
    if join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError(
            _("This request has already been decided (%(status)s).")
            % {"status": join_request.get_status_display()},
            code="decided",
        )
    if approve:
        Membership.objects.get_or_create(
            user_id=join_request.user_id,
            ngo_id=join_request.ngo_id,
            defaults={"role": Membership.Role.MEMBER},
        )
        join_request.status = JoinRequest.Status.APPROVED
        audit(
            "membership_change",
            actor=by,
            target=join_request.ngo,
            details={"join_request": join_request.pk, "approved": join_request.user_id},
        )
    else:
        join_request.status = JoinRequest.Status.REFUSED
    join_request.decided_at = timezone.now()
    join_request.decided_by = by
    join_request.save(update_fields=["status", "decided_at", "decided_by"])
    transaction.on_commit(
        lambda: _join_request_notify_requester(join_request_id=join_request.pk, base_url=base_url)
    )
    return join_request
