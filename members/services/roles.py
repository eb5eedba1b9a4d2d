"""Roles in an organisation: changing someone's role, removing someone, leaving.

One rule for both kinds of organisation: an NGO never loses its last administrator, a
municipality never loses its last manager (``sole_admin_lock``, also used by account deletion).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from municipalities.models import MunicipalStaff
from ngos.models import Membership
from portal.access import forget_roles
from portal.audit import audit


@dataclass(frozen=True)
class _Kind:
    """What differs between an NGO's memberships and a municipality's staff rows."""

    organisation: str  # the field naming the organisation on the row
    admin_role: str
    gone: str
    last_admin: str
    last_admin_code: str

    def last_admin_error(self):
        return ValidationError(self.last_admin, code=self.last_admin_code)


_KINDS = {
    Membership: _Kind(
        organisation="ngo",
        admin_role=Membership.Role.ADMIN,
        gone=gettext_lazy("This person is no longer a member."),
        last_admin=gettext_lazy(
            "An NGO must keep at least one administrator. Appoint another administrator first."
        ),
        last_admin_code="last_admin",
    ),
    MunicipalStaff: _Kind(
        organisation="municipality",
        admin_role=MunicipalStaff.Role.MANAGER,
        gone=gettext_lazy("This person no longer works for the municipality."),
        last_admin=gettext_lazy(
            "A municipality must keep at least one manager. Appoint another manager first."
        ),
        last_admin_code="last_manager",
    ),
}


def _kind(member) -> _Kind:
    return _KINDS[type(member)]


def sole_admin_lock(member) -> tuple[models.Model | None, bool]:
    """Under row locks: would the organisation be left without an administrator (an NGO) or a
    manager (a municipality) if ``member`` (a Membership or a MunicipalStaff row) stopped being
    one?

    Returns the row re-read under the lock (None when it is gone) and the answer. Locking every
    administrator row of the organisation first serialises concurrent demotions, removals and
    account deletions on PostgreSQL: two administrators demoting each other at once cannot both
    see "another administrator remains". A municipality without any manager (not yet appointed)
    has nothing to protect. Call it inside a transaction.
    """
    kind = _kind(member)
    model = type(member)
    organisation_id = getattr(member, f"{kind.organisation}_id")
    admin_ids = {
        row.pk
        for row in list(
            model.objects.select_for_update().filter(
                **{f"{kind.organisation}_id": organisation_id, "role": kind.admin_role}
            )
        )
    }
    current = model.objects.select_for_update().filter(pk=member.pk).first()
    if current is None:
        return None, False
    return current, current.role == kind.admin_role and admin_ids <= {current.pk}


def _locked(member):
    """``member`` re-read under the locks of ``sole_admin_lock``, and its answer; refused when
    the row is gone."""
    current, sole_admin = sole_admin_lock(member)
    if current is None:
        raise ValidationError(_kind(member).gone, code="gone")
    return current, sole_admin


@transaction.atomic
def member_change_role(*, member, role, by):
    """Give someone in an NGO or a municipality another of its roles; the last administrator
    (manager) is not demoted.

    Side effects: locks the organisation's administrator rows, updates the role (audited),
    forgets the cached roles of the acting user when they changed their own role.
    """
    kind = _kind(member)
    if role not in type(member).Role.values:
        raise ValidationError(_("Choose a valid role."), code="invalid_role")
    member, sole_admin = _locked(member)
    if role != kind.admin_role and sole_admin:
        raise kind.last_admin_error()
    if member.role != role:
        member.role = role
        member.save(update_fields=["role"])
        audit(
            "role_change",
            actor=by,
            target=member,
            details={kind.organisation: getattr(member, f"{kind.organisation}_id"), "role": role},
        )
    if by is not None and member.user_id == by.pk:
        forget_roles(by)
    return member


@transaction.atomic
def member_remove(*, member, by) -> None:
    """Remove someone from an NGO or a municipality; the last administrator (manager) cannot be
    removed.

    Side effects: locks the organisation's administrator rows, deletes the row (audited),
    forgets the acting user's cached roles when they removed themselves.
    """
    kind = _kind(member)
    member, sole_admin = _locked(member)
    if sole_admin:
        raise kind.last_admin_error()
    member.delete()
    audit(
        "membership_change",
        actor=by,
        target=member,
        details={
            kind.organisation: getattr(member, f"{kind.organisation}_id"),
            "removed": member.user_id,
        },
    )
    if by is not None and member.user_id == by.pk:
        forget_roles(by)


@transaction.atomic
def membership_leave(*, ngo, user) -> None:
    """The user leaves the NGO; the last administrator cannot leave.

    Side effects: locks the NGO's admin memberships, deletes the user's membership (audited),
    forgets the user's cached roles.
    """
    membership = Membership.objects.filter(ngo=ngo, user=user).first()
    if membership is None:
        raise ValidationError(_("You are not a member of this NGO."), code="not_member")
    membership, sole_admin = _locked(membership)
    if sole_admin:
        raise _kind(membership).last_admin_error()
    membership.delete()
    audit(
        "membership_change", actor=user, target=membership, details={"ngo": ngo.pk, "left": user.pk}
    )
    forget_roles(user)
