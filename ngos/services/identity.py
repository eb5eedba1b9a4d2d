"""Changes of a verified NGO's identity (name, legal form, registry number, province): asked for
when its profile is saved, approved or rejected by a coordinator, or withdrawn by the NGO. Until a
coordinator approves, the NGO keeps its verified identity in public, and its badge with it.

Every write here first locks the NGO's row, so the request, the withdrawal and the decision on an
NGO's changes are serialised, and the one-open-change constraint is only a backstop.
"""

import functools

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from ngos.models import (
    IDENTITY_FIELDS,
    NGO,
    PLACE_FIELDS,
    IdentityChangeStatus,
    NGOIdentityChange,
)
from ngos.services.addresses import ngo_address_follow_name
from ngos.services.recipients import absolute_url, mail_each, ngo_admins, ngo_coordinators
from portal.audit import audit

Status = IdentityChangeStatus


def _attname(field: str) -> str:
    return NGO._meta.get_field(field).attname


def identity_differs(current: NGO, edited: NGO) -> bool:
    """Whether ``edited`` has another name, legal form, registry number or province."""
    return any(
        getattr(current, _attname(field)) != getattr(edited, _attname(field))
        for field in IDENTITY_FIELDS
    )


def held_fields(current: NGO, edited: NGO) -> tuple[str, ...]:
    """The fields kept at their verified values while a change waits: the identity, and the
    district and municipality too when the province changes (they must lie in it)."""
    moves = current.province_id != edited.province_id
    return IDENTITY_FIELDS + (PLACE_FIELDS if moves else ())


def _user_or_none(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _audit_changes(change: NGOIdentityChange) -> dict:
    """The changed fields as ``{field: [old, new]}`` (ids for places), for the audit log."""
    fields = IDENTITY_FIELDS + (PLACE_FIELDS if change.moves_province else ())
    changes = {}
    for field in fields:
        attname = _attname(field)
        old, new = getattr(change, f"old_{attname}"), getattr(change, attname)
        if old != new:
            changes[field] = [old, new]
    return changes


def _close(change: NGOIdentityChange, *, status, by, reason=""):
    change.status = status
    change.reason = reason
    change.decided_by = _user_or_none(by)
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "reason", "decided_by", "decided_at"])


def _audit(change: NGOIdentityChange, *, by, action: str):
    audit(
        "verification",
        actor=by,
        target=change.ngo,
        details={
            "action": action,
            "identity_change": change.pk,
            "changes": _audit_changes(change),
        },
    )


@transaction.atomic
def identity_change_request(
    *, current: NGO, edited: NGO, by, base_url: str, replace: bool = False
) -> NGOIdentityChange:
    """Record the identity of ``edited`` (a form's unsaved instance) as a change of ``current``
    (the stored NGO, locked by the caller) awaiting a coordinator's verification.

    Returns the open change: the existing one when it already proposes this identity. Raises
    ValidationError when another change is open and ``replace`` is false. Side effects: withdraws
    the change it replaces; inserts an NGOIdentityChange; audit entries; after commit, emails the
    coordinators of the NGO's sub-region and the national coordinators.
    """
    open_change = NGOIdentityChange.objects.open().filter(ngo=current).first()
    if open_change is not None:
        if open_change.proposes(edited):
            return open_change
        if not replace:
            raise ValidationError(
                gettext(
                    "A change of this organisation's identity already awaits verification. "
                    "Tick “Replace the change awaiting verification” to send this one instead, "
                    "or withdraw that change first."
                ),
                code="identity_change_open",
            )
        _close(open_change, status=Status.WITHDRAWN, by=by)
        _audit(open_change, by=by, action="identity_change_replaced")
    try:
        # A savepoint: a change opened meanwhile (despite the lock) is a clear refusal.
        with transaction.atomic():
            change = NGOIdentityChange.objects.create(
                ngo=current,
                name=edited.name,
                legal_form=edited.legal_form,
                registry_number=edited.registry_number,
                province_id=edited.province_id,
                district_id=edited.district_id,
                municipality_id=edited.municipality_id,
                old_name=current.name,
                old_legal_form=current.legal_form,
                old_registry_number=current.registry_number,
                old_province_id=current.province_id,
                old_district_id=current.district_id,
                old_municipality_id=current.municipality_id,
                requested_by=_user_or_none(by),
            )
    except IntegrityError as error:
        raise ValidationError(
            gettext(
                "Someone else has just asked to change this organisation's identity. Nothing "
                "was saved; please open the profile again."
            ),
            code="conflict",
        ) from error
    _audit(change, by=by, action="identity_change_requested")
    transaction.on_commit(
        functools.partial(_notify_coordinators, change_id=change.pk, base_url=base_url)
    )
    return change


@transaction.atomic
def identity_change_withdraw(*, ngo_id: int, by) -> NGOIdentityChange:
    """Withdraw the NGO's change of identity that awaits verification.

    Raises ValidationError when none is open (decided meanwhile). Side effects: updates the
    change; an audit entry.
    """
    NGO.objects.select_for_update().get(pk=ngo_id)
    change = NGOIdentityChange.objects.open().filter(ngo_id=ngo_id).select_related("ngo").first()
    if change is None:
        raise ValidationError(
            gettext(
                "No change of identity awaits verification: a coordinator may have decided on "
                "it meanwhile."
            ),
            code="none_open",
        )
    _close(change, status=Status.WITHDRAWN, by=by)
    _audit(change, by=by, action="identity_change_withdrawn")
    return change


