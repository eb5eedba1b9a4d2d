"""The NGO profile form, used to register an NGO and to edit it (and to check imported rows)."""

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from municipalities.models import District, Municipality, Province
from ngos.models import NGO, REGISTERED_FORMS, ActivityField


class NGOForm(forms.ModelForm):
    """District and municipality choices follow the chosen province.

    Without JavaScript the user picks a province and presses "Update the lists" (a submit button
    named ``refresh``, which saves nothing); with htmx the lists update on change.
    """

    website = forms.URLField(
        label=_("Website"), required=False, max_length=200, assume_scheme="https"
    )

    class Meta:
        model = NGO
        fields = [
            "name",
            "legal_form",
            "registry_number",
            "founding_year",
            "province",
            "district",
            "municipality",
            "activity_fields",
            "members_count",
            "volunteers_count",
            "description",
            "website",
            "email",
            "phone",
            "address",
            "contacts_public",
            "afad_accredited",
            "afad_group",
        ]
        widgets = {
            "activity_fields": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 5}),
            "address": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].max_length = 200
        self.fields["province"].queryset = Province.objects.order_by("name_sort")
        self.fields["activity_fields"].queryset = ActivityField.objects.filter(is_active=True)
        self.fields["activity_fields"].label_from_instance = lambda field: field.label
        # The browser's own check; clean_founding_year is the rule.
        self.fields["founding_year"].widget.attrs["max"] = timezone.localdate().year
        province_id = self._chosen_province_id()
        self.fields["district"].queryset = District.objects.filter(
            province_id=province_id
        ).order_by("name_sort")
        self.fields["municipality"].queryset = Municipality.objects.filter(
            province_id=province_id
        ).order_by("kind", "name_sort")
        if province_id is None:
            hint = _("Choose a province first.")
            self.fields["district"].help_text = hint
            self.fields["municipality"].help_text = hint
        # With htmx, choosing a province refreshes both lists in place (see place_options).
        self.fields["province"].widget.attrs.update(
            {
                "data-hx-get": reverse_lazy("municipalities:place_options"),
                "data-hx-trigger": "change",
                "data-hx-target": f"#{self['district'].auto_id}",
                "data-hx-vals": f'{{"municipality_target": "{self["municipality"].auto_id}"}}',
            }
        )

    def _chosen_province_id(self):
        raw = self.data.get(self.add_prefix("province")) if self.is_bound else None
        if raw is None:
            raw = self.initial.get("province") or (
                self.instance.province_id if self.instance.pk else None
            )
        try:
            return int(getattr(raw, "pk", raw))
        except (TypeError, ValueError):
            return None

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 3:
            raise forms.ValidationError(_("Please enter the organisation's full name."))
        return name

    def clean_founding_year(self):
        """Not in the future. The database holds only a fixed plausible range (1800–2100): a
        check constraint cannot compare with today, so "not in the future" is the form's rule."""
        year = self.cleaned_data.get("founding_year")
        this_year = timezone.localdate().year
        if year is not None and year > this_year:
            raise forms.ValidationError(
                _("The founding year cannot be in the future (it is %(year)s now).")
                % {"year": this_year},
                code="future",
            )
        return year

    def clean_registry_number(self):
        number = "".join(self.cleaned_data.get("registry_number", "").split()).upper()
        if (
            number
            and NGO.objects.filter(registry_number=number).exclude(pk=self.instance.pk).exists()
        ):
            raise forms.ValidationError(
                _("An NGO with this registry number is already registered in the portal.")
            )
        return number

    def clean(self):
        cleaned = super().clean()
        province = cleaned.get("province")
        district = cleaned.get("district")
        municipality = cleaned.get("municipality")
        if province and district and district.province_id != province.pk:
            self.add_error("district", _("This district is not in the chosen province."))
        if province and municipality and municipality.province_id != province.pk:
            self.add_error("municipality", _("This municipality is not in the chosen province."))
        if cleaned.get("legal_form") in REGISTERED_FORMS and cleaned.get("registry_number") == "":
            self.add_error(
                "registry_number",
                _("Associations and foundations have a registry number (DERBİS or VGM)."),
            )
        if cleaned.get("afad_accredited") and not cleaned.get("afad_group"):
            self.add_error("afad_group", _("Give the accreditation group."))
        if not cleaned.get("afad_accredited"):
            cleaned["afad_group"] = ""
        return cleaned


class NGOProfileForm(NGOForm):
    """NGOForm for editing a registered NGO. When a change of its identity awaits verification
    (``open_change``), the form offers to replace that change with the one typed now."""

    replace_identity_change = forms.BooleanField(
        label=_("Replace the change awaiting verification"),
        required=False,
        help_text=_(
            "Tick this to send the name, legal form, registry number and province typed above for "
            "verification instead of the change that awaits it now."
        ),
    )

    def __init__(self, *args, open_change=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_change = open_change
        if open_change is None:
            del self.fields["replace_identity_change"]


def refreshed_form(form_class, data, **kwargs):
    """The form re-shown with what the user typed but no errors, after "Update the lists".

    Nothing is validated or saved: the typed values become the form's initial values.
    """
    initial = {}
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
            initial[name] = data.getlist(name)
        elif name in data:
            initial[name] = data.get(name)
    return form_class(initial=initial, **kwargs)


class ImportRowForm(NGOForm):
    """NGOForm for one imported row: the same fields and rules, without re-running the model's
    constraints on every row.

    Each of those constraints repeats a rule the form already applies (registry number:
    ``clean_registry_number``; legal form: the field's choices; AFAD group: ``clean``; founding
    year: the field's validators) and checking them again costs about 10 ms a row, minutes for a
    large file. The database still enforces them when the rows are saved.
    """

    def _post_clean(self):
        instance = self.instance
        instance.validate_constraints = lambda exclude=None: None
        try:
            super()._post_clean()
        finally:
            del instance.validate_constraints
