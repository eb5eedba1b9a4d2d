"""The five-item editor of a submission."""

from django import forms
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality
from portal.choices import Hazard
from surveys.models import EXPECTATIONS_PER_SUBMISSION, Category
from surveys.services.submission import ItemData, submission_problems


class ItemForm(forms.Form):
    """One ranked expectation. Every field may be empty in a draft."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    description = forms.CharField(
        label=_("Description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you expect from the municipality, and why (up to 2,000 characters)."),
    )
    municipality = forms.ModelChoiceField(
        label=_("Addressed to"), queryset=Municipality.objects.none(), required=False
    )
    hazard = forms.ChoiceField(
        label=_("Related hazard (optional)"),
        choices=[("", _("None"))] + list(Hazard.choices),
        required=False,
    )
    offer = forms.CharField(
        label=_("What your NGO offers in return (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, categories, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.fields["category"].label_from_instance = lambda c: f"{c.code} — {c.label}"
        self.fields["municipality"].queryset = municipalities

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def to_item(self) -> ItemData:
        data = self.cleaned_data
        return ItemData(
            pk=data.get("id"),
            category=data.get("category"),
            title=data.get("title", ""),
            description=(data.get("description") or "").strip(),
            municipality=data.get("municipality"),
            hazard=data.get("hazard", ""),
            offer=(data.get("offer") or "").strip(),
        )

    def has_content(self):
        return not self.to_item().is_empty


class BaseItemFormSet(forms.BaseFormSet):
    def __init__(self, *args, categories, municipalities, **kwargs):
        self.categories = categories
        self.municipalities = municipalities
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"categories": self.categories, "municipalities": self.municipalities}

    @property
    def empty_form(self):
        return self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            use_required_attribute=False,
            **self.get_form_kwargs(None),
        )

    def items(self) -> list[ItemData]:
        return [form.to_item() for form in self.forms]

    def check_submittable(self) -> bool:
        """Add the submission rules' errors (beside the fields where they belong)."""
        if not self.is_valid():
            return False
        # Before add_error(), which drops the field from cleaned_data.
        problems = submission_problems(self.items())
        filled = [form for form in self.forms if form.has_content()]
        for form in filled:
            item = form.to_item()
            for name in ("category", "title", "description", "municipality"):
                if not getattr(item, name):
                    form.add_error(name, _("Required to submit."))
        seen = {}
        for form in filled:
            item = form.to_item()
            key = (item.category, item.municipality, item.title.casefold())
            if key in seen:
                form.add_error(
                    "title",
                    _("Same category, municipality and title as another expectation."),
                )
            seen.setdefault(key, form)
        if problems:
            self._non_form_errors = self.error_class(problems, error_class="nonform")
            return False
        return not any(form.errors for form in self.forms)


ItemFormSet = forms.formset_factory(
    ItemForm,
    formset=BaseItemFormSet,
    extra=0,
    min_num=EXPECTATIONS_PER_SUBMISSION,
    max_num=EXPECTATIONS_PER_SUBMISSION,
    absolute_max=EXPECTATIONS_PER_SUBMISSION,
    validate_max=True,
)
