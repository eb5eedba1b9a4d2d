"""Forms of disaster capabilities: the NGO's own entry form and the municipalities' search form."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from municipalities.models import District, Province, SubRegion
from ngos.models import Capability, CapabilityKind
from ngos.services.capabilities import DUPLICATE_MESSAGE
from portal.choices import Hazard


class CapabilityForm(forms.ModelForm):
    """A capability of one NGO. Provinces are picked one by one, by whole sub-regions, or all at
    once; a new capability serves the NGO's own province unless told otherwise."""

    all_provinces = forms.BooleanField(
        label=_("All provinces"),
        required=False,
        help_text=_("Tick if you can help anywhere in Türkiye."),
    )
    subregions = forms.ModelMultipleChoiceField(
        label=_("Whole sub-regions"),
        queryset=SubRegion.objects.order_by("code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Every province of the chosen sub-regions is added to the provinces above."),
    )

    class Meta:
        model = Capability
        fields = ["kind", "hazard", "quantity", "unit", "provinces", "notes"]
        widgets = {
            "provinces": forms.SelectMultiple(attrs={"size": 10}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "provinces": _("Hold Ctrl (Cmd on a Mac) to choose several provinces."),
            "hazard": _("Choose “Any hazard” if you can help whatever the disaster."),
        }

    field_order = [
        "kind",
        "hazard",
        "quantity",
        "unit",
        "provinces",
        "subregions",
        "all_provinces",
        "notes",
    ]

    def __init__(self, *args, ngo, **kwargs):
        super().__init__(*args, **kwargs)
        self.ngo = ngo
        self.instance.ngo = ngo
        provinces = self.fields["provinces"]
        provinces.queryset = Province.objects.order_by("name_sort")
        provinces.required = False
        self.fields["quantity"].widget.attrs.update({"min": 1, "max": 10_000_000})
        if self.instance.pk is None and "provinces" not in self.initial:
            self.initial["provinces"] = [ngo.province_id]

    def clean(self):
        cleaned = super().clean()
        kind, hazard = cleaned.get("kind"), cleaned.get("hazard")
        if kind and hazard:
            duplicate = Capability.objects.filter(ngo=self.ngo, kind=kind, hazard=hazard)
            if duplicate.exclude(pk=self.instance.pk).exists():
                self.add_error("kind", DUPLICATE_MESSAGE)
        if cleaned.get("all_provinces"):
            cleaned["provinces"] = Province.objects.all()
        elif "provinces" in cleaned:
            chosen = {province.pk for province in cleaned["provinces"]}
            if cleaned.get("subregions"):
                chosen.update(
                    Province.objects.filter(subregion__in=cleaned["subregions"]).values_list(
                        "pk", flat=True
                    )
                )
            if not chosen:
                self.add_error(
                    "provinces",
                    _("Choose at least one province, a whole sub-region or “All provinces”."),
                )
            cleaned["provinces"] = Province.objects.filter(pk__in=chosen)
        return cleaned


class CapabilitySearchForm(forms.Form):
    """Who can provide X for hazard Y in province Z; districts are those of the chosen province."""

    kind = forms.ChoiceField(
        label=_("Capability"),
        choices=[("", _("All capabilities")), *CapabilityKind.choices],
        required=False,
    )
    hazard = forms.ChoiceField(
        label=_("Hazard"),
        choices=[("", _("All hazards")), *Hazard.choices],
        required=False,
    )
    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.order_by("name_sort"),
        empty_label=_("Choose a province"),
        error_messages={"required": _("Choose the province where help is needed.")},
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.none(),
        required=False,
        empty_label=_("All districts"),
        help_text=_("NGOs based in this district are listed first."),
        error_messages={"invalid_choice": _("This district is not in the chosen province.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.filter(
            province_id=self._chosen_province_id()
        ).order_by("name_sort")
        # With htmx, choosing a province refreshes the district list in place; without
        # JavaScript the list follows the province after the next search.
        self.fields["province"].widget.attrs.update(
            {
                "data-hx-get": reverse_lazy("ngos:capability_search"),
                "data-hx-trigger": "change",
                "data-hx-target": f"#{self['district'].auto_id}",
                "data-hx-swap": "innerHTML",
                "data-hx-push-url": "false",
            }
        )

    def _chosen_province_id(self):
        raw = self.data.get("province") if self.is_bound else self.initial.get("province")
        try:
            province_id = int(getattr(raw, "pk", raw))
        except (TypeError, ValueError):
            return None
        # Out-of-range numbers would overflow the database's integer type.
        return province_id if 0 < province_id < 2**31 else None

    def filter_values(self):
        """The cleaned values as strings (for links, and for the export record)."""
        values = {}
        for name in self.fields:
            value = self.cleaned_data.get(name)
            values[name] = "" if value in (None, "") else str(getattr(value, "pk", value))
        return values
