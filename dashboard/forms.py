"""Forms of the account pages."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class AccountDeleteForm(forms.Form):
    """The user confirms the deletion of their account with their password."""

    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."), code="wrong_password")
        return password
