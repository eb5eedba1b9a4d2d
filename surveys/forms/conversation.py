"""The message form of a case's conversation (both sides write with it)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms.fields import AttachmentsField, attachments_help


class MessageForm(forms.Form):
    """A message with optional files; a refused file keeps the typed text in the form."""

    text = forms.CharField(
        label=_("Your message"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    files = AttachmentsField(label=_("Attach files"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_message_%s")
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = attachments_help(self.fields["files"])
