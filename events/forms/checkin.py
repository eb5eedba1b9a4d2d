"""The search box of a programme's check-in list."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CheckinSearchForm(forms.Form):
    """The search box of the check-in list."""

    q = forms.CharField(
        label=_("Search by name or organisation"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
