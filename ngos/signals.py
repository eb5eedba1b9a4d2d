"""Default fields of activity are created after every migrate (idempotent)."""

from django.db import connections


def load_taxonomy_after_migrate(sender, using="default", **kwargs):
    from ngos.models import ActivityField
    from ngos.services.profile import activity_fields_load

    if ActivityField._meta.db_table in connections[using].introspection.table_names():
        activity_fields_load()
