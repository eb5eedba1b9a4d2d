"""Cooperation in disasters: protocols agreed before a disaster, and activations after one.

Before: a **Protocol** between one municipality and one or more NGOs (``ProtocolParty``), with
what each NGO commits (``NGOCommitment``, linked to its declared capabilities) and what the
municipality commits (``MunicipalCommitment``), optionally under an AFAD TAMP working group
(``ServiceGroup``, editable reference data, see ``cooperation/data/README.md``).

After: an **Activation** (a disaster or an exercise) with its **Needs**; a **Call** for support
to each chosen NGO, delivered to its people in-app, by e-mail and by SMS (one ``Delivery`` row
per person and channel); the NGO's **Response** with the items it pledges against the needs
(``ResponseItem``); **Offers** of NGOs that were not called; and the activation's log
(``ActivationLogEntry``).

Every invariant that one row can hold is a database constraint. Rules across rows (a response
item's need belongs to the call's activation, an offer comes from an NGO that was not called,
a protocol becomes active when every NGO party has accepted) are the services' to enforce.
Who may see what: ``Protocol.objects.visible_to(user)`` and
``Activation.objects.visible_to(user)``, built on ``portal.access.roles_of``.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ngos.models import CapabilityKind, CapacityUnit, Taxonomy
from portal.access import roles_of
from portal.choices import Hazard
from surveys.models import Phase

# The largest quantity any count here may hold (as for ngos.Capability).
MAX_QUANTITY = 10_000_000

# The hazards and phases a protocol may cover, each stored as a boolean column so that lists
# filter on them in plain SQL on SQLite and PostgreSQL alike (``for_hazard``, ``in_phase``).
PROTOCOL_HAZARD_FIELDS = {hazard: f"hazard_{hazard}" for hazard in Hazard.values}
PROTOCOL_PHASE_FIELDS = {phase: f"phase_{phase}" for phase in Phase.values}


def _known(field: str, choices) -> Q:
    return Q(**{f"{field}__in": choices.values})


def _bounded(field: str, low: int = 0, nullable: bool = False) -> Q:
    condition = Q(**{f"{field}__gte": low, f"{field}__lte": MAX_QUANTITY})
    return Q(**{f"{field}__isnull": True}) | condition if nullable else condition


class ServiceGroup(Taxonomy):
    """A working group (çalışma grubu; "hizmet grubu" before 2022) of the Türkiye Afet Müdahale
    Planı, under which a protocol's work falls. Reference data with stable codes, loaded from
    ``cooperation/data/tamp_groups.csv`` and editable by administrators."""

    class Meta(Taxonomy.Meta):
        verbose_name = _("TAMP working group")
        verbose_name_plural = _("TAMP working groups")


# --- protocols -----------------------------------------------------------------------------------


class ProtocolStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", pgettext_lazy("protocol status", "Proposed")
    ACTIVE = "active", pgettext_lazy("protocol status", "Active")
    EXPIRED = "expired", pgettext_lazy("protocol status", "Expired")
    TERMINATED = "terminated", pgettext_lazy("protocol status", "Terminated")


# Which status may follow which (the services enforce it; the database holds each state's
# fields). A proposed protocol becomes active when its last NGO party accepts; the municipality
# may take it back to draft to change it, which clears the acceptances.
PROTOCOL_TRANSITIONS = {
    ProtocolStatus.DRAFT: {ProtocolStatus.PROPOSED},
    ProtocolStatus.PROPOSED: {ProtocolStatus.DRAFT, ProtocolStatus.ACTIVE},
    ProtocolStatus.ACTIVE: {ProtocolStatus.EXPIRED, ProtocolStatus.TERMINATED},
    ProtocolStatus.EXPIRED: set(),
    ProtocolStatus.TERMINATED: set(),
}


class ProtocolQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Protocols the user may open: every one for national coordinators and site
        administrators; those of the user's municipalities; those of the municipalities in the
        sub-regions the user coordinates; and, once proposed, those where one of the user's NGOs
        is a party (a draft is the municipality's own until it is proposed)."""
        roles = roles_of(user)
        if roles.is_national_coordinator or roles.is_site_admin:
            return self
        visible = Q(municipality_id__in=roles.municipality_ids)
        if roles.subregion_ids:
            visible |= Q(municipality__province__subregion_id__in=roles.subregion_ids)
        if roles.ngo_ids:
            visible |= ~Q(status=ProtocolStatus.DRAFT) & Q(
                pk__in=ProtocolParty.objects.filter(ngo_id__in=roles.ngo_ids).values("protocol_id")
            )
        return self.filter(visible)

    def active(self):
        """Protocols in force (accepted by every NGO party and neither expired nor ended)."""
        return self.filter(status=ProtocolStatus.ACTIVE)

    def expiring(self, on_or_before):
        """Active protocols whose end date falls on or before the date (expiry reminders)."""
        return self.active().filter(ends_on__lte=on_or_before)

    def of_ngo(self, ngo):
        """Protocols where the NGO is a party."""
        return self.filter(pk__in=ProtocolParty.objects.filter(ngo=ngo).values("protocol_id"))

    def for_hazard(self, hazard):
        """Protocols covering the hazard (a ``portal.choices.Hazard`` value)."""
        return self.filter(**{PROTOCOL_HAZARD_FIELDS[hazard]: True})

    def in_phase(self, phase):
        """Protocols covering the phase of disaster management (a ``surveys.models.Phase``)."""
        return self.filter(**{PROTOCOL_PHASE_FIELDS[phase]: True})

    def with_list_joins(self):
        """What a list of protocols shows beside each one."""
        return self.select_related(
            "municipality__province__subregion", "service_group"
        ).prefetch_related("parties__ngo")


