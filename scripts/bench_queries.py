"""The benchmark's in-process probe (run by scripts/bench.py, one process per database).

Pointed at a database by DATABASE_URL, it resolves the benchmarked pages for that data (which
user plays each role, which case, NGO, programme and scope), then, depending on the options:

  --targets        prints the pages as JSON (role email, path, expected status);
  --queries N      requests each page through the Django test Client N times (the cache cleared
                   first, so cached report figures are computed) and prints, as JSON, each page's
                   status, whether it answered as expected, and the SQL query count of the first
                   request;
  --borda N        times the national Borda report (reports.services.figures.borda at nation
                   scope) and the single raw SQL query computing the same table, N runs each,
                   and prints the timings as JSON;
  --figures N      copies the cases for the reports (reports.services.facts.rebuild, the
                   worker's job every minute) and times it, then times the computation of a
                   report's figures from scratch (no cache) at national, sub-region and province
                   scope, with and without filters, N runs each.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

# The raw SQL floor of reports.services.figures.borda(campaign, Scope(), Filters(), limit=5): the
# Borda points over the reports' copy of the cases (reports.CaseFact), ordered as the method says.
BORDA_SQL = """
SELECT f.category_id, c.code, c.name, c.name_en,
       SUM(6 - f.rank) AS score,
       COUNT(*) AS mentions,
       COUNT(*) FILTER (WHERE f.rank = 1) AS first_rank
