"""The user's choice of emails, limited to the kinds that concern their roles."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import EmailPreferences

# Emails about the expectations of the user's NGOs.
NGO_FIELDS = ["answers", "status_changes", "referrals", "completions"]
# The digest of new and overdue cases of the user's municipalities.
MUNICIPAL_FIELDS = ["digest"]
# Messages in the conversation of a case: for both sides of it.
CONVERSATION_FIELDS = ["case_messages"]
# Regional programme registrations: everyone may register.
COMMON_FIELDS = ["events"]


class EmailPreferencesForm(forms.ModelForm):
    """One checkbox per kind of email; only the groups relevant to ``roles`` are shown, and the
    others keep their stored values."""

    class Meta:
        model = EmailPreferences
        fields = [*NGO_FIELDS, *MUNICIPAL_FIELDS, *CONVERSATION_FIELDS, *COMMON_FIELDS]
        help_texts = {
            "answers": _("When a municipality writes a public answer to one of them."),
            "status_changes": _("When a municipality changes the status of one of them."),
            "referrals": _("When one of them is referred to another municipality."),
            "completions": _("When a municipality completes one; your NGO is asked to confirm."),
            "digest": _("One email for all of them, only when there is something new or overdue."),
            "case_messages": _(
                "When the other side (the NGO or the municipality) writes in the conversation of "
                "a case you take part in."
            ),
            "events": _("Confirmations, waiting-list places and changes of your registrations."),
        }

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles = roles
        hidden = []
        if not roles.is_ngo_member:
            hidden += NGO_FIELDS
        if not roles.is_municipal_staff:
            hidden += MUNICIPAL_FIELDS
        if not (roles.is_ngo_member or roles.is_municipal_staff):
            hidden += CONVERSATION_FIELDS
        for name in hidden:
            del self.fields[name]

    def groups(self):
        """The shown fields in titled groups (title, explanation, bound fields), for the
        template's fieldsets."""
        ngo_note = (
            ""
            if self.roles.is_ngo_admin
            else _(
                "These emails go to your NGO's administrators; your choices apply if you become "
                "one."
            )
        )
        groups = [
            (_("Your NGOs' expectations"), ngo_note, NGO_FIELDS),
            (_("Your municipalities' cases"), "", MUNICIPAL_FIELDS),
            (_("Conversations on cases"), "", CONVERSATION_FIELDS),
            (_("Regional programmes"), "", COMMON_FIELDS),
        ]
        return [
            (title, note, [self[name] for name in names if name in self.fields])
            for title, note, names in groups
            if any(name in self.fields for name in names)
        ]
