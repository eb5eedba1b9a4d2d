"""Civil society organisations (STK), the people who act for them, and what they can offer when a
disaster strikes."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from municipalities.models import TurkishNamed, TurkishNamedQuerySet
from portal.access import roles_of
from portal.choices import HazardScope


class LegalForm(models.TextChoices):
    ASSOCIATION = "dernek", _("Association (dernek)")
    FOUNDATION = "vakif", _("Foundation (vakıf)")
    FEDERATION = "federasyon", _("Federation")
    CONFEDERATION = "konfederasyon", _("Confederation")
    UNION = "sendika", _("Trade union (sendika)")
    PROFESSIONAL_CHAMBER = "meslek_odasi", _("Professional chamber (meslek odası)")
    COOPERATIVE = "kooperatif", _("Cooperative")
    PLATFORM = "platform", _("Platform or initiative")


# Legal forms that have a public registry number (DERBİS for associations and their federations
# and confederations, VGM for foundations); the others may leave it empty.
REGISTERED_FORMS = {
    LegalForm.ASSOCIATION,
    LegalForm.FOUNDATION,
    LegalForm.FEDERATION,
    LegalForm.CONFEDERATION,
}


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")


# Statuses in which a coordinator has vouched for the NGO's identity: a change to it waits for a
# coordinator's approval (NGOIdentityChange). A suspended NGO keeps its verification, and a
# reinstatement does not check the identity again, so its identity is held as well.
VOUCHED_STATUSES = frozenset({VerificationStatus.VERIFIED, VerificationStatus.SUSPENDED})

# The fields that say which organisation an NGO is: what a coordinator checks against the
# registry (DERBİS, VGM) and what decides who coordinates it. The district is not one of them:
# within the province it changes neither the coordinator nor the registry record, and is
# corrected as freely as the address; it moves with the province when the province changes.
IDENTITY_FIELDS = ("name", "legal_form", "registry_number", "province")
# The fields that must lie in the province, so they follow a change of province.
PLACE_FIELDS = ("district", "municipality")


class Taxonomy(TurkishNamed):
    """An editable list entry with a stable code, a Turkish name and an English name."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_en = models.CharField(_("name in English"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = TurkishNamedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["order", "name_sort"]

    def __str__(self):
        return self.label

    @property
    def label(self):
        """The name in the language of the current request."""
        return self.name_en if get_language() == "en" and self.name_en else self.name


class ActivityField(Taxonomy):
    """A field of activity of NGOs (education, disaster and emergency, hemşehri, …)."""

    class Meta(Taxonomy.Meta):
        verbose_name = _("field of activity")
        verbose_name_plural = _("fields of activity")


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

    def administered_by(self, user):
        """The NGOs where the user is an administrator."""
        return self.filter(pk__in=roles_of(user).ngo_admin_ids)

    def documents_visible_to(self, user):
        """The NGOs whose documents (the association's certificate, …) the user may read: those
        the user administers and those the user coordinates (every one for national
        coordinators and site administrators)."""
        roles = roles_of(user)
        if roles.is_national_coordinator or roles.is_site_admin:
            return self
        return self.filter(
            Q(pk__in=roles.ngo_admin_ids) | Q(province__subregion_id__in=roles.subregion_ids)
        )

    def coordinated_by(self, user):
        """The NGOs in the sub-regions the user coordinates (all for national coordinators)."""
        roles = roles_of(user)
        if roles.is_national_coordinator or roles.is_site_admin:
            return self
        return self.filter(province__subregion_id__in=roles.subregion_ids)

    def acting_for(self, user):
        """NGOs the user may act for: their own NGOs, plus (for assisted entry) every NGO in the
        sub-regions they coordinate (all for national coordinators)."""
        roles = roles_of(user)
        if roles.is_national_coordinator:
            return self
        scope = Q(pk__in=roles.ngo_ids)
        if roles.subregion_ids:
            scope |= Q(province__subregion_id__in=roles.subregion_ids)
        return self.filter(scope)

    def with_place(self):
        """Join what a list shows beside each NGO: province, sub-region, district."""
        return self.select_related("province__subregion", "district")


