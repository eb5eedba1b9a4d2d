"""Create the demo accounts and data (idempotent); see portal/demo.py."""

from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from municipalities.services import reference_data_complete, reference_data_load
from ngos.services.profile import activity_fields_load
from portal.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create the demo accounts and data around Erzurum (safe to run again)."

    def handle(self, *args, **options):
        if not reference_data_complete():
            reference_data_load()
        activity_fields_load()
        # Demo actions notify people; the demo never sends real mail, whatever the mail settings.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            seed_demo(log=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Accounts (password {DEMO_PASSWORD}):")
        )
        for email, name, what in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:<26} {name} — {what}")
