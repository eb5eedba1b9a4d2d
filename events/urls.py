"""URLs of /events/. Each views module lists its own routes; the registration routes come
before the programmes' catch-all ``<slug>/``."""

from events.views import programmes, registrations

app_name = "events"
urlpatterns = [
    *registrations.urlpatterns,
    *programmes.urlpatterns,  # "", "new/" and "<slug>/…"
]