class NGO(TurkishNamed):
    """A non-governmental organisation registered in the portal."""

    Status = VerificationStatus
    LegalForm = LegalForm

    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    registry_number = models.CharField(
        _("registry number"),
        max_length=40,
        blank=True,
        help_text=_("DERBİS number for associations, VGM number for foundations."),
    )
    founding_year = models.PositiveSmallIntegerField(
        _("founding year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2100)],
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
        help_text=_("Defaults to the municipality of the district."),
    )
    activity_fields = models.ManyToManyField(
        ActivityField, blank=True, related_name="ngos", verbose_name=_("fields of activity")
    )
    members_count = models.PositiveIntegerField(_("number of members"), null=True, blank=True)
    volunteers_count = models.PositiveIntegerField(_("number of volunteers"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.TextField(_("address"), max_length=500, blank=True)
    description = models.TextField(_("description"), max_length=3000, blank=True)
    contacts_public = models.BooleanField(
        _("show contact details publicly"),
        default=False,
        help_text=_(
            "When off, the organisation's email, phone and address are shown only to "
            "municipal staff and coordinators."
        ),
    )
    afad_accredited = models.BooleanField(_("AFAD accredited"), default=False)
    afad_group = models.CharField(
        _("AFAD accreditation group"),
        max_length=120,
        blank=True,
        help_text=_("For example: search and rescue, medium level."),
    )
    status = models.CharField(
        _("verification status"),
        max_length=10,
        choices=VerificationStatus.choices,
        default=VerificationStatus.PENDING,
    )
    status_reason = models.TextField(
        _("reason"),
        blank=True,
        help_text=_("Why the NGO was rejected or suspended; shown to the NGO."),
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("status changed by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Documents of the NGO (the association's certificate, …): portal.Attachment rows, read by
    # its administrators and its coordinators only; deleted (with their files) with the NGO.
    documents = GenericRelation("portal.Attachment", related_query_name="ngo")

    objects = NGOQuerySet.as_manager()

    def documents_readable_by(self, user) -> bool:
        """As ``NGO.objects.documents_visible_to``, for this NGO (uses its province)."""
        roles = roles_of(user)
        return (
            roles.is_national_coordinator
            or roles.is_site_admin
            or self.pk in roles.ngo_admin_ids
            or self.province.subregion_id in roles.subregion_ids
        )

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
            models.CheckConstraint(
                condition=~Q(status__in=["rejected", "suspended"]) | ~Q(status_reason=""),
                name="ngo_reason_when_rejected_or_suspended",
            ),
            models.CheckConstraint(
                condition=Q(afad_accredited=True, afad_group__gt="")
                | Q(afad_accredited=False, afad_group=""),
                name="ngo_afad_group_iff_accredited",
            ),
            # A constraint cannot compare with today, so the database holds a fixed plausible
            # range; "not in the future" is NGOForm.clean_founding_year's rule.
            models.CheckConstraint(
                condition=Q(founding_year__isnull=True)
                | Q(founding_year__gte=1800, founding_year__lte=2100),
                name="ngo_founding_year_plausible",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "province"], name="ngo_status_province"),
            # The ids of a few provinces' NGOs from the index alone ("whom to call" reads the
            # NGOs within reach of a disaster this way: cooperation/services/proposals.py).
            models.Index(fields=["province", "id"], name="ngo_province_id"),
            # The verified NGOs of a province in alphabetical order (the emergency contact
            # sheet, the directory filtered by province): read in order from this index instead
            # of walking every NGO's name and dropping those of other provinces.
            models.Index(
                fields=["province", "name_sort", "id"],
                name="ngo_verified_province_name",
                condition=Q(status="verified"),
            ),
            # The verified NGOs of each legal form counted by province (a report filtered by
            # legal form: reports.services.figures.participation_levels), from the index alone.
            models.Index(
                fields=["legal_form", "province", "id"],
                name="ngo_verified_legal_form",
                condition=Q(status="verified"),
            ),
        ]

    def get_absolute_url(self):
        return reverse("ngos:detail", kwargs={"slug": self.slug})

    @property
    def is_verified(self):
        return self.status == VerificationStatus.VERIFIED

    @property
    def identity_is_vouched(self):
        """A coordinator vouched for this identity: changing it needs their approval."""
        return self.status in VOUCHED_STATUSES


class NGOSlugHistory(models.Model):
    """A former web address (slug) of an NGO, kept when it was renamed: the NGO's pages at the
    old address redirect permanently to the new one, so links and bookmarks keep working."""

    ngo = models.ForeignKey(
        NGO, on_delete=models.CASCADE, related_name="old_slugs", verbose_name=_("NGO")
    )
    # Unique: an old address leads to one NGO, and no other NGO is given it (ngo_unique_slug).
    slug = models.SlugField(_("former slug"), max_length=220, unique=True)
    created_at = models.DateTimeField(_("replaced at"), auto_now_add=True)

    class Meta:
        verbose_name = _("former web address of an NGO")
        verbose_name_plural = _("former web addresses of NGOs")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.slug


class IdentityChangeStatus(models.TextChoices):
    OPEN = "open", _("Awaiting verification")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class NGOIdentityChangeQuerySet(models.QuerySet):
    def open(self):
        """Changes awaiting a coordinator's decision (at most one per NGO)."""
        return self.filter(status=IdentityChangeStatus.OPEN)

    def with_places(self):
        """Join the provinces, districts and municipalities of both sides of the comparison."""
        return self.select_related(
            "province",
            "district",
            "municipality",
            "old_province",
            "old_district",
            "old_municipality",
            "requested_by",
            "decided_by",
        )


@dataclass(frozen=True)
class ComparedField:
    """One row of the before → after comparison of an identity change."""

    label: str
    old: str
    new: str

    @property
    def changed(self):
        return self.old != self.new


class NGOIdentityChange(models.Model):
    """A change of a verified NGO's identity, proposed by someone who edits its profile: the NGO
    keeps its verified identity (and its badge) until a coordinator approves the change."""

    Status = IdentityChangeStatus

    ngo = models.ForeignKey(
        NGO, on_delete=models.CASCADE, related_name="identity_changes", verbose_name=_("NGO")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=IdentityChangeStatus.choices,
        default=IdentityChangeStatus.OPEN,
    )
    # The proposed identity; the district and municipality only differ when the province does.
    name = models.CharField(_("proposed name"), max_length=200)
    legal_form = models.CharField(
        _("proposed legal form"), max_length=20, choices=LegalForm.choices
    )
    registry_number = models.CharField(_("proposed registry number"), max_length=40, blank=True)
    province = models.ForeignKey(
        "municipalities.Province",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed province"),
    )
    district = models.ForeignKey(
        "municipalities.District",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed district"),
    )
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed municipality"),
    )
    # The verified identity when the change was asked for: the record of what was replaced.
    old_name = models.CharField(_("previous name"), max_length=200)
    old_legal_form = models.CharField(
        _("previous legal form"), max_length=20, choices=LegalForm.choices
    )
    old_registry_number = models.CharField(_("previous registry number"), max_length=40, blank=True)
    old_province = models.ForeignKey(
        "municipalities.Province",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("previous province"),
    )
    old_district = models.ForeignKey(
        "municipalities.District",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous district"),
    )
    old_municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous municipality"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(
        _("reason"), max_length=1000, blank=True, help_text=_("Why the change was rejected.")
    )

    objects = NGOIdentityChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("change of NGO identity")
        verbose_name_plural = _("changes of NGO identity")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ngo"],
                condition=Q(status="open"),
                name="ngo_identity_change_one_open",
            ),
            models.CheckConstraint(
                condition=Q(status__in=IdentityChangeStatus.values),
                name="ngo_identity_change_status_known",
            ),
            models.CheckConstraint(
                condition=Q(legal_form__in=LegalForm.values, old_legal_form__in=LegalForm.values),
                name="ngo_identity_change_legal_forms_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""),
                name="ngo_identity_change_reason_when_rejected",
            ),
            models.CheckConstraint(
                condition=Q(status="open", decided_at__isnull=True)
                | (~Q(status="open") & Q(decided_at__isnull=False)),
                name="ngo_identity_change_decided_iff_closed",
            ),
        ]

    def __str__(self):
        return f"{self.old_name} → {self.name} ({self.get_status_display()})"

    @property
    def is_open(self):
        return self.status == IdentityChangeStatus.OPEN

    @property
    def moves_province(self):
        return self.province_id != self.old_province_id

    def proposes(self, ngo) -> bool:
        """Whether ``ngo`` (edited, unsaved) carries exactly the identity this change proposes."""
        same = (
            self.name == ngo.name
            and self.legal_form == ngo.legal_form
            and self.registry_number == ngo.registry_number
            and self.province_id == ngo.province_id
        )
        if same and self.moves_province:
            return self.district_id == ngo.district_id
        return same

    def comparison(self) -> list[ComparedField]:
        """Each identity field before → after; the district and the municipality when the
        province changes (they move with it). Needs ``with_places()``."""

        def place(value):
            return value.name if value is not None else "—"

        rows = [
            ComparedField(_("Name"), self.old_name, self.name),
            ComparedField(
                _("Legal form"),
                LegalForm(self.old_legal_form).label,
                LegalForm(self.legal_form).label,
            ),
            ComparedField(
                _("Registry number"), self.old_registry_number or "—", self.registry_number or "—"
            ),
            ComparedField(_("Province"), self.old_province.name, self.province.name),
        ]
        if self.moves_province:
            rows += [
                ComparedField(_("District"), place(self.old_district), place(self.district)),
                ComparedField(
                    _("Main municipality"),
                    place(self.old_municipality),
                    place(self.municipality),
                ),
            ]
        return rows

    def changed_labels(self) -> list[str]:
        """The names of the fields this change alters, for a list."""
        return [str(row.label) for row in self.comparison() if row.changed]


