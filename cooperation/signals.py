"""The TAMP working groups are created after every migrate (idempotent), like the other
editable reference lists (ngos' fields of activity, surveys' taxonomy)."""

from django.db import connections


def load_service_groups_after_migrate(sender, using="default", **kwargs):
    from cooperation.models import ServiceGroup
    from cooperation.services.reference import service_groups_load

    if ServiceGroup._meta.db_table in connections[using].introspection.table_names():
        service_groups_load()
