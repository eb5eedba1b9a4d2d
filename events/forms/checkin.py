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


class CheckinCodeForm(forms.Form):
    """A personal check-in code, typed from the person's confirmation or read by the camera
    (which sends the QR code's whole URL)."""

    code = forms.CharField(
        label=_("Check-in code"),
        max_length=500,
        help_text=_(
            "The code under the person's QR code, for example 0000-4ABC-DEFG (dashes and case "
            "do not matter)."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "inputmode": "text",
            }
        ),
    )


class WalkInForm(forms.Form):
    """A person registered at the door: name, e-mail address and the organisation they attend
    for (NGOs and municipalities of the programme's sub-region)."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_(
            "Their portal account is found or created with this address; with it they can "
            "later download their attendance certificate."
        ),
    )
    organisation = forms.ChoiceField(label=_("Attends on behalf of"))

    def __init__(self, *args, ngos, municipalities, **kwargs):
        """``ngos`` and ``municipalities``: the querysets the person may attend for."""
        super().__init__(*args, **kwargs)
        self.querysets = {"ngo": ngos, "municipality": municipalities}
        self.fields["organisation"].choices = [
            ("", _("Choose an organisation")),
            (_("NGOs"), [(f"ngo-{pk}", name) for pk, name in ngos.values_list("pk", "name")]),
            (
                _("Municipalities"),
                [
                    (f"municipality-{pk}", name)
                    for pk, name in municipalities.values_list("pk", "name")
                ],
            ),
        ]

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Enter the person's name."), code="required")
        return name

    def clean_organisation(self):
        """The chosen NGO or Municipality (from the allowed querysets)."""
        kind, pk = self.cleaned_data["organisation"].split("-")
        organisation = self.querysets[kind].filter(pk=pk).first()
        if organisation is None:
            raise forms.ValidationError(
                _("This organisation no longer exists."), code="invalid_choice"
            )
        return organisation

    def service_kwargs(self) -> dict:
        """The arguments of ``event_register_walk_in`` from the form."""
        organisation = self.cleaned_data["organisation"]
        is_ngo = organisation._meta.model_name == "ngo"
        return {
            "full_name": self.cleaned_data["full_name"],
            "email": self.cleaned_data["email"],
            "ngo": organisation if is_ngo else None,
            "municipality": None if is_ngo else organisation,
        }