class MembershipQuerySet(models.QuerySet):
    def role_fields(self, user) -> dict:
        """The user's NGO roles for ``portal.access.Roles`` (its registered role source)."""
        rows = list(self.filter(user=user).values_list("ngo_id", "role"))
        return {
            "ngo_ids": frozenset(ngo for ngo, _ in rows),
            "ngo_admin_ids": frozenset(ngo for ngo, role in rows if role == Membership.Role.ADMIN),
        }


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

    objects = MembershipQuerySet.as_manager()

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


class JoinRequest(models.Model):
    """A user asks to join an existing NGO; one of its administrators approves or refuses."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="ngo_join_requests",
        verbose_name=_("user"),
    )
    ngo = models.ForeignKey(
        NGO, on_delete=models.CASCADE, related_name="join_requests", verbose_name=_("NGO")
    )
    message = models.TextField(_("message to the administrators"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "ngo"],
                condition=Q(status="pending"),
                name="join_request_one_pending_per_user_ngo",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "refused", "withdrawn"]),
                name="join_request_status_known",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.ngo} ({self.get_status_display()})"


class CapabilityKind(models.TextChoices):
    SEARCH_AND_RESCUE = "search_rescue", _("Search and rescue")
    FIRST_AID = "first_aid", _("First aid")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    SHELTER = "shelter", _("Shelter")
    FOOD_WATER = "food_water", _("Food and water")
    LOGISTICS = "logistics", _("Logistics and vehicles")
    TRANSLATION = "translation", _("Translation")
    VOLUNTEERS = "volunteers", _("Volunteers")
    EQUIPMENT = "equipment", _("Equipment")
    FUNDRAISING = "fundraising", _("Fund-raising")
    OTHER = "other", _("Other")


class CapacityUnit(models.TextChoices):
    PEOPLE = "people", _("people")
    TEAMS = "teams", _("teams")
    VEHICLES = "vehicles", _("vehicles")
    BEDS = "beds", _("beds")
    TENTS = "tents", _("tents")
    MEALS_PER_DAY = "meals_per_day", _("meals per day")
    LITRES_PER_DAY = "litres_per_day", _("litres per day")
    TONNES = "tonnes", _("tonnes")
    PIECES = "pieces", _("pieces")
    LIRAS = "liras", _("Turkish liras")


class CapabilityQuerySet(models.QuerySet):
    def searchable(self):
        """Capabilities of verified NGOs: the only ones municipalities search."""
        return self.filter(ngo__status=VerificationStatus.VERIFIED)


class Capability(models.Model):
    """What an NGO can contribute for a hazard, how much, and in which provinces."""

    Kind = CapabilityKind

    ngo = models.ForeignKey(
        NGO, on_delete=models.CASCADE, related_name="capabilities", verbose_name=_("NGO")
    )
    kind = models.CharField(_("capability"), max_length=20, choices=CapabilityKind.choices)
    hazard = models.CharField(
        _("hazard"), max_length=12, choices=HazardScope.choices, default=HazardScope.ANY
    )
    quantity = models.PositiveIntegerField(
        _("capacity"), validators=[MinValueValidator(1), MaxValueValidator(10_000_000)]
    )
    unit = models.CharField(_("unit"), max_length=20, choices=CapacityUnit.choices)
    provinces = models.ManyToManyField(
        "municipalities.Province",
        related_name="capabilities",
        verbose_name=_("provinces it can serve"),
    )
    notes = models.TextField(_("notes"), max_length=1000, blank=True)
    last_confirmed = models.DateField(_("last confirmed"), default=datetime.date.today)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CapabilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("disaster capability")
        verbose_name_plural = _("disaster capabilities")
        ordering = ["kind", "hazard"]
        constraints = [
            models.UniqueConstraint(
                fields=["ngo", "kind", "hazard"], name="capability_unique_kind_hazard"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=10_000_000),
                name="capability_quantity_positive",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=CapabilityKind.values), name="capability_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(hazard__in=HazardScope.values), name="capability_hazard_known"
            ),
            models.CheckConstraint(
                condition=Q(unit__in=CapacityUnit.values), name="capability_unit_known"
            ),
        ]

    def __str__(self):
        return f"{self.ngo} — {self.get_kind_display()} ({self.get_hazard_display()})"

    @property
    def is_stale(self):
        """Not confirmed for more than six months."""
        return (timezone.localdate() - self.last_confirmed).days > 182