FROM reports_casefact f
LEFT JOIN surveys_category c ON c.id = f.category_id
WHERE f.campaign_id = %s AND f.ngo_verified
GROUP BY f.category_id, c.code, c.name, c.name_en, c.name_sort
ORDER BY score DESC, first_rank DESC, mentions DESC, c.name_sort, c.code
LIMIT 5
"""

DEMO_NGO = "erzurum-dadaslar-dayanisma-dernegi"
DEMO_EVENT = "erzurum-bb"
COORDINATOR = "coordinator@demo.test"
NGO_ADMIN = "ngo@demo.test"
SITE_ADMIN = "admin@demo.test"
ISTANBUL = 34


def resolve_targets():
    """The benchmarked pages for the data in this database: [{name, label, email, path,
    status}], in table order. The inbox belongs to a staff member of the municipality with the
    most cases; the case is the one of their inbox with the longest history."""
    from django.db.models import Count

    from municipalities.models import Municipality, Province
    from surveys.models import Expectation

    busiest = (
        Municipality.objects.filter(staff__isnull=False)
        .annotate(cases=Count("expectations", distinct=True))
        .order_by("-cases", "pk")
        .first()
    )
    staff = busiest.staff.select_related("user").order_by("pk").first().user
    case = (
        Expectation.objects.cases()
        .filter(municipality=busiest)
        .annotate(entries=Count("history"))
        .order_by("-entries", "pk")
        .first()
    )
    province = Province.objects.select_related("subregion").get(plate=ISTANBUL)
    # Activations (issue 16): the open real activation with the most calls, seen by a
    # national coordinator (its board, its "whom to call" proposal).
    from cooperation.models import Activation

    activation = Activation.objects.public().annotate(n=Count("calls")).order_by("-n", "pk").first()
    subregion = province.subregion.code
    pages = [
        ("home", "Home", None, "/"),
        ("ngo_directory", "NGO directory (province filter + search)", None,
         f"/ngos/?province={ISTANBUL}&q=kultur"),
        ("ngo_profile", "NGO profile", None, f"/ngos/{DEMO_NGO}/"),
        ("submission", "Submission page (NGO admin)", NGO_ADMIN,
         f"/surveys/2025/ngo/{DEMO_NGO}/"),
        ("inbox", f"Review inbox, filtered ({busiest.name})", staff.email,
         "/surveys/inbox/?status=new&rank=1"),
        ("case", "Case page (municipal staff)", staff.email, f"/surveys/cases/{case.pk}/"),
        ("events", "Events list", None, "/events/"),
        ("event", "Event page", None, f"/events/{DEMO_EVENT}/"),
        ("report_nation", "Report: nation", COORDINATOR, "/reports/?campaign=2025"),
        ("report_subregion", f"Report: sub-region {subregion}", COORDINATOR,
         f"/reports/subregions/{subregion}/?campaign=2025"),
        ("report_province", f"Report: province {ISTANBUL}", COORDINATOR,
         f"/reports/provinces/{ISTANBUL}/?campaign=2025"),
        ("statistics", "Public statistics", None, "/surveys/statistics/"),
        ("admin_changelist", "Admin changelist of expectations (same municipality)",
         SITE_ADMIN, f"/admin/surveys/expectation/?municipality__id__exact={busiest.pk}"),
        # --- activations (issue 16) ---
        ("activations", "Activations list (coordinator)", COORDINATOR,
         "/cooperation/activations/"),
        ("activation_board", "Activation board (most calls)", COORDINATOR,
         f"/cooperation/activations/{activation.pk}/"),
        ("activation_proposal", "Whom to call (most calls)", COORDINATOR,
         f"/cooperation/activations/{activation.pk}/propose/"),
        ("public_activations", "Public page of open disasters", None,
         "/cooperation/activations/public/"),
        # --- protocols and the emergency contact sheet (issue 16) ---
        ("protocols", "Protocols list (coordinator)", COORDINATOR, "/cooperation/protocols/"),
        ("protocols_active", "Protocols list, active earthquake ones (coordinator)", COORDINATOR,
         "/cooperation/protocols/?status=active&hazard=earthquake"),
        ("contact_sheet", f"Emergency contact sheet: province {ISTANBUL} (coordinator)",
         COORDINATOR, f"/cooperation/protocols/contacts/?province={ISTANBUL}"),
        # --- programmes' follow-through and the NGO's open-data page (issues 18, 19) ---
        ("follow_through", "Programmes' follow-through, 17 sub-regions (coordinator)",
         COORDINATOR, "/events/follow-through/"),
        ("open_data", "Open-data downloads page", None, "/open-data/"),
        # --- the public JSON API's lists (issue 19; 50 rows a page) ---
        ("api_municipalities", f"API: municipalities of province {ISTANBUL}", None,
         f"/api/v1/municipalities/?province={ISTANBUL}"),
        ("api_ngos", "API: verified NGOs, first page", None, "/api/v1/ngos/"),
        ("api_ngos_search", f"API: verified NGOs of province {ISTANBUL}, searched", None,
         f"/api/v1/ngos/?province={ISTANBUL}&q=kultur"),
        ("api_capabilities", "API: capabilities by province and hazard", None,
         "/api/v1/capabilities/?hazard=earthquake"),
        ("api_programmes", "API: programmes", None, "/api/v1/programmes/"),
        ("api_statistics", "API: public statistics", None, "/api/v1/statistics/"),
    ]  # fmt: skip
    return [
        {"name": name, "label": label, "email": email, "path": path, "status": 200}
        for name, label, email, path in pages
    ]


def count_queries(targets, repeat):
    """Each page through the test Client: status and the query count of the first request."""
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal.models import User

    results = {}
    for target in targets:
        client = Client()
        if target["email"]:
            client.force_login(User.objects.get(email=target["email"]))
        caches["default"].clear()
        caches["reports"].clear()
        statuses, counts = [], []
        for _n in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(target["path"])
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)
            statuses.append(response.status_code)
            counts.append(len(captured))
        results[target["name"]] = {
            "path": target["path"],
            "status": statuses[0],
            "ok": all(s == target["status"] for s in statuses),
            "queries": counts[0],
            "queries_warm": counts[-1],
        }
    return results


def time_borda(runs):
    """Median and p95 milliseconds of the ORM Borda report and of its raw SQL floor."""
    from django.db import connection

    from reports.services.figures import Filters, Scope, borda
    from surveys.models import Campaign

    campaign = Campaign.objects.get(code="2025")

    def orm():
        return borda(campaign, Scope(), Filters())

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(BORDA_SQL, [campaign.pk])
            return cursor.fetchall()

    orm_rows = [row["category_id"] for row in orm()]
    raw_rows = [row[0] for row in raw()]

    result = {
        "orm": _timed(orm, runs),
        "raw_sql": _timed(raw, runs),
        "same_result": orm_rows == raw_rows,
    }
    result["ratio"] = round(result["orm"]["median_ms"] / result["raw_sql"]["median_ms"], 2)
    result["sql"] = " ".join(BORDA_SQL.split())
    return result


def _timed(function, runs):
    function()  # warm the cache of the database
    samples = []
    for _n in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 1),
        "runs": runs,
    }


def time_figures(runs):
    """The copy of the cases (its time per campaign), then a report's figures computed from
    scratch (``reports.services.tables._compute``, what a page computes when nothing is
    cached) for each scope and set of filters."""
    from municipalities.models import Province, SubRegion
    from ngos.models import ActivityField, LegalForm
    from reports.services import facts
    from reports.services.figures import Filters, Scope
    from reports.services.tables import _compute
    from surveys.models import Campaign, Theme

    copies = [
        {"campaign": refresh.campaign_id, "cases": refresh.cases, "ms": refresh.milliseconds}
        for refresh in facts.rebuild_all()
    ]
    campaign = Campaign.objects.get(code="2025")
    subregion = SubRegion.objects.get(code="01")
    ankara = Province.objects.get(plate=6)
    theme = Theme.objects.order_by("pk").first()
    field = ActivityField.objects.order_by("pk").first()
    cases = [
        ("nation", Scope(), Filters()),
        ("sub-region 01", Scope(subregion=subregion), Filters()),
        ("province 06", Scope(subregion=ankara.subregion, province=ankara), Filters()),
        ("nation, associations only", Scope(), Filters(legal_form=LegalForm.ASSOCIATION)),
        ("nation, one theme", Scope(), Filters(theme=theme)),
        ("nation, earthquake", Scope(), Filters(hazard="earthquake")),
        ("nation, one field of activity", Scope(), Filters(activity_field=field)),
    ]
    scratch = {}
    for label, scope, filters in cases:
        scratch[label] = _timed(
            lambda scope=scope, filters=filters: _compute(
                campaign, None, scope, filters, "participation"
            ),
            runs,
        )
    return {"copies": copies, "from_scratch": scratch}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", action="store_true")
    parser.add_argument("--queries", type=int, default=0)
    parser.add_argument("--borda", type=int, default=0)
    parser.add_argument("--figures", type=int, default=0)
    options = parser.parse_args()

    import django

    django.setup()
    from django.test.utils import setup_test_environment

    # The test Client's host name is allowed, mail stays in memory.
    setup_test_environment()
    output = {}
    targets = resolve_targets()
    if options.targets:
        output["targets"] = targets
    if options.queries:
        output["queries"] = count_queries(targets, options.queries)
    if options.figures:
        output["figures"] = time_figures(options.figures)
    if options.borda:
        output["borda"] = time_borda(options.borda)
    json.dump(output, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
