"""An NGO's members: changing a role, removing someone, leaving. An NGO never loses its last
administrator."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ngos.models import Membership
from portal.access import forget_roles
from portal.audit import audit


def _last_admin_error():
    return ValidationError(
        _("An NGO must keep at least one administrator. Appoint another administrator first."),
        code="last_admin",
    )


def _lock(membership) -> tuple[Membership, set[int]]:
    """Lock the NGO's administrators, then re-read the membership under that lock.

    Locking every admin row first serialises concurrent demotions and removals on PostgreSQL:
    two admins demoting each other at once cannot both see "another admin remains".
    """
    admin_ids = {
        m.pk
        for m in list(
            Membership.objects.select_for_update().filter(
                ngo_id=membership.ngo_id, role=Membership.Role.ADMIN
            )
        )
    }
    current = Membership.objects.select_for_update().filter(pk=membership.pk).first()
    if current is None:
        raise ValidationError(_("This person is no longer a member."), code="gone")
    return current, admin_ids


def _would_leave_no_admin(membership, admin_ids) -> bool:
    return membership.role == Membership.Role.ADMIN and admin_ids <= {membership.pk}


@transaction.atomic
def membership_change_role(*, membership, role, by) -> Membership:
    """Give a member another role (admin or member); the last administrator is not demoted.

    Side effects: locks the NGO's admin memberships, updates the role, forgets the cached roles
    of the acting user when they changed their own role.
    """
    if role not in Membership.Role.values:
        raise ValidationError(_("Choose a valid role."), code="invalid_role")
    membership, admin_ids = _lock(membership)
    if role != Membership.Role.ADMIN and _would_leave_no_admin(membership, admin_ids):
        raise _last_admin_error()
    if membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
        audit(
            "role_change",
            actor=by,
            target=membership,
            details={"ngo": membership.ngo_id, "role": role},
        )
    if by is not None and membership.user_id == by.pk:
        forget_roles(by)
    return membership


@transaction.atomic
def membership_remove(*, membership, by) -> None:
    """Remove someone from the NGO; the last administrator cannot be removed.

    Side effects: locks the NGO's admin memberships, deletes the membership, forgets the acting
    user's cached roles when they removed themselves.
    """
    membership, admin_ids = _lock(membership)
    if _would_leave_no_admin(membership, admin_ids):
        raise _last_admin_error()
    membership.delete()
    audit(
        "membership_change",
        actor=by,
        target=membership,
        details={"ngo": membership.ngo_id, "removed": membership.user_id},
    )
    if by is not None and membership.user_id == by.pk:
        forget_roles(by)


@transaction.atomic
def membership_leave(*, ngo, user) -> None:
    """The user leaves the NGO; the last administrator cannot leave.

    Side effects: locks the NGO's admin memberships, deletes the user's membership, forgets the
    user's cached roles.
    """
    membership = Membership.objects.filter(ngo=ngo, user=user).first()
    if membership is None:
        raise ValidationError(_("You are not a member of this NGO."), code="not_member")
    membership, admin_ids = _lock(membership)
    if _would_leave_no_admin(membership, admin_ids):
        raise _last_admin_error()
    membership.delete()
    audit(
        "membership_change", actor=user, target=membership, details={"ngo": ngo.pk, "left": user.pk}
    )
    forget_roles(user)
