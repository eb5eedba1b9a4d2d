"""Protocols and the emergency contact sheet (under /cooperation/protocols/)."""

urlpatterns = []
