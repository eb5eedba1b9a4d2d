"""Survey campaigns and each NGO's five ranked expectations from municipalities."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ngos.models import Taxonomy
from portal.access import roles_of
from portal.choices import Hazard

EXPECTATIONS_PER_SUBMISSION = 5


class Phase(models.TextChoices):
    """Phases of disaster management."""

    RISK_REDUCTION = "risk_reduction", _("Risk reduction")
    PREPAREDNESS = "preparedness", _("Preparedness")
    RESPONSE = "response", _("Response")
    RECOVERY = "recovery", _("Recovery")


class Theme(Taxonomy):
    """The upper level of the expectation taxonomy (disasters, spaces, grants, …)."""

    class Meta(Taxonomy.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")


class Category(Taxonomy):
    """A category of expectations with a stable code; disaster categories carry a hazard and
    a phase."""

    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="categories", verbose_name=_("theme")
    )
    hazard = models.CharField(_("hazard"), max_length=12, choices=Hazard.choices, blank=True)
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices, blank=True)

    class Meta(Taxonomy.Meta):
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.CheckConstraint(
                condition=Q(hazard="", phase="") | (~Q(hazard="") & ~Q(phase="")),
                name="category_hazard_and_phase_together",
            ),
        ]


class CampaignState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class CampaignQuerySet(models.QuerySet):
    def open_at(self, moment=None):
        """Campaigns accepting submissions at the moment (now by default)."""
        moment = moment or timezone.now()
        return self.filter(opens_at__lte=moment, closes_at__gt=moment, closed_early_at__isnull=True)

    def for_subregion(self, subregion_id):
        """Campaigns whose scope includes the sub-region (national ones include every one)."""
        return self.filter(Q(is_national=True) | Q(subregions=subregion_id)).distinct()

    def visible_to(self, user):
        """Campaigns are public announcements, scheduled ones included, so NGOs can prepare;
        what a user may do with one is decided by the rules and the campaign's state."""
        return self


class Campaign(models.Model):
    """A round of the survey, national or limited to some sub-regions, open for a time."""

    title = models.CharField(_("title"), max_length=200)
    code = models.SlugField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("Short and stable, used in receipt numbers, e.g. 2025."),
    )
    instructions = models.TextField(_("instructions"), max_length=5000, blank=True)
    is_national = models.BooleanField(_("national"), default=True)
    subregions = models.ManyToManyField(
        "municipalities.SubRegion",
        blank=True,
        related_name="campaigns",
        verbose_name=_("sub-regions"),
        help_text=_("For a campaign limited to some sub-regions."),
    )
    categories = models.ManyToManyField(
        Category, related_name="campaigns", verbose_name=_("categories offered")
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    closed_early_at = models.DateTimeField(_("closed early at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="campaign_closes_after_opening",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("surveys:campaign_detail", kwargs={"code": self.code})

    def state_at(self, moment=None):
        moment = moment or timezone.now()
        if self.closed_early_at is not None or moment >= self.closes_at:
            return CampaignState.CLOSED
        if moment < self.opens_at:
            return CampaignState.SCHEDULED
        return CampaignState.OPEN

    @property
    def state(self):
        return self.state_at()

    @property
    def is_open(self):
        return self.state == CampaignState.OPEN

    def covers_subregion(self, subregion_id) -> bool:
        """Whether an NGO of the sub-region belongs to the campaign (uses a prefetch if any)."""
        return self.is_national or any(s.pk == subregion_id for s in self.subregions.all())


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class SubmissionQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(status=SubmissionStatus.SUBMITTED)

    def of_user_ngos(self, user):
        """Submissions of the NGOs the user is a member of."""
        return self.filter(ngo__in=roles_of(user).ngo_ids)


class Submission(models.Model):
    """One NGO's answer to one campaign, shared by the NGO's members: a draft until submitted."""

    Status = SubmissionStatus

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("campaign")
    )
    ngo = models.ForeignKey(
        "ngos.NGO", on_delete=models.PROTECT, related_name="submissions", verbose_name=_("NGO")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised by every save, to detect conflicting edits.")
    )
    receipt_number = models.CharField(
        _("receipt number"), max_length=40, null=True, blank=True, unique=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered on the NGO's behalf by"),
        help_text=_("The coordinator who entered or completed it for the NGO (assisted entry)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last saved by"),
    )

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "ngo"], name="submission_one_per_ngo_and_campaign"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted"]), name="submission_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(receipt_number__isnull=False, submitted_at__isnull=False),
                name="submission_submitted_has_receipt",
            ),
        ]

    def __str__(self):
        return f"{self.ngo} — {self.campaign}"

    @property
    def is_submitted(self):
        return self.status == SubmissionStatus.SUBMITTED


class ExpectationStatus(models.TextChoices):
    NEW = "new", _("New")
    UNDER_REVIEW = "under_review", _("Under review")
    ACCEPTED = "accepted", _("Accepted")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    REFERRED = "referred", _("Referred")


class Expectation(models.Model):
    """One of the five ranked items of a submission, addressed to a municipality.

    While the submission is a draft, items may be incomplete; once it is submitted, each item is a
    case in the addressed municipality's queue, and its review state lives here.
    """

    Status = ExpectationStatus

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="items", verbose_name=_("submission")
    )
    # Nullable only while a reordering is being written (see surveys.services); every saved
    # state has ranks 1..n, unique per submission.
    rank = models.PositiveSmallIntegerField(
        _("rank"), null=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="expectations",
        verbose_name=_("category"),
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="expectations",
        verbose_name=_("addressed to"),
    )
    hazard = models.CharField(_("hazard"), max_length=12, choices=Hazard.choices, blank=True)
    offer = models.TextField(_("what the NGO offers in return"), max_length=1000, blank=True)
    status = models.CharField(
        _("review status"),
        max_length=16,
        choices=ExpectationStatus.choices,
        default=ExpectationStatus.NEW,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("expectation")
        verbose_name_plural = _("expectations")
        ordering = ["submission", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "rank"], name="expectation_rank_unique_per_submission"
            ),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank__gte=1, rank__lte=5),
                name="expectation_rank_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ExpectationStatus.values), name="expectation_status_known"
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "status"], name="expectation_inbox"),
        ]

    def __str__(self):
        return f"{self.rank}. {self.title}"

    @property
    def is_complete(self):
        return bool(
            self.category_id
            and self.title.strip()
            and self.description.strip()
            and self.municipality_id
        )


class SubmissionRevision(models.Model):
    """A record of each save after submission (an amendment) or of the submission itself:
    who, when, and what changed."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        AMENDED = "amended", _("Amended")

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("submission")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    on_behalf = models.BooleanField(_("entered by a coordinator"), default=False)

    class Meta:
        verbose_name = _("submission revision")
        verbose_name_plural = _("submission revisions")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.submission} — {self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"
