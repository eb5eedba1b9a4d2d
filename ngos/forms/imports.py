"""The upload form of the bulk NGO import."""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ngos.services.imports import (
    MAX_UPLOAD_BYTES,
    MAX_WEB_ROWS,
    ImportFileError,
    import_file_parse,
)


class NGOImportUploadForm(forms.Form):
    """A CSV file; a valid form holds the parsed file in ``table``."""

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Up to 5 MB and 5,000 rows, separated by semicolons or commas, saved by Excel "
            "(Windows-1254) or as UTF-8. For larger files, ask a site administrator to use "
            "the import command."
        ),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # The size is known from the request before the file is read.
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                gettext("The file is %(size)s; files of at most %(max)s can be imported here.")
                % {"size": filesizeformat(upload.size), "max": filesizeformat(MAX_UPLOAD_BYTES)}
            )
        try:
            self.table = import_file_parse(upload.read(), max_rows=MAX_WEB_ROWS)
        except ImportFileError as error:
            raise forms.ValidationError(error.messages) from None
        return upload
