"""Email municipal staff their digest of new and overdue cases (run it from cron, e.g. daily)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from surveys.services.digest import digests_send


class Command(BaseCommand):
    help = (
        "Send each member of municipal staff one email listing the new cases (submitted or "
        "referred in during the last --since-hours hours) and the overdue cases of their "
        "municipalities. Staff with nothing to report, or who turned the digest off, get none."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since-hours",
            type=int,
            default=24,
            help="Cases submitted or referred in during this many hours count as new (24).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Compose the digests and count them, but send nothing.",
        )

    def handle(self, *args, since_hours, dry_run, **options):
        if since_hours <= 0:
            raise CommandError("--since-hours must be a positive number of hours.")
        now = timezone.now()
        since = now - datetime.timedelta(hours=since_hours)
        sent, skipped = digests_send(since=since, now=now, dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"Dry run: would send {sent} digests, skipped {skipped}")
        else:
            self.stdout.write(f"Sent {sent} digests, skipped {skipped}")
