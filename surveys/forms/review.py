"""Forms of the case page (municipal staff) and of the NGO's side of a case.

Every case form carries the review version the page was rendered with (a hidden field): the
service compares it with the case's current version and refuses a stale action (ReviewConflict).
The rules of the workflow (transitions, reason required, …) live in surveys.services.review; the
forms only limit the choices to what the user may pick.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality
from portal.forms.fields import AttachmentsField, PersonChoiceField, attachments_help
from surveys.models import ExpectationStatus
from surveys.services.review import (
    allowed_statuses,
    past_target_date_message,
    referral_targets,
    target_date_in_past,
)


class CaseForm(forms.Form):
    """A form acting on one case, with the review version the user loaded."""

    # Five forms share the page: each gets its own element ids (the field names stay plain).
    form_name = "case"
    review_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, case, **kwargs):
        self.case = case
        kwargs.setdefault("auto_id", f"id_{self.form_name}_%s")
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("review_version", case.review_version)
        super().__init__(*args, **kwargs)

    def clean_review_version(self):
        """A missing or garbled version counts as out of date (0), so it ends in a conflict."""
        value = (self.cleaned_data.get("review_version") or "").strip()
        return int(value) if value.isdigit() else 0

    def for_current(self, case):
        """The same form, still holding what the user typed, bound to the case as it is now:
        after a conflict, the next submission deliberately applies to the state now shown."""
        data = self.data.copy()
        data[self.add_prefix("review_version")] = str(case.review_version)
        return type(self)(data, case=case)


class StatusForm(CaseForm):
    """Move the case to one of the statuses allowed from where it is."""

    form_name = "status"

    to_status = forms.ChoiceField(label=_("New status"))
    text = forms.CharField(
        label=_("Reason, closing note or comment"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The NGO reads it. Required when declining (the reason) and when completing "
            "(what was done)."
        ),
    )
    target_date = forms.DateField(
        label=_("Target date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Required for “Planned”."),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        allowed = set(allowed_statuses(case))
        # In the workflow's order (new → under review → … → completed), not alphabetical.
        self.fields["to_status"].choices = [
            (status.value, status.label) for status in ExpectationStatus if status in allowed
        ]
        self.fields["target_date"].widget.attrs["min"] = timezone.localdate().isoformat()

    def clean(self):
        cleaned = super().clean()
        planned = cleaned.get("to_status") == ExpectationStatus.PLANNED
        if planned and target_date_in_past(cleaned.get("target_date")):
            self.add_error("target_date", past_target_date_message())
        return cleaned


class AnswerForm(CaseForm):
    """A public answer to the NGO."""

    form_name = "answer"

    text = forms.CharField(
        label=_("Answer to the NGO"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The NGO's administrators read it and are notified."),
    )
    files = AttachmentsField(label=_("Attach files"))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["files"].help_text = attachments_help(self.fields["files"])


class NoteForm(CaseForm):
    """An internal note: only the municipality's staff read it."""

    form_name = "note"

    text = forms.CharField(
        label=_("Internal note"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Visible only to your municipality's staff — never to the NGO."),
    )


class AssignForm(CaseForm):
    """Assign the case to a colleague of its municipality, or to nobody."""

    form_name = "assign"

    assignee = PersonChoiceField(
        label=_("Assign to"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Nobody"),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["assignee"].queryset = (
            get_user_model()
            .objects.filter(municipal_roles__municipality=case.municipality_id, is_active=True)
            .distinct()
        )
        self.initial.setdefault("assignee", case.assigned_to_id)


class ReferForm(CaseForm):
    """Send the case to another municipality of the same province, with a reason."""

    form_name = "refer"

    to_municipality = forms.ModelChoiceField(
        label=_("Refer to"), queryset=Municipality.objects.none()
    )
    text = forms.CharField(
        label=_("Reason for the referral"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The NGO and the receiving municipality read it."),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["to_municipality"].queryset = referral_targets(case)


class DisputeForm(forms.Form):
    """The NGO says a completed case is not done."""

    text = forms.CharField(
        label=_("What is not done?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The municipality reads it; the case is reopened as under review."),
    )
