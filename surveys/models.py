"""Survey campaigns and each NGO's five ranked expectations from municipalities."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ngos.models import Taxonomy
from portal.access import roles_of
from portal.choices import Hazard
from portal.turkish import search_key

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

    def save(self, *args, **kwargs):
        """Save; when the status changed since it was loaded or last saved, the items follow
        (``Expectation.is_case``)."""
        super().save(*args, **kwargs)
        saved = getattr(self, "_saved_status", None)
        if saved is not None and saved != self.status:
            self.items.update(is_case=self.is_submitted)
        self._saved_status = self.status

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if "status" in field_names:
            instance._saved_status = instance.status
        return instance

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


class ExpectationQuerySet(models.QuerySet):
    def cases(self):
        """Items of submitted submissions: the cases municipalities review."""
        return self.filter(is_case=True)

    def in_inbox_of(self, user):
        """The cases addressed to the municipalities the user works for."""
        return self.cases().filter(municipality__in=roles_of(user).municipality_ids)

    def coordinated_by(self, user):
        """The cases of the municipalities in the user's sub-regions (all for national
        coordinators and site administrators): read-only access for coordinators."""
        roles = roles_of(user)
        if roles.is_national_coordinator or roles.is_site_admin:
            return self.cases()
        return self.cases().filter(municipality__province__subregion_id__in=roles.subregion_ids)

    def readable_by(self, user):
        """The cases the user may open: ``in_inbox_of`` and ``coordinated_by`` together."""
        return self.in_inbox_of(user) | self.coordinated_by(user)

    def of_user_ngos(self, user):
        """The expectations of the NGOs the user is a member of."""
        return self.filter(submission__ngo__in=roles_of(user).ngo_ids)

    def open(self):
        """Cases still waiting for the municipality to finish (not completed or declined)."""
        return self.exclude(status__in=[ExpectationStatus.COMPLETED, ExpectationStatus.DECLINED])

    def overdue(self, now=None):
        """Open cases without a public answer ``REVIEW_OVERDUE_DAYS`` after submission."""
        now = now or timezone.now()
        limit = now - datetime.timedelta(days=settings.REVIEW_OVERDUE_DAYS)
        return (
            self.cases()
            .open()
            .filter(first_answered_at__isnull=True, submission__submitted_at__lt=limit)
        )

    def with_case_joins(self):
        """What a list of cases shows beside each one."""
        return self.select_related(
            "category__theme",
            "municipality",
            "assigned_to",
            "submission__ngo__province",
            "submission__ngo__district",
            "submission__campaign",
        )

    def for_case_list(self):
        """What a list of cases shows beside each one (``with_case_joins`` less the category's
        theme), without the long columns no list shows: a page of 25 cases read ten tables'
        rows, their descriptions and search vectors included."""
        return self.select_related(
            "category",
            "municipality",
            "assigned_to",
            "submission__ngo__province",
            "submission__ngo__district",
            "submission__campaign",
        ).defer(*CASE_LIST_DEFERRED)


# The columns a list of cases never shows (``ExpectationQuerySet.for_case_list``).
CASE_LIST_DEFERRED = (
    "description",
    "offer",
    "text_search",
    "submission__ngo__description",
    "submission__ngo__address",
    "submission__campaign__instructions",
)


class Expectation(models.Model):
    """One of the five ranked items of a submission, addressed to a municipality.

    While the submission is a draft, items may be incomplete; once it is submitted, each item is a
    case in the addressed municipality's queue, and its review state lives here.
    """

    Status = ExpectationStatus

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="items", verbose_name=_("submission")
    )
    # Nullable only while a reordering is being written (see surveys.services.submission); every
    # saved state has ranks 1..n, unique per submission.
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
    # Review state (see surveys.services.review): who handles it, the optimistic-lock version of the
    # review, when the municipality first answered publicly, the target date of a plan, and the
    # NGO's confirmation of a completed case.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_expectations",
        verbose_name=_("assigned to"),
    )
    review_version = models.PositiveIntegerField(_("review version"), default=1)
    first_answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    ngo_confirmed_at = models.DateTimeField(_("confirmed by the NGO at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    # Whether the submission is submitted, i.e. this item is a case, copied here so that the
    # inbox counts a municipality's cases from one partial index without joining the
    # submissions. Kept by Expectation.save and Submission.save (and the national seed).
    is_case = models.BooleanField(_("is a case"), default=False, editable=False)
    # The title and description folded by Turkish rules (portal.turkish.search_key), so that the
    # inbox's search finds "Yağmur" from "yagmur", "YAGMUR" or "YAĞMUR" on every database. Kept
    # by Expectation.save (and the national seed).
    text_search = models.TextField(_("search text"), blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ExpectationQuerySet.as_manager()

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
            models.CheckConstraint(
                condition=~Q(status="planned") | Q(target_date__isnull=False),
                name="expectation_planned_has_target_date",
            ),
            models.CheckConstraint(
                condition=Q(ngo_confirmed_at__isnull=True) | Q(status="completed"),
                name="expectation_confirmed_only_when_completed",
            ),
        ]
        indexes = [
            # The inbox's status tabs count a municipality's cases from the index alone
            # (PostgreSQL; `include` is ignored elsewhere).
            models.Index(
                fields=["municipality", "status"],
                include=["rank", "id"],
                condition=Q(is_case=True),
                name="expectation_inbox_cases",
            ),
            models.Index(fields=["assigned_to", "status"], name="expectation_assignee"),
        ]

    def __str__(self):
        return f"{self.rank}. {self.title}"

    def save(self, *args, **kwargs):
        """Save; a full save (not ``update_fields``) also copies whether the submission is
        submitted into ``is_case``; the search text follows the title and description."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            self.is_case = self.submission.is_submitted
        if update_fields is None or {"title", "description"} & set(update_fields):
            self.text_search = self.search_text(self.title, self.description)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "text_search"}
        super().save(*args, **kwargs)

    @staticmethod
    def search_text(title, description):
        """What the inbox's search matches: the title and description, folded."""
        return search_key(f"{title} {description}")

    def is_overdue(self, now=None):
        """No public answer ``REVIEW_OVERDUE_DAYS`` after submission (needs ``submission``)."""
        now = now or timezone.now()
        submitted_at = self.submission.submitted_at
        return bool(
            submitted_at
            and self.first_answered_at is None
            and self.status not in (ExpectationStatus.COMPLETED, ExpectationStatus.DECLINED)
            and submitted_at < now - datetime.timedelta(days=settings.REVIEW_OVERDUE_DAYS)
        )

    @property
    def is_complete(self):
        return bool(
            self.category_id
            and self.title.strip()
            and self.description.strip()
            and self.municipality_id
        )


