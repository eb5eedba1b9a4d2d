from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NGOsConfig(AppConfig):
    name = "ngos"
    verbose_name = _("NGOs")
