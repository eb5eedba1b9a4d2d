"""The coordinators' report form: which campaign (and which to compare with), the filters, and
what the map shows. A GET form: every field is optional and an invalid value is an error."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from municipalities.models import MunicipalityKind
from ngos.models import LegalForm
from portal.choices import Hazard
from reports.services.figures import Filters

MEASURES = [
    ("participation", _("Participation rate")),
    ("borda_leader_share", _("Leading category's share of Borda points")),
    ("answered_share", _("Share of cases answered")),
    ("overdue", _("Overdue cases")),
    ("active_protocols", _("Active cooperation protocols")),
]
DEFAULT_MEASURE = "participation"


def _with_all(choices, label):
    return [("", label), *choices]


class ReportForm(forms.Form):
    """Campaign, comparison, filters and map measure of a report page or export.

    The choice lists come in as lists (campaigns that have opened, most recent first; active
    fields of activity; themes), fetched once per request, so that validating and rendering the
    form costs no further query.
    """

    campaign = forms.ChoiceField(label=_("Campaign"), required=False)
    compare = forms.ChoiceField(label=_("Compare with"), required=False)
    legal_form = forms.ChoiceField(label=_("Legal form of the NGO"), required=False)
    activity_field = forms.ChoiceField(label=_("Field of activity"), required=False)
    municipality_kind = forms.ChoiceField(label=_("Kind of municipality"), required=False)
    theme = forms.ChoiceField(label=_("Theme of the category"), required=False)
    hazard = forms.ChoiceField(label=_("Hazard"), required=False)
    measure = forms.ChoiceField(label=_("The map shows"), required=False, choices=MEASURES)

    FILTER_FIELDS = ["legal_form", "activity_field", "municipality_kind", "theme", "hazard"]

    def __init__(self, data=None, *, campaigns, activity_fields, themes, **kwargs):
        super().__init__(data, **kwargs)
        self.campaigns = {c.code: c for c in campaigns}
        self.activity_fields = {a.code: a for a in activity_fields}
        self.themes = {t.code: t for t in themes}
        campaign_choices = [(c.code, c.title) for c in campaigns]
        fields = self.fields
        fields["campaign"].choices = campaign_choices
        fields["compare"].choices = _with_all(campaign_choices, _("No comparison"))
        fields["legal_form"].choices = _with_all(LegalForm.choices, _("All legal forms"))
        fields["activity_field"].choices = _with_all(
            [(a.code, a.label) for a in activity_fields], _("All fields of activity")
        )
        fields["municipality_kind"].choices = _with_all(
            MunicipalityKind.choices, _("All kinds of municipality")
        )
        fields["theme"].choices = _with_all([(t.code, t.label) for t in themes], _("All themes"))
        fields["hazard"].choices = _with_all(Hazard.choices, _("All hazards"))
        if campaigns:
            fields["campaign"].initial = campaigns[0].code

    def clean_campaign(self):
        # The default: the most recent campaign that has opened (the first in the list).
        return self.cleaned_data["campaign"] or next(iter(self.campaigns), "")

    def clean_measure(self):
        return self.cleaned_data["measure"] or DEFAULT_MEASURE

    def clean(self):
        data = super().clean()
        if data.get("compare") and data.get("compare") == data.get("campaign"):
            self.add_error("compare", gettext("Choose a different campaign to compare with."))
        return data

    # The values below are read after is_valid().

    @property
    def selected_campaign(self):
        return self.campaigns.get(self.cleaned_data.get("campaign"))

    @property
    def compare_campaign(self):
        return self.campaigns.get(self.cleaned_data.get("compare"))

    @property
    def selected_measure(self):
        return self.cleaned_data.get("measure") or DEFAULT_MEASURE

    def report_filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            legal_form=data.get("legal_form", ""),
            activity_field=self.activity_fields.get(data.get("activity_field")),
            municipality_kind=data.get("municipality_kind", ""),
            theme=self.themes.get(data.get("theme")),
            hazard=data.get("hazard", ""),
        )

    def query(self) -> dict:
        """The validated parameters, for links to other scopes, exports and the print page."""
        return {
            name: self.cleaned_data[name]
            for name in ["campaign", "compare", *self.FILTER_FIELDS, "measure"]
            if self.cleaned_data.get(name)
        }

    def described_filters(self) -> list[tuple[str, str]]:
        """(label, chosen value) of each filter in use, for headers of pages and exports."""
        described = []
        for name in self.FILTER_FIELDS:
            value = self.cleaned_data.get(name)
            if value:
                field = self.fields[name]
                described.append((str(field.label), str(dict(field.choices)[value])))
        return described

    def filter_log(self) -> dict:
        """The filters as stored in an export record (codes, not labels)."""
        return {
            name: self.cleaned_data[name]
            for name in self.FILTER_FIELDS
            if self.cleaned_data.get(name)
        }
