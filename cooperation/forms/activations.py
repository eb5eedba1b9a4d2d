"""Forms of activations: opening one with its needs, changing a need, calling NGOs, an NGO's
answer, an offer of help, and the officers' small actions. Times are typed in Türkiye time."""

import datetime

from django import forms
from django.forms import modelformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cooperation.models import MAX_QUANTITY, Activation, CallState, Need, Response
from cooperation.services.activations import provinces_of_area
from municipalities.models import District, Municipality
from ngos.models import NGO
from portal.access import roles_of

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
INPUT_FORMATS = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]


def _datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


class ActivationForm(forms.ModelForm):
    """An activation; the municipality and provinces are limited to what the user may open it
    for (the service checks again)."""

    class Meta:
        model = Activation
        fields = [
            "municipality",
            "hazard",
            "title",
            "description",
            "provinces",
            "districts",
            "started_at",
            "severity",
            "is_exercise",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "provinces": forms.SelectMultiple(attrs={"size": 6}),
            "districts": forms.SelectMultiple(attrs={"size": 6}),
            "started_at": _datetime_widget(),
        }
        help_texts = {
            "provinces": _("Hold Ctrl (Cmd on a Mac) to choose several provinces."),
            "districts": _("Optional: the districts hit hardest, in the provinces above."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        roles = roles_of(user)
        municipality = self.fields["municipality"]
        municipality.queryset = Municipality.objects.filter(
            pk__in=roles.municipality_manager_ids
        ).order_by("name_sort")
        municipality.required = not roles.is_coordinator
        municipality.empty_label = (
            _("None: opened by the coordinators for their area") if roles.is_coordinator else None
        )
        if not municipality.required and not municipality.queryset.exists():
            municipality.widget = forms.HiddenInput()
        elif municipality.required and len(roles.municipality_manager_ids) == 1:
            municipality.initial = next(iter(roles.municipality_manager_ids))
        provinces = provinces_of_area(user)
        self.fields["provinces"].queryset = provinces
        districts = self.fields["districts"]
        districts.queryset = (
            District.objects.filter(province__in=provinces)
            .select_related("province")
            .order_by("province__name_sort", "name_sort")
        )
        districts.label_from_instance = lambda d: f"{d.province.name} / {d.name}"
        self.fields["started_at"].input_formats = INPUT_FORMATS
        self.fields["started_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean(self):
        cleaned = super().clean()
        provinces = cleaned.get("provinces") or []
        outside = [
            d.name
            for d in cleaned.get("districts") or []
            if d.province_id not in {p.pk for p in provinces}
        ]
        if outside:
            self.add_error(
                "districts",
                _("These districts are not in the affected provinces: %(districts)s.")
                % {"districts": ", ".join(outside)},
            )
        started = cleaned.get("started_at")
        if started and started > timezone.now() + datetime.timedelta(days=1):
            self.add_error("started_at", _("The start time cannot be more than a day ahead."))
        return cleaned


class NeedForm(forms.ModelForm):
    """One need of an activation."""

    class Meta:
        model = Need
        fields = ["kind", "quantity", "unit", "place", "priority", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"].widget.attrs.update({"min": 1, "max": MAX_QUANTITY})
        self.fields["quantity"].min_value = 1

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity is not None and quantity < 1:
            raise forms.ValidationError(_("A need must ask for at least 1."))
        return quantity


NeedFormSet = modelformset_factory(
    Need, form=NeedForm, extra=3, min_num=1, validate_min=True, can_delete=False
)


def need_formset(data=None):
    """The needs of a new activation (three empty rows; at least one must be filled in)."""
    formset = NeedFormSet(data, queryset=Need.objects.none(), prefix="needs")
    return formset


class NeedEditForm(NeedForm):
    """A need changed on the board; ``version`` is the version the officer saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["version"].initial = self.instance.version


class ActivationEditForm(forms.ModelForm):
    """What an officer may correct once the activation is open: its description and severity;
    ``version`` is the version the officer saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Activation
        fields = ["description", "severity"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["version"].initial = self.instance.version


class NeedRemoveForm(forms.Form):
    """Removing a need; ``version`` is the version the officer saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class CallForm(forms.Form):
    """The NGOs of the proposal the officer picks, and a message for them."""

    ngos = forms.TypedMultipleChoiceField(
        label=_("NGOs to call"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one NGO to call.")},
    )
    message = forms.CharField(
        label=_("Message to the NGOs"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Where to gather, whom to ask for, what to bring."),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ngos"].choices = [(c.ngo.pk, c.ngo.name) for c in candidates]


class ResponseForm(forms.ModelForm):
    """An NGO's answer to a call, with one "pledged" field per need of the activation."""

    version = forms.IntegerField(widget=forms.HiddenInput, initial=0)

    class Meta:
        model = Response
        fields = [
            "availability",
            "people",
            "vehicles",
            "eta",
            "contact_name",
            "contact_phone",
            "note",
        ]
        widgets = {
            "availability": forms.RadioSelect,
            "eta": _datetime_widget(),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, needs, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs = list(needs)
        self.fields["eta"].input_formats = INPUT_FORMATS
        for name in ("people", "vehicles"):
            self.fields[name].widget.attrs.update({"min": 0, "max": MAX_QUANTITY})
        pledged = {}
        if self.instance.pk:
            pledged = {item.need_id: item.pledged for item in self.instance.items.all()}
            if not self.is_bound:
                self.fields["version"].initial = self.instance.version
        for need in self.needs:
            self.fields[f"need_{need.pk}"] = forms.IntegerField(
                label=_("%(kind)s (needed: %(quantity)s %(unit)s)")
                % {
                    "kind": need.get_kind_display(),
                    "quantity": need.quantity,
                    "unit": need.get_unit_display(),
                },
                min_value=0,
                max_value=MAX_QUANTITY,
                required=False,
                initial=pledged.get(need.pk, 0),
                help_text=need.place,
            )

    def need_fields(self):
        return [self[f"need_{need.pk}"] for need in self.needs]

    def items(self) -> dict:
        return {need.pk: self.cleaned_data.get(f"need_{need.pk}") or 0 for need in self.needs}

    def clean(self):
        cleaned = super().clean()
        availability = cleaned.get("availability")
        if availability == Response.Availability.NOT_AVAILABLE:
            # Nobody comes: what was typed in the other fields is not kept.
            cleaned.update(people=0, vehicles=0, eta=None)
        elif availability:
            sends = (cleaned.get("people") or 0) + (cleaned.get("vehicles") or 0)
            if not sends and not any(self.items().values()):
                raise forms.ValidationError(
                    _("Say what you send: people, vehicles or items against the needs.")
                )
        return cleaned


class OfferForm(forms.Form):
    """A verified NGO's offer of help on the public page."""

    ngo = forms.ModelChoiceField(label=_("On behalf of"), queryset=NGO.objects.none())
    message = forms.CharField(
        label=_("What you can offer"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("People, vehicles, items and when you could be there."),
    )

    def __init__(self, *args, ngos, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ngo"].queryset = ngos
        choices = list(ngos[:2])
        if len(choices) == 1:
            self.fields["ngo"].initial = choices[0].pk


class StateForm(forms.Form):
    """Moving a called NGO to its next state; ``from_state`` is the state the officer saw."""

    from_state = forms.ChoiceField(choices=CallState.choices, widget=forms.HiddenInput)
    to_state = forms.ChoiceField(choices=CallState.choices)


class ArrivedForm(forms.Form):
    arrived = forms.IntegerField(label=_("Arrived"), min_value=0, max_value=MAX_QUANTITY)
