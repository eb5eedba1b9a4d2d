"""Writes on campaigns that are more than a form save: closing a campaign early."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.models import Campaign, CampaignState

logger = logging.getLogger(__name__)


@transaction.atomic
def campaign_close_early(*, campaign: Campaign, by) -> Campaign:
    """Close an open campaign now, before its closing time.

    Side effects: locks the campaign row and sets ``closed_early_at`` to the current time, so
    every later save of a submission is refused; logs who closed it. Raises ValidationError
    (code "closed") when the campaign is already closed and (code "scheduled") when it has not
    opened yet — its dates can be changed instead.
    """
    # Locked so that two coordinators pressing "Close now" record one closing time, and a
    # submission being saved at the same moment sees either the open or the closed campaign.
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    now = timezone.now()
    state = locked.state_at(now)
    if state == CampaignState.CLOSED:
        raise ValidationError(_("This campaign is already closed."), code="closed")
    if state == CampaignState.SCHEDULED:
        raise ValidationError(
            _("This campaign has not opened yet: change its dates instead of closing it."),
            code="scheduled",
        )
    locked.closed_early_at = now
    locked.save(update_fields=["closed_early_at"])
    logger.info("Campaign %s closed early by user %s", locked.code, getattr(by, "pk", None))
    return locked


@transaction.atomic
def campaign_save(*, form, by) -> Campaign:
    """Save a valid CampaignForm (a new campaign or changes to one).

    Side effects: writes the campaign row and its sub-regions and categories together; a new
    campaign records ``by`` as its creator.
    """
    campaign = form.save(commit=False)
    if campaign.pk is None:
        campaign.created_by = by
    campaign.save()
    form.save_m2m()
    return campaign
