from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MunicipalitiesConfig(AppConfig):
    name = "municipalities"
    verbose_name = _("Municipalities")

    def ready(self):
        from municipalities.models import MunicipalStaff
        from municipalities.signals import load_reference_after_migrate
        from portal.access import register_role_source

        register_role_source(MunicipalStaff.objects.role_fields)

        post_migrate.connect(load_reference_after_migrate, sender=self)
