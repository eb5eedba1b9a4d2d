"""Forms of cooperation protocols: the draft's content, its parties and commitments, and the
decisions (propose, accept, decline, terminate).

Every form acting on a protocol carries the ``version`` the page was rendered with (a hidden
field); the service compares it with the protocol's current version and refuses a stale write
(ProtocolConflict). The rules of the lifecycle live in cooperation.services.protocols; the forms
limit the choices to what the user may pick and check files.
"""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from cooperation.models import MAX_QUANTITY, ServiceGroup
from municipalities.models import District, Municipality
from ngos.models import NGO, CapabilityKind, CapacityUnit
from portal.access import roles_of
from portal.attachments import attachment_check
from portal.choices import Hazard
from portal.models import Attachment
from surveys.models import Phase

PDF_MAGIC = b"%PDF-"


class VersionedForm(forms.Form):
    """A form acting on one protocol, with the version the user loaded."""

    form_name = "protocol"
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, protocol=None, **kwargs):
        self.protocol = protocol
        kwargs.setdefault("auto_id", f"id_{self.form_name}_%s")
        kwargs.setdefault("initial", {})
        if protocol is not None:
            kwargs["initial"].setdefault("version", protocol.version)
        super().__init__(*args, **kwargs)

    def clean_version(self):
        """A missing or garbled version counts as out of date (0), so it ends in a conflict."""
        value = (self.cleaned_data.get("version") or "").strip()
        return int(value) if value.isdigit() else 0

    def for_current(self, protocol, **kwargs):
        """The same form, still holding what the user typed, bound to the protocol as it is
        now: after a conflict, the next submission applies to the state now shown."""
        data = self.data.copy()
        data[self.add_prefix("version")] = str(protocol.version)
        return type(self)(data, self.files or None, protocol=protocol, **kwargs)


