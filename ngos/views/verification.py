"""Placeholder until filled."""

urlpatterns = []