# Which review status may follow which. Declining needs a reason, completing a closing note,
# planning a target date (see surveys.services.review); referral moves the case to another
# municipality.
TRANSITIONS = {
    ExpectationStatus.NEW: {"under_review", "accepted", "planned", "declined", "referred"},
    ExpectationStatus.UNDER_REVIEW: {"accepted", "planned", "declined", "referred"},
    ExpectationStatus.ACCEPTED: {"planned", "in_progress", "completed", "declined"},
    ExpectationStatus.PLANNED: {"in_progress", "completed", "declined"},
    ExpectationStatus.IN_PROGRESS: {"planned", "completed"},
    ExpectationStatus.COMPLETED: {"in_progress"},
    ExpectationStatus.DECLINED: {"under_review"},
    ExpectationStatus.REFERRED: {"under_review", "accepted", "planned", "declined", "referred"},
}


class ReviewEntryKind(models.TextChoices):
    STATUS = "status", _("Status change")
    ANSWER = "answer", _("Public answer")
    NOTE = "note", _("Internal note")
    ASSIGNMENT = "assignment", _("Assignment")
    REFERRAL = "referral", _("Referral")
    CONFIRMATION = "confirmation", _("Confirmed by the NGO")
    DISPUTE = "dispute", _("Disputed by the NGO")
    AMENDMENT = "amendment", _("Amended by the NGO")


# Entries the NGO (and anyone outside the municipality) may read; internal notes are not.
PUBLIC_ENTRY_KINDS = [k for k in ReviewEntryKind.values if k != ReviewEntryKind.NOTE]


def _whole_case_readable(roles) -> Q:
    """On a row of a case (``expectation__``): the case is one the user reads in full — their
    NGO's, now in their municipalities' inbox, or one they coordinate."""
    readable = Q(expectation__submission__ngo__in=roles.ngo_ids) | Q(
        expectation__municipality__in=roles.municipality_ids
    )
    if roles.is_national_coordinator or roles.is_site_admin:
        return Q(expectation__is_case=True)
    if roles.subregion_ids:
        readable |= Q(expectation__municipality__province__subregion_id__in=roles.subregion_ids)
    return Q(expectation__is_case=True) & readable


