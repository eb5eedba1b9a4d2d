"""What the reports app records: the reminders coordinators send about overdue cases."""

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
