"""The coordinator's decision on an NGO's verification."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ngos.models import VerificationStatus
from ngos.services.verification import REASON_ACTIONS, StatusAction


class NGOStatusForm(forms.Form):
    """One action (verify, reject, …) with its reason, and the status the coordinator saw.

    ``current_status`` lets the service refuse a decision taken on a stale page. Given an
    ``action``, the form is the button of that action: the reason field is kept only where a
    reason is required.
    """

    action = forms.ChoiceField(choices=StatusAction.choices, widget=forms.HiddenInput)
    current_status = forms.ChoiceField(choices=VerificationStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the NGO's administrators and sent to them by email."),
        error_messages={"required": _("Please give a reason: it is shown to the NGO.")},
    )

    def __init__(self, *args, action=None, **kwargs):
        if action is not None:
            kwargs.setdefault("auto_id", f"id_{action}_%s")
            kwargs.setdefault("initial", {}).setdefault("action", action)
        super().__init__(*args, **kwargs)
        shown_action = action or self.data.get("action")
        if shown_action in REASON_ACTIONS:
            self.fields["reason"].required = True
        elif action is not None:
            del self.fields["reason"]

    @property
    def action_value(self):
        """The action this form carries: the typed one when bound, else the initial one."""
        return self["action"].value()

    @property
    def top_errors(self):
        """Errors not shown beside a visible field: the form's own and its hidden fields'."""
        errors = list(self.non_field_errors())
        for field in self.hidden_fields():
            errors.extend(field.errors)
        return errors

    @property
    def needs_reason(self):
        return self.action_value in REASON_ACTIONS

    @property
    def action_label(self):
        return (
            StatusAction(self.action_value).label
            if self.action_value in StatusAction.values
            else ""
        )

    def clean_reason(self):
        return self.cleaned_data["reason"].strip()


class IdentityChangeDecisionForm(forms.Form):
    """Approve or reject a change of identity: the button pressed, and the reason a rejection
    needs (it is sent to the NGO)."""

    APPROVE = "approve"
    REJECT = "reject"

    decision = forms.ChoiceField(
        choices=[(APPROVE, _("Approve the change")), (REJECT, _("Reject the change"))],
        error_messages={"required": _("Choose whether to approve or reject the change.")},
    )
    reason = forms.CharField(
        label=_("Reason for a rejection"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Needed to reject: shown to the NGO's administrators and sent to them by email."
        ),
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == self.APPROVE

    def clean(self):
        cleaned = super().clean()
        cleaned["reason"] = cleaned.get("reason", "").strip()
        if cleaned.get("decision") == self.REJECT and not cleaned["reason"]:
            self.add_error("reason", _("Please give a reason: it is shown to the NGO."))
        return cleaned
