"""Uploading documents to an NGO's profile."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms.fields import AttachmentsField, attachments_help


class NGODocumentsForm(forms.Form):
    files = AttachmentsField(label=_("Documents"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = attachments_help(self.fields["files"])
