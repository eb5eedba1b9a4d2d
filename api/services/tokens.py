"""Personal access tokens: created (shown once), revoked, and checked on each API request.

A token is ``bstk_`` followed by 40 random URL-safe characters. The database keeps its SHA-256
and its first 12 characters (to tell tokens apart), never the token. Creation, revocation and
use are recorded in the audit log; use at most once per token per minute
(``USE_AUDIT_SECONDS``), with the path of the first request of that minute, so that a client
polling the API does not flood the log, and ``last_used_at`` is kept to the same minute.
"""

import datetime
import hashlib
import secrets

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import PersonalAccessToken
from portal.audit import audit
from portal.models import AuditEntry

PREFIX = "bstk_"
USE_AUDIT_SECONDS = 60
# How long a new token may live, in days (the choices of the form; the longest is a year).
LIFETIMES = (30, 90, 365)
MAX_ACTIVE_TOKENS = 10


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, user, name: str, days: int) -> tuple[PersonalAccessToken, str]:
    """Create a token for ``user`` valid for ``days`` days; returns it and the raw token, which
    is never stored and cannot be shown again.

    Side effects: inserts a PersonalAccessToken and an audit entry. Raises ValidationError for a
    name already in use by another active token, a lifetime not offered, or too many tokens.
    """
    if days not in LIFETIMES:
        raise ValidationError(_("Choose one of the offered lifetimes."))
    active = PersonalAccessToken.objects.filter(user=user, revoked_at__isnull=True)
    if active.usable().count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            _("You have %(count)s active tokens already; revoke one first.")
            % {"count": MAX_ACTIVE_TOKENS}
        )
    raw = PREFIX + secrets.token_urlsafe(30)
    now = timezone.now()
    try:
        with transaction.atomic():
            token = PersonalAccessToken.objects.create(
                user=user,
                name=name.strip(),
                prefix=raw[:12],
                token_hash=token_hash(raw),
                created_at=now,
                expires_at=now + datetime.timedelta(days=days),
            )
    except IntegrityError as error:
        raise ValidationError(
            _("You already have an active token with this name; choose another name.")
        ) from error
    audit(
        AuditEntry.Action.API_TOKEN,
        actor=user,
        target=token,
        details={"event": "created", "expires_at": token.expires_at.isoformat()},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token: PersonalAccessToken, user) -> None:
    """Revoke the token now (idempotent: a revoked token stays revoked as it was).

    Side effects: sets ``revoked_at`` and writes an audit entry.
    """
    updated = PersonalAccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if updated:
        audit(AuditEntry.Action.API_TOKEN, actor=user, target=token, details={"event": "revoked"})


def token_authenticate(raw: str, *, path: str = "") -> PersonalAccessToken | None:
    """The usable token ``raw`` names (with its user), or None (unknown, expired, revoked, or
    its user deactivated). One query; a use is recorded once per token per minute."""
    if not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    token = (
        PersonalAccessToken.objects.select_related("user")
        .filter(token_hash=token_hash(raw))
        .first()
    )
    if token is None or not token.is_usable() or not token.user.is_active:
        return None
    if cache.add(f"api:token-used:{token.pk}", True, USE_AUDIT_SECONDS):
        now = timezone.now()
        PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        audit(
            AuditEntry.Action.API_TOKEN,
            actor=token.user,
            target=token,
            details={"event": "used", "path": path[:200]},
        )
    return token
