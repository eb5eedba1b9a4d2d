from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NGOsConfig(AppConfig):
    name = "ngos"
    verbose_name = _("NGOs")

    def ready(self):
        from ngos.models import Membership
        from ngos.signals import load_taxonomy_after_migrate
        from portal.access import register_role_source

        register_role_source(Membership.objects.role_fields)

        post_migrate.connect(load_taxonomy_after_migrate, sender=self)
        from ngos.models import NGO
        from portal.attachments import register_owner

        # The NGO's documents: its administrators and its coordinators.
        register_owner(NGO, NGO.objects.documents_visible_to)
