"""KVKK (Law No. 6698): a user's copy of their own data, and the deletion of their account.

Deleting an account anonymises the user row instead of removing it: what they did for an NGO or a
municipality (submissions, answers, notes, history entries) belongs to that organisation and
stays, but shows the anonymised name.
"""

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Registration
from members.models import Invitation
from members.services.roles import sole_admin_lock
from municipalities.models import MunicipalStaff
from ngos.models import JoinRequest, Membership
from portal.access import forget_roles
from portal.audit import audit
from portal.models import (
    Attachment,
    AuditEntry,
    CoordinatorAssignment,
    EmailPreferences,
    ExportLog,
    Notification,
)
from surveys.models import AnswerTemplate, CaseMessage, ReviewEntry, SubmissionRevision

# Stored in the database, so it is a fixed Turkish text, not a translation of the viewer.
DELETED_USER_NAME = "Silinmiş kullanıcı"


def _when(value):
    return value.isoformat() if value else None


def personal_data_collect(*, user) -> dict:
    """Everything the portal keeps about the user or that the user wrote, as JSON-ready data."""
    return {
        "generated_at": _when(timezone.now()),
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "preferred_language": user.preferred_language,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "is_site_administrator": user.is_staff,
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "email_preferences": [
            {
                "answers": p.answers,
                "status_changes": p.status_changes,
                "referrals": p.referrals,
                "completions": p.completions,
                "digest": p.digest,
                "events": p.events,
                "case_messages": p.case_messages,
            }
            for p in EmailPreferences.objects.filter(user=user)
        ],
        "ngo_memberships": [
            {"ngo": m.ngo.name, "role": m.role, "since": _when(m.created_at)}
            for m in Membership.objects.filter(user=user).select_related("ngo").order_by("pk")
        ],
        "municipal_roles": [
            {"municipality": s.municipality.name, "role": s.role, "since": _when(s.created_at)}
            for s in MunicipalStaff.objects.filter(user=user)
            .select_related("municipality")
            .order_by("pk")
        ],
        "coordinator_assignments": [
            {
                "subregion": a.subregion.name if a.subregion_id else None,
                "national": a.subregion_id is None,
                "since": _when(a.created_at),
            }
            for a in CoordinatorAssignment.objects.filter(user=user)
            .select_related("subregion")
            .order_by("pk")
        ],
        "join_requests": [
            {
                "ngo": r.ngo.name,
                "message": r.message,
                "status": r.status,
                "created_at": _when(r.created_at),
                "decided_at": _when(r.decided_at),
            }
            for r in JoinRequest.objects.filter(user=user).select_related("ngo").order_by("pk")
        ],
        "invitations_sent": [
            {
                "email": i.email,
                "organisation": str(i.organisation),
                "role": i.role,
                "created_at": _when(i.created_at),
                "accepted_at": _when(i.accepted_at),
                "revoked_at": _when(i.revoked_at),
            }
            for i in Invitation.objects.filter(invited_by=user)
            .select_related("ngo", "municipality")
            .order_by("pk")
        ],
        "event_registrations": [
            {
                "event": r.event.title,
                "starts_at": _when(r.event.starts_at),
                "status": r.status,
                "on_behalf_of": str(r.ngo or r.municipality or ""),
                "registered_at": _when(r.created_at),
                "checked_in_at": _when(r.checked_in_at),
            }
            for r in Registration.objects.filter(user=user)
            .select_related("event", "ngo", "municipality")
            .order_by("pk")
        ],
        "notifications": [
            {
                "created_at": _when(n.created_at),
                "kind": n.kind,
                "message": n.message,
                "url": n.url,
                "read_at": _when(n.read_at),
            }
            for n in Notification.objects.filter(user=user).order_by("pk")
        ],
        "case_history_entries_written": [
            {
                "expectation": e.expectation_id,
                "municipality": e.municipality.name,
                "kind": e.kind,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "text": e.text,
                "created_at": _when(e.created_at),
            }
            for e in ReviewEntry.objects.filter(actor=user)
            .select_related("municipality")
            .order_by("pk")
        ],
        "case_messages_written": [
            {
                "expectation": m.expectation_id,
                "side": m.side,
                "municipality": m.municipality.name,
                "text": m.text,
                "created_at": _when(m.created_at),
            }
            for m in CaseMessage.objects.filter(author=user)
            .select_related("municipality")
            .order_by("pk")
        ],
        # The files themselves stay with the organisation they were sent to; each is listed with
        # the address the portal serves it from (to whoever may still see it).
        "files_uploaded": [
            {
                "name": a.name,
                "type": a.media_type,
                "size": a.size,
                "sha256": a.sha256,
                "attached_to": f"{a.content_type.app_label}.{a.content_type.model} #{a.object_id}",
                "url": a.get_absolute_url(),
                "created_at": _when(a.created_at),
            }
            for a in Attachment.objects.filter(uploaded_by=user)
            .select_related("content_type")
            .order_by("created_at", "pk")
        ],
        "answer_templates_created": [
            {"title": t.title, "body": t.body}
            for t in AnswerTemplate.objects.filter(created_by=user).order_by("pk")
        ],
        "submission_changes": [
            {
                "submission": r.submission_id,
                "kind": r.kind,
                "created_at": _when(r.created_at),
                "changes": r.changes,
            }
            for r in SubmissionRevision.objects.filter(user=user).order_by("pk")
        ],
        "exports_made": [
            {
                "kind": x.kind,
                "filters": x.filters,
                "rows": x.row_count,
                "created_at": _when(x.created_at),
            }
            for x in ExportLog.objects.filter(user=user).order_by("pk")
        ],
        "security_log": [
            {"action": a.action, "created_at": _when(a.created_at), "ip": a.ip}
            for a in AuditEntry.objects.filter(actor=user).order_by("pk")
        ],
    }