class ReviewEntryQuerySet(models.QuerySet):
    def public(self):
        """What anyone outside the municipality may read: everything but its internal notes."""
        return self.exclude(kind=ReviewEntryKind.NOTE)

    def for_ngo(self):
        """What the NGO's own page of a case shows: the public entries less the assignments,
        which name a member of the municipality's staff (the NGO deals with the municipality)."""
        return self.public().exclude(kind=ReviewEntryKind.ASSIGNMENT)

    def answers_visible_to(self, user):
        """The public answers the user may read (and download the files of): those of the
        user's NGOs' cases, of the cases now in the user's municipalities' inboxes, of the cases
        the user coordinates, and those the user's municipality wrote (also after a referral)."""
        roles = roles_of(user)
        visible = Q(municipality__in=roles.municipality_ids)
        visible |= _whole_case_readable(roles)
        return self.filter(visible, kind=ReviewEntryKind.ANSWER)

    def referred_away_by(self, user):
        """The referrals the user's municipalities made of cases that are no longer in their
        inboxes (a case referred back is in the inbox again), newest first, with what the list
        of referred cases shows and how many messages the referring municipality wrote on the
        case (``messages_written``)."""
        ids = roles_of(user).municipality_ids
        written = (
            CaseMessage.objects.filter(
                expectation=OuterRef("expectation"),
                side=MessageSide.MUNICIPALITY,
                municipality=OuterRef("municipality"),
            )
            .order_by()
            .values("expectation")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            self.filter(
                kind=ReviewEntryKind.REFERRAL,
                municipality__in=ids,
                expectation__is_case=True,
            )
            .exclude(expectation__municipality__in=ids)
            .select_related(
                "municipality",
                "to_municipality",
                "actor",
                "expectation__submission__ngo",
                "expectation__submission__campaign",
            )
            .annotate(messages_written=Coalesce(Subquery(written), 0))
            .order_by("-created_at", "-pk")
        )


class ReviewEntry(models.Model):
    """One line of a case's history: who did what, when, from which state to which, with what
    text. Entries are only ever added, never edited or deleted."""

    Kind = ReviewEntryKind

    expectation = models.ForeignKey(
        Expectation, on_delete=models.CASCADE, related_name="history", verbose_name=_("expectation")
    )
    kind = models.CharField(_("kind"), max_length=14, choices=ReviewEntryKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipality of the case at the time"),
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    from_status = models.CharField(
        _("from"), max_length=16, choices=ExpectationStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("to"), max_length=16, choices=ExpectationStatus.choices, blank=True
    )
    to_municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("referred to"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    text = models.TextField(_("text"), max_length=4000, blank=True)
    # The files of an answer (portal.Attachment): deleted with it, files included.
    attachments = GenericRelation("portal.Attachment", related_query_name="review_entry")

    objects = ReviewEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history entries")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ReviewEntryKind.values), name="review_entry_kind_known"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["answer", "note", "dispute"]) | ~Q(text=""),
                name="review_entry_text_required",
            ),
            models.CheckConstraint(
                condition=~Q(kind="referral") | Q(to_municipality__isnull=False),
                name="review_entry_referral_has_target",
            ),
            # Declining needs its reason and completing its closing note (the NGO reads both).
            models.CheckConstraint(
                condition=~Q(kind="status", to_status__in=["declined", "completed"]) | ~Q(text=""),
                name="review_entry_decline_or_completion_has_text",
            ),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


class AnswerTemplate(models.Model):
    """A reusable answer text of a municipality, inserted into the answer box."""

    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.CASCADE,
        related_name="answer_templates",
        verbose_name=_("municipality"),
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=4000)
    is_active = models.BooleanField(_("in use"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("answer template")
        verbose_name_plural = _("answer templates")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "title"],
                condition=Q(is_active=True),
                name="answer_template_unique_active_title",
            ),
        ]

    def __str__(self):
        return self.title


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


class MessageSide(models.TextChoices):
    NGO = "ngo", _("NGO")
    MUNICIPALITY = "municipality", _("Municipality")


class CaseMessageQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The messages the user may read: the whole conversation of the cases of the user's
        NGOs, of the cases now in the user's municipalities' inboxes and, read-only, of the
        cases the user coordinates; of a case referred away, only what the user's municipality
        wrote while it had it."""
        roles = roles_of(user)
        visible = Q(side=MessageSide.MUNICIPALITY, municipality__in=roles.municipality_ids)
        visible |= _whole_case_readable(roles)
        return self.filter(visible)


class CaseMessage(models.Model):
    """One message of the conversation between the NGO and the municipality handling a case:
    who wrote it, for which side, and (for either side) the municipality that had the case at
    the time, so that a municipality the case was referred away from keeps reading what it
    wrote. Messages are only ever added. Internal notes are ReviewEntry rows, not messages."""

    Side = MessageSide

    expectation = models.ForeignKey(
        Expectation, on_delete=models.CASCADE, related_name="messages", verbose_name=_("case")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    side = models.CharField(_("written for"), max_length=12, choices=MessageSide.choices)
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipality of the case at the time"),
    )
    text = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    # Its files (portal.Attachment): deleted with it, files included.
    attachments = GenericRelation("portal.Attachment", related_query_name="case_message")

    objects = CaseMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["expectation", "created_at"], name="casemessage_thread")]
        constraints = [
            models.CheckConstraint(
                condition=Q(side__in=MessageSide.values), name="case_message_side_known"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="case_message_text_required"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_side_display()}"
