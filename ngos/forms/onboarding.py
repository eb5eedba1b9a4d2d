"""Forms of NGO onboarding: asking to join an NGO and deciding on such a request."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ngos.models import NGO, JoinRequest


class JoinRequestForm(forms.ModelForm):
    """The confirmation of a join request, with an optional note to the administrators."""

    class Meta:
        model = JoinRequest
        fields = ["message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 4, "maxlength": 1000})}
        help_texts = {
            "message": _(
                "Optional. Tell the administrators who you are and what you do in the organisation."
            )
        }

    def clean_message(self):
        return self.cleaned_data["message"].strip()


class JoinRequestDecisionForm(forms.Form):
    """Approve or refuse: the value of the button the administrator pressed."""

    APPROVE = "approve"
    REFUSE = "refuse"

    action = forms.ChoiceField(choices=[(APPROVE, _("Approve")), (REFUSE, _("Refuse"))])

    @property
    def approve(self) -> bool:
        return self.cleaned_data["action"] == self.APPROVE


def ngo_with_same_registry_number(form) -> NGO | None:
    """The NGO already registered with the number typed in a bound NGOForm that was refused for
    it, so that the page can suggest asking to join that NGO instead."""
    if not form.is_bound or "registry_number" not in form.errors:
        return None
    number = "".join(form.data.get(form.add_prefix("registry_number"), "").split()).upper()
    # The raw value was refused for some reason; one a database cannot hold (a NUL byte on
    # PostgreSQL) or longer than the column can match no NGO.
    if (
        not number
        or "\x00" in number
        or len(number) > NGO._meta.get_field("registry_number").max_length
    ):
        return None
    return NGO.objects.filter(registry_number=number).exclude(pk=form.instance.pk).first()
