"""Everything a release does once, from one machine, before the app servers are (re)started.

    python manage.py release

1. migrate (the schema, the reference rows and the cache tables),
2. collectstatic (hashed names and the manifest the app servers read),
3. compile the translations,
4. warm_reports (the report figures, so no coordinator waits for the first computation).

The app servers never migrate on start: several starting at once would race for the schema.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Migrate, collect static files, compile translations and warm the report figures."

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip-warm", action="store_true", help="Do not compute the report figures."
        )

    def handle(self, *args, skip_warm=False, verbosity=1, **options):
        steps = [
            ("migrate", {"interactive": False}),
            ("collectstatic", {"interactive": False}),
            ("compile_translations", {}),
        ]
        if not skip_warm:
            steps.append(("warm_reports", {}))
        for name, arguments in steps:
            if verbosity:
                self.stdout.write(self.style.MIGRATE_HEADING(f"release: {name}"))
            try:
                call_command(name, verbosity=max(verbosity - 1, 0), **arguments)
            except CommandError as error:
                # A new installation has no campaign yet: nothing to warm is not a failed release.
                if name != "warm_reports":
                    raise
                self.stdout.write(f"release: warm_reports skipped: {error}")
        if verbosity:
            self.stdout.write(self.style.SUCCESS("release: done"))