def protocol_document_path(instance, filename):
    """Where the signed documents were stored before they became attachments (kept for
    migration 0001, which names it)."""
    return f"cooperation/protocols/{timezone.now():%Y/%m}/{filename}"


class Protocol(models.Model):
    """A cooperation agreement between one municipality and one or more NGOs."""

    Status = ProtocolStatus

    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.PROTECT,
        related_name="protocols",
        verbose_name=_("municipality"),
    )
    title = models.CharField(_("title"), max_length=200)
    subject = models.TextField(_("subject"), max_length=5000)
    hazard_earthquake = models.BooleanField(_("Earthquake"), default=False)
    hazard_flood = models.BooleanField(_("Flood"), default=False)
    hazard_fire = models.BooleanField(_("Fire"), default=False)
    hazard_drought = models.BooleanField(_("Drought"), default=False)
    hazard_other = models.BooleanField(_("Other hazard"), default=False)
    phase_risk_reduction = models.BooleanField(_("Risk reduction"), default=False)
    phase_preparedness = models.BooleanField(_("Preparedness"), default=False)
    phase_response = models.BooleanField(_("Response"), default=False)
    phase_recovery = models.BooleanField(_("Recovery"), default=False)
    districts = models.ManyToManyField(
        "municipalities.District",
        blank=True,
        related_name="protocols",
        verbose_name=_("districts covered"),
    )
    service_group = models.ForeignKey(
        ServiceGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="protocols",
        verbose_name=_("TAMP working group"),
    )
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    # The signed document (a PDF) is an attachment (portal.Attachment), like every file.
    attachments = GenericRelation("portal.Attachment", related_query_name="protocol")
    status = models.CharField(
        _("status"), max_length=12, choices=ProtocolStatus.choices, default=ProtocolStatus.DRAFT
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    activated_at = models.DateTimeField(_("in force since"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    termination_reason = models.TextField(_("reason for termination"), max_length=2000, blank=True)
    terminated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("terminated by"),
    )
    expiry_reminder_sent_at = models.DateTimeField(
        _("expiry reminder sent at"), null=True, blank=True
    )
    expectation = models.ForeignKey(
        "surveys.Expectation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="protocols",
        verbose_name=_("grew out of the expectation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised by every save, to detect conflicting edits.")
    )

    objects = ProtocolQuerySet.as_manager()

    class Meta:
        verbose_name = _("cooperation protocol")
        verbose_name_plural = _("cooperation protocols")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=_known("status", ProtocolStatus), name="protocol_status_known"
            ),
            models.CheckConstraint(
                condition=Q(hazard_earthquake=True)
                | Q(hazard_flood=True)
                | Q(hazard_fire=True)
                | Q(hazard_drought=True)
                | Q(hazard_other=True),
                name="protocol_has_a_hazard",
            ),
            models.CheckConstraint(
                condition=Q(phase_risk_reduction=True)
                | Q(phase_preparedness=True)
                | Q(phase_response=True)
                | Q(phase_recovery=True),
                name="protocol_has_a_phase",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="protocol_ends_after_start",
            ),
            # A draft may be incomplete; once proposed, both parties know the dates.
            models.CheckConstraint(
                condition=Q(status="draft") | Q(starts_on__isnull=False, ends_on__isnull=False),
                name="protocol_dates_once_proposed",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(proposed_at__isnull=False),
                name="protocol_proposed_at_once_proposed",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["active", "expired", "terminated"])
                | Q(activated_at__isnull=False),
                name="protocol_activated_at_once_active",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["expired", "terminated"], ended_at__isnull=False)
                | (~Q(status__in=["expired", "terminated"]) & Q(ended_at__isnull=True)),
                name="protocol_ended_at_iff_ended",
            ),
            models.CheckConstraint(
                condition=Q(status="terminated") & ~Q(termination_reason="")
                | ~Q(status="terminated") & Q(termination_reason=""),
                name="protocol_reason_iff_terminated",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "status"], name="protocol_municipality_status"),
            models.Index(fields=["status", "ends_on"], name="protocol_status_ends_on"),
        ]

    def __str__(self):
        return self.title

    @property
    def document(self):
        """The signed document (a portal.Attachment), or None (uses a prefetch of
        ``attachments`` when there is one)."""
        files = list(self.attachments.all())
        return files[-1] if files else None

    @property
    def hazards(self) -> list[str]:
        """The hazards covered, as ``portal.choices.Hazard`` values (for forms and pages)."""
        return [h for h, field in PROTOCOL_HAZARD_FIELDS.items() if getattr(self, field)]

    @hazards.setter
    def hazards(self, values):
        for hazard, field in PROTOCOL_HAZARD_FIELDS.items():
            setattr(self, field, hazard in values)

    @property
    def phases(self) -> list[str]:
        """The phases covered, as ``surveys.models.Phase`` values."""
        return [p for p, field in PROTOCOL_PHASE_FIELDS.items() if getattr(self, field)]

    @phases.setter
    def phases(self, values):
        for phase, field in PROTOCOL_PHASE_FIELDS.items():
            setattr(self, field, phase in values)

    def get_hazards_display(self) -> list[str]:
        return [str(Hazard(h).label) for h in self.hazards]

    def get_phases_display(self) -> list[str]:
        return [str(Phase(p).label) for p in self.phases]


