from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def load_taxonomy_after_migrate(sender, using="default", **kwargs):
    """Default themes and categories are created after every migrate (idempotent)."""
    from surveys.models import Category
    from surveys.taxonomy import taxonomy_load

    if Category._meta.db_table in connections[using].introspection.table_names():
        taxonomy_load()


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self):
        post_migrate.connect(load_taxonomy_after_migrate, sender=self)
        from portal.attachments import register_owner
        from surveys.models import CaseMessage, ReviewEntry

        # Files of the conversation and of the answers: downloaded by whoever may read them.
        register_owner(CaseMessage, CaseMessage.objects.visible_to)
        register_owner(ReviewEntry, ReviewEntry.objects.answers_visible_to)
