"""The campaign form of national coordinators."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.models import Campaign, Category

# Paths under /surveys/ that a campaign code must not take.
RESERVED_CODES = {"new"}


class CampaignForm(forms.ModelForm):
    """National coordinators create and edit campaigns; times are in Europe/Istanbul."""

    class Meta:
        model = Campaign
        fields = [
            "title",
            "code",
            "instructions",
            "is_national",
            "subregions",
            "opens_at",
            "closes_at",
            "categories",
        ]
        widgets = {
            "instructions": forms.Textarea(attrs={"rows": 6}),
            "subregions": forms.CheckboxSelectMultiple,
            "categories": forms.CheckboxSelectMultiple,
            "opens_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "closes_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("opens_at", "closes_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
            self.fields[name].help_text = _("Türkiye time (Europe/Istanbul).")
        self.fields["categories"].queryset = Category.objects.filter(is_active=True).select_related(
            "theme"
        )
        self.fields["categories"].label_from_instance = lambda c: f"{c.code} — {c.label}"
        if not self.instance.pk:
            self.initial.setdefault(
                "categories",
                list(Category.objects.filter(is_active=True).values_list("pk", flat=True)),
            )

    def clean_code(self):
        code = self.cleaned_data["code"].lower()
        if code in RESERVED_CODES:
            raise forms.ValidationError(_("This code is reserved; choose another one."))
        return code

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The campaign must close after it opens."))
        if not cleaned.get("is_national") and not cleaned.get("subregions"):
            self.add_error(
                "subregions", _("Choose the sub-regions, or make the campaign national.")
            )
        if cleaned.get("is_national"):
            cleaned["subregions"] = []
        if (
            self.instance.pk
            and self.instance.submissions.exists()
            and closes
            and closes < timezone.now()
            and self.instance.closes_at >= timezone.now()
        ):
            self.add_error(
                "closes_at",
                _("To stop an open campaign that already has submissions, use “Close now”."),
            )
        return cleaned
