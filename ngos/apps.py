from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NGOsConfig(AppConfig):
    name = "ngos"
    verbose_name = _("NGOs")

    def ready(self):
        from ngos.signals import load_taxonomy_after_migrate

        post_migrate.connect(load_taxonomy_after_migrate, sender=self)
