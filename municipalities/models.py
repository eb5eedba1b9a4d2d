"""Reference geography: the 7 regions, the project's 17 sub-regions, 81 provinces, districts and
the 1,393 municipalities, plus the people who work for a municipality."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.phones import phone_dial
from portal.turkish import search_key, sort_key


class TurkishNamed(models.Model):
    """A ``name`` with stored Turkish search and sort keys (see portal.turkish)."""

    name = models.CharField(_("name"), max_length=200)
    name_search = models.CharField(max_length=200, editable=False, db_index=True, default="")
    name_sort = models.CharField(max_length=400, editable=False, db_index=True, default="")

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.set_name_keys()
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_search", "name_sort"}
        super().save(*args, **kwargs)

    def set_name_keys(self):
        self.name_search = search_key(self.name)
        self.name_sort = sort_key(self.name)


class TurkishNamedQuerySet(models.QuerySet):
    def search(self, query: str):
        """Rows whose name contains the query, ignoring case and Turkish letters."""
        key = search_key(query or "")
        if not key:
            return self
        return self.filter(name_search__contains=key)

    def alphabetical(self):
        """Turkish alphabetical order by name."""
        return self.order_by("name_sort", "pk")


class GeographicRegion(TurkishNamed):
    """One of Türkiye's 7 geographic regions."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = TurkishNamedQuerySet.as_manager()

    class Meta:
        verbose_name = _("geographic region")
        verbose_name_plural = _("geographic regions")
        ordering = ["order"]


