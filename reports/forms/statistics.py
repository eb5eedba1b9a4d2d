"""The public statistics page's campaign selector."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CampaignChoiceForm(forms.Form):
    """The campaign selector, among the campaigns that have opened (already fetched)."""

    campaign = forms.ChoiceField(label=_("Survey campaign"))

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [(c.code, c.title) for c in campaigns]
