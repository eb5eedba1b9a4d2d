"""Form fields shared by the apps."""

from django import forms
from django.forms.models import ModelChoiceIterator

from portal.models import person_sort_key


class PersonChoiceIterator(ModelChoiceIterator):
    """The people of the queryset in Turkish alphabetical order of their names."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for user in sorted(self.queryset, key=person_sort_key):
            yield self.choice(user)


class PersonChoiceField(forms.ModelChoiceField):
    """A choice of one person, listed by name in Turkish order (the database cannot sort them)."""

    iterator = PersonChoiceIterator

    def label_from_instance(self, obj):
        return str(obj)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to ``max_files`` files, each checked by ``portal.attachments.attachment_check`` (type
    from the content, size, images re-encoded without metadata): cleans to a list of
    ``CheckedFile``. Refusals name the file; every refused file is listed."""

    def __init__(self, *, max_files=5, allowed=None, **kwargs):
        from portal.attachments import ACCEPT, ALL_TYPES

        self.max_files = max_files
        self.allowed = allowed or ALL_TYPES
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def to_python(self, data):
        return data

    def clean(self, data, initial=None):
        from django.core.exceptions import ValidationError
        from django.utils.translation import ngettext

        from portal.attachments import attachment_check

        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > self.max_files:
            raise ValidationError(
                ngettext(
                    "Attach at most %(count)d file at a time.",
                    "Attach at most %(count)d files at a time.",
                    self.max_files,
                ),
                code="too_many",
                params={"count": self.max_files},
            )
        checked, errors = [], []
        for upload in uploads:
            try:
                checked.append(attachment_check(upload, allowed=self.allowed))
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)
        return checked


def attachments_help(field: AttachmentsField) -> str:
    """The help text of an attachments field, written per request (in its language) from the
    settings: the accepted types, how many files and how large."""
    from django.conf import settings
    from django.template.defaultfilters import filesizeformat
    from django.utils.translation import gettext as _

    from portal.attachments import types_label

    return _("Optional: %(types)s; up to %(count)d files of at most %(size)s each.") % {
        "types": types_label(field.allowed),
        "count": field.max_files,
        "size": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
    }
