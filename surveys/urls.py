"""URLs of /surveys/. Each views module lists its own routes."""

from surveys.views import campaigns, submissions

app_name = "surveys"
urlpatterns = [
    *submissions.urlpatterns,
    *campaigns.urlpatterns,
]
