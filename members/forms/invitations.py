"""The form to invite an email address to an organisation with one of its roles."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.services.invitations import normalise_email


class InvitationForm(forms.Form):
    """An email address and the role offered to it (NGO: admin/member; municipality:
    staff/manager, or manager only for a coordinator appointing one)."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("The invitation can only be accepted by an account with this address."),
    )
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = list(roles)
        if len(self.fields["role"].choices) == 1:
            self.fields["role"].initial = self.fields["role"].choices[0][0]

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])
