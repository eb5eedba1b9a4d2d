"""URLs of the reports app: the coordinators' reports at /reports/, and the public statistics
and the full export of expectations, which keep their places under /surveys/."""

from django.urls import path

from reports.views import export_all, reports, statistics

app_name = "reports"
urlpatterns = [
    path("reports/", reports.report_index, name="index"),
    path("reports/subregions/<str:code>/", reports.report_subregion, name="subregion"),
    path("reports/provinces/<int:plate>/", reports.report_province, name="province"),
    path("reports/print/", reports.report_print, name="print"),
    path("reports/pdf/", reports.report_pdf, name="pdf"),
    path("reports/export/<slug:table>.<str:fmt>", reports.report_export, name="export"),
    path(
        "reports/reminders/<int:municipality_id>/",
        reports.report_remind,
        name="remind",
    ),
    path("surveys/statistics/", statistics.statistics, name="statistics"),
    path(
        "surveys/export/expectations.csv",
        export_all.export_expectations,
        name="export_expectations",
    ),
]
