"""Forms to invite someone to an organisation and to change a member's role.

Both take the organisation's role choices (NGO: admin/member; municipality: staff/manager), so
the municipal staff page uses them too.
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.services import normalise_email


class InvitationForm(forms.Form):
    """An email address and the role offered to it."""

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


class RoleForm(forms.Form):
    """A member's new role; shown in each row of a member list, labelled by the member's name."""

    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, roles, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = list(roles)
        if person is not None:
            self.fields["role"].widget.attrs["aria-label"] = gettext("Role of %(person)s") % {
                "person": person
            }
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.form_show_labels = False
        self.helper.disable_csrf = True