def personal_data_download(*, user) -> dict:
    """The user's data for download. Side effects: inserts an AuditEntry (data_download)."""
    data = personal_data_collect(user=user)
    audit(AuditEntry.Action.DATA_DOWNLOAD, actor=user, target=f"portal.User #{user.pk}")
    return data


def _sole_admin_problems(user) -> list[str]:
    """Names of the NGOs and municipalities that would lose their last administrator/manager."""
    rows = [
        *Membership.objects.filter(user=user, role=Membership.Role.ADMIN).select_related("ngo"),
        *MunicipalStaff.objects.filter(user=user, role=MunicipalStaff.Role.MANAGER).select_related(
            "municipality"
        ),
    ]
    # Under the same row locks as removing someone, so two administrators deleting their
    # accounts at once cannot both leave.
    return [
        (row.ngo if isinstance(row, Membership) else row.municipality).name
        for row in rows
        if sole_admin_lock(row)[1]
    ]


@transaction.atomic
def account_delete(*, user) -> None:
    """Delete the user's account by anonymising it.

    Refused (ValidationError, code last_admin) while the user is the only administrator of an NGO
    or the only manager of a municipality. Side effects: removes the user's NGO memberships,
    municipal roles, coordinator assignments, email addresses, email preferences, notifications
    and pending join requests; replaces the name and email, makes the password unusable,
    deactivates the account and removes administrator rights (which also ends every session);
    inserts an AuditEntry (account_deleted). Submissions, history entries, case messages, the
    files the user attached (to cases, answers, NGO profiles, protocols) and registrations stay
    with their organisation, showing the anonymised name.
    """
    problems = _sole_admin_problems(user)
    if problems:
        raise ValidationError(
            _(
                "You are the only administrator of %(organisations)s. Appoint another "
                "administrator first, then delete your account."
            )
            % {"organisations": ", ".join(problems)},
            code="last_admin",
        )
    Membership.objects.filter(user=user).delete()
    MunicipalStaff.objects.filter(user=user).delete()
    CoordinatorAssignment.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    EmailPreferences.objects.filter(user=user).delete()
    Notification.objects.filter(user=user).delete()
    JoinRequest.objects.filter(user=user, status=JoinRequest.Status.PENDING).delete()
    user.full_name = DELETED_USER_NAME
    user.email = f"deleted-{user.pk}@invalid"
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    forget_roles(user)
    audit(AuditEntry.Action.ACCOUNT_DELETED, actor=user, target=f"portal.User #{user.pk}")
