"""The query parameters of the coordinators' export of every expectation of a campaign."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from municipalities.models import MunicipalityKind
from ngos.models import ActivityField, LegalForm
from portal.choices import Hazard
from reports.services import figures as aggregates
from surveys.models import Campaign, Theme


class ExpectationExportForm(forms.Form):
    """The export's query parameters: a campaign (by code), an optional scope
    ("nation", "subregion:<code>" or "province:<plate>", as on the reports) and the reports'
    filters (fields of activity and themes by code)."""

    campaign = forms.ModelChoiceField(
        Campaign.objects.all(), to_field_name="code", label=gettext_lazy("Campaign")
    )
    scope = forms.CharField(required=False, max_length=40, label=gettext_lazy("Scope"))
    legal_form = forms.ChoiceField(
        choices=[("", "")] + LegalForm.choices, required=False, label=gettext_lazy("Legal form")
    )
    activity_field = forms.ModelChoiceField(
        ActivityField.objects.all(),
        to_field_name="code",
        required=False,
        label=gettext_lazy("Field of activity"),
    )
    municipality_kind = forms.ChoiceField(
        choices=[("", "")] + MunicipalityKind.choices,
        required=False,
        label=gettext_lazy("Municipality kind"),
    )
    theme = forms.ModelChoiceField(
        Theme.objects.all(), to_field_name="code", required=False, label=gettext_lazy("Theme")
    )
    hazard = forms.ChoiceField(
        choices=[("", "")] + Hazard.choices, required=False, label=gettext_lazy("Hazard")
    )

    def clean_scope(self):
        """("nation", None), ("subregion", code), ("province", plate) or None (not given)."""
        value = self.cleaned_data["scope"].strip()
        if not value:
            return None
        if value == "nation":
            return ("nation", None)
        level, _sep, key = value.partition(":")
        if level == "subregion" and key:
            return ("subregion", key)
        if level == "province" and key.isdigit():
            return ("province", int(key))
        raise forms.ValidationError(
            _('Use "nation", "subregion:<code>" or "province:<plate code>".')
        )

    def report_filters(self) -> aggregates.Filters:
        data = self.cleaned_data
        return aggregates.Filters(
            legal_form=data["legal_form"],
            activity_field=data["activity_field"],
            municipality_kind=data["municipality_kind"],
            theme=data["theme"],
            hazard=data["hazard"],
        )

    def filter_values(self) -> dict:
        """The filters given, as plain values (for the export record)."""
        data = self.cleaned_data
        values = {
            "legal_form": data["legal_form"],
            "activity_field": data["activity_field"].code if data["activity_field"] else "",
            "municipality_kind": data["municipality_kind"],
            "theme": data["theme"].code if data["theme"] else "",
            "hazard": data["hazard"],
        }
        return {key: value for key, value in values.items() if value}

    def filter_labels(self) -> list[str]:
        """The filters given, in words ("Legal form: Foundation (vakıf)")."""
        data = self.cleaned_data
        shown = {
            "legal_form": dict(LegalForm.choices).get(data["legal_form"]),
            "activity_field": data["activity_field"] and data["activity_field"].label,
            "municipality_kind": dict(MunicipalityKind.choices).get(data["municipality_kind"]),
            "theme": data["theme"] and data["theme"].label,
            "hazard": dict(Hazard.choices).get(data["hazard"]),
        }
        return [
            _("%(filter)s: %(value)s") % {"filter": self.fields[name].label, "value": value}
            for name, value in shown.items()
            if value
        ]
