"""URLs of /reports/ (the coordinators' reports); the routes live with their views."""

from surveys.views import reports

app_name = "reports"
urlpatterns = reports.urlpatterns
