"""The public contact details of a municipality, as its managers edit them."""

from django import forms
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality
from portal.phones import phone_format

PHONE_HELP = _("For example 0442 344 10 00, a 444 line or a short number such as 153.")


class MunicipalityContactsForm(forms.ModelForm):
    """Address, phone, email, website, and the unit that deals with NGOs with its contact.
    Phone numbers are written one way (portal.phones)."""

    website = forms.URLField(
        label=_("Website"), required=False, max_length=200, assume_scheme="https"
    )

    class Meta:
        model = Municipality
        fields = [
            "address",
            "phone",
            "email",
            "website",
            "ngo_unit",
            "ngo_contact_name",
            "ngo_contact_phone",
            "ngo_contact_email",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3, "maxlength": 500})}
        help_texts = {"phone": PHONE_HELP, "ngo_contact_phone": PHONE_HELP}

    def _phone(self, name):
        try:
            return phone_format(self.cleaned_data[name])
        except ValueError:
            raise forms.ValidationError(
                _("This is not a Turkish phone number. %(help)s") % {"help": PHONE_HELP},
                code="phone",
            ) from None

    def clean_phone(self):
        return self._phone("phone")

    def clean_ngo_contact_phone(self):
        return self._phone("ngo_contact_phone")

    def clean_address(self):
        return "\n".join(line.strip() for line in self.cleaned_data["address"].strip().splitlines())

    def clean(self):
        cleaned = super().clean()
        for name in ("ngo_unit", "ngo_contact_name"):
            if name in cleaned:
                cleaned[name] = " ".join(cleaned[name].split())
        return cleaned
