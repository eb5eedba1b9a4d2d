"""The public form that checks an attendance certificate's verification code."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CertificateVerifyForm(forms.Form):
    """A verification code, as printed on a certificate."""

    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        help_text=_("As printed on the certificate, for example 0000-4ABC-DEFG."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
