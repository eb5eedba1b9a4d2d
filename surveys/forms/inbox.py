"""The review inbox's bulk actions on a selection of cases."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms.fields import PersonChoiceField
from surveys.models import AnswerTemplate, ExpectationStatus
from surveys.services.review import past_target_date_message, target_date_in_past

BULK_STATUS, BULK_ASSIGN, BULK_ANSWER = "status", "assign", "answer"


class IdListField(forms.Field):
    """The ids of the ticked checkboxes (``name="ids"``, one value each)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one case."),
        "invalid": _("The selection is not valid."),
    }

    def to_python(self, value):
        if not value:
            return []
        try:
            ids = list(dict.fromkeys(int(item) for item in value))
        except (TypeError, ValueError) as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error
        # Beyond a database integer, a lookup would fail instead of finding nothing.
        if any(not 0 < pk < 2**63 for pk in ids):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return ids


class BulkActionForm(forms.Form):
    """One action applied to each selected case: set a status, assign, or answer from a
    template. Colleagues and templates are those of the user's municipalities."""

    ids = IdListField()
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            ("", _("Choose an action")),
            (BULK_STATUS, _("Set status")),
            (BULK_ASSIGN, _("Assign to a colleague")),
            (BULK_ANSWER, _("Answer from a template")),
        ],
    )
    to_status = forms.ChoiceField(
        label=_("New status"),
        required=False,
        choices=[("", "---------")]
        + [
            (value, label)
            for value, label in ExpectationStatus.choices
            # No case goes back to "new"; referral has its own action on the case page.
            if value not in (ExpectationStatus.NEW, ExpectationStatus.REFERRED)
        ],
    )
    text = forms.CharField(
        label=_("Reason or note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for declining (the reason) and completing (a closing note)."),
    )
    target_date = forms.DateField(
        label=_("Target date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Required for “planned”."),
    )
    assignee = PersonChoiceField(
        label=_("Colleague"), required=False, queryset=get_user_model().objects.none()
    )
    template = forms.ModelChoiceField(
        label=_("Answer template"), required=False, queryset=AnswerTemplate.objects.none()
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, municipality_ids, **kwargs):
        super().__init__(*args, **kwargs)
        several = len(municipality_ids) > 1
        self.fields["target_date"].widget.attrs["min"] = timezone.localdate().isoformat()
        self.fields["assignee"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, municipal_roles__municipality__in=municipality_ids)
            .distinct()
        )
        self.fields["template"].queryset = (
            AnswerTemplate.objects.filter(municipality__in=municipality_ids, is_active=True)
            .select_related("municipality")
            .order_by("municipality__name_sort", "title")
        )
        if several:
            self.fields["template"].label_from_instance = lambda t: (
                f"{t.title} ({t.municipality.name})"
            )

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        required = {
            BULK_STATUS: ("to_status", _("Choose the new status.")),
            BULK_ASSIGN: ("assignee", _("Choose the colleague.")),
            BULK_ANSWER: ("template", _("Choose the answer template.")),
        }
        if action in required:
            name, message = required[action]
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, message)
        planned = action == BULK_STATUS and cleaned.get("to_status") == ExpectationStatus.PLANNED
        if planned and target_date_in_past(cleaned.get("target_date")):
            self.add_error("target_date", past_target_date_message())
        return cleaned

    def service_arguments(self) -> dict:
        """The keyword arguments of the chosen action for ``expectations_bulk``."""
        data = self.cleaned_data
        if data["action"] == BULK_STATUS:
            return {
                "to_status": data["to_status"],
                "text": data["text"],
                "target_date": data["target_date"],
            }
        if data["action"] == BULK_ASSIGN:
            return {"assignee": data["assignee"]}
        # Each case gets the template with its own NGO, title and municipality filled in.
        return {"text": data["template"].body, "fill_placeholders": True}
