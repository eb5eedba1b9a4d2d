"""The audit log: security-relevant actions written to ``AuditEntry``, append only.

``audit(...)`` is called by the services that change roles, memberships and verification states
and by those that export personal data; the receivers below record log-ins, failed log-ins and
every edit made in the Django admin. The middleware keeps the client's IP address of the current
request, so services need not pass the request along.
"""

import contextvars
import ipaddress

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from portal.models import AuditEntry

_current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "audit_current_ip", default=None
)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind settings.TRUSTED_PROXY_COUNT proxies of ours
    the entry of X-Forwarded-For that the outermost of them appended."""
    if request is None:
        return None
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count > 0 and forwarded:
        entries = [entry.strip() for entry in forwarded.split(",")]
        # Entries left of the N-th from the right were written by the client: never read them.
        # Fewer entries than proxies means the request bypassed ours; fall back to the peer.
        if len(entries) >= count:
            try:
                return str(ipaddress.ip_address(entries[-count]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Remembers the client's IP address for audit entries written during the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _current_ip.reset(token)


def describe(target) -> str:
    if target is None:
        return ""
    if isinstance(target, str):
        return target[:300]
    # A deleted row (a removed membership) has lost its primary key; its text remains.
    number = f" #{target.pk}" if target.pk is not None else ""
    return f"{target._meta.label}{number}: {target}"[:300]


def audit(action, *, actor=None, target=None, details=None, request=None) -> AuditEntry:
    """Record one security-relevant action.

    ``target`` is a model instance or a short text. Side effects: inserts an AuditEntry (inside
    the caller's transaction, so a rolled-back action leaves no entry).
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    ip = client_ip(request) if request is not None else _current_ip.get()
    return AuditEntry.objects.create(
        action=action,
        actor=actor,
        target=describe(target),
        details=details or {},
        ip=ip,
    )


def audit_export(*, user, kind: str, filters=None, row_count: int = 0):
    """Record an export of personal data in both the export log and the audit log.

    Side effects: inserts an ExportLog and an AuditEntry; returns the ExportLog.
    """
    from portal.models import ExportLog

    export = ExportLog.objects.create(
        user=user, kind=kind, filters=filters or {}, row_count=row_count
    )
    audit(
        AuditEntry.Action.EXPORT,
        actor=user,
        target=kind,
        details={"filters": filters or {}, "rows": row_count},
    )
    return export


@receiver(user_logged_in, dispatch_uid="audit_login")
def _on_login(sender, request, user, **kwargs):
    audit(AuditEntry.Action.LOGIN, actor=user, target=f"portal.User #{user.pk}", request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password; only the login identifier is kept.
    identifier = credentials.get("email") or credentials.get("username") or ""
    audit(AuditEntry.Action.LOGIN_FAILED, target=str(identifier), request=request)


@receiver(post_save, sender=LogEntry, dispatch_uid="audit_admin_edit")
def _on_admin_edit(sender, instance, created, **kwargs):
    if not created:
        return
    audit(
        AuditEntry.Action.ADMIN_EDIT,
        actor=instance.user,
        target=f"{instance.content_type.app_label}.{instance.content_type.model} "
        f"#{instance.object_id}: {instance.object_repr}"
        if instance.content_type_id
        else instance.object_repr,
        details={
            "action_flag": {1: "addition", 2: "change", 3: "deletion"}.get(
                instance.action_flag, instance.action_flag
            ),
            "change_message": instance.get_change_message(),
        },
    )
