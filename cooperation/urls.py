"""Cooperation in disasters (names under "cooperation:"): protocols and the emergency contact
sheet (urls_protocols.py), activations, calls for support and the coordination board
(urls_activations.py)."""

from django.urls import include, path

app_name = "cooperation"

urlpatterns = [
    path("protocols/", include("cooperation.urls_protocols")),
    path("activations/", include("cooperation.urls_activations")),
]
