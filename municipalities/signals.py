"""Reference geography is loaded after every migrate (and after a test database flush)."""

from django.db import connections


def load_reference_after_migrate(sender, using="default", **kwargs):
    """Create missing reference rows once the geography tables exist (idempotent)."""
    from municipalities.models import Municipality
    from municipalities.services import reference_data_complete, reference_data_load

    connection = connections[using]
    if Municipality._meta.db_table not in connection.introspection.table_names():
        return
    if not reference_data_complete():
        reference_data_load()
