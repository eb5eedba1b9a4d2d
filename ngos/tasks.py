"""The NGO registry's background work: large imports."""

from celery import shared_task

from ngos.services.imports import ngo_import_and_report
from portal.models import User


@shared_task(ignore_result=True)
def import_ngos(*, rows, user_id, file_name):
    """Create the NGOs of a checked file for the coordinator who confirmed it and tell them the
    outcome. Idempotent (rows already registered are left alone); not retried: a conflict is
    reported to the coordinator, who uploads the file again."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is not None:
        ngo_import_and_report(rows=rows, by=user, file_name=file_name)