class ProtocolForm(VersionedForm):
    """The content of a draft: scope, dates, the municipality's commitments, the document."""

    form_name = "content"

    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), empty_label=None
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    subject = forms.CharField(
        label=_("Subject"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the parties cooperate on, in a few sentences."),
    )
    hazards = forms.MultipleChoiceField(
        label=_("Hazards"), choices=Hazard.choices, widget=forms.CheckboxSelectMultiple
    )
    phases = forms.MultipleChoiceField(
        label=_("Phases"), choices=Phase.choices, widget=forms.CheckboxSelectMultiple
    )
    districts = forms.ModelMultipleChoiceField(
        label=_("Districts covered"),
        queryset=District.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave them all unticked if the protocol covers the whole province."),
    )
    service_group = forms.ModelChoiceField(
        label=_("AFAD TAMP working group"),
        queryset=ServiceGroup.objects.filter(is_active=True).order_by("order", "name_sort"),
        required=False,
        empty_label=_("None"),
    )
    starts_on = forms.DateField(
        label=_("Start date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        label=_("End date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Both dates are needed before the protocol is proposed."),
    )
    municipal_commitments = forms.CharField(
        label=_("What the municipality commits"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One commitment per line."),
    )
    document = forms.FileField(
        label=_("Signed document (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    remove_document = forms.BooleanField(label=_("Remove the document"), required=False)
    expectation = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, protocol=None, **kwargs):
        self.user = user
        if protocol is not None:
            kwargs.setdefault("initial", {}).update(
                {
                    "municipality": protocol.municipality_id,
                    "title": protocol.title,
                    "subject": protocol.subject,
                    "hazards": protocol.hazards,
                    "phases": protocol.phases,
                    "districts": [d.pk for d in protocol.districts.all()],
                    "service_group": protocol.service_group_id,
                    "starts_on": protocol.starts_on,
                    "ends_on": protocol.ends_on,
                    "municipal_commitments": "\n".join(
                        c.text for c in protocol.municipal_commitments.all()
                    ),
                    **kwargs.get("initial", {}),
                }
            )
        super().__init__(*args, protocol=protocol, **kwargs)
        roles = roles_of(user)
        if protocol is not None:
            municipalities = Municipality.objects.filter(pk=protocol.municipality_id)
        else:
            municipalities = Municipality.objects.filter(pk__in=roles.municipality_ids)
        municipalities = list(municipalities.select_related("province").order_by("name_sort"))
        self.fields["municipality"].queryset = Municipality.objects.filter(
            pk__in=[m.pk for m in municipalities]
        )
        self.fields["municipality"].choices = [(m.pk, m.name) for m in municipalities]
        if len(municipalities) == 1:
            self.fields["municipality"].widget = forms.HiddenInput()
            self.fields["municipality"].initial = municipalities[0].pk
        self.fields["districts"].queryset = District.objects.filter(
            province__in={m.province_id for m in municipalities}
        ).order_by("name_sort")
        # Written per request (in its language): a lazy text formatted at import would be frozen
        # in the language active then.
        size = filesizeformat(settings.PROTOCOL_DOCUMENT_MAX_BYTES)
        self.fields["document"].help_text = _(
            "Optional: the scanned, signed protocol, a PDF file of at most %(size)s."
        ) % {"size": size}
        if protocol is None or protocol.document is None:
            del self.fields["remove_document"]
        else:
            self.fields["document"].widget = forms.FileInput(attrs={"accept": "application/pdf"})
            self.fields["document"].help_text = _(
                "Choose a file only to replace the current document (a PDF of at most %(size)s)."
            ) % {"size": size}

    def clean_document(self):
        """A PDF (by its name and its first bytes) no larger than the limit, as a checked file
        ready to store (``portal.attachments.CheckedFile``)."""
        upload = self.cleaned_data.get("document")
        if not upload:
            return None
        limit = settings.PROTOCOL_DOCUMENT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the largest accepted is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        if not upload.name.lower().endswith(".pdf"):
            raise forms.ValidationError(_("Upload the document as a PDF file (.pdf)."))
        start = upload.read(len(PDF_MAGIC))
        upload.seek(0)
        if start != PDF_MAGIC:
            raise forms.ValidationError(
                _("This file is not a PDF document, even if its name ends in .pdf.")
            )
        # Stored as an attachment (portal/attachments.py): checked and named there too.
        return attachment_check(upload, allowed={Attachment.MediaType.PDF})

    def clean(self):
        data = super().clean()
        municipality = data.get("municipality")
        if municipality is not None:
            outside = [
                d.name
                for d in data.get("districts") or []
                if d.province_id != municipality.province_id
            ]
            if outside:
                self.add_error(
                    "districts",
                    _("These districts are not in the municipality's province: %(names)s.")
                    % {"names": ", ".join(outside)},
                )
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The end date is before the start date."))
        return data

    def commitment_lines(self) -> list[str]:
        text = self.cleaned_data.get("municipal_commitments") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def for_current(self, protocol, **kwargs):
        return super().for_current(protocol, user=self.user, **kwargs)


class PartyAddForm(VersionedForm):
    """Add a verified NGO (picked from the search results of the protocol page) as a party."""

    form_name = "party"
    ngo = forms.ModelChoiceField(
        queryset=NGO.objects.verified(), widget=forms.HiddenInput, label=_("NGO")
    )


class CommitmentForm(VersionedForm):
    """What one NGO party commits; its capability is one of the NGO's declared ones."""

    form_name = "commitment"

    capability = forms.ChoiceField(label=_("From its declared capabilities"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind of help"),
        required=False,
        choices=[("", _("As in the capability")), *CapabilityKind.choices],
    )
    quantity = forms.IntegerField(
        label=_("Quantity"), required=False, min_value=0, max_value=MAX_QUANTITY
    )
    unit = forms.ChoiceField(
        label=_("Unit"), required=False, choices=[("", "—"), *CapacityUnit.choices]
    )
    people = forms.IntegerField(
        label=_("People"), required=False, min_value=0, max_value=MAX_QUANTITY
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, party, **kwargs):
        self.party = party
        self.form_name = f"commitment_{party.pk}"
        super().__init__(*args, **kwargs)
        # The NGO's capabilities come prefetched with the page's parties.
        self.capabilities = {str(c.pk): c for c in party.ngo.capabilities.all()}
        self.fields["capability"].choices = [
            ("", _("None: described below")),
            *(
                (
                    key,
                    f"{c.get_kind_display()} · {c.get_hazard_display()} · "
                    f"{c.quantity} {c.get_unit_display()}",
                )
                for key, c in self.capabilities.items()
            ),
        ]

    def clean_capability(self):
        return self.capabilities.get(self.cleaned_data.get("capability") or "")

    def for_current(self, protocol, **kwargs):
        return super().for_current(protocol, party=self.party, **kwargs)


class DecisionForm(VersionedForm):
    """An NGO administrator accepts or declines for one of their NGOs that is a party."""

    form_name = "decision"

    ngo = forms.TypedChoiceField(label=_("For the NGO"), coerce=int)
    reason = forms.CharField(
        label=_("Reason for declining"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed only to decline; the municipality reads it."),
    )

    def __init__(self, *args, ngos, **kwargs):
        self.ngos = {ngo.pk: ngo for ngo in ngos}
        super().__init__(*args, **kwargs)
        self.fields["ngo"].choices = [(pk, ngo.name) for pk, ngo in self.ngos.items()]
        if len(self.ngos) == 1:
            self.fields["ngo"].widget = forms.HiddenInput()
            self.fields["ngo"].initial = next(iter(self.ngos))

    def clean_ngo(self):
        return self.ngos.get(self.cleaned_data.get("ngo"))

    def for_current(self, protocol, **kwargs):
        return super().for_current(protocol, ngos=list(self.ngos.values()), **kwargs)


class TerminateForm(VersionedForm):
    """A manager ends a protocol in force, with a reason."""

    form_name = "terminate"

    reason = forms.CharField(
        label=_("Reason for ending the protocol"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The NGO parties read it."),
    )
