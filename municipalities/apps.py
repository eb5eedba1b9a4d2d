from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MunicipalitiesConfig(AppConfig):
    name = "municipalities"
    verbose_name = _("Municipalities")

    def ready(self):
        from municipalities.signals import load_reference_after_migrate

        post_migrate.connect(load_reference_after_migrate, sender=self)
