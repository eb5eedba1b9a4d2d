"""URLs of /surveys/. Each views module lists its own routes."""

from surveys.views import campaigns, export_all, inbox, review, statistics, submissions

app_name = "surveys"
urlpatterns = [
    *submissions.urlpatterns,
    *review.urlpatterns,
    *inbox.urlpatterns,
    *statistics.urlpatterns,
    *export_all.urlpatterns,
    *campaigns.urlpatterns,
]
