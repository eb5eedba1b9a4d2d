"""Forms of regional programmes: the programme with its speakers and agenda, and the minutes.

Times are typed in Türkiye time (the views activate Europe/Istanbul around these forms).
"""

import re

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from events.models import AgendaItem, Event, ProgrammeDecision, Speaker
from municipalities.models import Municipality, Province, SubRegion
from portal.access import roles_of
from portal.slugs import unique_slug
from portal.turkish import tr_slugify
from surveys.models import Campaign

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
# Paths under /events/ that a programme's slug must not take.
RESERVED_SLUGS = {"new", "places", "follow-through"}
MAX_CASES_PER_DECISION = 50


def _datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


def subregions_for(user):
    """The sub-regions the user may hold programmes in (all for national coordinators and
    site administrators)."""
    roles = roles_of(user)
    subregions = SubRegion.objects.order_by("code")
    if roles.is_national_coordinator or roles.is_site_admin:
        return subregions
    return subregions.filter(pk__in=roles.subregion_ids)


class EventForm(forms.ModelForm):
    """A programme; the sub-region, host province and host municipality are limited to what the
    coordinator may choose, and must fit together."""

    class Meta:
        model = Event
        fields = [
            "title",
            "subregion",
            "host_province",
            "host_municipality",
            "venue",
            "address",
            "starts_at",
            "ends_at",
            "description",
            "capacity",
            "registration_deadline",
            "campaign",
            "state",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 6}),
            "starts_at": _datetime_widget(),
            "ends_at": _datetime_widget(),
            "registration_deadline": _datetime_widget(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        subregions = subregions_for(user)
        self.fields["subregion"].queryset = subregions
        self.fields["subregion"].label_from_instance = lambda s: f"{s.code} — {s.name}"
        self.fields["host_province"].queryset = Province.objects.filter(
            subregion__in=subregions
        ).order_by("name_sort")
        self.fields["host_province"].help_text = _("A province of the chosen sub-region.")
        province_id = self._chosen_province_id()
        self.fields["host_municipality"].queryset = Municipality.objects.filter(
            province_id=province_id
        ).order_by("kind", "name_sort")
        self.fields["host_municipality"].help_text = (
            _("A municipality of the host province.")
            if province_id
            else _("Choose the host province first (without JavaScript: save, then edit).")
        )
        # With htmx, choosing a province refreshes the municipality list in place.
        self.fields["host_province"].widget.attrs.update(
            {
                "data-hx-get": reverse_lazy("events:place_options"),
                "data-hx-trigger": "change",
                "data-hx-target": f"#{self['host_municipality'].auto_id}",
                "data-hx-swap": "innerHTML",
            }
        )
        self.fields["campaign"].queryset = Campaign.objects.order_by("-opens_at", "-pk")
        self.fields["campaign"].required = False
        for name in ("starts_at", "ends_at", "registration_deadline"):
            self.fields[name].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
            self.fields[name].help_text = _("Türkiye time (Europe/Istanbul).")
        self.fields["capacity"].min_value = 1
        self.fields["capacity"].widget.attrs["min"] = 1
        self.fields["title"].max_length = 250

    def _chosen_province_id(self):
        raw = self.data.get(self.add_prefix("host_province")) if self.is_bound else None
        if raw is None:
            raw = self.initial.get("host_province") or self.instance.host_province_id
        try:
            return int(getattr(raw, "pk", raw))
        except (TypeError, ValueError):
            return None

    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        if not tr_slugify(title):
            raise forms.ValidationError(_("Please give the programme a title with letters."))
        return title

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        taken = self.instance.seats_taken if self.instance.pk else 0
        if capacity is not None and capacity < taken:
            raise forms.ValidationError(
                _(
                    "%(taken)s seats are already taken; the capacity cannot be lower than that. "
                    "Cancel registrations first if the venue is smaller."
                )
                % {"taken": taken}
            )
        return capacity

    def clean(self):
        cleaned = super().clean()
        subregion = cleaned.get("subregion")
        province = cleaned.get("host_province")
        municipality = cleaned.get("host_municipality")
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        deadline = cleaned.get("registration_deadline")
        if subregion and province and province.subregion_id != subregion.pk:
            self.add_error(
                "host_province", _("The host province must be in the chosen sub-region.")
            )
        if province and municipality and municipality.province_id != province.pk:
            self.add_error(
                "host_municipality", _("The host municipality must be in the host province.")
            )
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The programme must end after it starts."))
        if ends and deadline and deadline > ends:
            self.add_error(
                "registration_deadline",
                _("Registration must close before the programme ends."),
            )
        if cleaned.get("state") == Event.State.HELD and starts and starts > timezone.now():
            self.add_error("state", _("A programme can only be marked held once it has started."))
        return cleaned

    def save(self, commit=True):
        event = super().save(commit=False)
        if not event.slug:
            event.slug = unique_slug(
                Event,
                event.title,
                max_length=110,
                fallback="programme",
                reserved=RESERVED_SLUGS,
            )
        if commit:
            event.save()
        return event


class SpeakerForm(forms.ModelForm):
    class Meta:
        model = Speaker
        fields = ["name", "position", "organisation", "order"]


class AgendaItemForm(forms.ModelForm):
    """An agenda slot; its speakers are chosen among the programme's saved speakers."""

    class Meta:
        model = AgendaItem
        fields = ["starts_at", "title", "speakers", "order"]
        widgets = {
            "starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "speakers": forms.SelectMultiple(attrs={"size": 4}),
        }

    def __init__(self, *args, speakers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].input_formats = ["%H:%M", "%H:%M:%S"]
        self.fields["speakers"].queryset = (
            speakers if speakers is not None else Speaker.objects.none()
        )
        self.fields["speakers"].help_text = _(
            "Speakers saved with the programme; add new speakers first, save, then assign them."
        )


class BaseAgendaFormSet(forms.BaseInlineFormSet):
    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["speakers"] = (
            self.instance.speakers.all() if self.instance.pk else Speaker.objects.none()
        )
        return kwargs


SpeakerFormSet = forms.inlineformset_factory(
    Event,
    Speaker,
    form=SpeakerForm,
    extra=3,
    can_delete=True,
    max_num=40,
    validate_max=True,
)

AgendaFormSet = forms.inlineformset_factory(
    Event,
    AgendaItem,
    form=AgendaItemForm,
    formset=BaseAgendaFormSet,
    extra=3,
    can_delete=True,
    max_num=60,
    validate_max=True,
)


class MinutesForm(forms.ModelForm):
    """What a coordinator records after the programme; saving marks it held."""

    class Meta:
        model = Event
        fields = ["minutes_summary", "minutes_attendees", "minutes_organisations"]
        widgets = {
            "minutes_summary": forms.Textarea(attrs={"rows": 8}),
            "minutes_organisations": forms.Textarea(attrs={"rows": 6}),
        }
        labels = {
            "minutes_summary": _("Summary"),
            "minutes_attendees": _("Number of attendees"),
            "minutes_organisations": _("Organisations present"),
        }
        help_texts = {
            "minutes_organisations": _("One organisation per line."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["minutes_summary"].required = True
        self.fields["minutes_attendees"].required = True

    def clean(self):
        cleaned = super().clean()
        if self.instance.state == Event.State.CANCELLED:
            raise forms.ValidationError(
                _("This programme was cancelled; reopen it before recording minutes.")
            )
        if self.instance.starts_at > timezone.now():
            raise forms.ValidationError(
                _("Minutes can be recorded once the programme has started.")
            )
        return cleaned

    def save(self, commit=True):
        event = super().save(commit=False)
        event.state = Event.State.HELD
        if commit:
            event.save(
                update_fields=[
                    "minutes_summary",
                    "minutes_attendees",
                    "minutes_organisations",
                    "state",
                    "updated_at",
                ]
            )
        return event


class DecisionForm(forms.ModelForm):
    """A decision of the minutes and the cases it concerns, typed as case numbers; only cases
    the coordinator may see are accepted (``cases``: their scoped queryset). Links to cases
    the coordinator cannot see (made by a national coordinator) are kept, not shown."""

    case_numbers = forms.CharField(
        label=_("Cases concerned"),
        required=False,
        max_length=500,
        help_text=_("Case numbers as shown on each case, separated by commas (e.g. 12, 48)."),
    )

    class Meta:
        model = ProgrammeDecision
        fields = ["text", "order"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}
        labels = {"text": _("Decision")}

    def __init__(self, *args, cases, linked: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = cases
        # The case ids linked to this decision: (visible to the coordinator, hidden from them).
        self.visible_ids, self.hidden_ids = linked.get(self.instance.pk, ([], []))
        if self.instance.pk:
            self.initial["case_numbers"] = ", ".join(str(pk) for pk in self.visible_ids)

    def clean_case_numbers(self):
        tokens = [t.lstrip("#") for t in re.split(r"[\s,;]+", self.cleaned_data["case_numbers"])]
        numbers = set()
        for token in filter(None, tokens):
            if not token.isascii() or not token.isdigit() or len(token) > 12:
                raise forms.ValidationError(
                    _("“%(value)s” is not a case number."), params={"value": token}
                )
            numbers.add(int(token))
        if len(numbers) > MAX_CASES_PER_DECISION:
            raise forms.ValidationError(
                _("A decision can link at most %(max)s cases."),
                params={"max": MAX_CASES_PER_DECISION},
            )
        found = set(self.cases.filter(pk__in=numbers).values_list("pk", flat=True))
        missing = sorted(numbers - found)
        if missing:
            raise forms.ValidationError(
                ngettext_lazy(
                    "There is no case %(numbers)s among the cases you may see.",
                    "There are no cases %(numbers)s among the cases you may see.",
                    "count",
                ),
                params={"numbers": ", ".join(map(str, missing)), "count": len(missing)},
            )
        return sorted(found)

    def clean_text(self):
        return self.cleaned_data["text"].strip()

    def save(self, commit=True):
        decision = super().save(commit=commit)
        if commit:
            decision.cases.set([*self.cleaned_data.get("case_numbers", []), *self.hidden_ids])
        return decision


class BaseDecisionFormSet(forms.BaseInlineFormSet):
    """The decisions of a programme's minutes; ``cases`` is the queryset of the cases the
    coordinator may link (Expectation.objects.coordinated_by)."""

    def __init__(self, *args, cases, **kwargs):
        self.cases = cases
        super().__init__(*args, **kwargs)
        self.queryset = self.queryset.order_by("order", "pk")
        self.linked = self._linked()

    def _linked(self) -> dict:
        """Each saved decision's linked case ids, split into visible and hidden (two queries:
        the links, and which of them the coordinator may see)."""
        if not self.instance.pk:
            return {}
        Link = ProgrammeDecision.cases.through
        links = list(
            Link.objects.filter(programmedecision__event=self.instance)
            .order_by("expectation_id")
            .values_list("programmedecision_id", "expectation_id")
        )
        visible = set(
            self.cases.filter(pk__in={case for _, case in links}).values_list("pk", flat=True)
        )
        linked = {}
        for decision, case in links:
            shown, hidden = linked.setdefault(decision, ([], []))
            (shown if case in visible else hidden).append(case)
        return linked

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs.update(cases=self.cases, linked=self.linked)
        return kwargs


DecisionFormSet = forms.inlineformset_factory(
    Event,
    ProgrammeDecision,
    form=DecisionForm,
    formset=BaseDecisionFormSet,
    extra=2,
    can_delete=True,
    max_num=30,
    validate_max=True,
)
