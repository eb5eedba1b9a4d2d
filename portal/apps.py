from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def create_cache_tables(using="default", verbosity=1, **kwargs):
    """Every migrate also creates the database cache tables (the report figures' one when Redis
    is not used); an existing table is left as it is."""
    call_command("createcachetable", database=using, verbosity=max(verbosity - 1, 0))


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from portal import (
            attachments,
            audit,  # noqa: F401 (connects the audit log's receivers)
            capitalisation,
            checks,  # noqa: F401 (registers the production checks)
            counts,
            duties,  # noqa: F401 (connects the privacy-notice and two-factor receivers)
            lookups,  # noqa: F401 (registers the overflow-safe integer lookups)
        )

        # Before any form, admin page or template uses Django's capfirst (portal/capitalisation.py).
        capitalisation.install()
        # Turkish says "17 alt bölge", not "17 alt bölgeler" (portal/counts.py).
        counts.install()
        post_migrate.connect(create_cache_tables, sender=self)
        # A deleted attachment row takes its stored file along (after commit).
        attachments.connect()
