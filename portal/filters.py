"""Small helpers shared by the apps' django-filter FilterSets."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _


def search_widget(placeholder):
    """A search box (``type="search"``) with a placeholder, for a free-text filter."""
    return forms.TextInput(attrs={"type": "search", "placeholder": placeholder})


def int_or_none(value):
    """The value as an int, or None when it is missing or not a number (raw query strings)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def search_filter(placeholder, *, method="filter_search", label=None):
    """A free-text filter (a search box) that the FilterSet's ``method`` applies."""
    return django_filters.CharFilter(
        label=label or _("Search"), method=method, widget=search_widget(placeholder)
    )
