"""Invitations to join an NGO or a municipality."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        """Invitations not yet accepted, revoked or expired."""
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """A single-use, expiring invitation for one email address to join an NGO or a municipality.

    Exactly one of ``ngo`` and ``municipality`` is set; the role is that organisation's role
    (NGO: admin/member; municipality: staff/manager).
    """

    email = models.EmailField(_("email address"))
    token = models.CharField(max_length=64, unique=True, editable=False)
    ngo = models.ForeignKey(
        "ngos.NGO",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("NGO"),
    )
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("municipality"),
    )
    role = models.CharField(_("role"), max_length=10)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        # Moved here from the portal app; the table kept its name (see migrations/0001_initial).
        db_table = "portal_invitation"
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    ngo__isnull=False, municipality__isnull=True, role__in=["admin", "member"]
                )
                | Q(ngo__isnull=True, municipality__isnull=False, role__in=["staff", "manager"]),
                name="invitation_one_organisation_and_its_role",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.ngo or self.municipality}"

    @property
    def organisation(self):
        return self.ngo or self.municipality

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self):
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired
