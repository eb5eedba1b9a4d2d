"""The form to change the role of someone in an organisation."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


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