@transaction.atomic
def identity_change_decide(
    *, change_id: int, approve: bool, reason: str = "", by, base_url: str
) -> NGOIdentityChange:
    """Approve a change of identity (the NGO takes the new values) or reject it with a reason
    (the NGO keeps its identity).

    Raises ValidationError when the change is no longer open, when its requester tries to
    approve it (another person must), when a rejection has no reason, or when the proposed
    registry number has been taken meanwhile. Side effects: on approval, updates the NGO's
    identity (and its district and municipality when the province changes) and, for a new
    name, its address (an NGOSlugHistory row keeps the old one); updates the change;
    an audit entry; after commit, emails the NGO's administrators and the requester.
    """
    ngo_id = NGOIdentityChange.objects.values_list("ngo_id", flat=True).get(pk=change_id)
    ngo = NGO.objects.select_for_update().get(pk=ngo_id)
    change = NGOIdentityChange.objects.with_places().get(pk=change_id)
    if not change.is_open:
        raise ValidationError(
            gettext(
                "This change of identity is no longer awaiting verification (%(status)s). "
                "Nothing was saved."
            )
            % {"status": change.get_status_display()},
            code="conflict",
        )
    if approve:
        if change.requested_by_id is not None and change.requested_by_id == by.pk:
            raise ValidationError(
                gettext("You asked for this change yourself: another coordinator must approve it."),
                code="own_change",
            )
        taken = (
            change.registry_number
            and NGO.objects.filter(registry_number=change.registry_number)
            .exclude(pk=ngo.pk)
            .exists()
        )
        if taken:
            raise ValidationError(
                gettext(
                    "Another NGO has been registered with the registry number %(number)s "
                    "meanwhile. Reject this change and tell the NGO why."
                )
                % {"number": change.registry_number},
                code="registry_number_taken",
            )
        fields = IDENTITY_FIELDS + (PLACE_FIELDS if change.moves_province else ())
        old_name = ngo.name
        for field in fields:
            setattr(ngo, _attname(field), getattr(change, _attname(field)))
        # The approved name is applied now: the NGO gets its new address (the old redirects).
        if ngo_address_follow_name(ngo=ngo, old_name=old_name):
            fields = (*fields, "slug")
        ngo.updated_at = timezone.now()
        ngo.save(update_fields=[*fields, "updated_at"])
        _close(change, status=Status.APPROVED, by=by)
    else:
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError(
                gettext("Please give a reason: it is shown to the NGO."), code="reason_required"
            )
        _close(change, status=Status.REJECTED, by=by, reason=reason)
    change.ngo = ngo
    _audit(
        change, by=by, action="identity_change_approved" if approve else "identity_change_rejected"
    )
    transaction.on_commit(
        functools.partial(_notify_decision, change_id=change.pk, base_url=base_url)
    )
    return change


def identity_change_close_for_rejected(*, ngo: NGO, reason: str, by) -> int:
    """Reject the open change of an NGO whose registration has just been rejected (its identity
    is no longer vouched for, so nothing is left to change). Returns how many were closed."""
    closed = 0
    for change in NGOIdentityChange.objects.open().filter(ngo=ngo).select_related("ngo"):
        _close(change, status=Status.REJECTED, by=by, reason=reason)
        _audit(change, by=by, action="identity_change_rejected")
        closed += 1
    return closed


def _notify_coordinators(*, change_id: int, base_url: str) -> int:
    """Tell the coordinators who may decide (the NGO's sub-region, national) what changes."""
    change = (
        NGOIdentityChange.objects.with_places()
        .select_related("ngo__province__subregion")
        .get(pk=change_id)
    )
    ngo = change.ngo

    def compose(user):
        subject = gettext("Change of identity to verify: %(ngo)s") % {"ngo": ngo.name}
        body = render_to_string(
            "emails/ngo_identity_change_requested.txt",
            {
                "recipient": user,
                "ngo": ngo,
                "change": change,
                "rows": change.comparison(),
                "url": absolute_url(base_url, "ngos:verification_detail", ngo.slug),
            },
        )
        return subject, body

    return mail_each(ngo_coordinators(ngo), compose)


def _notify_decision(*, change_id: int, base_url: str) -> int:
    """Tell the NGO's administrators, and whoever asked for the change, what was decided."""
    change = NGOIdentityChange.objects.with_places().select_related("ngo").get(pk=change_id)
    ngo = change.ngo
    recipients = ngo_admins(ngo)
    requester = change.requested_by
    if (
        requester is not None
        and requester.is_active
        and requester.pk not in {user.pk for user in recipients}
    ):
        recipients.append(requester)
    approved = change.status == Status.APPROVED

    def compose(user):
        if approved:
            subject = gettext("%(ngo)s: the change of identity was approved")
        else:
            subject = gettext("%(ngo)s: the change of identity was rejected")
        body = render_to_string(
            "emails/ngo_identity_change_decided.txt",
            {
                "recipient": user,
                "ngo": ngo,
                "change": change,
                "approved": approved,
                "rows": change.comparison(),
                "url": absolute_url(base_url, "ngos:detail", ngo.slug),
            },
        )
        return subject % {"ngo": ngo.name}, body

    return mail_each(recipients, compose)
