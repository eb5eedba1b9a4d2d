"""Choices shared by several apps."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Hazard(models.TextChoices):
    """The natural hazards the project puts first, and the rest."""

    EARTHQUAKE = "earthquake", _("Earthquake")
    FLOOD = "flood", _("Flood")
    FIRE = "fire", _("Fire")
    DROUGHT = "drought", _("Drought")
    OTHER = "other", _("Other hazard")


class HazardScope(models.TextChoices):
    """A hazard, or every hazard (for what an NGO can offer)."""

    EARTHQUAKE = "earthquake", _("Earthquake")
    FLOOD = "flood", _("Flood")
    FIRE = "fire", _("Fire")
    DROUGHT = "drought", _("Drought")
    OTHER = "other", _("Other hazard")
    ANY = "any", _("Any hazard")