class ProtocolParty(models.Model):
    """An NGO that is party to a protocol; an administrator of the NGO accepts it for the NGO."""

    protocol = models.ForeignKey(
        Protocol, on_delete=models.CASCADE, related_name="parties", verbose_name=_("protocol")
    )
    ngo = models.ForeignKey(
        "ngos.NGO", on_delete=models.PROTECT, related_name="protocol_parties", verbose_name=_("NGO")
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("protocol party")
        verbose_name_plural = _("protocol parties")
        ordering = ["protocol", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "ngo"], name="protocol_party_unique_ngo"),
            models.CheckConstraint(
                condition=Q(accepted_by__isnull=True) | Q(accepted_at__isnull=False),
                name="protocol_party_accepted_by_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.protocol} — {self.ngo}"

    @property
    def has_accepted(self):
        return self.accepted_at is not None


class NGOCommitment(models.Model):
    """What one NGO party commits under a protocol, linked where it can be to one of the NGO's
    declared capabilities (``ngos.Capability``)."""

    party = models.ForeignKey(
        ProtocolParty,
        on_delete=models.CASCADE,
        related_name="commitments",
        verbose_name=_("protocol party"),
    )
    capability = models.ForeignKey(
        "ngos.Capability",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("declared capability"),
    )
    kind = models.CharField(_("capability"), max_length=20, choices=CapabilityKind.choices)
    quantity = models.PositiveIntegerField(
        _("quantity"), null=True, blank=True, validators=[MaxValueValidator(MAX_QUANTITY)]
    )
    unit = models.CharField(_("unit"), max_length=20, choices=CapacityUnit.choices, blank=True)
    people = models.PositiveIntegerField(
        _("people"), null=True, blank=True, validators=[MaxValueValidator(MAX_QUANTITY)]
    )
    note = models.TextField(_("note"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("NGO commitment")
        verbose_name_plural = _("NGO commitments")
        ordering = ["party", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=_known("kind", CapabilityKind), name="ngo_commitment_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(unit="") | _known("unit", CapacityUnit),
                name="ngo_commitment_unit_known",
            ),
            models.CheckConstraint(
                condition=_bounded("quantity", nullable=True), name="ngo_commitment_quantity_range"
            ),
            models.CheckConstraint(
                condition=_bounded("people", nullable=True), name="ngo_commitment_people_range"
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | ~Q(unit=""),
                name="ngo_commitment_quantity_has_unit",
            ),
        ]

    def __str__(self):
        return f"{self.party.ngo} — {self.get_kind_display()}"


class MunicipalCommitment(models.Model):
    """One item of what the municipality commits under a protocol."""

    protocol = models.ForeignKey(
        Protocol,
        on_delete=models.CASCADE,
        related_name="municipal_commitments",
        verbose_name=_("protocol"),
    )
    text = models.TextField(_("commitment"), max_length=1000)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("municipality's commitment")
        verbose_name_plural = _("municipality's commitments")
        ordering = ["protocol", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="municipal_commitment_has_text"),
        ]

    def __str__(self):
        return self.text[:80]


# --- activations ---------------------------------------------------------------------------------


class ActivationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Severity(models.IntegerChoices):
    """The response levels of the TAMP (müdahale seviyeleri): how far beyond the province the
    response must reach."""

    LEVEL_1 = 1, _("Level 1: the province's own resources")
    LEVEL_2 = 2, _("Level 2: support from the first group of provinces")
    LEVEL_3 = 3, _("Level 3: support from the second group of provinces")
    LEVEL_4 = 4, _("Level 4: national and international support")


class ActivationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Activations the user may open: every one for national coordinators and site
        administrators; those opened by (or for) the user's municipalities; those touching the
        sub-regions the user coordinates (an affected province, or the activating municipality's
        province); and those the user's NGOs were called to. The public page of open real
        activations is ``public()``, not this."""
        roles = roles_of(user)
        if roles.is_national_coordinator or roles.is_site_admin:
            return self
        visible = Q(municipality_id__in=roles.municipality_ids)
        if roles.subregion_ids:
            # Subqueries rather than joins through the provinces, so no row comes twice.
            affected = Activation.provinces.through.objects.filter(
                province__subregion_id__in=roles.subregion_ids
            ).values("activation_id")
            visible |= Q(pk__in=affected) | Q(
                municipality__province__subregion_id__in=roles.subregion_ids
            )
        if roles.ngo_ids:
            visible |= Q(
                pk__in=Call.objects.filter(ngo_id__in=roles.ngo_ids).values("activation_id")
            )
        return self.filter(visible)

    def open(self):
        return self.filter(status=ActivationStatus.OPEN)

    def open_first(self):
        """Open activations first, then the closed ones; the newest first within each."""
        return self.order_by(
            models.Case(models.When(status=ActivationStatus.OPEN, then=0), default=1),
            "-started_at",
            "-pk",
        )

    def real(self):
        """Real disasters: exercises (tatbikat) are kept out of every statistic."""
        return self.filter(is_exercise=False)

    def public(self):
        """Open real activations: listed on the public page (needs only, no personal data)."""
        return self.open().real()

    def with_list_joins(self):
        """What a list of activations shows beside each one."""
        return self.select_related("municipality__province").prefetch_related("provinces")


class Activation(models.Model):
    """A disaster, or an exercise, for which a municipality or a coordinator calls on NGOs."""

    Status = ActivationStatus
    Severity = Severity

    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activations",
        verbose_name=_("activating municipality"),
        help_text=_("Empty when a coordinator opened it for their area."),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    hazard = models.CharField(_("hazard"), max_length=12, choices=Hazard.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    provinces = models.ManyToManyField(
        "municipalities.Province",
        related_name="activations",
        verbose_name=_("affected provinces"),
    )
    districts = models.ManyToManyField(
        "municipalities.District",
        blank=True,
        related_name="activations",
        verbose_name=_("affected districts"),
    )
    started_at = models.DateTimeField(_("started at"))
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity.choices, default=Severity.LEVEL_1
    )
    is_exercise = models.BooleanField(
        _("exercise (tatbikat)"),
        default=False,
        help_text=_("Exercises are kept out of every real statistic and the public page."),
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=ActivationStatus.choices,
        default=ActivationStatus.OPEN,
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    after_action_summary = models.TextField(_("after-action summary"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised by every save, to detect conflicting edits.")
    )

    objects = ActivationQuerySet.as_manager()

    class Meta:
        verbose_name = _("activation")
        verbose_name_plural = _("activations")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=_known("hazard", Hazard), name="activation_hazard_known"
            ),
            models.CheckConstraint(
                condition=_known("status", ActivationStatus), name="activation_status_known"
            ),
            models.CheckConstraint(
                condition=Q(severity__gte=1, severity__lte=4), name="activation_severity_1_to_4"
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False),
                name="activation_closed_at_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("started_at")),
                name="activation_closes_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "is_exercise"], name="activation_status_exercise"),
            models.Index(fields=["municipality", "status"], name="activation_municipality_status"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self):
        return self.status == ActivationStatus.OPEN


class Priority(models.IntegerChoices):
    """Smaller is more urgent, so lists sort by it directly."""

    URGENT = 1, _("Urgent")
    HIGH = 2, _("High")
    NORMAL = 3, _("Normal")


class Need(models.Model):
    """Something an activation needs: a capability (the NGOs' taxonomy), how much, where."""

    Priority = Priority

    activation = models.ForeignKey(
        Activation, on_delete=models.CASCADE, related_name="needs", verbose_name=_("activation")
    )
    kind = models.CharField(_("capability"), max_length=20, choices=CapabilityKind.choices)
    quantity = models.PositiveIntegerField(
        _("quantity"), validators=[MinValueValidator(0), MaxValueValidator(MAX_QUANTITY)]
    )
    unit = models.CharField(_("unit"), max_length=20, choices=CapacityUnit.choices)
    place = models.CharField(_("place"), max_length=200, blank=True)
    district = models.ForeignKey(
        "municipalities.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("District"),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    note = models.TextField(_("note"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised by every save, to detect conflicting edits.")
    )

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["activation", "priority", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=_known("kind", CapabilityKind), name="need_kind_known"
            ),
            models.CheckConstraint(condition=_known("unit", CapacityUnit), name="need_unit_known"),
            models.CheckConstraint(condition=_bounded("quantity"), name="need_quantity_range"),
            models.CheckConstraint(
                condition=_known("priority", Priority), name="need_priority_known"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.quantity} {self.get_unit_display()}"


class CallState(models.TextChoices):
    CALLED = "called", _("Called")
    RESPONDED = "responded", _("Responded")
    ON_THE_WAY = "on_the_way", _("On the way")
    ON_SITE = "on_site", _("On site")
    RELEASED = "released", pgettext_lazy("call state", "Released")


class CallQuerySet(models.QuerySet):
    def with_board_joins(self):
        """What the coordination board shows beside each called NGO."""
        return self.select_related("ngo__province", "ngo__district", "response").prefetch_related(
            "response__items"
        )


class Call(models.Model):
    """A call for support to one NGO in one activation; its state follows the NGO on the
    ground (called → responded → on the way → on site → released)."""

    State = CallState

    activation = models.ForeignKey(
        Activation, on_delete=models.CASCADE, related_name="calls", verbose_name=_("activation")
    )
    ngo = models.ForeignKey(
        "ngos.NGO", on_delete=models.PROTECT, related_name="activation_calls", verbose_name=_("NGO")
    )
    protocol = models.ForeignKey(
        Protocol,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("under the protocol"),
        help_text=_("The active protocol for which the NGO was proposed first, if any."),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    message = models.TextField(_("message"), max_length=2000, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=CallState.choices, default=CallState.CALLED
    )
    responded_at = models.DateTimeField(_("first responded at"), null=True, blank=True)
    state_changed_at = models.DateTimeField(_("state changed at"), null=True, blank=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call for support")
        verbose_name_plural = _("calls for support")
        ordering = ["activation", "sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["activation", "ngo"], name="call_one_per_ngo"),
            models.CheckConstraint(condition=_known("state", CallState), name="call_state_known"),
            # Released may follow a call that was never answered (the NGO was not needed).
            models.CheckConstraint(
                condition=~Q(state__in=["responded", "on_the_way", "on_site"])
                | Q(responded_at__isnull=False),
                name="call_responded_at_once_responded",
            ),
            models.CheckConstraint(
                condition=Q(responded_at__isnull=True) | Q(responded_at__gte=F("sent_at")),
                name="call_responded_after_sent",
            ),
        ]
        indexes = [
            models.Index(fields=["activation", "state"], name="call_board"),
            models.Index(fields=["ngo", "-sent_at"], name="call_ngo_newest"),
        ]

    def __str__(self):
        return f"{self.activation} → {self.ngo}"


class DeliveryChannel(models.TextChoices):
    IN_APP = "in_app", _("In the portal")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """A call delivered to one person of the NGO on one channel, by the task worker. One row
    per (call, person, channel) makes a retried task idempotent."""

    Channel = DeliveryChannel
    State = DeliveryState

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("call")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="call_deliveries",
        verbose_name=_("recipient"),
    )
    channel = models.CharField(_("channel"), max_length=8, choices=DeliveryChannel.choices)
    state = models.CharField(
        _("state"), max_length=8, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["call", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "recipient", "channel"], name="delivery_one_per_person_channel"
            ),
            models.CheckConstraint(
                condition=_known("channel", DeliveryChannel), name="delivery_channel_known"
            ),
            models.CheckConstraint(
                condition=_known("state", DeliveryState), name="delivery_state_known"
            ),
            models.CheckConstraint(
                condition=Q(attempts__gte=0, attempts__lte=100), name="delivery_attempts_range"
            ),
            models.CheckConstraint(
                condition=Q(state="sent", sent_at__isnull=False)
                | (~Q(state="sent") & Q(sent_at__isnull=True)),
                name="delivery_sent_at_iff_sent",
            ),
            models.CheckConstraint(
                condition=~Q(state="failed") | ~Q(last_error=""),
                name="delivery_failure_has_error",
            ),
        ]
        indexes = [
            # The worker's retry sweep reads only the rows not yet sent.
            models.Index(
                fields=["state", "created_at"],
                condition=~Q(state="sent"),
                name="delivery_pending",
            ),
        ]

    def __str__(self):
        return f"{self.call} → {self.recipient} ({self.get_channel_display()})"


class Availability(models.TextChoices):
    AVAILABLE = "available", pgettext_lazy("NGO availability", "Available")
    PARTLY = "partly", pgettext_lazy("NGO availability", "Partly available")
    NOT_AVAILABLE = "not_available", pgettext_lazy("NGO availability", "Not available")


class Response(models.Model):
    """An NGO's answer to a call: whether it comes, with whom and what, when; the NGO may
    change it (``version`` detects conflicting edits by two of its people)."""

    Availability = Availability

    call = models.OneToOneField(
        Call, on_delete=models.CASCADE, related_name="response", verbose_name=_("call")
    )
    availability = models.CharField(_("availability"), max_length=14, choices=Availability.choices)
    people = models.PositiveIntegerField(
        _("people"), default=0, validators=[MaxValueValidator(MAX_QUANTITY)]
    )
    vehicles = models.PositiveIntegerField(
        _("vehicles"), default=0, validators=[MaxValueValidator(MAX_QUANTITY)]
    )
    eta = models.DateTimeField(_("expected arrival"), null=True, blank=True)
    contact_name = models.CharField(_("on-site contact"), max_length=200, blank=True)
    contact_phone = models.CharField(_("on-site contact's phone"), max_length=40, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised by every save, to detect conflicting edits.")
    )

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.CheckConstraint(
                condition=_known("availability", Availability), name="response_availability_known"
            ),
            models.CheckConstraint(condition=_bounded("people"), name="response_people_range"),
            models.CheckConstraint(condition=_bounded("vehicles"), name="response_vehicles_range"),
            models.CheckConstraint(
                condition=~Q(availability="not_available") | Q(people=0, vehicles=0),
                name="response_sends_nothing_when_not_available",
            ),
        ]

    def __str__(self):
        return f"{self.call} — {self.get_availability_display()}"


