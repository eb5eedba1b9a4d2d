"""Compute the report figures coordinators open first, and the public statistics, ahead of them.

At national size the national report takes seconds to compute. Report pages serve computed
figures from the shared "reports" cache and compute them again in the background when they are
older than two minutes (reports/services/figures_cache.py), so only figures that were never
computed make someone wait. Run this after a deployment or a cache flush, and hourly from cron
(figures are kept for a day):

    python manage.py warm_reports                 # the nation and the 17 sub-regions
    python manage.py warm_reports --provinces     # and the 81 provinces
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from django.utils import translation

from municipalities.models import Province, SubRegion
from reports.services import facts
from reports.services.figures import Scope
from reports.services.statistics import cached_statistics
from reports.services.tables import report_figures
from reports.views.reports import report_form, scope_param


class Command(BaseCommand):
    help = "Compute the default report pages (nation, sub-regions) and the public statistics."

    def add_arguments(self, parser):
        parser.add_argument(
            "--campaign", help="Code of the campaign (default: the latest that has opened)."
        )
        parser.add_argument(
            "--provinces", action="store_true", help="Also compute the 81 province pages."
        )

    def handle(self, *args, campaign=None, provinces=False, verbosity=1, **options):
        data = QueryDict(mutable=True)
        if campaign:
            data["campaign"] = campaign
        form = report_form(data)
        if not form.is_valid() or form.selected_campaign is None:
            raise CommandError(
                f"No such campaign that has opened: {campaign}" if campaign else
                "No survey campaign has opened yet: nothing to compute."
            )  # fmt: skip
        chosen = form.selected_campaign
        started = time.monotonic()
        # The figures computed ahead come from a fresh copy of the cases.
        facts.rebuild_all()
        scopes = [Scope()]
        scopes += [Scope(subregion=s) for s in SubRegion.objects.order_by("code")]
        if provinces:
            scopes += [
                Scope(subregion=p.subregion, province=p)
                for p in Province.objects.select_related("subregion").order_by("plate")
            ]
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                for scope in scopes:
                    began = time.monotonic()
                    report_figures(
                        campaign=chosen,
                        compare=form.compare_campaign,
                        scope=scope,
                        filters=form.report_filters(),
                        measure=form.selected_measure,
                        refresh=True,
                    )
                    if verbosity > 1:
                        self.stdout.write(
                            f"{language} {scope_param(scope)}: {time.monotonic() - began:.1f} s"
                        )
        cached_statistics(chosen, refresh=True)
        if verbosity:
            languages = len(settings.LANGUAGES)
            self.stdout.write(
                f"Computed {len(scopes) * languages} report pages of “{chosen.title}” "
                f"({languages} languages) and the public statistics in "
                f"{time.monotonic() - started:.1f} s."
            )
