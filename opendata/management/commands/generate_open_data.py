from django.core.management.base import BaseCommand, CommandError

from opendata.services.datasets import BY_SLUG, opendata_generate


class Command(BaseCommand):
    help = "Write the open-data files now (the nightly task does it too)."

    def add_arguments(self, parser):
        parser.add_argument(
            "datasets", nargs="*", metavar="DATASET", help=f"Only these: {', '.join(BY_SLUG)}"
        )

    def handle(self, *args, datasets=(), **options):
        unknown = set(datasets) - set(BY_SLUG)
        if unknown:
            raise CommandError(f"Unknown datasets: {', '.join(sorted(unknown))}")
        manifest = opendata_generate(datasets or None)
        for slug, entry in manifest.items():
            if not datasets or slug in datasets:
                self.stdout.write(f"{slug}: {entry['rows']} rows")
