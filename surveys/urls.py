"""URLs of /surveys/. Each views module lists its own routes."""

from surveys.views import campaigns, inbox, review, submissions

app_name = "surveys"
urlpatterns = [
    *submissions.urlpatterns,
    *review.urlpatterns,
    *inbox.urlpatterns,
    *campaigns.urlpatterns,
]
