"""Account forms: the sign-up extras and the user's own profile."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.models import User


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (allauth calls ``signup`` after creating the user)."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=settings.LANGUAGES, initial="tr"
    )
    privacy_notice = forms.BooleanField(
        label=_("I have read the privacy notice (aydınlatma metni)."),
        error_messages={"required": _("Please confirm that you have read the privacy notice.")},
    )
    field_order = [
        "full_name",
        "email",
        "password1",
        "password2",
        "preferred_language",
        "privacy_notice",
    ]

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Please enter your full name."))
        return name

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"]
        user.preferred_language = self.cleaned_data["preferred_language"]
        user.save(update_fields=["full_name", "preferred_language"])
        from portal.adapters import forget_invited_email
        from portal.duties import acknowledge_privacy_notice

        acknowledge_privacy_notice(user, request=request)
        forget_invited_email(request)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "preferred_language"]

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Please enter your full name."))
        return name


class PrivacyAcknowledgementForm(forms.Form):
    acknowledged = forms.BooleanField(
        label=_("I have read the privacy notice (aydınlatma metni)."),
        error_messages={"required": _("Please confirm that you have read the privacy notice.")},
    )
