"""The contact sheet's query form: a province and, optionally, one of its districts."""

from django import forms
from django.utils.translation import gettext_lazy as _

from municipalities.models import District, Province


class ContactSheetForm(forms.Form):
    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.order_by("name_sort"),
        empty_label=_("Choose a province"),
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.all(),
        required=False,
        empty_label=_("The whole province"),
        help_text=_("Narrow a large province to one district."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The select offers the chosen province's districts only (any id is validated).
        plate = self.data.get("province") if self.is_bound else None
        district = self.fields["district"]
        if plate and str(plate).isdigit():
            district.widget.choices = [
                ("", district.empty_label),
                *District.objects.filter(province=int(plate))
                .order_by("name_sort")
                .values_list("pk", "name"),
            ]
        else:
            district.widget.choices = [("", district.empty_label)]

    def clean(self):
        data = super().clean()
        province, district = data.get("province"), data.get("district")
        if province and district and district.province_id != province.pk:
            self.add_error("district", _("This district is not in the chosen province."))
        return data
