"""A municipality's reusable answers (answer templates)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality
from surveys.models import AnswerTemplate
from surveys.services.answer_templates import PLACEHOLDERS, unknown_placeholders


class AnswerTemplateForm(forms.ModelForm):
    """A municipality's reusable answer; an active title may be used once per municipality."""

    class Meta:
        model = AnswerTemplate
        fields = ["municipality", "title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "body": _(
                "You may write {ngo}, {title} and {municipality}: when the template is inserted "
                "into an answer they become the NGO's name, the expectation's title and your "
                "municipality's name."
            )
        }

    def __init__(self, *args, municipality_ids, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        field.queryset = Municipality.objects.filter(pk__in=municipality_ids).order_by("name_sort")
        field.empty_label = None
        if len(municipality_ids) == 1:
            field.widget = forms.HiddenInput()
            field.initial = next(iter(municipality_ids))

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def clean_body(self):
        body = self.cleaned_data["body"]
        unknown = unknown_placeholders(body)
        if unknown:
            raise forms.ValidationError(
                _("Unknown placeholder %(unknown)s: only %(known)s are filled in.")
                % {
                    "unknown": ", ".join(f"{{{name}}}" for name in unknown),
                    "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
                },
                code="unknown_placeholder",
            )
        return body

    def clean(self):
        cleaned = super().clean()
        municipality, title = cleaned.get("municipality"), cleaned.get("title")
        # The database allows one active template per title and municipality; a retired one
        # keeps its title free.
        if municipality and title and (self.instance.pk is None or self.instance.is_active):
            duplicates = AnswerTemplate.objects.filter(
                municipality=municipality, title=title, is_active=True
            ).exclude(pk=self.instance.pk)
            if duplicates.exists():
                self.add_error(
                    "title",
                    _("%(municipality)s already has an answer template with this title.")
                    % {"municipality": municipality.name},
                )
        return cleaned
