"""The open-data files, written again every night (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from opendata.services.datasets import opendata_generate


@shared_task(ignore_result=True)
def generate_open_data():
    """Write every dataset's CSV and JSON files and the manifest. Idempotent."""
    manifest = opendata_generate()
    return {slug: entry["rows"] for slug, entry in manifest.items()}