class SubRegion(TurkishNamed):
    """One of the project's 17 sub-regions, inside one geographic region, with a host province."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    region = models.ForeignKey(
        GeographicRegion,
        on_delete=models.PROTECT,
        related_name="subregions",
        verbose_name=_("geographic region"),
    )
    host_province = models.ForeignKey(
        "Province",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_subregions",
        verbose_name=_("host province"),
    )
    is_provisional = models.BooleanField(
        _("provisional"),
        default=True,
        help_text=_("The composition awaits confirmation by the project office."),
    )

    objects = TurkishNamedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sub-region")
        verbose_name_plural = _("sub-regions")
        ordering = ["code"]


class ProvinceQuerySet(TurkishNamedQuerySet):
    pass


class Province(TurkishNamed):
    """One of the 81 provinces, keyed by its licence plate code."""

    plate = models.PositiveSmallIntegerField(_("plate code"), primary_key=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    region = models.ForeignKey(
        GeographicRegion,
        on_delete=models.PROTECT,
        related_name="provinces",
        verbose_name=_("geographic region"),
    )
    subregion = models.ForeignKey(
        SubRegion,
        on_delete=models.PROTECT,
        related_name="provinces",
        verbose_name=_("sub-region"),
    )
    nuts1 = models.CharField(_("NUTS-1 code"), max_length=3)
    nuts2 = models.CharField(_("NUTS-2 code"), max_length=4)
    nuts3 = models.CharField(_("NUTS-3 code"), max_length=5, unique=True)
    is_metropolitan = models.BooleanField(_("Metropolitan province"), default=False)

    objects = ProvinceQuerySet.as_manager()

    class Meta:
        verbose_name = _("Province")
        verbose_name_plural = _("Provinces")
        ordering = ["name_sort"]
        constraints = [
            models.CheckConstraint(
                condition=Q(plate__gte=1, plate__lte=81), name="province_plate_1_to_81"
            ),
        ]

    @property
    def plate_code(self):
        return f"{self.plate:02d}"


class District(TurkishNamed):
    """An ilçe; "Merkez" is the central district of a non-metropolitan province."""

    code = models.PositiveIntegerField(_("code"), unique=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="districts", verbose_name=_("Province")
    )
    is_central = models.BooleanField(_("central district"), default=False)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)

    objects = TurkishNamedQuerySet.as_manager()

    class Meta:
        verbose_name = _("District")
        verbose_name_plural = _("Districts")
        ordering = ["name_sort"]
        constraints = [
            models.UniqueConstraint(fields=["province", "name"], name="district_unique_name"),
        ]


class MunicipalityKind(models.TextChoices):
    METROPOLITAN = "metropolitan", _("Metropolitan municipality")
    PROVINCIAL = "provincial", _("Provincial municipality")
    DISTRICT = "district", _("District municipality")
    TOWN = "town", _("Town municipality")


class MunicipalityQuerySet(TurkishNamedQuerySet):
    def search(self, query: str):
        """Municipalities whose own, province's or district's name contains the query."""
        key = search_key(query or "")
        if not key:
            return self
        return self.filter(
            Q(name_search__contains=key)
            | Q(province__name_search__contains=key)
            | Q(district__name_search__contains=key)
        )

    def with_place(self):
        """Join what a list shows beside each municipality: province, sub-region, district."""
        return self.select_related("province__subregion", "district", "parent")

    def managed_by(self, user):
        """The municipalities where the user is a manager."""
        return self.filter(staff__user=user, staff__role=MunicipalStaff.Role.MANAGER).distinct()

    def serving(self, province, district=None):
        """The municipality serving a district: its own district municipality where it has one,
        otherwise the metropolitan or provincial municipality of the province (or None)."""
        if district is not None and not district.is_central:
            found = self.filter(kind=MunicipalityKind.DISTRICT, district=district).first()
            if found:
                return found
        return self.filter(
            province=province,
            kind__in=[MunicipalityKind.METROPOLITAN, MunicipalityKind.PROVINCIAL],
        ).first()


class Municipality(TurkishNamed):
    """A local government: metropolitan, provincial, district or town (belde) municipality."""

    Kind = MunicipalityKind

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=MunicipalityKind.choices)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        related_name="municipalities",
        verbose_name=_("Province"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="municipalities",
        verbose_name=_("District"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("metropolitan municipality"),
    )
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.TextField(_("address"), blank=True)
    # Who NGOs turn to: kept by the municipality's managers (municipality_contacts_update).
    ngo_unit = models.CharField(
        _("unit that deals with NGOs"),
        max_length=200,
        blank=True,
        help_text=_("For example: Dış İlişkiler ve STK Müdürlüğü."),
    )
    ngo_contact_name = models.CharField(_("contact person for NGOs"), max_length=150, blank=True)
    ngo_contact_phone = models.CharField(_("contact person's phone"), max_length=40, blank=True)
    ngo_contact_email = models.EmailField(_("contact person's email"), blank=True)
    contacts_updated_at = models.DateTimeField(
        _("contact details updated at"), null=True, blank=True, editable=False
    )

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name_sort"]
        constraints = [
            models.UniqueConstraint(
                fields=["province"],
                condition=Q(kind__in=["metropolitan", "provincial"]),
                name="municipality_one_top_level_per_province",
            ),
            models.UniqueConstraint(
                fields=["district"],
                condition=Q(kind="district"),
                name="municipality_one_per_district",
            ),
            models.CheckConstraint(
                condition=Q(kind="metropolitan", district__isnull=True)
                | Q(kind="provincial")
                | Q(kind__in=["district", "town"], district__isnull=False),
                name="municipality_district_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | Q(kind="district"),
                name="municipality_parent_only_for_district",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["metropolitan", "provincial", "district", "town"]),
                name="municipality_kind_known",
            ),
        ]

    def get_absolute_url(self):
        return reverse("municipalities:detail", kwargs={"slug": self.slug})

    @property
    def phone_dial(self):
        """The digits of ``phone`` for a tel: link."""
        return phone_dial(self.phone)

    @property
    def ngo_contact_phone_dial(self):
        return phone_dial(self.ngo_contact_phone)

    @property
    def has_ngo_contact(self):
        return bool(
            self.ngo_unit
            or self.ngo_contact_name
            or self.ngo_contact_phone
            or self.ngo_contact_email
        )


class MunicipalStaffQuerySet(models.QuerySet):
    def role_fields(self, user) -> dict:
        """The user's municipal roles for ``portal.access.Roles`` (its registered role source)."""
        rows = list(self.filter(user=user).values_list("municipality_id", "role"))
        return {
            "municipality_ids": frozenset(m for m, _ in rows),
            "municipality_manager_ids": frozenset(
                m for m, role in rows if role == MunicipalStaff.Role.MANAGER
            ),
        }


class MunicipalStaff(models.Model):
    """A user working for a municipality: staff, or manager (who may invite colleagues)."""

    class Role(models.TextChoices):
        STAFF = "staff", _("Staff")
        MANAGER = "manager", _("Manager")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="municipal_roles",
        verbose_name=_("user"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="staff",
        verbose_name=_("municipality"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MunicipalStaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("municipal staff member")
        verbose_name_plural = _("municipal staff")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality"], name="municipal_staff_unique_user"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["staff", "manager"]), name="municipal_staff_role_known"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.municipality} ({self.get_role_display()})"