class ResponseItem(models.Model):
    """What a response pledges against one need, and how much of it has arrived."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="items", verbose_name=_("response")
    )
    need = models.ForeignKey(
        Need, on_delete=models.PROTECT, related_name="pledges", verbose_name=_("need")
    )
    pledged = models.PositiveIntegerField(
        _("pledged"), validators=[MaxValueValidator(MAX_QUANTITY)]
    )
    arrived = models.PositiveIntegerField(
        _("arrived"), default=0, validators=[MaxValueValidator(MAX_QUANTITY)]
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("pledged item")
        verbose_name_plural = _("pledged items")
        ordering = ["response", "need"]
        constraints = [
            models.UniqueConstraint(fields=["response", "need"], name="response_item_one_per_need"),
            models.CheckConstraint(
                condition=_bounded("pledged"), name="response_item_pledged_range"
            ),
            models.CheckConstraint(
                condition=_bounded("arrived"), name="response_item_arrived_range"
            ),
        ]

    def __str__(self):
        return f"{self.need}: {self.pledged} / {self.arrived}"


class OfferStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Offer(models.Model):
    """A verified NGO that was not called offers help from the public page; the officer
    accepts (which calls the NGO) or declines."""

    Status = OfferStatus

    activation = models.ForeignKey(
        Activation, on_delete=models.CASCADE, related_name="offers", verbose_name=_("activation")
    )
    ngo = models.ForeignKey(
        "ngos.NGO",
        on_delete=models.PROTECT,
        related_name="activation_offers",
        verbose_name=_("NGO"),
    )
    message = models.TextField(_("message"), max_length=2000)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("offered by"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=OfferStatus.choices, default=OfferStatus.PENDING
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
        verbose_name = _("offer of help")
        verbose_name_plural = _("offers of help")
        ordering = ["activation", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["activation", "ngo"], name="offer_one_per_ngo"),
            models.CheckConstraint(
                condition=_known("status", OfferStatus), name="offer_status_known"
            ),
            models.CheckConstraint(condition=~Q(message=""), name="offer_has_message"),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="offer_decided_at_iff_decided",
            ),
        ]
        indexes = [models.Index(fields=["activation", "status"], name="offer_activation_status")]

    def __str__(self):
        return f"{self.ngo} → {self.activation} ({self.get_status_display()})"


class LogVerb(models.TextChoices):
    OPENED = "opened", _("opened the activation")
    UPDATED = "updated", _("changed the activation")
    NEED_ADDED = "need_added", _("added a need")
    NEED_CHANGED = "need_changed", _("changed a need")
    NEED_REMOVED = "need_removed", _("removed a need")
    CALLED = "called", _("called an NGO")
    RESPONDED = "responded", _("answered a call")
    RESPONSE_CHANGED = "response_changed", _("changed an answer")
    STATE_CHANGED = "state_changed", _("changed an NGO's state")
    ARRIVED = "arrived", _("recorded arrived items")
    OFFERED = "offered", _("offered help")
    OFFER_ACCEPTED = "offer_accepted", _("accepted an offer")
    OFFER_DECLINED = "offer_declined", _("declined an offer")
    CLOSED = "closed", _("closed the activation")


class ActivationLogEntry(models.Model):
    """One line of an activation's log: who did what, when, with the details as data. Entries
    are only ever added (the board's log, the after-action summary)."""

    Verb = LogVerb

    activation = models.ForeignKey(
        Activation, on_delete=models.CASCADE, related_name="log", verbose_name=_("activation")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    verb = models.CharField(_("action"), max_length=20, choices=LogVerb.choices)
    details = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("activation log entry")
        verbose_name_plural = _("activation log entries")
        ordering = ["activation", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=_known("verb", LogVerb), name="activation_log_verb_known"
            ),
        ]
        indexes = [models.Index(fields=["activation", "at"], name="activation_log_time")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_verb_display()}"
