from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    name = "cooperation"
    verbose_name = _("Cooperation in disasters")

    def ready(self):
        from cooperation.signals import load_service_groups_after_migrate

        post_migrate.connect(load_service_groups_after_migrate, sender=self)
        from cooperation.models import Protocol
        from portal.attachments import register_owner

        # The signed document: for whoever may see the protocol.
        register_owner(Protocol, Protocol.objects.visible_to)
