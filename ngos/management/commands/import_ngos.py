"""Import NGOs from a CSV file: ``manage.py import_ngos FILE [--as EMAIL] [--dry-run]``."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from ngos.services.imports import (
    ImportFileError,
    import_file_parse,
    ngo_import,
    ngo_import_check,
)

BATCH_SIZE = 1000
MAX_LISTED_ERRORS = 50


class Command(BaseCommand):
    help = (
        "Import NGOs from a CSV file (Windows-1254 or UTF-8; ';', ',' or tab separated), with "
        "the same checks as the web import. Rows already registered are left unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the CSV file")
        parser.add_argument(
            "--as",
            dest="as_email",
            metavar="EMAIL",
            help="import as this coordinator: only the provinces of their sub-regions",
        )
        parser.add_argument("--dry-run", action="store_true", help="check the file, write nothing")

    def handle(self, *args, file, as_email, dry_run, **options):
        user = self._user(as_email)
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}") from None
        try:
            table = import_file_parse(data)
        except ImportFileError as error:
            raise CommandError(" ".join(error.messages)) from None

        self.stderr.write("Checking rows…")
        check = ngo_import_check(table=table, by=user, progress=self._progress("rows"))
        self.stderr.write("")
        created, unchanged, errors = 0, check.existing_count, check.error_lines()
        rows = check.valid_rows()
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        else:
            self.stderr.write("Saving…")
            saved = self._progress("rows saved")
            # Each batch is its own transaction: a failure keeps the batches before it, and
            # running the command again leaves those rows unchanged.
            for number, start in enumerate(range(0, len(rows), BATCH_SIZE), start=1):
                batch = rows[start : start + BATCH_SIZE]
                try:
                    result = ngo_import(rows=batch, by=user)
                except DatabaseError as error:
                    self.stderr.write("")
                    raise CommandError(
                        f"Batch {number} (rows {batch[0]['row']}–{batch[-1]['row']}) failed and "
                        f"was rolled back: {error}. {created} NGOs of the batches before it were "
                        "saved; running the command again leaves them unchanged."
                    ) from None
                created += len(result.created)
                unchanged += len(result.unchanged)
                errors += result.skipped
                saved(start + len(batch), len(rows))
            self.stderr.write("")
        self._summary(
            created=len(rows) if dry_run else created,
            unchanged=unchanged,
            errors=errors,
            dry_run=dry_run,
        )

    def _user(self, email):
        if not email:
            return None
        user = get_user_model().objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with the email address {email}.")
        if not user.has_perm("ngos.import_ngos"):
            raise CommandError(f"{email} is not a coordinator and may not import NGOs.")
        return user

    def _progress(self, what):
        def report(done, total):
            self.stderr.write(f"\r  {done}/{total} {what}", ending="", style_func=str)
            self.stderr.flush()

        return report

    def _summary(self, *, created, unchanged, errors, dry_run):
        label = "Would be created" if dry_run else "Created"
        self.stdout.write(f"{label}: {created}")
        self.stdout.write(f"Already registered (unchanged): {unchanged}")
        self.stdout.write(f"Errors: {len(errors)}")
        for line in errors[:MAX_LISTED_ERRORS]:
            self.stdout.write(f"  {line}")
        if len(errors) > MAX_LISTED_ERRORS:
            self.stdout.write(f"  and {len(errors) - MAX_LISTED_ERRORS} more")
