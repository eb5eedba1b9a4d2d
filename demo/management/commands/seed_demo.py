"""Create the demo accounts and data (idempotent); see demo/services/erzurum.py. With
``--scale national``, the national-scale data of the benchmark follows
(demo/services/national.py)."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from demo.services.accounts import DEMO_PASSWORD
from demo.services.erzurum import DEMO_ACCOUNTS, seed_demo
from demo.services.national import national_present, seed_national
from demo.services.opendata import seed_open_data
from municipalities.services import reference_data_complete, reference_data_load
from ngos.services.profile import activity_fields_load


class Command(BaseCommand):
    help = "Create the demo accounts and data around Erzurum (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=["demo", "national"],
            default="demo",
            help="demo (default), or national: the demo, then data the size of Türkiye.",
        )
        parser.add_argument(
            "--seed", type=int, default=2025, help="Random seed of the national data."
        )
        parser.add_argument(
            "--factor",
            type=float,
            default=1.0,
            help="Multiplier of every national count (e.g. 0.01 for a quick trial).",
        )

    def handle(self, *args, **options):
        if options["factor"] <= 0:
            raise CommandError("--factor must be positive.")
        if not reference_data_complete():
            reference_data_load()
        activity_fields_load()
        # Demo actions notify people; the demo never sends real mail, whatever the mail settings.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            if national_present():
                # The demo stages ran before the national ones; at national size they would
                # give every NGO a submission, so they are not run again.
                self.stdout.write("National data present: the demo stages are skipped.")
            else:
                seed_demo(log=self.stdout.write)
            if options["scale"] == "national":

                def progress(line):
                    sys.stderr.write(f"{line}\n")
                    sys.stderr.flush()

                seed_national(seed=options["seed"], factor=options["factor"], log=progress)
        seed_open_data(log=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Accounts (password {DEMO_PASSWORD}):")
        )
        for email, name, what in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:<26} {name} — {what}")
