"""The JSON API at /api/v1/ (outside the language prefixes: one address for every client)."""

from django.urls import path

from api.api import api

urlpatterns = [path("v1/", api.urls)]
