"""Civil society organisations (STK) and the people who act for them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from municipalities.models import TurkishNamed, TurkishNamedQuerySet
from portal.access import roles_of


class LegalForm(models.TextChoices):
    ASSOCIATION = "dernek", _("Association (dernek)")
    FOUNDATION = "vakif", _("Foundation (vakıf)")
    FEDERATION = "federasyon", _("Federation")
    CONFEDERATION = "konfederasyon", _("Confederation")
    UNION = "sendika", _("Trade union (sendika)")
    PROFESSIONAL_CHAMBER = "meslek_odasi", _("Professional chamber (meslek odası)")
    COOPERATIVE = "kooperatif", _("Cooperative")
    PLATFORM = "platform", _("Platform or initiative")


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")


class NGOQuerySet(TurkishNamedQuerySet):
    def verified(self):
        """NGOs a coordinator has verified: the only ones shown publicly."""
        return self.filter(status=VerificationStatus.VERIFIED)

    def visible_to(self, user):
        """Verified NGOs for everyone; also the user's own NGOs and, for coordinators, every NGO
        of their sub-regions (all of them for national coordinators and site administrators)."""
        roles = roles_of(user)
        if roles.is_national_coordinator or roles.is_site_admin:
            return self
        visible = Q(status=VerificationStatus.VERIFIED) | Q(pk__in=roles.ngo_ids)
        if roles.subregion_ids:
            visible |= Q(province__subregion_id__in=roles.subregion_ids)
        return self.filter(visible)


class NGO(TurkishNamed):
    """A non-governmental organisation registered in the portal."""

    Status = VerificationStatus

    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    registry_number = models.CharField(
        _("registry number"),
        max_length=40,
        blank=True,
        help_text=_("DERBİS number for associations, VGM number for foundations."),
    )
    province = models.ForeignKey(
        "municipalities.Province",
        on_delete=models.PROTECT,
        related_name="ngos",
        verbose_name=_("Province"),
    )
    district = models.ForeignKey(
        "municipalities.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ngos",
        verbose_name=_("District"),
    )
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ngos",
        verbose_name=_("Municipality it mainly works with"),
    )
    status = models.CharField(
        _("verification status"),
        max_length=10,
        choices=VerificationStatus.choices,
        default=VerificationStatus.PENDING,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = NGOQuerySet.as_manager()

    class Meta:
        verbose_name = _("NGO")
        verbose_name_plural = _("NGOs")
        ordering = ["name_sort"]
        constraints = [
            models.UniqueConstraint(
                fields=["registry_number"],
                condition=~Q(registry_number=""),
                name="ngo_unique_registry_number",
            ),
            models.CheckConstraint(
                condition=Q(legal_form__in=LegalForm.values), name="ngo_legal_form_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=VerificationStatus.values), name="ngo_status_known"
            ),
        ]


class Membership(models.Model):
    """A user's role in an NGO: admin (manages the profile and members) or member."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="ngo_memberships",
        verbose_name=_("user"),
    )
    ngo = models.ForeignKey(
        NGO, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("NGO")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("NGO membership")
        verbose_name_plural = _("NGO memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "ngo"], name="membership_unique_user_ngo"),
            models.CheckConstraint(
                condition=Q(role__in=["admin", "member"]), name="membership_role_known"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.ngo} ({self.get_role_display()})"
