"""What the reports app records: the reminders coordinators send about overdue cases, and the
cases as the reports count them (a summary table the task worker keeps, see
reports/services/facts.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OverdueReminder(models.Model):
    """A coordinator reminded a municipality's staff of its overdue cases in a campaign."""

    campaign = models.ForeignKey(
        "surveys.Campaign",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("campaign"),
    )
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("municipality"),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent at"), db_index=True)
    overdue_count = models.PositiveIntegerField(_("overdue cases"))
    recipient_count = models.PositiveIntegerField(_("recipients"))

    class Meta:
        verbose_name = _("overdue reminder")
        verbose_name_plural = _("overdue reminders")
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(
                fields=["campaign", "municipality", "sent_at"], name="reminder_campaign_muni"
            )
        ]

    def __str__(self):
        return f"{self.municipality} · {self.campaign} · {self.sent_at:%Y-%m-%d %H:%M}"


def _fact_key(model, name, **options):
    """A copied key: a plain column with a join for names, no database constraint (the table is
    rebuilt from its sources, which keep the integrity) and no index of its own."""
    return models.ForeignKey(
        model,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name=name,
        **options,
    )


class CaseFact(models.Model):
    """One case (an item of a submitted submission) with everything a report groups or filters
    it by, copied from its submission, NGO, municipality and category. Rebuilt per campaign by
    ``reports.services.facts.rebuild`` (the task worker, every minute): report figures are
    aggregates over this one narrow table, without joins."""

    expectation = models.OneToOneField(
        "surveys.Expectation",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="+",
        verbose_name=_("case"),
    )
    # Indexed by the indexes of Meta.indexes, which start with it.
    campaign = _fact_key("surveys.Campaign", _("campaign"))
    ngo = _fact_key("ngos.NGO", _("NGO"))
    ngo_province = _fact_key("municipalities.Province", _("NGO's province"))
    ngo_subregion = _fact_key("municipalities.SubRegion", _("NGO's sub-region"))
    ngo_legal_form = models.CharField(_("legal form"), max_length=20)
    ngo_verified = models.BooleanField(_("verified NGO"))
    municipality = _fact_key("municipalities.Municipality", _("municipality"), null=True)
    municipality_province = _fact_key(
        "municipalities.Province", _("municipality's province"), null=True
    )
    municipality_subregion = _fact_key(
        "municipalities.SubRegion", _("municipality's sub-region"), null=True
    )
    municipality_kind = models.CharField(_("municipality kind"), max_length=20, blank=True)
    category = _fact_key("surveys.Category", _("category"), null=True)
    theme = _fact_key("surveys.Theme", _("theme"), null=True)
    # The item's own hazard, else its category's ("" when neither has one).
    hazard = models.CharField(_("hazard"), max_length=12, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True)
    first_answered_at = models.DateTimeField(_("first answered at"), null=True)
    status = models.CharField(_("review status"), max_length=16)
    confirmed = models.BooleanField(_("confirmed by the NGO"))
    disputed = models.BooleanField(_("disputed by the NGO"))

    class Meta:
        verbose_name = _("case for the reports")
        verbose_name_plural = _("cases for the reports")
        indexes = [
            models.Index(fields=["campaign", "ngo_verified"], name="casefact_campaign"),
            # A top category's first-ranked cases (reports.services.figures.borda_examples).
            models.Index(
                fields=["campaign", "category", "rank", "expectation"],
                condition=models.Q(ngo_verified=True),
                name="casefact_examples",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rank__gte=1, rank__lte=5), name="casefact_rank_1_to_5"
            )
        ]

    def __str__(self):
        return f"{self.campaign_id} · {self.expectation_id}"


class CaseMedian(models.Model):
    """The median days from submission to the first public answer of a campaign's cases of one
    municipality, province, sub-region or of the whole campaign, written with the campaign's
    ``CaseFact`` rows: a median is not a sum, so a report without filters reads these instead
    of sorting every answered case again."""

    class Level(models.TextChoices):
        MUNICIPALITY = "municipality", _("municipality")
        PROVINCE = "province", _("province")
        SUBREGION = "subregion", _("sub-region")
        TOTAL = "total", _("whole campaign")

    # Indexed by the unique constraint, which starts with it.
    campaign = _fact_key("surveys.Campaign", _("campaign"))
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    # The municipality's id, the province's plate, the sub-region's id or the campaign's id.
    key = models.BigIntegerField(_("key"))
    days = models.FloatField(_("median days"))

    class Meta:
        verbose_name = _("median time to answer")
        verbose_name_plural = _("median times to answer")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "level", "key"], name="casemedian_one_per_group"
            ),
        ]

    def __str__(self):
        return f"{self.campaign_id} · {self.level} {self.key}: {self.days}"


class CaseFactRefresh(models.Model):
    """When a campaign's cases were last copied into ``CaseFact``, how many and how long it took."""

    campaign = models.OneToOneField(
        "surveys.Campaign",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("campaign"),
    )
    refreshed_at = models.DateTimeField(_("refreshed at"))
    cases = models.PositiveIntegerField(_("cases"))
    milliseconds = models.PositiveIntegerField(_("milliseconds"))

    class Meta:
        verbose_name = _("refresh of the cases for the reports")
        verbose_name_plural = _("refreshes of the cases for the reports")

    def __str__(self):
        return f"{self.campaign_id} · {self.refreshed_at:%Y-%m-%d %H:%M:%S}"
