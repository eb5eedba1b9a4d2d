"""Small helpers shared by the apps' django-filter FilterSets."""

from django import forms


def search_widget(placeholder):
    """A search box (``type="search"``) with a placeholder, for a free-text filter."""
    return forms.TextInput(attrs={"type": "search", "placeholder": placeholder})


def int_or_none(value):
    """The value as an int, or None when it is missing or not a number (raw query strings)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
