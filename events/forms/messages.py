"""The form of a coordinator's message to a programme's registrants."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.models import ProgrammeMessage


class ProgrammeMessageForm(forms.ModelForm):
    """Recipients, subject and text; each recipient choice says how many people it reaches."""

    class Meta:
        model = ProgrammeMessage
        fields = ["audience", "subject", "body"]
        widgets = {
            "audience": forms.RadioSelect,
            "body": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "body": _(
                "Each recipient gets it on their notifications and, unless they turned "
                "programme emails off, by email."
            ),
        }

    def __init__(self, *args, counts: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = [
            (
                value,
                gettext("%(audience)s (%(count)s)") % {"audience": label, "count": counts[value]},
            )
            for value, label in ProgrammeMessage.Audience.choices
        ]
        self.fields["audience"].initial = ProgrammeMessage.Audience.ALL

    def clean_subject(self):
        return " ".join(self.cleaned_data["subject"].split())

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Please write the message."))
        return body
