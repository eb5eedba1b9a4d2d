"""Create the demo accounts and data (idempotent); see portal/demo.py."""

from django.core.management.base import BaseCommand

from municipalities.services import reference_data_complete, reference_data_load
from ngos.services.profile import activity_fields_load
from portal.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create the demo accounts and data around Erzurum (safe to run again)."

    def handle(self, *args, **options):
        if not reference_data_complete():
            reference_data_load()
        activity_fields_load()
        seed_demo(log=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Accounts (password {DEMO_PASSWORD}):")
        )
        for email, name, what in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:<26} {name} — {what}")
