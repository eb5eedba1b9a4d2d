"""Load the reference geography (idempotent; migrate does it too)."""

from django.core.management.base import BaseCommand

from municipalities.services import reference_data_load


class Command(BaseCommand):
    help = "Create missing regions, sub-regions, provinces, districts and municipalities."

    def handle(self, *args, **options):
        result = reference_data_load()
        for table, count in result.created.items():
            self.stdout.write(f"{table}: {count} created")
